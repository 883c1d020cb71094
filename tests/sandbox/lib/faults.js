'use strict'
// Fault injection, switched on at run time by tests through the control API:
//
//   POST   /_sandbox/faults        add a rule (JSON, see below) -> 201 with the stored rule
//   GET    /_sandbox/faults        list rules with their remaining and hit counts
//   DELETE /_sandbox/faults        remove all rules
//   DELETE /_sandbox/faults/:id    remove one rule
//
// Rule fields:
//   kind      "status" | "reset" | "slow"
//   times     number of matching requests to hit (default 1), or "always"
//   match     { method, path, header: { name, value } }  (all optional; path is a substring of
//             the request URL incl. query; method and header name are case-insensitive)
//   status    kind "status": the HTTP status (e.g. 429, 503)
//   retryAfter  kind "status": Retry-After header value, a string ("2" or an HTTP-date)
//   body      kind "status": response body (string sent as is, object sent as JSON);
//             default an OData error body
//   headers   kind "status": extra response headers
//   forward   kind "status": true = the request is processed by the service first and its real
//             answer replaced by the status (a gateway timing out after the commit); default false
//   bytes     kind "reset": body bytes to send before the reset (default: half the body)
//   forward   kind "reset": true (default) = the request is processed by the service and part of
//             the real response is sent; false = not processed, a fabricated partial body is sent
//   delayMs   kind "slow": wait this long before forwarding the request
//   chunkBytes, chunkDelayMs  kind "slow": dribble the real body in chunks of chunkBytes with
//             chunkDelayMs between them
//
// Whether a faulted request reaches the service:
//   status            forward=false (default): never (nothing is processed)
//                     forward=true: processed, then answered with the status instead
//   reset             forward=true: processed, then the connection is cut mid-body
//                     forward=false: never processed
//   slow              always processed (after the delay)
//
// Requests under /_sandbox are never faulted.

const crypto = require('node:crypto')

const KINDS = new Set(['status', 'reset', 'slow'])
let rules = []
let nextId = 1

function validate(input) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('rule must be a JSON object')
  const kind = input.kind
  if (!KINDS.has(kind)) throw new Error('kind must be one of status, reset, slow')
  let times = input.times ?? 1
  if (times === 'always') times = Infinity
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new Error('times must be a positive integer or "always"')
  const match = input.match ?? {}
  if (typeof match !== 'object') throw new Error('match must be an object')
  let header = match.header
  if (typeof header === 'string') {
    const i = header.indexOf(':')
    header = i < 0 ? { name: header } : { name: header.slice(0, i).trim(), value: header.slice(i + 1).trim() }
  }
  if (header && !header.name) throw new Error('match.header needs a name')
  const rule = {
    id: String(nextId++),
    kind,
    times,
    remaining: times,
    hits: 0,
    match: { method: match.method?.toUpperCase(), path: match.path, header },
  }
  if (kind === 'status') {
    const status = Number(input.status)
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new Error('status must be an HTTP status code')
    rule.status = status
    if (input.retryAfter !== undefined) rule.retryAfter = String(input.retryAfter)
    if (input.body !== undefined) rule.body = input.body
    if (input.headers) rule.headers = input.headers
    rule.forward = input.forward === true
  } else if (kind === 'reset') {
    if (input.bytes !== undefined) rule.bytes = nonNegative(input.bytes, 'bytes')
    rule.forward = input.forward !== false
  } else if (kind === 'slow') {
    rule.delayMs = nonNegative(input.delayMs ?? 0, 'delayMs')
    if (input.chunkBytes !== undefined) rule.chunkBytes = Math.max(1, nonNegative(input.chunkBytes, 'chunkBytes'))
    rule.chunkDelayMs = nonNegative(input.chunkDelayMs ?? 0, 'chunkDelayMs')
  }
  return rule
}

function nonNegative(v, name) {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`)
  return Math.floor(n)
}

const view = r => ({ ...r, times: r.times === Infinity ? 'always' : r.times, remaining: r.remaining === Infinity ? 'always' : r.remaining })

function matches(rule, req) {
  if (rule.remaining <= 0) return false
  const m = rule.match
  if (m.method && req.method !== m.method) return false
  if (m.path && !req.originalUrl.includes(m.path) && !safeDecode(req.originalUrl).includes(m.path)) return false
  if (m.header) {
    const v = req.headers[m.header.name.toLowerCase()]
    if (v === undefined) return false
    if (m.header.value !== undefined && String(v) !== String(m.header.value)) return false
  }
  return true
}

function safeDecode(s) {
  try { return decodeURIComponent(s) } catch { return s }
}

/** Express middleware: applies the first matching rule. */
function middleware(req, res, next) {
  if (req.path.startsWith('/_sandbox')) return next()
  const rule = rules.find(r => matches(r, req))
  if (!rule) return next()
  rule.remaining -= 1
  rule.hits += 1
  res.setHeader('x-sandbox-fault', `${rule.kind};id=${rule.id}`)
  switch (rule.kind) {
    case 'status': return rule.forward ? captureThen(res, next, () => sendStatus(rule, req, res)) : sendStatus(rule, req, res)
    case 'reset': return rule.forward ? captureThen(res, next, body => resetAfter(res, body, rule)) : resetUnprocessed(res, rule)
    case 'slow': {
      const go = () => (rule.chunkBytes ? captureThen(res, next, body => dribble(res, body, rule)) : next())
      return rule.delayMs ? setTimeout(go, rule.delayMs) : go()
    }
  }
}

function sendStatus(rule, req, res) {
  let body = rule.body
  let type = 'application/json; odata.metadata=minimal'
  if (body === undefined) {
    const message =
      rule.status === 429
        ? 'This request could not be processed at this time due to system experiencing high resource utilization.'
        : `Injected fault: HTTP ${rule.status}`
    body = JSON.stringify({ error: { code: '', message, innererror: { message, type: '', stacktrace: '' } } })
  } else if (typeof body === 'string') {
    type = 'text/plain; charset=utf-8'
  } else {
    body = JSON.stringify(body)
  }
  const headers = { 'Content-Type': type, 'ms-dyn-aid': crypto.randomUUID(), ...(rule.headers || {}) }
  if (rule.retryAfter !== undefined) headers['Retry-After'] = rule.retryAfter
  if (rule.status === 204 || rule.status === 304) body = ''
  headers['Content-Length'] = Buffer.byteLength(body)
  res.writeHead(rule.status, headers)
  res.end(body)
}

/** Lets the request run and captures the whole response body before anything is sent. */
function captureThen(res, next, then) {
  const write = res.write
  const end = res.end
  const chunks = []
  const add = (chunk, encoding) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
  }
  res.write = function (chunk, encoding, cb) {
    add(chunk, encoding)
    if (typeof encoding === 'function') encoding()
    else if (typeof cb === 'function') cb()
    return true
  }
  res.end = function (chunk, encoding) {
    add(chunk, encoding)
    res.write = write
    res.end = end
    then(Buffer.concat(chunks))
    return res
  }
  next()
}

function resetAfter(res, body, rule) {
  const n = Math.min(body.length, rule.bytes ?? Math.floor(body.length / 2))
  cut(res, body.subarray(0, n))
}

function resetUnprocessed(res, rule) {
  // Not forwarded: a plausible start of an OData collection, then the reset.
  const full = Buffer.from('{"@odata.context":"$metadata#Resources","value":[{"dataAreaId":"usmf","Injected":"reset"}]}')
  const n = Math.min(full.length, rule.bytes ?? Math.floor(full.length / 2))
  res.writeHead(200, { 'Content-Type': 'application/json; odata.metadata=minimal', 'Content-Length': full.length })
  cut(res, full.subarray(0, n))
}

function cut(res, part) {
  const socket = res.socket
  res.shouldKeepAlive = false
  const destroy = () => setTimeout(() => socket?.destroy(), 20)
  if (part.length) res.write(part, destroy)
  else {
    res.flushHeaders()
    destroy()
  }
}

function dribble(res, body, rule) {
  let offset = 0
  const step = () => {
    if (offset >= body.length || res.destroyed) return res.end()
    const part = body.subarray(offset, offset + rule.chunkBytes)
    offset += part.length
    res.write(part, () => setTimeout(step, rule.chunkDelayMs))
  }
  step()
}

/** Express router for the control API. */
function controlRouter(express) {
  const router = express.Router()
  router.use(express.json({ limit: '1mb' }))
  router.get('/faults', (req, res) => res.json({ rules: rules.map(view) }))
  router.post('/faults', (req, res) => {
    try {
      const rule = validate(req.body)
      rules.push(rule)
      res.status(201).json(view(rule))
    } catch (e) {
      res.status(400).json({ error: { code: 'InvalidRule', message: e.message } })
    }
  })
  router.delete('/faults', (req, res) => {
    const removed = rules.length
    rules = []
    res.json({ removed })
  })
  router.delete('/faults/:id', (req, res) => {
    const before = rules.length
    rules = rules.filter(r => r.id !== req.params.id)
    res.status(before === rules.length ? 404 : 200).json({ removed: before - rules.length })
  })
  return router
}

module.exports = { middleware, controlRouter, validate }
