'use strict'
// Data management package API (F&O "DMF"), as actions bound to the DataManagementDefinitionGroups
// collection, plus a blob store standing in for Azure blob storage (/_blob, outside /data).
//
//   ExportToPackage(definitionGroupId, packageName, executionId, reExecute, legalEntityId) -> executionId
//   ImportFromPackage(packageUrl, definitionGroupId, executionId, execute, overwrite, legalEntityId) -> executionId
//   GetExecutionSummaryStatus(executionId) -> NotRun | Executing | Succeeded | PartiallySucceeded | Failed | Unknown
//   GetExportedPackageUrl(executionId) -> blob URL of the package zip ('' for unknown or failed executions)
//   GetAzureWriteUrl(uniqueFileName) -> JSON string {"BlobId":"{GUID}","BlobUrl":"http://.../_blob/dmf/..."}
//   GetExecutionErrors(executionId) -> JSON string: array of error messages
//   GetImportStagingErrorFileUrl(executionId, entityName) -> blob URL of the rows that failed ('' if none)
//
// Status progression of an execution: the first status call answers NotRun, the second
// Executing, later ones the final status; an execution older than 1 s is final anyway.
//
// Imports are real: the package's CSV rows are validated against the entity (keys present,
// string lengths, enum members) and written to it; rows that fail go to a staging error file.
// Some definition groups misbehave on purpose (SCENARIOS below) so that clients can be tested
// against executions that never finish, packages that are gone and packages that are corrupt.

const cds = require('@sap/cds')
const crypto = require('node:crypto')
const { zip, read } = require('./zip')

const executions = new Map()
const blobs = new Map()
let counter = 0

const NS = 'Microsoft.Dynamics.DataEntities'
const DM_NS = 'http://schemas.microsoft.com/dynamics/2015/01/DataManagement'
const STAGES = ['NotRun', 'Executing']
const FINAL_AFTER_MS = 1000

// Which entity set and columns a definition group's entity exports and imports.
const ENTITIES = {
  'Customer groups': { set: 'CustomerGroups', columns: ['CustomerGroupId', 'Description', 'PaymentTermId', 'IsSalesTaxIncludedInPrice'] },
  'Customers V3': { set: 'CustomersV3', columns: ['CustomerAccount', 'OrganizationName', 'CustomerGroupId', 'AddressCity', 'AddressCountryRegionId', 'CreditLimit', 'OnHoldStatus'] },
}

// Definition groups whose exports misbehave (see the README):
//   never-final  the execution stays Executing forever
//   blob-deleted the package blob is gone by the time it is downloaded (404 BlobNotFound)
//   corrupt      the package blob is a ZIP cut off in the middle (no end of central directory)
const SCENARIOS = {
  NeverFinishesExport: 'never-final',
  ExpiredPackageExport: 'blob-deleted',
  CorruptPackageExport: 'corrupt',
}

function utf16(text) {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
}

const xmlEsc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const csvCell = v => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
const csvLine = cells => cells.map(csvCell).join(',')

/** Parses CSV text (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into rows of cells. */
function parseCsv(text) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length) {
    row.push(cell)
    rows.push(row)
  }
  return rows.filter(r => !(r.length === 1 && r[0] === ''))
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
  const spec = ENTITIES[group.EntityName]
  const rows = spec
    ? await cds.db.run(SELECT.from(`${NS}.${spec.set}`).columns(spec.columns).where({ dataAreaId: legalEntityId }).orderBy(spec.columns[0]))
    : []
  const header = spec ? spec.columns.map(c => c.toUpperCase()) : []
  const csv = [header.join(','), ...rows.map(r => csvLine(spec.columns.map(c => r[c])))].join('\r\n') + '\r\n'
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

/** Why `value` does not fit the entity element `el` (named `name`), or null when it does. */
function fieldProblem(name, el, value) {
  if (el.key && value === '') return `Field '${name}' is mandatory.`
  if (el.enum && value !== '' && !Object.keys(el.enum).includes(value)) {
    return `Field '${name}': '${value}' is not a member of ${el.type.split('.').pop()} (${Object.keys(el.enum).join(', ')}).`
  }
  if (!el.enum && el.type === 'cds.String' && el.length && value.length > el.length) {
    return `Field '${name}': the value '${value}' is longer than ${el.length} characters.`
  }
  return null
}

/**
 * Imports the data file of `group`'s entity from the unpacked package `files` into `company`:
 * valid rows are written (upserted with `overwrite`, else only new keys), invalid ones listed in
 * exec.errors and a staging error file. Returns the final status.
 */
async function importPackage(exec, group, files, company, overwrite) {
  const spec = ENTITIES[group.EntityName]
  if (!spec) {
    exec.errors.push(`Entity '${group.EntityName}' of data project ${group.DefinitionGroupId} cannot be imported.`)
    return 'Failed'
  }
  const csvName = files.has(`${group.EntityName}.csv`) ? `${group.EntityName}.csv` : [...files.keys()].find(n => /\.csv$/i.test(n))
  if (!csvName) {
    exec.errors.push(`The package has no data file for entity '${group.EntityName}'.`)
    return 'Failed'
  }
  const entity = cds.model.definitions[`${NS}.${spec.set}`]
  const elements = Object.fromEntries(
    Object.entries(entity.elements)
      .filter(([, el]) => !el.virtual && !el.isAssociation && el.name !== 'dataAreaId' && el.name !== 'ModifiedDateTime')
      .map(([n, el]) => [n.toUpperCase(), el]),
  )
  const [header = [], ...rows] = parseCsv(files.get(csvName).toString('utf8').replace(/^\uFEFF/, ''))
  const columns = header.map(h => h.trim().toUpperCase())
  const unknown = columns.filter(c => !elements[c])
  if (unknown.length) {
    exec.errors.push(`${csvName}: column(s) ${unknown.join(', ')} are not fields of entity '${group.EntityName}'.`)
    return 'Failed'
  }
  const keys = Object.values(elements).filter(el => el.key)
  const missingKeys = keys.filter(el => !columns.includes(el.name.toUpperCase()))
  if (missingKeys.length) {
    exec.errors.push(`${csvName}: key column(s) ${missingKeys.map(el => el.name.toUpperCase()).join(', ')} are missing.`)
    return 'Failed'
  }
  const target = `${NS}.${spec.set}`
  const failed = []
  let written = 0
  for (const [index, cells] of rows.entries()) {
    const line = index + 2
    const row = { dataAreaId: company }
    const problems = []
    if (cells.length !== columns.length) problems.push(`expected ${columns.length} cells, found ${cells.length}.`)
    else {
      columns.forEach((c, i) => {
        const el = elements[c]
        const problem = fieldProblem(el.name, el, cells[i])
        if (problem) problems.push(problem)
        else if (cells[i] !== '' || !el.enum) row[el.name] = cells[i]
      })
    }
    if (!problems.length) {
      const where = Object.fromEntries([['dataAreaId', company], ...keys.map(el => [el.name, row[el.name]])])
      const exists = await cds.db.run(SELECT.one.from(target).columns('dataAreaId').where(where))
      if (exists && !overwrite) problems.push(`The record already exists (${keys.map(el => row[el.name]).join(', ')}, ${company}).`)
      else if (exists) await cds.db.run(UPDATE(target).set(row).where(where))
      else await cds.db.run(INSERT.into(target).entries(row))
    }
    if (problems.length) {
      exec.errors.push(`Entity '${group.EntityName}', ${csvName} line ${line}: ${problems.join(' ')}`)
      failed.push([...cells, problems.join(' ')])
    } else written++
  }
  exec.rows = written
  if (failed.length) {
    const name = `${exec.id}-${group.EntityName}-staging-errors.csv`
    const csv = [csvLine([...columns, 'ERROR']), ...failed.map(csvLine)].join('\r\n') + '\r\n'
    blobs.set(name, { data: Buffer.from(csv, 'utf8'), type: 'text/csv' })
    exec.stagingErrors[group.EntityName.toLowerCase()] = name
  }
  if (!failed.length) return 'Succeeded'
  return written ? 'PartiallySucceeded' : 'Failed'
}

function register(srv, { baseUrl }) {
  const on = (name, fn) => srv.on(name, 'DataManagementDefinitionGroups', fn)
  const findGroup = id => (id ? cds.db.run(SELECT.one.from(`${NS}.DataManagementDefinitionGroups`).where({ DefinitionGroupId: id })) : null)
  const newExecution = (id, kind) => ({ id, kind, created: Date.now(), calls: 0, final: 'Succeeded', errors: [], blob: null, stagingErrors: {} })

  on('ExportToPackage', async req => {
    const { definitionGroupId, packageName, reExecute, legalEntityId } = req.data
    let executionId = req.data.executionId
    if (executionId && executions.has(executionId) && !reExecute) {
      return req.reject(400, `Execution ${executionId} already exists; set reExecute to run it again.`)
    }
    if (!executionId) executionId = newExecutionId(`Export-${definitionGroupId || 'Package'}`)
    const group = await findGroup(definitionGroupId)
    const exec = newExecution(executionId, 'export')
    if (!group) {
      exec.final = 'Failed'
      exec.errors.push(`Data project ${definitionGroupId} not found.`)
    } else {
      const company = String(legalEntityId || 'usmf').toLowerCase()
      const built = await buildPackage(group, company)
      const name = `${(packageName || group.DefinitionGroupId).replace(/\.zip$/i, '')}-${executionId}.zip`
      const scenario = SCENARIOS[group.DefinitionGroupId]
      if (scenario === 'never-final') exec.final = 'Executing'
      if (scenario === 'corrupt') blobs.set(name, { data: built.zip.subarray(0, Math.floor(built.zip.length / 2)), type: 'application/zip' })
      else if (scenario !== 'blob-deleted') blobs.set(name, { data: built.zip, type: 'application/zip' })
      exec.blob = name
      exec.rows = built.rows
    }
    executions.set(executionId, exec)
    return executionId
  })

  on('ImportFromPackage', async req => {
    const { packageUrl, definitionGroupId, execute, overwrite, legalEntityId } = req.data
    const executionId = req.data.executionId || newExecutionId(`Import-${definitionGroupId || 'Package'}`)
    const exec = newExecution(executionId, 'import')
    const group = await findGroup(definitionGroupId)
    if (!group) exec.errors.push(`Data project ${definitionGroupId} not found.`)
    if (!legalEntityId) exec.errors.push('A legal entity is required.')
    const name = blobNameFromUrl(packageUrl)
    const blob = name && blobs.get(name)
    const files = blob ? read(blob.data) : null
    if (!blob) exec.errors.push(`The package ${packageUrl} could not be read.`)
    else if (!files) exec.errors.push('The package is not a valid ZIP file.')
    else if (!files.has('Manifest.xml')) exec.errors.push('The package is not a data package (no Manifest.xml).')
    if (exec.errors.length) exec.final = 'Failed'
    else if (execute === false) exec.final = 'NotRun'
    else exec.final = await importPackage(exec, group, files, String(legalEntityId).toLowerCase(), overwrite !== false)
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

  on('GetImportStagingErrorFileUrl', req => {
    const exec = executions.get(req.data.executionId)
    const name = exec && exec.stagingErrors[String(req.data.entityName || '').toLowerCase()]
    return name && blobs.has(name) ? blobUrl(baseUrl, name) : ''
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

function storageError(res, status, code, message) {
  res.status(status).type('application/xml').send(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${xmlEsc(message)}</Message></Error>`)
}

/**
 * Express router for /_blob: PUT uploads (Azure "Put Blob": needs `x-ms-blob-type` and a
 * Content-Length), GET downloads, DELETE removes. Like a SAS URL, it takes no token, and it
 * refuses requests that carry an Authorization header: the service's token must never be sent
 * to storage.
 */
function blobRouter(express) {
  const router = express.Router()
  const nameOf = req => decodeURIComponent(req.path.replace(/^\/dmf\//, ''))
  router.use((req, res, next) => {
    if (!req.headers.authorization) return next()
    storageError(res, 400, 'InvalidAuthenticationInfo', 'Authentication information is not given in the correct format: a SAS URL takes no Authorization header.')
  })
  router.put(/^\/dmf\/.+/, (req, res, next) => {
    if (req.headers['content-length'] === undefined) return storageError(res, 411, 'MissingContentLengthHeader', 'Content-Length HTTP header is missing.')
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return storageError(res, 400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified: x-ms-blob-type.')
    next()
  })
  router.put(/^\/dmf\/.+/, express.raw({ type: () => true, limit: '512mb' }), (req, res) => {
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    blobs.set(nameOf(req), { data, type: req.headers['content-type'] || 'application/octet-stream' })
    res.status(201).set({ ETag: `"0x${crypto.createHash('md5').update(data).digest('hex').slice(0, 16).toUpperCase()}"`, 'x-ms-request-id': crypto.randomUUID() }).end()
  })
  router.get(/^\/dmf\/.+/, (req, res) => {
    const blob = blobs.get(nameOf(req))
    if (!blob) return storageError(res, 404, 'BlobNotFound', 'The specified blob does not exist.')
    res.status(200).set({ 'Content-Type': blob.type, 'Content-Length': blob.data.length, 'x-ms-blob-type': 'BlockBlob' }).end(blob.data)
  })
  router.delete(/^\/dmf\/.+/, (req, res) => res.status(blobs.delete(nameOf(req)) ? 202 : 404).end())
  return router
}

function clear() {
  executions.clear()
  blobs.clear()
}

module.exports = { register, blobRouter, clear, parseCsv }
