'use strict'
// Deterministic seed data. Row counts come from ../seed-counts.json (the same file the Rust
// tests read); the generator checks that what it produced matches those counts.
//
// Every run produces exactly the same rows: values come from a fixed-seed PRNG, and the
// timestamps are fixed dates (only ModifiedDateTime, the ETag source, is the load time).

const COUNTS = require('../seed-counts.json')

const NS = 'Microsoft.Dynamics.DataEntities'
const EMPTY_DATE = '1900-01-01T12:00:00Z' // F&O's "no date"
// F&O also writes the empty date at midnight; unreviewed customers alternate between the forms.
const EMPTY_DATE_MIDNIGHT = '1900-01-01T00:00:00Z'
const MAX_DATE = '2154-12-31T23:59:59Z' // F&O's "never"

// Customers with names that need escaping in URLs and OData string literals. They are the
// first rows of company usmf (part of its count), with fixed accounts.
const SPECIAL_COMPANY = 'usmf'
const SPECIAL_CUSTOMERS = [
  ['US-SPECIAL-01', "O'Brien"],
  ['US-SPECIAL-02', 'Smith & Sons'],
  ['US-SPECIAL-03', '#1 Supplies'],
  ['US-SPECIAL-04', 'Müller'],
  ['US-SPECIAL-05', '東京商事'],
  ['US-SPECIAL-06', '100% Pure'],
  ['US-SPECIAL-07', 'a/b'],
  ['US-SPECIAL-08', '+plus'],
  ['US-SPECIAL-09', "It's 'quoted'"],
  ['US-SPECIAL-10', 'Star *Wildcard* Corp'],
  // Keys with characters that need escaping in key predicates.
  ["US-O'KEY", "O'Key Holdings"],
  ['US-A&B', 'A&B Trading'],
  ['US-Ü 1', 'Ümlaut Key GmbH'],
]
// The customer whose CreditLimit tests decimal exactness (20 significant digits).
const DECIMAL_CUSTOMER = ['US-DECIMAL', 'Decimal Exactness Inc.', '12345678901234.123456']

const CUSTOMER_GROUPS = [
  ['10', 'Wholesale customers', 'Net30'],
  ['20', 'Major customers', 'Net45'],
  ['30', 'Retail customers', 'Net10'],
  ['40', 'Internet customers', 'COD'],
  ['80', 'Other customers', 'Net30'],
  ['90', 'Intercompany customers', 'Net60'],
]

const COMPANY_INFO = {
  usmf: { currency: 'USD', country: 'USA', language: 'en-us', cities: [['Seattle', 'WA', '98101'], ['Chicago', 'IL', '60601'], ['Redmond', 'WA', '98052'], ['Dallas', 'TX', '75201'], ['Boston', 'MA', '02108']] },
  usrt: { currency: 'USD', country: 'USA', language: 'en-us', cities: [['Houston', 'TX', '77001'], ['Miami', 'FL', '33101'], ['Denver', 'CO', '80201']] },
  demf: { currency: 'EUR', country: 'DEU', language: 'de', cities: [['München', 'BY', '80331'], ['Berlin', 'BE', '10115'], ['Köln', 'NW', '50667']] },
  gbsi: { currency: 'GBP', country: 'GBR', language: 'en-gb', cities: [['London', '', 'EC1A 1BB'], ['Leeds', '', 'LS1 1UR'], ['Bristol', '', 'BS1 4DJ']] },
}

const WORDS_A = ['Contoso', 'Fabrikam', 'Northwind', 'Adventure', 'Litware', 'Tailspin', 'Proseware', 'Wingtip', 'Alpine', 'Coho', 'Lucerne', 'Margie', 'Trey', 'Humongous', 'Fourth']
const WORDS_B = ['Retail', 'Supplies', 'Traders', 'Works', 'Logistics', 'Foods', 'Electronics', 'Outfitters', 'Partners', 'Industries']
const WORDS_C = ['Inc.', 'Ltd', 'LLC', 'GmbH', 'Corp', 'Co.', 'Group', 'AG', 'plc', '']
const PAYMENT_METHODS = ['CHECK', 'ELECTRONIC', 'CASH', 'CARD']
const GENDERS = ['Unknown', 'Male', 'Female', 'NonSpecific']
const ON_HOLD = ['No', 'No', 'No', 'No', 'No', 'No', 'Invoice', 'All', 'Payment', 'Never']
const SALES_STATUS = ['Backorder', 'Delivered', 'Invoiced', 'Canceled', 'None']

function prng(seed) {
  // mulberry32
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pad = (n, w) => String(n).padStart(w, '0')
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)]
const isoDay = (rnd, fromYear, years) => {
  const d = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(rnd() * years * 365) * 86400000)
  return d.toISOString().slice(0, 10) + 'T12:00:00Z'
}
// A decimal string with up to 6 fraction digits, built from integers (no float rounding).
const money = (rnd, maxWhole) => {
  const whole = Math.floor(rnd() * maxWhole)
  const frac = Math.floor(rnd() * 1e6)
  return `${whole}.${pad(frac, 6)}`.replace(/\.?0+$/, '') || '0'
}

function customerGroups(company) {
  return CUSTOMER_GROUPS.map(([id, description, terms]) => ({
    dataAreaId: company,
    CustomerGroupId: id,
    Description: description,
    PaymentTermId: terms,
    DefaultDimensionDisplayValue: '',
    IsSalesTaxIncludedInPrice: id === '30' ? 'Yes' : 'No',
    CustomerAccountNumberSequence: 'Cust_' + company.toUpperCase(),
    ClearingPeriodPaymentTermName: '',
  }))
}

function customers(company, spec, companyIndex) {
  const rnd = prng(1000 + companyIndex)
  const info = COMPANY_INFO[company] || COMPANY_INFO.usmf
  const rows = []
  const fixed = company === SPECIAL_COMPANY ? [...SPECIAL_CUSTOMERS, DECIMAL_CUSTOMER] : []
  for (let i = 0; i < spec.CustomersV3; i++) {
    const [city, state, zip] = pick(rnd, info.cities)
    const group = pick(rnd, CUSTOMER_GROUPS)[0]
    const isPerson = rnd() < 0.1
    let account = `${spec.accountPrefix}-${pad(i + 1, 6)}`
    let name = `${pick(rnd, WORDS_A)} ${pick(rnd, WORDS_B)} ${pick(rnd, WORDS_C)}`.trim() + ` ${i + 1}`
    let credit = money(rnd, 1000000)
    if (i < fixed.length) {
      ;[account, name] = fixed[i]
      if (fixed[i] === DECIMAL_CUSTOMER) credit = DECIMAL_CUSTOMER[2]
    }
    const reviewed = rnd() < 0.3
    rows.push({
      dataAreaId: company,
      CustomerAccount: account,
      OrganizationName: name,
      NameAlias: name.replace(/[^A-Za-z0-9]/g, '').slice(0, 20),
      PartyType: isPerson ? 'Person' : 'Organization',
      PartyNumber: pad(companyIndex * 1000000 + i + 1, 9),
      CustomerGroupId: group,
      SalesCurrencyCode: info.currency,
      LanguageId: info.language,
      PaymentTerms: pick(rnd, ['Net10', 'Net30', 'Net45', 'Net60', 'COD']),
      PaymentMethod: pick(rnd, PAYMENT_METHODS),
      AddressStreet: `${1 + Math.floor(rnd() * 9999)} ${pick(rnd, ['Main St', 'Oak Ave', 'Pine Rd', 'Lake Dr', 'Hauptstraße'])}`,
      AddressCity: city,
      AddressZipCode: zip,
      AddressState: state,
      AddressCountryRegionId: info.country,
      AddressLatitude: (rnd() * 180 - 90).toFixed(6),
      AddressLongitude: (rnd() * 360 - 180).toFixed(6),
      AddressValidFrom: isoDay(rnd, 2010, 10),
      AddressValidTo: MAX_DATE,
      AddressRecordId: String(5637144576 + companyIndex * 100000 + i),
      PrimaryContactEmail: `contact${i + 1}@${company}.example.com`,
      PrimaryContactPhone: `+1-555-${pad(i % 10000, 4)}`,
      PrimaryContactPhoneRecordId: String(5637244576 + companyIndex * 100000 + i),
      CreditLimit: credit,
      CreditLimitIsMandatory: rnd() < 0.5 ? 'Yes' : 'No',
      IsOneTimeCustomer: rnd() < 0.05 ? 'Yes' : 'No',
      OnHoldStatus: pick(rnd, ON_HOLD),
      PersonGender: isPerson ? pick(rnd, GENDERS) : 'Unknown',
      OrganizationNumberOfEmployees: isPerson ? 0 : Math.floor(rnd() * 5000),
      PaymentTermsBaseDays: pick(rnd, [0, 10, 30, 45, 60]),
      CredManCustomerSince: isoDay(rnd, 2000, 20),
      CredManLastReviewDate: reviewed ? isoDay(rnd, 2020, 5) : i % 2 ? EMPTY_DATE_MIDNIGHT : EMPTY_DATE,
      SalesMemo: '',
    })
  }
  return rows
}

function products(company) {
  const rnd = prng(5000 + company.charCodeAt(0) + company.charCodeAt(3))
  const rows = []
  const n = COUNTS.companies[company].ReleasedProductsV2
  for (let i = 0; i < n; i++) {
    const isService = i % 10 === 9
    const number = `D${pad(i + 1, 4)}`
    rows.push({
      dataAreaId: company,
      ItemNumber: number,
      ProductNumber: number,
      ProductName: `${pick(rnd, ['Speaker', 'Cable', 'Projector', 'Television', 'Amplifier', 'Receiver'])} ${i + 1}`,
      SearchName: `PRODUCT${i + 1}`,
      ProductType: isService ? 'Service' : 'Item',
      ProductGroupId: isService ? 'Services' : pick(rnd, ['Audio', 'TV&Video', 'Cables']),
      ItemModelGroupId: isService ? 'SRV' : 'FIFO',
      InventoryUnitSymbol: 'ea',
      SalesUnitSymbol: 'ea',
      SalesPrice: money(rnd, 5000),
      PurchasePrice: money(rnd, 3000),
      NetProductWeight: (rnd() * 50).toFixed(3),
      IsSalesWithholdingTaxCalculated: 'No',
      ProductLifecycleStateId: '',
    })
  }
  return rows
}

function salesOrders(company, spec, custRows, productRows) {
  const rnd = prng(9000 + company.charCodeAt(0) * 7 + company.charCodeAt(2))
  const info = COMPANY_INFO[company] || COMPANY_INFO.usmf
  const headers = []
  const lines = []
  const prefix = spec.accountPrefix
  for (let i = 0; i < spec.SalesOrderHeadersV2; i++) {
    const cust = custRows[Math.floor(rnd() * custRows.length)]
    const number = `${prefix}-SO-${pad(i + 1, 6)}`
    const status = pick(rnd, SALES_STATUS)
    const shipDate = isoDay(rnd, 2024, 2)
    let total = 0n // micro-units, exact
    const lineCount = 1 + (i % 4)
    for (let l = 0; l < lineCount; l++) {
      const product = productRows[Math.floor(rnd() * productRows.length)]
      const qty = 1 + Math.floor(rnd() * 20)
      const priceMicros = BigInt(Math.floor(rnd() * 1000)) * 1000000n + BigInt(Math.floor(rnd() * 100)) * 10000n
      const amountMicros = priceMicros * BigInt(qty)
      total += amountMicros
      lines.push({
        dataAreaId: company,
        InventoryLotId: `${prefix}-LOT-${pad(lines.length + 1, 7)}`,
        SalesOrderNumber: number,
        LineCreationSequenceNumber: l + 1,
        LineNumber: String(l + 1),
        ItemNumber: product.ItemNumber,
        LineDescription: product.ProductName,
        OrderedSalesQuantity: String(qty),
        SalesUnitSymbol: 'ea',
        SalesPrice: micros(priceMicros),
        LineAmount: micros(amountMicros),
        CurrencyCode: info.currency,
        SalesOrderLineStatus: status,
        ShippingWarehouseId: '11',
        RequestedShippingDate: shipDate,
      })
    }
    headers.push({
      dataAreaId: company,
      SalesOrderNumber: number,
      SalesOrderName: cust.OrganizationName,
      OrderingCustomerAccountNumber: cust.CustomerAccount,
      InvoiceCustomerAccountNumber: cust.CustomerAccount,
      CurrencyCode: info.currency,
      SalesOrderStatus: status,
      SalesOrderPoolId: '',
      CustomerRequisitionNumber: `REQ-${pad(i + 1, 5)}`,
      CustomersOrderReference: `PO ${1000 + i}`,
      IsDeliveryAddressOrderSpecific: rnd() < 0.2 ? 'Yes' : 'No',
      DeliveryAddressCountryRegionId: cust.AddressCountryRegionId,
      DeliveryAddressCity: cust.AddressCity,
      DefaultShippingWarehouseId: '11',
      RequestedShippingDate: shipDate,
      ConfirmedShippingDate: EMPTY_DATE,
      OrderTotalAmount: micros(total),
    })
  }
  return { headers, lines }
}

function micros(v) {
  const neg = v < 0n
  if (neg) v = -v
  const whole = v / 1000000n
  const frac = String(v % 1000000n).padStart(6, '0').replace(/0+$/, '')
  return (neg ? '-' : '') + whole + (frac ? '.' + frac : '')
}

const DEFINITION_GROUPS = [
  { DefinitionGroupId: 'CustomerGroupsExport', Description: 'Customer groups export', OperationType: 'Export', EntityName: 'Customer groups' },
  { DefinitionGroupId: 'CustomersV3Export', Description: 'Customers V3 export', OperationType: 'Export', EntityName: 'Customers V3' },
  { DefinitionGroupId: 'CustomerGroupsImport', Description: 'Customer groups import', OperationType: 'Import', EntityName: 'Customer groups' },
  // Exports that misbehave on purpose (lib/dmf.js SCENARIOS).
  { DefinitionGroupId: 'NeverFinishesExport', Description: 'Export that never finishes', OperationType: 'Export', EntityName: 'Customer groups' },
  { DefinitionGroupId: 'ExpiredPackageExport', Description: 'Export whose package blob is gone', OperationType: 'Export', EntityName: 'Customer groups' },
  { DefinitionGroupId: 'CorruptPackageExport', Description: 'Export whose package is not a whole ZIP', OperationType: 'Export', EntityName: 'Customer groups' },
]

// Company `bulk`: customers for throughput measurements, as many as `--bulk-rows` asks for
// (none by default). Its customer groups are seeded too; it has no products or sales orders.
const BULK_COMPANY = 'bulk'

/** The number of bulk customers asked for on the command line or in the environment. */
function bulkRows() {
  return require('../lib/options').parse().bulkRows
}

/** Builds all seed rows, keyed by entity set name. */
function generate(bulk = bulkRows()) {
  const out = { CustomerGroups: [], CustomersV3: [], ReleasedProductsV2: [], SalesOrderHeadersV2: [], SalesOrderLines: [], DataManagementDefinitionGroups: DEFINITION_GROUPS }
  Object.entries(COUNTS.companies).forEach(([company, spec], index) => {
    const groups = customerGroups(company)
    const custs = customers(company, spec, index)
    const prods = products(company)
    const { headers, lines } = salesOrders(company, spec, custs, prods)
    const check = { CustomerGroups: groups, CustomersV3: custs, ReleasedProductsV2: prods, SalesOrderHeadersV2: headers, SalesOrderLines: lines }
    for (const [set, rows] of Object.entries(check)) {
      if (rows.length !== spec[set]) throw new Error(`seed: ${company}/${set} has ${rows.length} rows, seed-counts.json says ${spec[set]}`)
      out[set].push(...rows)
    }
  })
  if (bulk > 0) {
    const spec = { accountPrefix: 'BK', CustomersV3: bulk }
    out.CustomerGroups.push(...customerGroups(BULK_COMPANY))
    const rows = customers(BULK_COMPANY, spec, Object.keys(COUNTS.companies).length)
    for (const row of rows) out.CustomersV3.push(row)
  }
  return out
}

/**
 * Loads the seed into the database (tables must exist and be empty). Rows go straight to
 * SQLite through prepared statements in one transaction, in the storage format of
 * @cap-js/sqlite (ISO date-times with milliseconds, decimals and int64 as numbers); this is
 * about ten times faster than INSERT through CAP.
 */
async function load(db) {
  const cds = require('@sap/cds')
  const wireFno = require('../lib/wire-fno')
  const data = generate()
  const now = new Date().toISOString()
  await db.tx(async tx => {
    await tx.run(SELECT.one.from(`${NS}.CustomerGroups`)) // acquires the connection
    const dbc = tx.dbc
    for (const [set, rows] of Object.entries(data)) {
      const entity = cds.model.definitions[`${NS}.${set}`]
      const columns = Object.values(entity.elements).filter(e => !e.virtual && !e.isAssociation && !e.value)
      const table = entity.name.replace(/\./g, '_')
      const sql = `INSERT INTO ${table} (${columns.map(c => c.name).join(',')}) VALUES (${columns.map(() => '?').join(',')})`
      const stmt = dbc.db ? dbc.db.prepare(sql) : dbc.prepare(sql)
      const convert = columns.map(c => converter(c))
      for (const row of rows) {
        const values = columns.map((c, i) =>
          convert[i](c.name === 'ModifiedDateTime' ? now : c.name === wireFno.ETAG_COLUMN ? wireFno.seedEtag(entity, row) : row[c.name] ?? c.default?.val ?? null),
        )
        stmt.run(values)
      }
      if (stmt.free) stmt.free()
    }
  })
  const exact = []
  const decimals = require('../lib/decimals')
  for (const row of data.CustomersV3) if (row.CreditLimit && !decimals.renderings(row.CreditLimit).includes(row.CreditLimit)) exact.push(row.CreditLimit)
  decimals.register(exact)
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.length]))
}

function converter(element) {
  const type = element._type || element.type
  if (type === 'cds.DateTime' || type === 'cds.Timestamp') return v => (v === null ? null : new Date(v).toISOString())
  if (type === 'cds.Decimal' || type === 'cds.Int64' || type === 'cds.Integer64' || type === 'cds.Double') return v => (v === null ? null : Number(v))
  if (type === 'cds.Boolean') return v => (v === null ? null : v ? 1 : 0)
  return v => v
}

module.exports = { generate, load, COUNTS, NS, EMPTY_DATE, EMPTY_DATE_MIDNIGHT, BULK_COMPANY }
