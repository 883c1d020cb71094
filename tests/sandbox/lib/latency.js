'use strict'
// A fixed delay before every /data request is served, standing in for the 100-500 ms a real
// F&O environment spends per page (FNO_FACTS §16). Set with `--latency-ms N` /
// SANDBOX_LATENCY_MS (default 0), changed at run time through the control API:
//
//   GET /_sandbox/latency          -> { "ms": <current delay> }
//   PUT /_sandbox/latency {"ms":N} -> { "ms": N }
//
// `$metadata` and the /_sandbox control routes are never delayed. Requests answered by a fault
// rule (lib/faults.js runs first) are not delayed either: a throttled request is answered at once,
// as F&O does.

const MAX_MS = 60000

let current = 0

function set(ms) {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS) throw new Error(`latency must be an integer 0..${MAX_MS} (ms)`)
  current = ms
}

/** Express middleware for /data: waits the configured delay, then passes the request on. */
function middleware(req, res, next) {
  if (current === 0 || req.path === '/$metadata') return next()
  const timer = setTimeout(next, current)
  // A client that gives up before the delay is over leaves no timer behind.
  res.once('close', () => clearTimeout(timer))
}

function controlRouter(express) {
  const router = express.Router()
  router.get('/', (req, res) => res.json({ ms: current }))
  router.put('/', express.json({ limit: '1kb' }), (req, res) => {
    try {
      set(req.body?.ms)
      res.json({ ms: current })
    } catch (e) {
      res.status(400).json({ error: { code: '', message: e.message } })
    }
  })
  return router
}

module.exports = { set, middleware, controlRouter, MAX_MS }
