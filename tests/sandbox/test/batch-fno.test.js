'use strict'
// The F&O $batch shapes of lib/batch-fno.js, on a CAP answer written by hand.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { toFno, relativeTargets, requestUnits } = require('../lib/batch-fno')

const CRLF = '\r\n'
const lines = (...l) => l.join(CRLF) + CRLF

const REQUEST = lines(
  '--batch_q',
  'Content-Type: multipart/mixed; boundary=changeset_q',
  '',
  '--changeset_q',
  'Content-Type: application/http',
  'Content-ID: 1',
  '',
  'POST http://127.0.0.1:9/data/SalesOrderHeadersV2 HTTP/1.1',
  'Content-Type: application/json',
  '',
  '{}',
  '--changeset_q',
  'Content-Type: application/http',
  'Content-ID: 2',
  '',
  'POST SalesOrderLines HTTP/1.1',
  'Content-Type: application/json',
  '',
  '{}',
  '--changeset_q--',
  '--batch_q--',
)

// CAP's answer: one 409 part in place of the failed change set.
const CAP_ANSWER = lines(
  '--batch_q',
  'content-type: application/http',
  'content-transfer-encoding: binary',
  'content-id: 2',
  '',
  'HTTP/1.1 409 Conflict',
  'content-type: application/json; charset=utf-8',
  'content-length: 10',
  '',
  '{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed. Infolog: Info: The record already exists..","type":"x","stacktrace":""}}}',
  '--batch_q--',
)

test('absolute inner URLs become relative to the service root', () => {
  const text = relativeTargets(REQUEST)
  assert.match(text, /\r\nPOST SalesOrderHeadersV2 HTTP\/1\.1\r\n/)
  assert.match(text, /\r\nPOST SalesOrderLines HTTP\/1\.1\r\n/)
})

test('a failed change set comes back nested with only the failing part, as 500', () => {
  const units = requestUnits(relativeTargets(REQUEST), 'batch_q')
  assert.deepEqual(units, [{ changeSet: true, ops: [{ contentId: '1', method: 'POST' }, { contentId: '2', method: 'POST' }] }])
  const { boundary, body } = toFno(CAP_ANSWER, 'batch_q', units)
  assert.match(boundary, /^batchresponse_[0-9a-f-]{36}$/)
  const cs = /boundary=(changesetresponse_[0-9a-f-]{36})/.exec(body)[1]
  assert.equal(body.split(`--${cs}\r\n`).length - 1, 1, 'one part in the change set')
  assert.match(body, /Content-ID: 2\r\n\r\nHTTP\/1\.1 500 Internal Server Error\r\n/)
  assert.match(body, /Content-Type: application\/json; odata\.metadata=minimal; charset=utf-8/)
  assert.doesNotMatch(body, /content-length/i)
  const json = JSON.parse(body.split('\r\n\r\n').find(p => p.startsWith('{')).split('\r\n')[0])
  assert.equal(json.error.innererror.type, 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException')
  assert.match(json.error.innererror.message, /already exists/)
  assert.ok(body.endsWith(`--${boundary}--\r\n`))
})
