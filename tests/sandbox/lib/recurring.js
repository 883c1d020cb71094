'use strict'
// Recurring integrations (F&O "recurring data jobs") connector API, outside /data:
//
//   POST /api/connector/enqueue/{activityId}?entity=<name>[&company=<c>]   body = file or package -> message id (text)
//   GET  /api/connector/dequeue/{activityId}                               -> dequeue JSON, or an empty body
//   GET  /api/connector/download/{activityId}?correlation-id=..&blob=..     -> the exported file
//   POST /api/connector/ack/{activityId}                                    body = the dequeue JSON -> 200
//   GetMessageStatus(messageId), bound to DataManagementDefinitionGroups    -> Enqueued | Processing | Processed | ...
//
// Activity ids are GUIDs, sent with braces (%7B...%7D); both forms are accepted. Jobs live in
// memory: three fixed ones (see JOBS) and any created with POST /_sandbox/recurring/jobs. Import
// messages progress Enqueued -> Processing -> final status on successive status calls (or after
// FINAL_AFTER_MS); an export job's file is produced on demand by POST
// /_sandbox/recurring/jobs/{activityId}/export. A dequeued message that is not acknowledged is
// handed out again after the job's visibility timeout (30 minutes, as F&O; settable per job).

const cds = require('@sap/cds')
const crypto = require('node:crypto')
const { entries } = require('./zip')

const NS = 'Microsoft.Dynamics.DataEntities'
const FINAL_AFTER_MS = 1500
const STAGES = ['Enqueued', 'Processing']
const THIRTY_MINUTES = 30 * 60 * 1000

// Entities recurring jobs can name, with the entity set and columns of their files.
const ENTITIES = {
  'Customer groups': { set: 'CustomerGroups', key: 'CustomerGroupId', columns: ['CustomerGroupId', 'Description', 'PaymentTermId'] },
}

const FIXED_JOBS = [
  { activityId: '6D31E09F-0249-459F-94F0-AAD9C2C47B64', name: 'Customer groups file import', direction: 'import', format: 'file', entity: 'Customer groups' },
  { activityId: '2B8E1F40-3C5D-4E6F-8A9B-0C1D2E3F4A5B', name: 'Customer groups package import', direction: 'import', format: 'package', entity: 'Customer groups' },
  { activityId: 'C03BB937-09ED-46DE-86EE-4520D7D7E373', name: 'Customer groups export', direction: 'export', format: 'file', entity: 'Customer groups' },
]

const jobs = new Map()
const messages = new Map() // message id (bare upper-case GUID) -> message
const files = new Map() // blob name -> Buffer

const guid = () => crypto.randomUUID().toUpperCase()
const bare = id => String(id || '').trim().replace(/^%7B|%7D$/gi, '').replace(/^\{|\}$/g, '').toUpperCase()
const GUID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/

function reset() {
  jobs.clear()
  messages.clear()
  files.clear()
  for (const job of FIXED_JOBS) addJob(job)
}

function addJob(spec) {
  const job = {
    activityId: spec.activityId ? bare(spec.activityId) : guid(),
    name: spec.name || 'Recurring data job',
    direction: spec.direction === 'export' ? 'export' : 'import',
    format: spec.format === 'package' ? 'package' : 'file',
    entity: spec.entity || 'Customer groups',
    company: String(spec.company || '').toLowerCase() || null,
    visibilityTimeoutMs: Number.isInteger(spec.visibilityTimeoutMs) && spec.visibilityTimeoutMs >= 0 ? spec.visibilityTimeoutMs : THIRTY_MINUTES,
    queue: [],
  }
  if (!GUID_RE.test(job.activityId)) throw new Error(`activityId ${spec.activityId} is not a GUID`)
  if (!ENTITIES[job.entity]) throw new Error(`entity ${job.entity} is not one of ${Object.keys(ENTITIES).join(', ')}`)
  jobs.set(job.activityId, job)
  return job
}

function error(res, status, message) {
  const body = JSON.stringify({ error: { code: '', message, innererror: { message, type: '', stacktrace: '' } } })
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(body)
}

function findJob(req, res, direction) {
  const raw = req.params.activityId
  const id = bare(raw)
  if (!GUID_RE.test(id)) {
    error(res, 400, `The activity id '${raw}' is not a valid GUID.`)
    return null
  }
  const job = jobs.get(id)
  if (!job) {
    error(res, 404, `No recurring data job with activity id {${id}} exists.`)
    return null
  }
  if (direction && job.direction !== direction) {
    error(res, 400, `Recurring data job {${id}} (${job.name}) is an ${job.direction} job.`)
    return null
  }
  return job
}

// What processing an enqueued file or package ends in.
function processImport(job, body, entity) {
  if (!body.length) return { final: 'PreProcessingError', errors: ['The message is empty.'] }
  if (job.format === 'package') {
    const names = entries(body)
    if (!names) return { final: 'ProcessedWithErrors', errors: ['The package is not a ZIP file.'] }
    if (!names.includes('Manifest.xml')) return { final: 'ProcessedWithErrors', errors: ['The package has no Manifest.xml.'] }
    return { final: 'Processed', errors: [], rows: names.length }
  }
  const text = body.toString('utf8').replace(/^\uFEFF/, '')
  const [header, ...rows] = text.split(/\r?\n/).filter(l => l.length)
  const spec = ENTITIES[entity]
  const columns = (header || '').split(',').map(c => c.trim().toUpperCase())
  if (!columns.includes(spec.key.toUpperCase())) {
    return { final: 'ProcessedWithErrors', errors: [`The file has no ${spec.key.toUpperCase()} column for entity '${entity}'.`] }
  }
  return { final: 'Processed', errors: [], rows: rows.length }
}

function statusOf(message) {
  if (message.direction === 'export') return message.acked ? 'Acked' : message.dequeues ? 'Dequeued' : 'Enqueued'
  message.calls += 1
  const byCalls = message.calls - 1
  const byTime = Date.now() - message.created >= FINAL_AFTER_MS ? STAGES.length : 0
  const stage = Math.max(byCalls, byTime)
  return stage < STAGES.length ? STAGES[stage] : message.final
}

const csvCell = v => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

async function runExport(job, company) {
  const spec = ENTITIES[job.entity]
  const rows = await cds.db.run(SELECT.from(`${NS}.${spec.set}`).columns(spec.columns).where({ dataAreaId: company }).orderBy(spec.key))
  const lines = [spec.columns.map(c => c.toUpperCase()).join(','), ...rows.map(r => spec.columns.map(c => csvCell(r[c])).join(','))]
  const data = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')
  const correlationId = guid()
  const blob = `${correlationId}-${job.entity.replace(/\s+/g, '')}.csv`
  files.set(blob, data)
  const message = { id: correlationId, direction: 'export', job: job.activityId, created: Date.now(), blob, bytes: data.length, rows: rows.length, dequeues: 0, lastDequeued: 0, popReceipt: null, acked: false }
  messages.set(correlationId, message)
  job.queue.push(message)
  return message
}

/** Router for /api/connector (mount after the token check). */
function connectorRouter(express, { baseUrl }) {
  const router = express.Router()

  router.post('/enqueue/:activityId', express.raw({ type: () => true, limit: '512mb' }), (req, res) => {
    const job = findJob(req, res, 'import')
    if (!job) return
    const entity = req.query.entity
    if (job.format === 'file' && !entity) return error(res, 400, `Recurring data job {${job.activityId}} takes files: the entity query parameter is required.`)
    if (entity && entity.toLowerCase() !== job.entity.toLowerCase()) return error(res, 400, `Entity '${entity}' is not part of the data project of job {${job.activityId}}.`)
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const outcome = processImport(job, body, job.entity)
    const id = guid()
    messages.set(id, { id, direction: 'import', job: job.activityId, created: Date.now(), calls: 0, company: String(req.query.company || job.company || ''), externalId: req.headers['x-ms-dyn-externalidentifier'] || null, ...outcome })
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(`{${id}}`)
  })

  router.get('/dequeue/:activityId', (req, res) => {
    const job = findJob(req, res, 'export')
    if (!job) return
    const now = Date.now()
    const message = job.queue.find(m => !m.acked && (!m.dequeues || now - m.lastDequeued >= job.visibilityTimeoutMs))
    if (!message) {
      // F&O answers an empty queue with an empty body.
      res.writeHead(200, { 'Content-Length': 0 })
      return res.end()
    }
    message.dequeues += 1
    message.lastDequeued = now
    message.popReceipt = crypto.randomBytes(12).toString('base64')
    const download = `${baseUrl()}/api/connector/download/%7B${job.activityId}%7D?correlation-id=${message.id}&blob=${encodeURIComponent(message.blob)}`
    res.json({ CorrelationId: message.id, PopReceipt: message.popReceipt, DownloadLocation: download, IsDownLoadFileExist: true, FileDownLoadErrorMessage: '' })
  })

  router.get('/download/:activityId', (req, res) => {
    const job = findJob(req, res, 'export')
    if (!job) return
    const message = messages.get(bare(req.query['correlation-id']))
    const data = message && message.job === job.activityId && files.get(String(req.query.blob || ''))
    if (!data) return error(res, 404, `No file for correlation id '${req.query['correlation-id']}' and blob '${req.query.blob}'.`)
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length })
    res.end(data)
  })

  router.post('/ack/:activityId', express.json({ type: () => true, limit: '1mb' }), (req, res) => {
    const job = findJob(req, res, 'export')
    if (!job) return
    const { CorrelationId, PopReceipt } = req.body || {}
    const message = messages.get(bare(CorrelationId))
    if (!message || message.job !== job.activityId) return error(res, 400, `Unknown correlation id '${CorrelationId}' for job {${job.activityId}}.`)
    if (!message.acked && PopReceipt !== message.popReceipt) return error(res, 400, `The pop receipt for message ${CorrelationId} is not the latest one; dequeue it again.`)
    message.acked = true
    res.writeHead(200, { 'Content-Length': 0 })
    res.end()
  })

  return router
}

/** Router for /_sandbox/recurring: create jobs, produce export files, inspect messages. */
function controlRouter(express) {
  const router = express.Router()
  router.use(express.json({ limit: '1mb' }))
  router.get('/jobs', (req, res) => res.json({ jobs: [...jobs.values()].map(({ queue, ...j }) => ({ ...j, queued: queue.filter(m => !m.acked).length })) }))
  router.post('/jobs', (req, res) => {
    try {
      const job = addJob(req.body || {})
      res.status(201).json({ activityId: `{${job.activityId}}`, name: job.name, direction: job.direction, format: job.format, entity: job.entity, visibilityTimeoutMs: job.visibilityTimeoutMs })
    } catch (e) {
      res.status(400).json({ error: { code: 'InvalidJob', message: e.message } })
    }
  })
  router.post('/jobs/:activityId/export', async (req, res) => {
    const job = findJob(req, res, 'export')
    if (!job) return
    try {
      const company = String((req.body && req.body.company) || job.company || 'usmf').toLowerCase()
      const m = await runExport(job, company)
      res.status(201).json({ correlationId: m.id, blob: m.blob, rows: m.rows, bytes: m.bytes })
    } catch (e) {
      error(res, 500, e.message)
    }
  })
  const view = m => ({ id: m.id, direction: m.direction, job: m.job, final: m.final, errors: m.errors, rows: m.rows, dequeues: m.dequeues, acked: m.acked, externalId: m.externalId, company: m.company })
  router.get('/messages', (req, res) => {
    const externalId = req.query.externalId
    res.json({ messages: [...messages.values()].filter(m => externalId === undefined || m.externalId === externalId).map(view) })
  })
  router.get('/messages/:id', (req, res) => {
    const m = messages.get(bare(req.params.id))
    if (!m) return error(res, 404, `No message ${req.params.id}.`)
    res.json(view(m))
  })
  return router
}

/** GetMessageStatus(messageId), an action bound to the DataManagementDefinitionGroups collection. */
function register(srv) {
  srv.on('GetMessageStatus', 'DataManagementDefinitionGroups', req => {
    const message = messages.get(bare(req.data.messageId))
    if (!message) return req.reject(404, `Message ${req.data.messageId} was not found.`)
    return statusOf(message)
  })
}

reset()

module.exports = { connectorRouter, controlRouter, register, reset }
