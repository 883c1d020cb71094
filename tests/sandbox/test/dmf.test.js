'use strict'
// Self-test of the data management package API (lib/dmf.js): real imports with row errors and a
// staging error file, the misbehaving definition groups, and the blob store's Azure-like checks.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const { zip, read } = require('../lib/zip')
const { parseCsv } = require('../lib/dmf')

const SERVER = path.join(__dirname, '..', 'server.js')
const NS = 'Microsoft.Dynamics.DataEntities'
let proc
let base

before(async () => {
  proc = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['pipe', 'pipe', 'ignore'] })
  base = await new Promise((resolve, reject) => {
    let out = ''
    proc.stdout.on('data', d => {
      out += d
      const m = /^SANDBOX READY (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out)
      if (m) resolve(m[1])
    })
    proc.on('exit', code => reject(new Error(`server exited with ${code} before READY`)))
  })
})

after(async () => {
  proc.stdin.end()
  await new Promise(resolve => (proc.exitCode !== null ? resolve() : proc.on('exit', resolve)))
})

const call = async (name, body) => {
  const res = await fetch(`${base}/data/DataManagementDefinitionGroups/${NS}.${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(res.status, 200, `${name}: ${res.status}`)
  return (await res.json()).value
}

async function finalStatus(executionId) {
  for (let i = 0; i < 10; i++) {
    const status = await call('GetExecutionSummaryStatus', { executionId })
    if (!['NotRun', 'Executing'].includes(status)) return status
  }
  return 'Executing'
}

async function upload(name, data) {
  const { BlobUrl } = JSON.parse(await call('GetAzureWriteUrl', { uniqueFileName: name }))
  const res = await fetch(BlobUrl, { method: 'PUT', body: data, headers: { 'x-ms-blob-type': 'BlockBlob' } })
  assert.equal(res.status, 201)
  return BlobUrl
}

const customerGroupPackage = csv =>
  zip([
    { name: 'Customer groups.csv', data: '\ufeff' + csv },
    { name: 'Manifest.xml', data: '<DataManagementPackageManifest/>' },
    { name: 'PackageHeader.xml', data: '<DataManagementPackageHeader/>' },
  ])

const importPackage = async (packageUrl, company = 'demf') =>
  call('ImportFromPackage', { packageUrl, definitionGroupId: 'CustomerGroupsImport', executionId: '', execute: true, overwrite: true, legalEntityId: company })

test('CSV parser reads quotes, doubled quotes and CRLF', () => {
  assert.deepEqual(parseCsv('A,B\r\n"x, y","say ""hi"""\r\n,z\n'), [['A', 'B'], ['x, y', 'say "hi"'], ['', 'z']])
})

test('zip reader round-trips the writer and refuses a cut-off zip', () => {
  const buf = zip([{ name: 'a.txt', data: 'hello' }, { name: 'b.txt', data: 'x'.repeat(1000) }])
  const files = read(buf)
  assert.equal(files.get('a.txt').toString(), 'hello')
  assert.equal(files.get('b.txt').length, 1000)
  assert.equal(read(buf.subarray(0, buf.length - 30)), null)
})

test('import writes valid rows, reports invalid ones and a staging error file', async () => {
  const csv = 'CUSTOMERGROUPID,DESCRIPTION,ISSALESTAXINCLUDEDINPRICE\r\nSELF1,"Self test, one",Yes\r\nSELF2,Two,No\r\nWAY-TOO-LONG-ID,Bad,No\r\nSELF3,Three,Maybe\r\n'
  const id = await importPackage(await upload('selftest-partial.zip', customerGroupPackage(csv)))
  assert.equal(await finalStatus(id), 'PartiallySucceeded')
  const errors = JSON.parse(await call('GetExecutionErrors', { executionId: id }))
  assert.equal(errors.length, 2)
  assert.match(errors[0], /line 4: Field 'CustomerGroupId': the value 'WAY-TOO-LONG-ID' is longer than 10 characters/)
  assert.match(errors[1], /line 5: Field 'IsSalesTaxIncludedInPrice': 'Maybe' is not a member of NoYes/)
  const rows = await (await fetch(`${base}/data/CustomerGroups?cross-company=true&$filter=dataAreaId eq 'demf' and startswith(CustomerGroupId,'SELF')&$orderby=CustomerGroupId`)).json()
  assert.deepEqual(rows.value.map(r => [r.CustomerGroupId, r.Description, r.IsSalesTaxIncludedInPrice]), [['SELF1', 'Self test, one', 'Yes'], ['SELF2', 'Two', 'No']])
  const stagingUrl = await call('GetImportStagingErrorFileUrl', { executionId: id, entityName: 'Customer groups' })
  const staging = parseCsv(await (await fetch(stagingUrl)).text())
  assert.deepEqual(staging.map(r => r[0]), ['CUSTOMERGROUPID', 'WAY-TOO-LONG-ID', 'SELF3'])
  assert.equal(await call('GetImportStagingErrorFileUrl', { executionId: id, entityName: 'Customers V3' }), '')
})

test('import of only invalid rows, of a non-package and of a missing blob fails', async () => {
  const allBad = await importPackage(await upload('selftest-bad.zip', customerGroupPackage('CUSTOMERGROUPID,DESCRIPTION\r\n,No key\r\n')))
  assert.equal(await finalStatus(allBad), 'Failed')
  const notZip = await importPackage(await upload('selftest-text.zip', 'not a zip'))
  assert.equal(await finalStatus(notZip), 'Failed')
  assert.deepEqual(JSON.parse(await call('GetExecutionErrors', { executionId: notZip })), ['The package is not a valid ZIP file.'])
  const missing = await importPackage(`${base}/_blob/dmf/never-uploaded.zip?sig=x`)
  assert.equal(await finalStatus(missing), 'Failed')
})

test('misbehaving export groups: never final, blob gone, corrupt package', async () => {
  const exportOf = definitionGroupId => call('ExportToPackage', { definitionGroupId, packageName: 'p', executionId: '', reExecute: false, legalEntityId: 'usmf' })
  const stuck = await exportOf('NeverFinishesExport')
  assert.equal(await finalStatus(stuck), 'Executing')
  const gone = await exportOf('ExpiredPackageExport')
  assert.equal(await finalStatus(gone), 'Succeeded')
  const res = await fetch(await call('GetExportedPackageUrl', { executionId: gone }))
  assert.equal(res.status, 404)
  assert.match(await res.text(), /<Code>BlobNotFound<\/Code>/)
  const corrupt = await exportOf('CorruptPackageExport')
  assert.equal(await finalStatus(corrupt), 'Succeeded')
  const bytes = Buffer.from(await (await fetch(await call('GetExportedPackageUrl', { executionId: corrupt }))).arrayBuffer())
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004')
  assert.equal(read(bytes), null)
})

test('blob store refuses a token, a PUT without blob type and a PUT without length', async () => {
  const { BlobUrl } = JSON.parse(await call('GetAzureWriteUrl', { uniqueFileName: 'selftest-headers.zip' }))
  const withToken = await fetch(BlobUrl, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob', Authorization: 'Bearer t' } })
  assert.equal(withToken.status, 400)
  assert.match(await withToken.text(), /InvalidAuthenticationInfo/)
  assert.equal((await fetch(BlobUrl, { method: 'PUT', body: 'x' })).status, 400)
  const chunked = await fetch(BlobUrl, {
    method: 'PUT',
    body: new ReadableStream({ start: c => (c.enqueue(new TextEncoder().encode('x')), c.close()) }),
    duplex: 'half',
    headers: { 'x-ms-blob-type': 'BlockBlob' },
  })
  assert.equal(chunked.status, 411)
})
