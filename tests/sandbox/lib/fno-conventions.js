'use strict'
// F&O conventions implemented as CAP service handlers (so they apply to plain requests and
// to requests inside $batch alike):
//
//  - default company: GET reads of company-specific entities (those with dataAreaId) see only
//    the default company unless the URL has cross-company=true; a key read, PATCH, PUT or
//    DELETE of another company's row without it is a 404, as in F&O;
//  - Prefer: odata.maxpagesize=N caps the page size, answered with Preference-Applied;
//  - If-Match is optional on writes (CAP alone answers 428), unless requireIfMatch is set;
//  - POST of an existing key fails with an F&O-like error body: 400 with --wire fno (as F&O
//    answers a direct write), 409 with --wire cap and inside $batch.

const cds = require('@sap/cds')

// The F&O table-row type named in write errors, per entity set.
const FNO_ROW_TYPE = {
  CustomersV3: ['CustCustomerV3Entity', 'Customers (CustTable)'],
  CustomerGroups: ['CustCustomerGroupEntity', 'Customer groups (CustGroup)'],
  SalesOrderHeadersV2: ['SalesOrderHeaderV2Entity', 'Sales orders (SalesTable)'],
  SalesOrderLines: ['SalesOrderLineV2Entity', 'Order lines (SalesLine)'],
  ReleasedProductsV2: ['EcoResReleasedProductV2Entity', 'Items (InventTable)'],
  DataManagementDefinitionGroups: ['DMFDefinitionGroupEntity', 'Definition groups (DMFDefinitionGroup)'],
}

const localName = def => def.name.slice(def.name.lastIndexOf('.') + 1)
// The HTTP request of this (sub)request: inside $batch, req.http is the batch envelope and
// req._.req the individual request.
const httpReq = req => req._?.req || req.http?.req
const httpRes = req => req._?.res || req.http?.res
const isCrossCompany = req => /^true$/i.test(String(httpReq(req)?.query?.['cross-company'] ?? ''))

function fnoError(status, innerMessage, type = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException') {
  const err = new Error('An error has occurred.')
  err.status = status
  err.code = ''
  err.innererror = { message: innerMessage, type, stacktrace: '' }
  return err
}

function register(srv, opts) {
  const company = () => opts.defaultCompany

  // ---- default company -------------------------------------------------------------------
  srv.before('READ', '*', req => {
    const target = req.target
    if (!target?.elements?.dataAreaId || !req.query?.SELECT) return
    // Only client reads; CAP's own reads (read-after-write, etag checks) are not scoped.
    if (httpReq(req)?.method !== 'GET') return
    if (isCrossCompany(req)) return
    req.query.where({ dataAreaId: company() })
  })

  const rejectOtherCompany = req => {
    if (!req.target?.elements?.dataAreaId || isCrossCompany(req)) return
    const key = req.params?.[req.params.length - 1]
    const area = (key && typeof key === 'object' ? key.dataAreaId : undefined) ?? req.data?.dataAreaId
    if (area !== undefined && String(area).toLowerCase() !== company()) req.reject(404)
  }
  srv.before(['UPDATE', 'DELETE'], '*', rejectOtherCompany)

  // ---- Prefer: odata.maxpagesize ---------------------------------------------------------
  srv.before('READ', '*', req => {
    const select = req.query?.SELECT
    if (!select || select.one) return
    const prefer = String(req.headers?.prefer || httpReq(req)?.headers?.prefer || '')
    const m = /(?:^|[,;\s])odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(prefer)
    if (!m) return
    const n = Math.max(1, Math.min(Number(m[1]), opts.pageSize))
    const limit = select.limit || (select.limit = {})
    const rows = limit.rows?.val ?? limit.rows
    if (rows === undefined || rows === null || rows > n) limit.rows = { val: n }
    const res = httpRes(req)
    if (res && !res.headersSent) res.setHeader('Preference-Applied', `odata.maxpagesize=${n}`)
  })

  // ---- optional If-Match -------------------------------------------------------------------
  // CAP's generic ETag check (an "initial" handler) rejects writes without If-Match with 428.
  // Supplying the wildcard when the client sent none makes the precondition optional, as in
  // F&O. The handler must run before CAP's, hence it is moved to the front of that list.
  const optionalIfMatch = function (req) {
    if (opts.requireIfMatch || req.event === 'READ' || req.event === 'CREATE') return
    const headers = req.headers
    if (!headers || headers['if-match'] || headers['if-none-match']) return
    headers['if-match'] = '*'
  }
  optionalIfMatch._initial = true
  srv.before('*', '*', optionalIfMatch) // writes and bound actions
  const initial = srv.handlers._initial
  const idx = initial.findIndex(h => h.handler === optionalIfMatch)
  if (idx > 0) initial.unshift(...initial.splice(idx, 1))

  // ---- duplicate key on POST -> 409 --------------------------------------------------------
  srv.before('CREATE', '*', async req => {
    const target = req.target
    if (!target?.keys || !req.data || Array.isArray(req.data)) return
    const keys = {}
    for (const [k, el] of Object.entries(target.keys)) {
      if (el.isAssociation || el.virtual) continue
      if (req.data[k] === undefined || req.data[k] === null) return // generated or missing
      keys[k] = req.data[k]
    }
    const found = await cds.db.run(SELECT.one.from(target).columns(Object.keys(keys)).where(keys))
    if (!found) return
    const set = localName(target)
    const [rowType, table] = FNO_ROW_TYPE[set] || [`${set}Entity`, set]
    const keyText = Object.entries(keys).filter(([k]) => k !== 'dataAreaId').map(([, v]) => v).join(', ')
    const area = keys.dataAreaId ? `, ${keys.dataAreaId}` : ''
    // F&O answers a direct write failure with 400 (500 inside $batch); --wire cap and requests
    // inside $batch keep the 409 the sandbox has always sent there.
    const inBatch = /\$batch/.test(String(req.http?.req?.originalUrl || req.http?.req?.url || ''))
    throw fnoError(
      opts.wire === 'fno' && !inBatch ? 400 : 409,
      `Write failed for table row of type '${rowType}'. Infolog: Info: Cannot create a record in ${table}. ${keyText}${area}: The record already exists..`,
    )
  })
}

module.exports = { register, fnoError, isCrossCompany }
