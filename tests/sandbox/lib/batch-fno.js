'use strict'
// Multipart `$batch` as F&O answers it (FNO_FACTS §16), on top of CAP's own batch processing.
//
// CAP still runs the batch (one transaction per change set, Content-ID references, the F&O
// conventions of the other modules); this module only reshapes what goes in and what comes out,
// so that every CAP feature keeps working inside `$batch`:
//
//  - request (both wire modes): inner request lines with absolute URLs
//    (`POST http://127.0.0.1:<port>/data/SalesOrderHeadersV2 HTTP/1.1`, as captured F&O batches
//    send them) are made relative to the service root before CAP parses them (CAP alone
//    answers them 404);
//  - answer (`--wire fno` only, the default): fresh `batchresponse_<guid>` and
//    `changesetresponse_<guid>` boundaries; a failed change set comes back as a nested
//    multipart holding only the failing operation's part (CAP and the OData spec put one
//    response in place of the change set); failed writes inside `$batch` are
//    `500 Internal Server Error` with an `AxODataWriteException`-typed innererror (CAP: 400/409);
//    inner JSON parts are typed `application/json; odata.metadata=minimal; charset=utf-8`;
//  - counters per `x-sandbox-tag` at `GET /_sandbox/batch/stats?tag=<t>`: `batches` (multipart
//    `$batch` requests that reached the service) and `writes` (write operations in them), so
//    tests can prove a write was not sent twice. `DELETE /_sandbox/batch/stats` clears them.

const crypto = require('node:crypto')

const WRITE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException'
const JSON_TYPE = 'application/json; odata.metadata=minimal; charset=utf-8'
const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE', 'MERGE'])
const MAX_BODY = 64 * 1024 * 1024
const TAG = 'x-sandbox-tag'
const CRLF = '\r\n'

const stats = new Map() // tag -> { batches, writes }

function boundaryOf(contentType) {
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(String(contentType || ''))
  return m ? m[1] || m[2] : null
}

/** Splits a multipart body into its parts (text between delimiters). */
function splitParts(text, boundary) {
  const delimiter = `--${boundary}`
  const parts = []
  const lines = text.split(/\r?\n/)
  let current = null
  for (const line of lines) {
    if (line.startsWith(delimiter)) {
      const rest = line.slice(delimiter.length).trim()
      if (current) parts.push(current.join(CRLF))
      if (rest === '--') return parts
      current = []
      continue
    }
    if (current) current.push(line)
  }
  if (current) parts.push(current.join(CRLF))
  return parts
}

/** Header block and content of a part or embedded message. */
function splitHead(text) {
  const i = text.indexOf(CRLF + CRLF)
  const head = i < 0 ? text : text.slice(0, i)
  const body = i < 0 ? '' : text.slice(i + 4)
  const headers = {}
  const lines = head.split(CRLF)
  for (const line of lines) {
    const c = line.indexOf(':')
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim()
  }
  return { lines, headers, body }
}

/** The units of a batch request: `{ changeSet, ops: [{ contentId, method }] }`. */
function requestUnits(text, boundary) {
  const units = []
  for (const raw of splitParts(text, boundary)) {
    const { headers, body } = splitHead(raw)
    const inner = boundaryOf(headers['content-type'])
    if (/^multipart\/mixed/i.test(headers['content-type'] || '') && inner) {
      units.push({ changeSet: true, ops: splitParts(body, inner).map(op) })
    } else {
      units.push({ changeSet: false, ops: [op(raw)] })
    }
  }
  return units
}

function op(raw) {
  const { headers, body } = splitHead(raw)
  const line = body.split(CRLF, 1)[0] || ''
  return { contentId: headers['content-id'], method: (line.split(' ', 1)[0] || '').toUpperCase() }
}

/** Makes absolute inner request URLs under the service root relative to it. */
function relativeTargets(text) {
  return text.replace(
    /^(GET|POST|PATCH|PUT|DELETE|MERGE) https?:\/\/[^/\s]+\/data\/(\S*) (HTTP\/1\.[01])(\r?)$/gim,
    (_, method, rest, version, cr) => `${method} ${rest} ${version}${cr}`,
  )
}

/** An embedded HTTP response: status line, headers, body. */
function parseResponse(text) {
  const { lines, headers, body } = splitHead(text)
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] || '')
  return { status: m ? Number(m[1]) : 500, headers: { ...headers, ...{} }, headerLines: lines.slice(1), body: body.replace(/\r\n$/, '') }
}

const REASONS = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }

/** The body of a failed write as F&O sends it inside `$batch`. */
function writeError(body) {
  let error = {}
  try {
    error = JSON.parse(body).error || {}
  } catch {}
  const inner = error.innererror && typeof error.innererror === 'object' ? error.innererror : {}
  const message = inner.message || error.message || 'Write failed.'
  return JSON.stringify({
    error: {
      code: '',
      message: 'An error has occurred.',
      innererror: { message, type: WRITE_EXCEPTION, stacktrace: inner.stacktrace || '' },
    },
  })
}

/** One `application/http` part in F&O's form. */
function fnoPart(contentId, method, responseText, inChangeSet) {
  const r = parseResponse(responseText)
  let { status, body } = r
  if (inChangeSet && WRITES.has(method) && (status === 400 || status === 409)) {
    status = 500
    body = writeError(body)
  }
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] || ''}`.trimEnd()]
  for (const line of r.headerLines) {
    const c = line.indexOf(':')
    if (c <= 0) continue
    const name = line.slice(0, c).trim().toLowerCase()
    if (name === 'content-length' || name === 'content-type') continue
    lines.push(line)
  }
  if (body) lines.push(`Content-Type: ${JSON_TYPE}`)
  const head = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary']
  if (contentId) head.push(`Content-ID: ${contentId}`)
  return `${head.join(CRLF)}${CRLF}${CRLF}${lines.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}`
}

/** CAP's multipart answer to `units`, rewritten in F&O's form. */
function toFno(text, boundary, units) {
  const outer = `batchresponse_${crypto.randomUUID()}`
  const out = []
  const parts = splitParts(text, boundary)
  parts.forEach((raw, i) => {
    const unit = units[i] || { changeSet: false, ops: [] }
    const { headers, body } = splitHead(raw)
    const method = id => unit.ops.find(o => o.contentId === id)?.method || unit.ops[0]?.method || 'GET'
    const inner = boundaryOf(headers['content-type'])
    if (/^multipart\/mixed/i.test(headers['content-type'] || '') && inner) {
      // A change set that succeeded: every response, under a fresh boundary.
      const cs = `changesetresponse_${crypto.randomUUID()}`
      let nested = `Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}`
      for (const p of splitParts(body, inner)) {
        const h = splitHead(p)
        nested += `--${cs}${CRLF}${fnoPart(h.headers['content-id'], method(h.headers['content-id']), h.body, true)}`
      }
      out.push(nested + `--${cs}--${CRLF}`)
    } else if (unit.changeSet) {
      // A failed change set: only the failing operation's part, nested.
      const cs = `changesetresponse_${crypto.randomUUID()}`
      const id = headers['content-id']
      out.push(
        `Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}--${cs}${CRLF}` +
          fnoPart(id, method(id), body, true) +
          `--${cs}--${CRLF}`,
      )
    } else {
      out.push(fnoPart(headers['content-id'], method(headers['content-id']), body, false))
    }
  })
  return { boundary: outer, body: out.map(p => `--${outer}${CRLF}${p}`).join('') + `--${outer}--${CRLF}` }
}

function count(tag, writes) {
  if (!tag) return
  const s = stats.get(tag) || { batches: 0, writes: 0 }
  s.batches += 1
  s.writes += writes
  stats.set(tag, s)
}

/** Express middleware for `POST /data/$batch` (mounted before CAP). */
function middleware(opts) {
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== '/$batch') return next()
    const boundary = boundaryOf(req.headers['content-type'])
    if (!/^multipart\/mixed/i.test(req.headers['content-type'] || '') || !boundary) return next()
    const chunks = []
    let size = 0
    req.on('data', c => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('error', next)
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413, { 'Content-Type': 'application/json' })
        return res.end(JSON.stringify({ error: { code: '', message: 'The $batch request is too large.' } }))
      }
      const text = relativeTargets(Buffer.concat(chunks).toString('utf8'))
      const units = requestUnits(text, boundary)
      count(req.headers[TAG], units.flatMap(u => u.ops).filter(o => WRITES.has(o.method)).length)
      // CAP's body parser skips a request whose body was read already.
      req.body = text
      req._body = true
      if (opts.wire === 'fno') reshape(res, units)
      next()
    })
  }
}

/** Captures CAP's answer and sends it in F&O's form instead. */
function reshape(res, units) {
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
  res.end = function (chunk, encoding, cb) {
    add(chunk, encoding)
    res.write = write
    res.end = end
    let body = Buffer.concat(chunks)
    const type = String(res.getHeader('content-type') || '')
    const boundary = boundaryOf(type)
    if (/^multipart\/mixed/i.test(type) && boundary && !res.headersSent) {
      const fno = toFno(body.toString('utf8'), boundary, units)
      res.setHeader('Content-Type', `multipart/mixed; boundary=${fno.boundary}`)
      body = Buffer.from(fno.body, 'utf8')
    }
    if (!res.headersSent) res.setHeader('Content-Length', body.length)
    return end.call(res, body, typeof encoding === 'function' ? encoding : typeof cb === 'function' ? cb : undefined)
  }
}

/** Express router for `/_sandbox/batch`. */
function controlRouter(express) {
  const router = express.Router()
  router.get('/stats', (req, res) => res.json(stats.get(String(req.query.tag || '')) || { batches: 0, writes: 0 }))
  router.delete('/stats', (req, res) => {
    stats.clear()
    res.json({ cleared: true })
  })
  return router
}

/** Installs the `$batch` reshaping on `/data` and the counters on `/_sandbox/batch`. */
function install(app, express, opts) {
  app.use('/_sandbox/batch', controlRouter(express))
  app.use('/data', middleware(opts))
}

module.exports = { install, toFno, relativeTargets, requestUnits, splitParts }
