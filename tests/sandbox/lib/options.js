'use strict'
// Command-line flags and environment variables of the sandbox server.
//
//   --port <n>               SANDBOX_PORT             0 (default) picks a free port
//   --token <t>              SANDBOX_TOKEN            require "Authorization: Bearer <t>" on /data
//   --default-company <c>    SANDBOX_DEFAULT_COMPANY  company of reads without cross-company=true (usmf)
//   --require-if-match       SANDBOX_REQUIRE_IF_MATCH=1  writes without If-Match get 428 (as plain CAP)
//   --page-size <n>          SANDBOX_PAGE_SIZE        server page size (10000, as F&O)
//   --ignore-stdin           SANDBOX_IGNORE_STDIN=1   keep running when stdin closes (manual runs)
//   --bulk-rows <n>          SANDBOX_BULK_ROWS        seed company `bulk` with n more customers (0)
//   --latency-ms <n>         SANDBOX_LATENCY_MS       delay every /data request by n ms (0), see lib/latency.js
//   --wire <fno|cap>         SANDBOX_WIRE             response shapes: `fno` (default) answers as real F&O
//                                                     does (FNO_FACTS §16); `cap` keeps the spec/CAP shapes

function parse(argv = process.argv.slice(2), env = process.env) {
  const opts = {
    port: num(env.SANDBOX_PORT, 0),
    token: env.SANDBOX_TOKEN || '',
    defaultCompany: (env.SANDBOX_DEFAULT_COMPANY || 'usmf').toLowerCase(),
    requireIfMatch: /^(1|true|yes)$/i.test(env.SANDBOX_REQUIRE_IF_MATCH || ''),
    pageSize: num(env.SANDBOX_PAGE_SIZE, 10000),
    ignoreStdin: /^(1|true|yes)$/i.test(env.SANDBOX_IGNORE_STDIN || ''),
    bulkRows: num(env.SANDBOX_BULK_ROWS, 0),
    wire: (env.SANDBOX_WIRE || 'fno').toLowerCase(),
    latencyMs: num(env.SANDBOX_LATENCY_MS, 0),
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    const value = () => (inline !== undefined ? inline : argv[++i])
    switch (flag) {
      case '--port': opts.port = num(value(), NaN); break
      case '--token': opts.token = value() || ''; break
      case '--default-company': opts.defaultCompany = String(value() || '').toLowerCase(); break
      case '--require-if-match': opts.requireIfMatch = true; break
      case '--page-size': opts.pageSize = num(value(), NaN); break
      case '--ignore-stdin': opts.ignoreStdin = true; break
      case '--bulk-rows': opts.bulkRows = num(value(), NaN); break
      case '--latency-ms': opts.latencyMs = num(value(), NaN); break
      case '--wire': opts.wire = String(value() || '').toLowerCase(); break
      default: throw new Error(`unknown option ${argv[i]}`)
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port needs a number 0..65535')
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1) throw new Error('--page-size needs a positive number')
  if (!opts.defaultCompany) throw new Error('--default-company needs a value')
  if (!Number.isInteger(opts.bulkRows) || opts.bulkRows < 0) throw new Error('--bulk-rows needs a number >= 0')
  if (!Number.isInteger(opts.latencyMs) || opts.latencyMs > 60000) throw new Error('--latency-ms needs a number 0..60000')
  if (!['fno', 'cap'].includes(opts.wire)) throw new Error('--wire needs fno or cap')
  return opts
}

function num(v, dflt) {
  if (v === undefined || v === null || v === '') return dflt
  return /^\d+$/.test(String(v)) ? Number(v) : NaN
}

module.exports = { parse }
