'use strict'
// Response shapes of real F&O (FNO_FACTS §16), applied when the sandbox runs with --wire fno
// (the default). With --wire cap none of this is installed and CAP's own shapes go out.
//
//  - @odata.context is absolute: http://<host>/data/$metadata#CustomersV3 (CAP: relative);
//  - @odata.nextLink is absolute and $skip/$top based, after "value", keeping the request's
//    other options in their order: …/data/CustomersV3?cross-company=true&$filter=…&$skip=N
//    (and &$top=T-N when the request had $top=T), as ASP.NET OData writes it
//    (CAP: a relative link with $skiptoken before "value");
//  - error bodies are F&O's: {"error":{"code":"","message":…,"innererror":{"message","type",
//    "stacktrace"}}} with none of CAP's members (numeric code, @Common.numericSeverity, target,
//    details); an unknown property in $filter/$select/$orderby/$expand answers 400 with a
//    TargetInvocationException chain whose innermost internalexception says
//    "The property 'X' does not exist on type 'Microsoft.Dynamics.DataEntities.Y'. …";
//  - ETags are weak base64 of 'RecVersion,RecId' (W/"JzEsNTYzNzE0NDU3Nic="): stored in the hidden
//    column RecVersionETag (srv/fno-wire.cds), new RecVersion on every write, so CAP's own
//    If-Match check enforces them (412 on a stale one).
//
// $batch responses are not touched here (see batch handling in server.js).

const crypto = require('node:crypto')
const { ENTITY_TYPE_NAMES } = require('./metadata')

const NS = 'Microsoft.Dynamics.DataEntities'
const ETAG_COLUMN = 'RecVersionETag'
// F&O's RecIds of data rows start here.
const FIRST_REC_ID = 5637144576

let active = false

/** Switches the F&O shapes on for this process (called once at start). */
function configure(opts) {
  active = opts.wire === 'fno'
}

const isActive = () => active

/** A stable RecId for a row of `set` with key values `keys` (an object). */
function recId(set, keys) {
  const text = set + '|' + Object.keys(keys).sort().map(k => `${k}=${String(keys[k]).toLowerCase()}`).join('|')
  const h = crypto.createHash('sha256').update(text).digest()
  return FIRST_REC_ID + (h.readUInt32BE(0) % 1000000000)
}

/** The ETag text (without W/"…"): base64 of 'RecVersion,RecId', as F&O sends it. */
function etagValue(recVersion, id) {
  return Buffer.from(`'${recVersion},${id}'`).toString('base64')
}

/** A new RecVersion: F&O draws a fresh one on every update. */
const newRecVersion = () => 1 + crypto.randomInt(0x7ffffffe)

/** Key values of a row of `entity` (a CSN definition). */
function keyOf(entity, row) {
  const keys = {}
  for (const [k, el] of Object.entries(entity.keys || {})) if (!el.isAssociation && !el.virtual) keys[k] = row[k]
  return keys
}

const localName = def => def.name.slice(def.name.lastIndexOf('.') + 1)
const hasEtagColumn = entity => !!entity?.elements?.[ETAG_COLUMN]

/** The stored ETag value of a seeded row (RecVersion 1). */
function seedEtag(entity, row) {
  return etagValue(1, recId(localName(entity), keyOf(entity, row)))
}

/** Columns to set, next to the changed ones, when code outside CAP's handlers updates a row. */
function versionBump(entity, keys) {
  if (!active || !hasEtagColumn(entity)) return {}
  return { [ETAG_COLUMN]: etagValue(newRecVersion(), recId(localName(entity), keys)) }
}

/** CAP handlers that keep the ETag column current on CREATE and UPDATE. */
function register(srv) {
  if (!active) return
  srv.before('CREATE', '*', req => {
    if (!hasEtagColumn(req.target) || !req.data || Array.isArray(req.data)) return
    req.data[ETAG_COLUMN] = etagValue(newRecVersion(), recId(localName(req.target), keyOf(req.target, req.data)))
  })
  srv.before('UPDATE', '*', req => {
    if (!hasEtagColumn(req.target) || !req.data) return
    const key = req.params?.[req.params.length - 1]
    const keys = key && typeof key === 'object' ? key : keyOf(req.target, req.data)
    req.data[ETAG_COLUMN] = etagValue(newRecVersion(), recId(localName(req.target), keys))
  })
}

// ---- response rewriting ---------------------------------------------------------------------

const TYPE_NAMES = ENTITY_TYPE_NAMES

function decodeName(raw) {
  try { return decodeURIComponent(raw.replace(/\+/g, ' ')) } catch { return raw }
}

/** The F&O nextLink for a page of `rows` rows of the request `originalUrl`. */
function nextLink(origin, originalUrl, rows) {
  const q = originalUrl.indexOf('?')
  const path = q < 0 ? originalUrl : originalUrl.slice(0, q)
  const params = q < 0 ? [] : originalUrl.slice(q + 1).split('&').filter(Boolean)
  let skip = 0
  let top = null
  const kept = []
  for (const p of params) {
    const eq = p.indexOf('=')
    const name = decodeName(eq < 0 ? p : p.slice(0, eq))
    const value = eq < 0 ? '' : decodeName(p.slice(eq + 1))
    if (name === '$skip') skip = Number(value) || 0
    else if (name === '$top') top = Number(value)
    else if (name !== '$skiptoken') kept.push(p)
  }
  kept.push(`$skip=${skip + rows}`)
  if (top !== null && Number.isFinite(top)) kept.push(`$top=${Math.max(0, top - rows)}`)
  return `${origin}${path}?${kept.join('&')}`
}

const jsonString = s => JSON.stringify(s)

/** Rewrites a successful JSON body: absolute context, F&O nextLink. */
function rewriteSuccess(text, req) {
  const origin = `http://${req.headers.host}`
  text = text.replace(/^\{"@odata\.context":"((?:\.\.\/)*)\$metadata#/, () => `{"@odata.context":"${origin}/data/$metadata#`)
  const m = /"@odata\.nextLink":"[^"]*",?/.exec(text)
  if (!m) return text
  let rows = 0
  try {
    rows = JSON.parse(text).value?.length ?? 0
  } catch {
    return text
  }
  const without = text.slice(0, m.index) + text.slice(m.index + m[0].length)
  const end = without.lastIndexOf('}')
  return `${without.slice(0, end)},"@odata.nextLink":${jsonString(nextLink(origin, req.originalUrl, rows))}}`
}

const STACK_INVOKE = '   at System.RuntimeMethodHandle.InvokeMethod(Object target, Object[] arguments, Signature sig, Boolean constructor)\r\n   at System.Reflection.RuntimeMethodInfo.UnsafeInvokeInternal(Object obj, Object[] parameters, Object[] arguments)'
const STACK_QUERY = '   at Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataQueryProcessor.ApplyQueryOptions(ODataQueryOptions options)'
const STACK_BIND = '   at Microsoft.OData.UriParser.EndPathBinder.BindEndPath(EndPathToken endPathToken)'

/** The F&O error body for a CAP error body `err` (the value of its "error" member). */
function fnoErrorBody(err) {
  const message = String(err?.message ?? '')
  const unknown = /^Property "([^"]+)" does not exist in "([^"]+)"/.exec(message)
  if (unknown) {
    const [, property, qualified] = unknown
    const set = qualified.slice(qualified.lastIndexOf('.') + 1)
    const type = `${NS}.${TYPE_NAMES[set] || set}`
    return {
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          message: 'Exception has been thrown by the target of an invocation.',
          type: 'System.Reflection.TargetInvocationException',
          stacktrace: STACK_INVOKE,
          internalexception: {
            message: 'Exception has been thrown by the target of an invocation.',
            type: 'System.Reflection.TargetInvocationException',
            stacktrace: STACK_QUERY,
            internalexception: {
              message: `The property '${property}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type.`,
              type: 'Microsoft.OData.ODataException',
              stacktrace: STACK_BIND,
            },
          },
        },
      },
    }
  }
  const inner = err?.innererror && typeof err.innererror === 'object' ? err.innererror : null
  return {
    error: {
      code: '',
      message,
      innererror: {
        message: String(inner?.message ?? message),
        type: String(inner?.type ?? ''),
        stacktrace: String(inner?.stacktrace ?? ''),
        ...(inner?.internalexception ? { internalexception: inner.internalexception } : {}),
      },
    },
  }
}

function rewriteError(text) {
  let body
  try {
    body = JSON.parse(text)
  } catch {
    return text
  }
  if (!body || typeof body !== 'object' || !body.error) return text
  return JSON.stringify(fnoErrorBody(body.error))
}

/** Express middleware for /data: rewrites JSON responses (not $batch, not $metadata). */
function middleware(req, res, next) {
  if (!active || req.path.startsWith('/$batch') || req.path === '/$metadata') return next()
  const write = res.write
  const end = res.end
  const chunks = []
  const isJson = () => /json/i.test(String(res.getHeader('content-type') || ''))
  res.write = function (chunk, encoding, cb) {
    if (!isJson()) return write.call(res, chunk, encoding, cb)
    if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
    if (typeof encoding === 'function') encoding()
    else if (typeof cb === 'function') cb()
    return true
  }
  res.end = function (chunk, encoding, cb) {
    res.write = write
    res.end = end
    if (!isJson() && !chunks.length) return end.call(res, chunk, encoding, cb)
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
    const text = Buffer.concat(chunks).toString('utf8')
    const out = res.statusCode >= 400 ? rewriteError(text) : rewriteSuccess(text, req)
    if (!res.headersSent) {
      res.setHeader('Content-Length', Buffer.byteLength(out))
      if (res.statusCode >= 400) res.setHeader('Content-Type', 'application/json; odata.metadata=minimal; charset=utf-8')
    }
    return end.call(res, out, 'utf8', typeof chunk === 'function' ? chunk : cb)
  }
  next()
}

module.exports = { configure, isActive, register, middleware, versionBump, seedEtag, etagValue, recId, nextLink, fnoErrorBody, ETAG_COLUMN }
