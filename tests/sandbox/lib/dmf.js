'use strict'
// Data management package API (F&O "DMF"), as actions bound to the DataManagementDefinitionGroups
// collection, plus a blob store standing in for Azure blob storage (/_blob, outside /data).
//
//   ExportToPackage(definitionGroupId, packageName, executionId, reExecute, legalEntityId) -> executionId
//   ImportFromPackage(packageUrl, definitionGroupId, executionId, execute, overwrite, legalEntityId) -> executionId
//   GetExecutionSummaryStatus(executionId) -> NotRun | Executing | Succeeded | Failed | Unknown
//   GetExportedPackageUrl(executionId) -> blob URL of the package zip ('' for unknown or failed executions)
//   GetAzureWriteUrl(uniqueFileName) -> JSON string {"BlobId":"{GUID}","BlobUrl":"http://.../_blob/dmf/..."}
//   GetExecutionErrors(executionId) -> JSON string: array of error messages
//
// Status progression of an execution: the first status call answers NotRun, the second
// Executing, later ones the final status; an execution older than 1 s is final anyway.

const cds = require('@sap/cds')
const crypto = require('node:crypto')
const { zip, entries } = require('./zip')

const executions = new Map()
const blobs = new Map()
let counter = 0

const NS = 'Microsoft.Dynamics.DataEntities'
const DM_NS = 'http://schemas.microsoft.com/dynamics/2015/01/DataManagement'
const STAGES = ['NotRun', 'Executing']
const FINAL_AFTER_MS = 1000

// Which entity set and columns a definition group's entity exports.
const EXPORTS = {
  'Customer groups': { set: 'CustomerGroups', columns: ['CustomerGroupId', 'Description', 'PaymentTermId', 'IsSalesTaxIncludedInPrice'] },
  'Customers V3': { set: 'CustomersV3', columns: ['CustomerAccount', 'OrganizationName', 'CustomerGroupId', 'AddressCity', 'AddressCountryRegionId', 'CreditLimit', 'OnHoldStatus'] },
}

function utf16(text) {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
}

const xmlEsc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const csvCell = v => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function newExecutionId(prefix) {
  const stamp = new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)
  return `${prefix}-${stamp}-${++counter}`
}

function blobUrl(baseUrl, name) {
  const expiry = new Date(Date.now() + 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
  return `${baseUrl()}/_blob/dmf/${encodeURIComponent(name)}?sv=2020-08-04&sr=b&sp=rw&se=${encodeURIComponent(expiry)}&sig=sandbox`
}

function statusOf(exec) {
  exec.calls += 1
  const byCalls = exec.calls - 1
  const byTime = Date.now() - exec.created >= FINAL_AFTER_MS ? STAGES.length : 0
  const stage = Math.max(byCalls, byTime)
  return stage < STAGES.length ? STAGES[stage] : exec.final
}

async function buildPackage(group, legalEntityId) {
  const spec = EXPORTS[group.EntityName]
  const rows = spec
    ? await cds.db.run(SELECT.from(`${NS}.${spec.set}`).columns(spec.columns).where({ dataAreaId: legalEntityId }).orderBy(spec.columns[0]))
    : []
  const header = spec ? spec.columns.map(c => c.toUpperCase()) : []
  const csv = [header.join(','), ...rows.map(r => spec.columns.map(c => csvCell(r[c])).join(','))].join('\r\n') + '\r\n'
  const dataFile = `${group.EntityName}.csv`
  const manifest =
    `<DataManagementPackageManifest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${DM_NS}">` +
    `<DefinitionGroupName>${xmlEsc(group.DefinitionGroupId)}</DefinitionGroupName><Description>${xmlEsc(group.Description || '')}</Description>` +
    `<PackageEntityList><DataManagementPackageEntityData><EntityName>${xmlEsc(group.EntityName)}</EntityName>` +
    `<InputFilePath>${xmlEsc(dataFile)}</InputFilePath><SourceFormat>CSV</SourceFormat><ExecutionUnit>1</ExecutionUnit>` +
    `<LevelInExecutionUnit>1</LevelInExecutionUnit><SequenceInLevel>1</SequenceInLevel></DataManagementPackageEntityData></PackageEntityList>` +
    `</DataManagementPackageManifest>`
  const packageHeader =
    `<DataManagementPackageHeader xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${DM_NS}">` +
    `<Description>${xmlEsc(group.Description || '')}</Description>` +
    `<ManifestType>Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest</ManifestType>` +
    `<PackageType>DefinitionGroup</PackageType><PackageVersion>2</PackageVersion></DataManagementPackageHeader>`
  return {
    zip: zip([
      { name: dataFile, data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')]) },
      { name: 'Manifest.xml', data: utf16(manifest) },
      { name: 'PackageHeader.xml', data: utf16(packageHeader) },
    ]),
    rows: rows.length,
  }
}

function register(srv, { baseUrl }) {
  const on = (name, fn) => srv.on(name, 'DataManagementDefinitionGroups', fn)
  const findGroup = id => (id ? cds.db.run(SELECT.one.from(`${NS}.DataManagementDefinitionGroups`).where({ DefinitionGroupId: id })) : null)

  on('ExportToPackage', async req => {
    const { definitionGroupId, packageName, reExecute, legalEntityId } = req.data
    let executionId = req.data.executionId
    if (executionId && executions.has(executionId) && !reExecute) {
      return req.reject(400, `Execution ${executionId} already exists; set reExecute to run it again.`)
    }
    if (!executionId) executionId = newExecutionId(`Export-${definitionGroupId || 'Package'}`)
    const group = await findGroup(definitionGroupId)
    const exec = { id: executionId, kind: 'export', created: Date.now(), calls: 0, final: 'Succeeded', errors: [], blob: null }
    if (!group) {
      exec.final = 'Failed'
      exec.errors.push(`Data project ${definitionGroupId} not found.`)
    } else {
      const company = String(legalEntityId || 'usmf').toLowerCase()
      const built = await buildPackage(group, company)
      const name = `${(packageName || group.DefinitionGroupId).replace(/\.zip$/i, '')}-${executionId}.zip`
      blobs.set(name, { data: built.zip, type: 'application/zip' })
      exec.blob = name
      exec.rows = built.rows
    }
    executions.set(executionId, exec)
    return executionId
  })

  on('ImportFromPackage', async req => {
    const { packageUrl, definitionGroupId, execute, legalEntityId } = req.data
    const executionId = req.data.executionId || newExecutionId(`Import-${definitionGroupId || 'Package'}`)
    const exec = { id: executionId, kind: 'import', created: Date.now(), calls: 0, final: 'Succeeded', errors: [], blob: null }
    const group = await findGroup(definitionGroupId)
    if (!group) exec.errors.push(`Data project ${definitionGroupId} not found.`)
    if (!legalEntityId) exec.errors.push('A legal entity is required.')
    const name = blobNameFromUrl(packageUrl)
    const blob = name && blobs.get(name)
    if (!blob) exec.errors.push(`The package ${packageUrl} could not be read.`)
    else if (!entries(blob.data)?.includes('Manifest.xml')) exec.errors.push('The package is not a data package (no Manifest.xml).')
    if (exec.errors.length) exec.final = 'Failed'
    else if (execute === false) exec.final = 'NotRun'
    exec.blob = name
    executions.set(executionId, exec)
    return executionId
  })

  on('GetExecutionSummaryStatus', req => {
    const exec = executions.get(req.data.executionId)
    return exec ? statusOf(exec) : 'Unknown'
  })

  on('GetExportedPackageUrl', req => {
    const exec = executions.get(req.data.executionId)
    if (!exec || exec.kind !== 'export' || !exec.blob) return ''
    return blobUrl(baseUrl, exec.blob)
  })

  on('GetAzureWriteUrl', req => {
    const guid = crypto.randomUUID().toUpperCase()
    const name = req.data.uniqueFileName || guid
    return JSON.stringify({ BlobId: `{${guid}}`, BlobUrl: blobUrl(baseUrl, name) })
  })

  on('GetExecutionErrors', req => {
    const exec = executions.get(req.data.executionId)
    return JSON.stringify(exec ? exec.errors : [])
  })
}

function blobNameFromUrl(url) {
  try {
    const u = new URL(url)
    const m = /^\/_blob\/dmf\/(.+)$/.exec(u.pathname)
    return m ? decodeURIComponent(m[1]) : null
  } catch {
    return null
  }
}

/** Express router for /_blob: PUT uploads (Azure "Put Blob"), GET downloads, DELETE removes. */
function blobRouter(express) {
  const router = express.Router()
  const nameOf = req => decodeURIComponent(req.path.replace(/^\/dmf\//, ''))
  router.put(/^\/dmf\/.+/, express.raw({ type: () => true, limit: '512mb' }), (req, res) => {
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    blobs.set(nameOf(req), { data, type: req.headers['content-type'] || 'application/octet-stream' })
    res.status(201).set({ ETag: `"0x${crypto.createHash('md5').update(data).digest('hex').slice(0, 16).toUpperCase()}"`, 'x-ms-request-id': crypto.randomUUID() }).end()
  })
  router.get(/^\/dmf\/.+/, (req, res) => {
    const blob = blobs.get(nameOf(req))
    if (!blob) {
      return res.status(404).type('application/xml').send('<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>')
    }
    res.status(200).set({ 'Content-Type': blob.type, 'Content-Length': blob.data.length, 'x-ms-blob-type': 'BlockBlob' }).end(blob.data)
  })
  router.delete(/^\/dmf\/.+/, (req, res) => res.status(blobs.delete(nameOf(req)) ? 202 : 404).end())
  return router
}

function clear() {
  executions.clear()
  blobs.clear()
}

module.exports = { register, blobRouter, clear }
