'use strict'
// Entry point: `node server.js [--port N] [--token T] [--default-company C] ...` (see lib/options.js).
// Binds 127.0.0.1 only. Prints exactly one line to stdout once ready:
//   SANDBOX READY http://127.0.0.1:<port>
// Everything else goes to stderr. Exits when stdin closes or the parent process goes away.

process.chdir(__dirname)

// Keep stdout for the READY line: route all console output (CAP logs included) to stderr.
const toStderr = (...args) => console.error(...args)
console.log = console.info = console.debug = console.trace = toStderr

const started = process.hrtime.bigint()
const http = require('node:http')
const options = require('./lib/options')
const lifecycle = require('./lib/lifecycle')

let opts
try {
  opts = options.parse()
} catch (e) {
  console.error(`sandbox: ${e.message}`)
  process.exit(2)
}
lifecycle.bindToParent({ log: m => console.error(`sandbox: ${m}`), watchStdin: !opts.ignoreStdin })

const cds = require('@sap/cds')
const express = require('express')
const metadata = require('./lib/metadata')
const fnoQuery = require('./lib/fno-query')
const conventions = require('./lib/fno-conventions')
const operations = require('./lib/operations')
const dmf = require('./lib/dmf')
const recurring = require('./lib/recurring')
const businessEvents = require('./lib/business-events')
const faults = require('./lib/faults')
const latency = require('./lib/latency')
const web = require('./lib/http')
const decimals = require('./lib/decimals')
const wireFno = require('./lib/wire-fno')
const batchFno = require('./lib/batch-fno')
const seed = require('./seed/seed')

const NS = 'Microsoft.Dynamics.DataEntities'

async function main() {
  // Configuration (the rest is in package.json "cds").
  cds.env.query.limit = { default: opts.pageSize, max: opts.pageSize }
  const level = process.env.SANDBOX_LOG || 'warn'
  for (const id of ['cds', 'serve', 'odata', 'app', 'db', 'sqlite', 'cds.deploy']) cds.log(id, level)

  wireFno.configure(opts)
  const csn = await cds.load(opts.wire === 'fno' ? ['srv/model.cds', 'wire/fno.cds'] : 'srv/model.cds')
  cds.model = cds.compile.for.nodejs(csn)
  const enums = {}
  for (const [name, def] of Object.entries(cds.model.definitions)) {
    if (name.startsWith(NS + '.') && def.kind === 'type' && def.enum) enums[name.slice(NS.length + 1)] = metadata.enumMembers(def)
  }
  fnoQuery.install({ namespace: NS, enums })

  const db = await cds.connect.to('db')
  await cds.deploy(cds.model).to(db)
  const loaded = await seed.load(db)
  console.error(`sandbox: seeded ${JSON.stringify(loaded)}`)

  let metadataXml = metadata.rewrite(cds.compile.to.edmx(csn, { service: NS }), cds.model, NS)

  let port = 0
  const baseUrl = () => `http://127.0.0.1:${port}`

  const app = express()
  app.disable('x-powered-by')
  app.use(faults.middleware)
  app.use('/_sandbox', faults.controlRouter(express))
  latency.set(opts.latencyMs)
  app.use('/_sandbox/latency', latency.controlRouter(express))
  app.post('/_sandbox/reset', async (req, res) => {
    try {
      await cds.tx(async tx => {
        for (const set of Object.keys(seed.generate())) await tx.run(DELETE.from(`${NS}.${set}`))
      })
      dmf.clear()
      recurring.reset()
      businessEvents.clear()
      res.json({ seeded: await seed.load(db) })
    } catch (e) {
      res.status(500).json({ error: { code: '', message: e.message } })
    }
  })
  app.get('/_sandbox/info', (req, res) =>
    res.json({ defaultCompany: opts.defaultCompany, wire: opts.wire, pageSize: opts.pageSize, requireIfMatch: opts.requireIfMatch, tokenRequired: !!opts.token, seedCounts: seed.COUNTS }),
  )
  app.use('/_blob', dmf.blobRouter(express))
  app.use('/_sandbox/recurring', recurring.controlRouter(express))
  app.use('/_sandbox/business-events', businessEvents.router(express))
  app.use('/api/connector', web.activityId, web.bearerToken(() => opts.token), recurring.connectorRouter(express, { baseUrl }))
  app.use('/data', latency.middleware)
  app.use('/data', web.activityId, web.bearerToken(() => opts.token), decimals.middleware, wireFno.middleware)
  batchFno.install(app, express, opts) // $batch: absolute inner URLs; F&O answer shapes (--wire fno)
  app.use('/data', (req, res, next) => (req.path === '/$metadata' ? web.metadata(() => metadataXml)(req, res, next) : next()))

  cds.on('serving', srv => {
    if (srv.name !== NS) return
    conventions.register(srv, opts)
    wireFno.register(srv)
    operations.register(srv, opts)
    dmf.register(srv, { baseUrl })
    recurring.register(srv)
  })
  await cds.serve('all').from(cds.model).in(app)

  const server = http.createServer(app)
  server.keepAliveTimeout = 5000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', resolve)
  })
  port = server.address().port

  // Ready means $metadata answers.
  const status = await new Promise((resolve, reject) => {
    const headers = opts.token ? { Authorization: `Bearer ${opts.token}` } : {}
    http
      .get({ host: '127.0.0.1', port, path: '/data/$metadata', headers }, res => {
        res.resume()
        resolve(res.statusCode)
      })
      .on('error', reject)
  })
  if (status !== 200) throw new Error(`$metadata answered ${status}`)

  const ms = Number(process.hrtime.bigint() - started) / 1e6
  console.error(`sandbox: ready in ${ms.toFixed(0)} ms (default company ${opts.defaultCompany})`)
  process.stdout.write(`SANDBOX READY ${baseUrl()}\n`)
}

main().catch(e => {
  console.error('sandbox: failed to start:', e)
  process.exit(1)
})
