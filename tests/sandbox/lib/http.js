'use strict'
// Express middlewares for /data that run before CAP:
//  - ms-dyn-aid: an activity id (GUID) on every /data response, as F&O sends;
//  - optional static bearer token: 401 + WWW-Authenticate: Bearer without it;
//  - $metadata served in the F&O shape (see metadata.js), always as XML.

const crypto = require('node:crypto')

function activityId(req, res, next) {
  res.setHeader('ms-dyn-aid', crypto.randomUUID())
  next()
}

function odataError(res, status, message, extraHeaders = {}) {
  const body = JSON.stringify({ error: { code: '', message, innererror: { message, type: '', stacktrace: '' } } })
  res.writeHead(status, { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...extraHeaders })
  res.end(body)
}

function bearerToken(getToken) {
  return (req, res, next) => {
    const token = getToken()
    if (!token) return next()
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization || '')
    const given = m ? Buffer.from(m[1].trim()) : null
    const expected = Buffer.from(token)
    if (given && given.length === expected.length && crypto.timingSafeEqual(given, expected)) return next()
    odataError(res, 401, 'Unauthorized', {
      'WWW-Authenticate': given ? 'Bearer error="invalid_token"' : 'Bearer',
    })
  }
}

function metadata(getXml) {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const xml = getXml()
    res.writeHead(200, {
      'Content-Type': 'application/xml',
      'OData-Version': '4.0',
      'Content-Length': Buffer.byteLength(xml),
    })
    res.end(req.method === 'HEAD' ? undefined : xml)
  }
}

module.exports = { activityId, bearerToken, metadata, odataError }
