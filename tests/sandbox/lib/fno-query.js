'use strict'
// F&O query syntax that CAP does not parse, rewritten before CAP's OData parser sees the URL:
//
//  - enum literals  `Microsoft.Dynamics.DataEntities.NoYes'Yes'`  ->  `'Yes'`
//    (CAP stores enums as their member-name strings; a numeric member value such as
//    `NoYes'1'` is mapped to the member name);
//  - wildcards in eq/ne:  `Name eq '*x*'` -> contains, `'x*'` -> startswith, `'*x'` -> endswith,
//    `'a*b'` -> startswith and endswith; `ne` negates; matched case-insensitively;
//  - '+' in the query part is a space (form encoding), as ASP.NET-based F&O reads it.
//
// The hook wraps cds.odata.parse, which CAP calls for every request URL, including the
// individual requests inside a $batch (multipart and JSON), so both forms work everywhere.

const cds = require('@sap/cds')

/**
 * Splits a (percent-decoded) URL into code and string-literal segments.
 * Literals keep their quotes and their '' escapes.
 */
function segments(url) {
  const out = []
  let i = 0
  let start = 0
  while (i < url.length) {
    if (url[i] === "'") {
      if (i > start) out.push({ code: url.slice(start, i) })
      let j = i + 1
      for (;;) {
        if (j >= url.length) break
        if (url[j] === "'") {
          if (url[j + 1] === "'") { j += 2; continue }
          break
        }
        j++
      }
      out.push({ literal: url.slice(i, Math.min(j + 1, url.length)) })
      i = start = j + 1
    } else i++
  }
  if (start < url.length) out.push({ code: url.slice(start) })
  return out
}

const WS = "(?:\\s|\\+)"

function rewrite(url, { namespace, enums = {} }) {
  if (!url.includes("'")) return url
  const parts = segments(url)
  const nsPrefix = new RegExp(`${namespace.replace(/\./g, '\\.')}\\.(\\w+)$`)
  const wildcardLhs = new RegExp(`([A-Za-z_][\\w/]*)${WS}+(eq|ne)${WS}+$`)
  let changed = false

  for (let k = 0; k < parts.length; k++) {
    const lit = parts[k].literal
    if (lit === undefined) continue
    const before = k > 0 ? parts[k - 1] : null
    if (!before || before.code === undefined) continue

    // enum literal: <namespace>.<EnumType>'<member>'
    const m = nsPrefix.exec(before.code)
    if (m) {
      before.code = before.code.slice(0, m.index)
      const members = enums[m[1]] // [[name, value]]
      const value = lit.slice(1, -1)
      const byValue = /^-?\d+$/.test(value) && members?.find(([, v]) => v === Number(value))
      if (byValue) parts[k].literal = `'${byValue[0]}'`
      changed = true
      continue
    }

    // wildcard: <path> eq|ne '<...*...>'
    const body = lit.slice(1, -1)
    if (!body.includes('*') || lit.length < 2 || !lit.endsWith("'")) continue
    const w = wildcardLhs.exec(before.code)
    if (!w) continue
    before.code = before.code.slice(0, w.index)
    parts[k].literal = wildcardExpr(w[1], body, w[2] === 'ne')
    changed = true
  }
  if (!changed) return url
  return parts.map(p => (p.code !== undefined ? p.code : p.literal)).join('')
}

function wildcardExpr(field, body, negate) {
  // Case-insensitive, like F&O's SQL Server collation.
  const pieces = body.toLowerCase().split('*')
  const lhs = `tolower(${field})`
  const conds = []
  const first = pieces[0]
  const last = pieces[pieces.length - 1]
  if (first) conds.push(`startswith(${lhs},'${first}')`)
  for (const mid of pieces.slice(1, -1)) if (mid) conds.push(`contains(${lhs},'${mid}')`)
  if (last && pieces.length > 1) conds.push(`endswith(${lhs},'${last}')`)
  let expr = conds.length ? conds.join(' and ') : `${field} ne null`
  expr = `(${expr})`
  return negate ? `(not ${expr})` : expr
}

/** Installs the rewrite in front of CAP's OData URL parser. */
function install({ namespace, enums }) {
  const odata = cds.odata
  if (odata.parse._fnoRewrite) return
  const original = odata.parse
  const parse = function (url, options) {
    if (url && typeof url === 'object' && url.url) url = url.url
    if (typeof url === 'string') {
      // In the query part '+' means a space (form encoding; a literal plus is %2B), as in F&O.
      const q = url.indexOf('?')
      if (q >= 0 && url.includes('+', q)) url = url.slice(0, q) + url.slice(q).replace(/\+/g, '%20')
      let decoded
      try { decoded = decodeURIComponent(url) } catch { decoded = null }
      if (decoded !== null) {
        const rewritten = rewrite(decoded, { namespace, enums })
        if (rewritten !== decoded) url = encodeURIComponent(rewritten)
      }
    }
    return original.call(this, url, options)
  }
  parse._fnoRewrite = true
  odata.parse = parse
}

module.exports = { install, rewrite, segments }
