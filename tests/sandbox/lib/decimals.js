'use strict'
// Decimal exactness. SQLite keeps decimals as doubles, so a value with more than ~15
// significant digits (the seeded CreditLimit 12345678901234.123456) would come back rounded.
// Values registered here are written back in their exact decimal form in /data JSON
// responses (the shortest double representation is replaced by the exact text). Filters and
// ordering work on the double.

const exact = new Map() // rendered double text -> exact decimal text

const trim = s => (s.includes('.') && !/e/i.test(s) ? s.replace(/0+$/, '').replace(/\.$/, '') : s)
/** How SQLite (15 significant digits) and JavaScript (shortest round trip) render the double. */
const renderings = v => [trim(Number(v).toPrecision(15)), String(Number(v))]

function register(values) {
  for (const v of values) for (const r of renderings(v)) if (r !== String(v)) exact.set(r, String(v))
}

const escape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function fix(text) {
  for (const [short, full] of exact) {
    if (!text.includes(short)) continue
    text = text.replace(new RegExp(`(?<=[:\\[,]\\s*)${escape(short)}(?![\\d.eE])`, 'g'), full)
  }
  return text
}

/** Express middleware: rewrites registered decimals in JSON and multipart responses. */
function middleware(req, res, next) {
  if (!exact.size) return next()
  const write = res.write
  const end = res.end
  const chunks = []
  const buffering = () => /json|multipart/i.test(String(res.getHeader('content-type') || ''))
  res.write = function (chunk, encoding, cb) {
    if (!buffering()) return write.call(res, chunk, encoding, cb)
    if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
    if (typeof encoding === 'function') encoding()
    else if (typeof cb === 'function') cb()
    return true
  }
  res.end = function (chunk, encoding, cb) {
    res.write = write
    res.end = end
    if (!buffering() && !chunks.length) return end.call(res, chunk, encoding, cb)
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
    const text = Buffer.concat(chunks).toString('utf8')
    const fixed = fix(text)
    if (fixed !== text && !res.headersSent) res.setHeader('Content-Length', Buffer.byteLength(fixed))
    return end.call(res, fixed, 'utf8', typeof chunk === 'function' ? chunk : cb)
  }
  next()
}

module.exports = { register, fix, middleware, renderings }
