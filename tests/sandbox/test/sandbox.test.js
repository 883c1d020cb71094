'use strict'
// Self-test of the sandbox server: `npm test` (after `npm ci`) from tests/sandbox.
// Starts server.js on a free loopback port and checks the F&O conventions, faults, DMF
// actions and the process contract.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const counts = require('../seed-counts.json')

const SERVER = path.join(__dirname, '..', 'server.js')
const NS = 'Microsoft.Dynamics.DataEntities'
let proc
let base

function start(args = [], { stdio = ['pipe', 'pipe', 'pipe'] } = {}) {
  const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], { stdio })
  const ready = new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', d => {
      out += d
      const m = /^SANDBOX READY (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out)
      if (m) resolve(m[1])
    })
    child.on('exit', code => reject(new Error(`server exited with ${code} before READY; stdout: ${out}`)))
  })
  child.stderr.resume()
  return { child, ready }
}

const exited = child => new Promise(resolve => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve)))

before(async () => {
  const s = start()
  proc = s.child
  base = await s.ready
})

after(async () => {
  proc.stdin.end()
  await exited(proc)
})

const get = (p, headers = {}) => fetch(base + p, { headers })
const json = async (p, headers) => (await get(p, headers)).json()
const send = (method, p, body, headers = {}) =>
  fetch(base + p, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
const q = s => encodeURIComponent(s)

test('$metadata has the F&O shape', async () => {
  const res = await get('/data/$metadata')
  assert.equal(res.status, 200)
  assert.ok(res.headers.get('ms-dyn-aid'))
  const xml = await res.text()
  assert.match(xml, new RegExp(`<Schema Namespace="${NS.replace(/\./g, '\\.')}"`))
  assert.match(xml, /<EntityContainer Name="Resources">/)
  assert.match(xml, /<EntitySet Name="CustomersV3" EntityType="Microsoft\.Dynamics\.DataEntities\.CustomerV3"/)
  for (const e of ['NoYes', 'Gender', 'CustVendorBlocked', 'SalesStatus']) assert.match(xml, new RegExp(`<EnumType Name="${e}">`))
  assert.match(xml, /<Property Name="OrganizationName" Type="Edm\.String"\/>/)
  assert.match(xml, /<Property Name="CreditLimit" Type="Edm\.Decimal"\/>/)
  assert.doesNotMatch(xml, /TypeDefinition|MaxLength/)
})

test('server-driven paging of the default company and cross-company', async () => {
  for (const [suffix, expected] of [['', counts.companies[counts.defaultCompany].CustomersV3], ['&cross-company=true', counts.totals.CustomersV3]]) {
    let next = `/data/CustomersV3?$select=CustomerAccount${suffix}`
    const seen = new Set()
    while (next) {
      const res = await get(next.startsWith(base) ? next.slice(base.length) : next.startsWith('/') ? next : `/data/${next}`, { Prefer: 'odata.maxpagesize=1000' })
      assert.equal(res.headers.get('preference-applied'), 'odata.maxpagesize=1000')
      const page = await res.json()
      assert.ok(page.value.length <= 1000)
      for (const r of page.value) seen.add(`${r.dataAreaId}/${r.CustomerAccount}`)
      next = page['@odata.nextLink']
    }
    assert.equal(seen.size, expected)
  }
})

test('enum literals, wildcards and quote escaping in $filter', async () => {
  const byLiteral = await (await get(`/data/CustomersV3/$count?$filter=${q(`OnHoldStatus eq ${NS}.CustVendorBlocked'All'`)}`)).text()
  const byString = await (await get(`/data/CustomersV3/$count?$filter=${q("OnHoldStatus eq 'All'")}`)).text()
  assert.equal(byLiteral, byString)
  assert.ok(Number(byLiteral) > 0)
  const wild = await json(`/data/CustomersV3?$filter=${q("OrganizationName eq '*Supplies*' and CustomerAccount eq 'US-SPECIAL*'")}`)
  assert.deepEqual(wild.value.map(r => r.OrganizationName), ['#1 Supplies'])
  const obrien = await json(`/data/CustomersV3?$filter=${q("OrganizationName eq 'O''Brien'")}`)
  assert.equal(obrien.value.length, 1)
  for (const name of ['Smith & Sons', 'Müller', '東京商事', '100% Pure', 'a/b', '+plus']) {
    const r = await json(`/data/CustomersV3?$filter=${q(`OrganizationName eq '${name}'`)}`)
    assert.equal(r.value[0]?.OrganizationName, name)
  }
})

test('decimal exactness and the empty date', async () => {
  const text = await (await get(`/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-DECIMAL')`)).text()
  assert.match(text, /"CreditLimit":12345678901234\.123456[,}]/)
  const empty = await (await get(`/data/CustomersV3/$count?$filter=${q('CredManLastReviewDate eq 1900-01-01T12:00:00Z')}`)).text()
  assert.ok(Number(empty) > 0)
})

test('default company: other company by key is 404 without cross-company', async () => {
  const p = `/data/CustomersV3(dataAreaId='usrt',CustomerAccount='RT-000001')`
  assert.equal((await get(p)).status, 404)
  assert.equal((await get(p + '?cross-company=true')).status, 200)
})

test('writes: ETags, optional If-Match, 412, 400 on a duplicate key', async () => {
  const key = `/data/CustomersV3(dataAreaId='usmf',CustomerAccount='SELFTEST-1')`
  const created = await send('POST', '/data/CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'SELFTEST-1', OrganizationName: 'Self test', OnHoldStatus: 'Invoice' })
  assert.equal(created.status, 201)
  const etag = (await created.json())['@odata.etag']
  assert.ok(etag)
  assert.match(etag, /^W\/"[A-Za-z0-9+/]+=*"$/)
  const dup = await send('POST', '/data/CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'SELFTEST-1' })
  assert.equal(dup.status, 400, 'F&O answers a direct write failure with 400')
  const err = await dup.json()
  assert.equal(err.error.message, 'An error has occurred.')
  assert.match(err.error.innererror.message, /The record already exists/)
  await new Promise(r => setTimeout(r, 5))
  assert.equal((await send('PATCH', key, { OrganizationName: 'no if-match' })).status, 200)
  assert.equal((await send('PATCH', key, { OrganizationName: 'stale' }, { 'If-Match': etag })).status, 412)
  const fresh = (await json(key))['@odata.etag']
  assert.equal((await send('PATCH', key, { OrganizationName: 'fresh' }, { 'If-Match': fresh })).status, 200)
  assert.equal((await send('DELETE', key)).status, 204)
})

test('faults: status with Retry-After, reset, slow', async () => {
  const tag = { 'x-sandbox-tag': 'selftest' }
  const rule = { kind: 'status', status: 429, retryAfter: '3', times: 1, match: { path: '/data/CustomerGroups', header: { name: 'x-sandbox-tag', value: 'selftest' } } }
  assert.equal((await send('POST', '/_sandbox/faults', rule)).status, 201)
  assert.equal((await get('/data/CustomerGroups')).status, 200) // untagged: not matched
  const hit = await get('/data/CustomerGroups', tag)
  assert.equal(hit.status, 429)
  assert.equal(hit.headers.get('retry-after'), '3')
  assert.equal((await get('/data/CustomerGroups', tag)).status, 200) // times: 1 used up

  await send('POST', '/_sandbox/faults', { kind: 'reset', match: { path: '/data/CustomerGroups', header: 'x-sandbox-tag: selftest' } })
  const reset = await get('/data/CustomerGroups', tag)
  assert.equal(reset.status, 200)
  await assert.rejects(reset.text())

  await send('POST', '/_sandbox/faults', { kind: 'slow', delayMs: 300, match: { path: '/data/CustomerGroups', header: 'x-sandbox-tag: selftest' } })
  const t0 = Date.now()
  assert.equal((await get('/data/CustomerGroups', tag)).status, 200)
  assert.ok(Date.now() - t0 >= 290)

  const list = await json('/_sandbox/faults')
  assert.deepEqual(list.rules.map(r => r.hits), [1, 1, 1])
  await send('DELETE', '/_sandbox/faults')
})

test('DMF export: status progression and package download', async () => {
  const action = name => `/data/DataManagementDefinitionGroups/${NS}.${name}`
  const exp = await send('POST', action('ExportToPackage'), { definitionGroupId: 'CustomerGroupsExport', packageName: 'cg', executionId: '', reExecute: false, legalEntityId: 'usmf' })
  const id = (await exp.json()).value
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await (await send('POST', action('GetExecutionSummaryStatus'), { executionId: id })).json()).value)
  assert.deepEqual(statuses, ['NotRun', 'Executing', 'Succeeded'])
  const url = (await (await send('POST', action('GetExportedPackageUrl'), { executionId: id })).json()).value
  assert.ok(url.startsWith(base + '/_blob/'))
  const zip = Buffer.from(await (await fetch(url)).arrayBuffer())
  assert.equal(zip.subarray(0, 2).toString(), 'PK')
  const write = JSON.parse((await (await send('POST', action('GetAzureWriteUrl'), { uniqueFileName: 'selftest.zip' })).json()).value)
  assert.match(write.BlobId, /^\{[0-9A-F-]{36}\}$/)
  assert.equal((await fetch(write.BlobUrl, { method: 'PUT', body: zip, headers: { 'x-ms-blob-type': 'BlockBlob' } })).status, 201)
})

test('recurring integrations: enqueue and status, export dequeue/download/ack', async () => {
  const connector = (op, id) => `/api/connector/${op}/%7B${id}%7D`
  const importJob = '6D31E09F-0249-459F-94F0-AAD9C2C47B64'
  const enq = await fetch(base + connector('enqueue', importJob) + '?entity=Customer%20groups', { method: 'POST', body: 'CUSTOMERGROUPID,DESCRIPTION\r\nZZ,Test\r\n' })
  assert.equal(enq.status, 200)
  const messageId = await enq.text()
  assert.match(messageId, /^\{[0-9A-F-]{36}\}$/)
  const status = async id => (await (await send('POST', `/data/DataManagementDefinitionGroups/${NS}.GetMessageStatus`, { messageId: id })).json()).value
  const seen = [await status(messageId), await status(messageId), await status(messageId)]
  assert.deepEqual(seen, ['Enqueued', 'Processing', 'Processed'])
  assert.equal((await fetch(base + connector('enqueue', importJob), { method: 'POST', body: 'x' })).status, 400, 'a file job needs ?entity=')
  assert.equal((await fetch(base + connector('dequeue', '00000000-0000-0000-0000-000000000001'))).status, 404)

  const job = await (await send('POST', '/_sandbox/recurring/jobs', { direction: 'export', visibilityTimeoutMs: 200 })).json()
  const id = job.activityId.slice(1, -1)
  const empty = await fetch(base + connector('dequeue', id))
  assert.equal(empty.status, 200)
  assert.equal(await empty.text(), '', 'an empty queue answers with an empty body')
  const made = await (await send('POST', `/_sandbox/recurring/jobs/%7B${id}%7D/export`, {})).json()
  const body = await (await fetch(base + connector('dequeue', id))).text()
  const message = JSON.parse(body)
  assert.equal(message.CorrelationId, made.correlationId)
  assert.equal(message.IsDownLoadFileExist, true)
  const file = await (await fetch(message.DownloadLocation)).text()
  assert.match(file, /^CUSTOMERGROUPID,DESCRIPTION,PAYMENTTERMID\r\n/)
  assert.equal(await (await fetch(base + connector('dequeue', id))).text(), '', 'invisible until the timeout')
  await new Promise(r => setTimeout(r, 250))
  const again = JSON.parse(await (await fetch(base + connector('dequeue', id))).text())
  assert.equal(again.CorrelationId, message.CorrelationId)
  assert.equal((await fetch(base + connector('ack', id), { method: 'POST', body })).status, 400, 'stale pop receipt')
  assert.equal((await fetch(base + connector('ack', id), { method: 'POST', body: JSON.stringify(again) })).status, 200)
  assert.equal(await status(message.CorrelationId), 'Acked')
  await new Promise(r => setTimeout(r, 250))
  assert.equal(await (await fetch(base + connector('dequeue', id))).text(), '')
})

test('business events: actions raise F&O-shaped payloads', async () => {
  const before = await json('/_sandbox/business-events')
  const since = before.length ? before[before.length - 1].ControlNumber : 0
  await send('POST', '/data/SetCustomerOnHold', { dataAreaId: 'usmf', CustomerAccount: 'US-000042', OnHoldStatus: 'All' })
  const events = await json(`/_sandbox/business-events?since=${since}`)
  assert.equal(events.length, 1)
  const e = events[0]
  assert.deepEqual(Object.keys(e), [...Object.keys(e)].sort(), 'fields in alphabetical order')
  assert.equal(e.BusinessEventId, 'CustomerOnHoldStatusChangedBusinessEvent')
  assert.equal(e.BusinessEventLegalEntity, 'USMF')
  assert.ok(e.ControlNumber > since)
  assert.match(e.EventId, /^[0-9A-F-]{36}$/)
  assert.match(e.EventTime, /^\/Date\(\d+000\)\/$/)
  assert.match(e.EventTimeIso8601, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/)
  assert.match(e.InitiatingUserAADObjectId, /^\{[0-9A-F-]{36}\}$/)
  assert.equal(e.ReleaseDate, '/Date(-2208988800000)/')
  assert.deepEqual(e.ParentContextRecordSubjects, [])
})

// ---- F&O wire shapes (--wire fno, the default) ----------------------------------------------

const decodeEtag = etag => Buffer.from(/^W\/"(.*)"$/.exec(etag)[1], 'base64').toString()

test('fno wire: absolute context and $skip/$top nextLinks keeping the other options', async () => {
  const filter = q("CustomerGroupId eq '10'")
  const first = `/data/CustomersV3?cross-company=true&$filter=${filter}&$select=CustomerAccount&$orderby=CustomerAccount&$top=5`
  const page = await json(first, { Prefer: 'odata.maxpagesize=2' })
  assert.equal(page['@odata.context'], `${base}/data/$metadata#CustomersV3`)
  assert.deepEqual(Object.keys(page), ['@odata.context', 'value', '@odata.nextLink'], 'nextLink after value')
  assert.equal(decodeURIComponent(page['@odata.nextLink']), `${base}/data/CustomersV3?cross-company=true&$filter=CustomerGroupId eq '10'&$select=CustomerAccount&$orderby=CustomerAccount&$skip=2&$top=3`)
  const seen = page.value.map(r => r.CustomerAccount)
  let next = page['@odata.nextLink']
  for (let i = 0; next && i < 10; i++) {
    const p = await json(next.slice(base.length), { Prefer: 'odata.maxpagesize=2' })
    seen.push(...p.value.map(r => r.CustomerAccount))
    next = p['@odata.nextLink']
  }
  assert.equal(next, undefined)
  assert.equal(seen.length, 5)
  assert.deepEqual([...seen].sort(), seen, 'ordered, no row twice')
  const all = await json(`/data/CustomersV3?cross-company=true&$filter=${filter}&$select=CustomerAccount&$orderby=CustomerAccount&$top=5`)
  assert.deepEqual(all.value.map(r => r.CustomerAccount), seen)
  const noTop = await json('/data/CustomersV3?$select=CustomerAccount', { Prefer: 'odata.maxpagesize=3' })
  assert.equal(noTop['@odata.nextLink'], `${base}/data/CustomersV3?$select=CustomerAccount&$skip=3`)
  const one = await json(`/data/CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')`)
  assert.equal(one['@odata.context'], `${base}/data/$metadata#CustomerGroups/$entity`)
})

test("fno wire: ETags are base64 of 'RecVersion,RecId', change on update and are enforced", async () => {
  const key = `/data/CustomerGroups(dataAreaId='usmf',CustomerGroupId='20')`
  const res = await get(key)
  const etag = res.headers.get('etag')
  const row = await res.json()
  assert.equal(row['@odata.etag'], etag)
  assert.match(decodeEtag(etag), /^'\d+,\d+'$/)
  assert.equal(row.RecVersionETag, undefined, 'the ETag column is hidden')
  assert.equal((await send('PATCH', key, { Description: 'Major customers' }, { 'If-Match': etag })).status, 200)
  const fresh = (await json(key))['@odata.etag']
  assert.notEqual(fresh, etag)
  assert.equal(decodeEtag(fresh).split(',')[1], decodeEtag(etag).split(',')[1], 'same RecId, new RecVersion')
  assert.equal((await send('PATCH', key, { Description: 'stale' }, { 'If-Match': etag })).status, 412)
  await send('POST', '/data/SetCustomerOnHold', { dataAreaId: 'usmf', CustomerAccount: 'US-000043', OnHoldStatus: 'No' })
  const customer = `/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-000043')`
  const before = (await json(customer))['@odata.etag']
  await send('POST', '/data/SetCustomerOnHold', { dataAreaId: 'usmf', CustomerAccount: 'US-000043', OnHoldStatus: 'All' })
  assert.notEqual((await json(customer))['@odata.etag'], before, 'actions bump the version too')
  const meta = await (await get('/data/$metadata')).text()
  assert.doesNotMatch(meta, /RecVersionETag/)
})

test('fno wire: error bodies, and an unknown property answers with an exception chain', async () => {
  for (const option of [`$filter=${q('Colour eq 1')}`, '$select=Colour', '$orderby=Colour']) {
    const res = await get(`/data/CustomersV3?${option}`)
    assert.equal(res.status, 400, option)
    const body = await res.json()
    assert.deepEqual(Object.keys(body.error), ['code', 'message', 'innererror'])
    assert.equal(body.error.code, '')
    const outer = body.error.innererror
    assert.equal(outer.message, 'Exception has been thrown by the target of an invocation.')
    let inner = outer
    while (inner.internalexception) inner = inner.internalexception
    assert.match(inner.message, /^The property 'Colour' does not exist on type 'Microsoft\.Dynamics\.DataEntities\.CustomerV3'\./)
  }
  const missing = await (await get(`/data/CustomersV3(dataAreaId='usmf',CustomerAccount='NOPE')`)).json()
  assert.deepEqual(Object.keys(missing.error), ['code', 'message', 'innererror'])
  assert.equal(missing.error.code, '')
  assert.doesNotMatch(JSON.stringify(missing), /numericSeverity/)
})

test('fno wire: the empty date in both forms in seeded rows', async () => {
  for (const form of ['1900-01-01T12:00:00Z', '1900-01-01T00:00:00Z']) {
    const n = await (await get(`/data/CustomersV3/$count?$filter=${q(`CredManLastReviewDate eq ${form}`)}`)).text()
    assert.ok(Number(n) > 0, form)
  }
})

test('business events: the feed starts with an alert event in the 2019 shape', async () => {
  const [first] = await json('/_sandbox/business-events')
  assert.equal(first.BusinessEventId, 'BusinessEventsAlertEvent')
  for (const f of ['BusinessEventLegalEntity', 'ContextRecordSubject', 'InitiatingUserAADObjectId', 'ParentContextRecordSubjects', 'EventTimeIso8601']) assert.equal(first[f], undefined, f)
  for (const f of ['BusinessEventId', 'ControlNumber', 'EventId', 'EventTime', 'MajorVersion', 'MinorVersion']) assert.notEqual(first[f], undefined, f)
  assert.ok(Array.isArray(first.ChangedFields) && typeof first.Record === 'object')
})

test('cap wire: --wire cap keeps the spec/CAP shapes', async () => {
  const s = start(['--wire', 'cap'])
  const url = await s.ready
  try {
    const page = await (await fetch(url + '/data/CustomersV3?$select=CustomerAccount', { headers: { Prefer: 'odata.maxpagesize=2' } })).json()
    assert.equal(page['@odata.context'], '$metadata#CustomersV3')
    assert.match(page['@odata.nextLink'], /^CustomersV3\?.*(\$|%24)skiptoken=/)
    assert.match(page.value[0]['@odata.etag'], /^W\/"\d{4}-\d\d-\d\dT/)
    const meta = await (await fetch(url + '/data/$metadata')).text()
    assert.match(meta, /<Property Name="OnHoldStatus" Type="Microsoft\.Dynamics\.DataEntities\.CustVendorBlocked"\/>/)
    const err = await (await fetch(url + '/data/CustomersV3?$select=Colour')).json()
    assert.equal(err.error.code, '400')
    const dup = await fetch(url + '/data/CustomerGroups', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataAreaId: 'usmf', CustomerGroupId: '10' }) })
    assert.equal(dup.status, 409)
  } finally {
    s.child.stdin.end()
    await exited(s.child)
  }
})

test('bearer token: 401 without it', async () => {
  const s = start(['--token', 'secret-token'])
  const url = await s.ready
  const res = await fetch(url + '/data/CustomerGroups')
  assert.equal(res.status, 401)
  assert.match(res.headers.get('www-authenticate'), /^Bearer/)
  assert.equal((await fetch(url + '/data/CustomerGroups', { headers: { Authorization: 'Bearer secret-token' } })).status, 200)
  s.child.stdin.end()
  assert.equal(await exited(s.child), 0)
})

test('exits when orphaned', async () => {
  // A shell parent that starts the server and is then killed.
  const sh = spawn('sh', ['-c', `"${process.execPath}" "${SERVER}" --port 0 --ignore-stdin & echo $!; wait`], { stdio: ['ignore', 'pipe', 'ignore'] })
  const pid = Number(await new Promise(resolve => sh.stdout.once('data', d => resolve(String(d).trim()))))
  await new Promise(r => setTimeout(r, 300))
  sh.kill('SIGKILL')
  const deadline = Date.now() + 5000
  let alive = true
  while (alive && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100))
    try { process.kill(pid, 0) } catch { alive = false }
  }
  if (alive) process.kill(pid, 'SIGKILL')
  assert.equal(alive, false, `server ${pid} still running after its parent died`)
})
