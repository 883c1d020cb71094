'use strict'
// Business events: payloads shaped as F&O sends them to an HTTPS endpoint, collected in a feed.
//
//   GET    /_sandbox/business-events[?since=<ControlNumber>]  JSON array of payloads, oldest first
//   DELETE /_sandbox/business-events                         empty the feed (back to the alert event)
//
// Actions of the service raise events (see operations.js): ConfirmSalesOrder raises
// SalesOrderConfirmedBusinessEvent, SetCustomerOnHold raises CustomerOnHoldStatusChangedBusinessEvent.
// The envelope follows F&O's BusinessEventsContract: fields in alphabetical order, ControlNumber
// increasing with gaps, EventTime as "/Date(ms)/" (whole seconds), EventTimeIso8601 with 7
// fractional digits, InitiatingUserAADObjectId with braces, dates in the payload as "/Date(ms)/"
// and an empty date as "/Date(-2208988800000)/".

const crypto = require('node:crypto')

const EMPTY_DATE = '/Date(-2208988800000)/'
// The Entra ID object id of the (only) user of the sandbox.
const USER = '{5E2D28CB-A456-4512-B6AB-F3455D765946}'
const FIRST_CONTROL_NUMBER = 5637144576

// An alert event in the 2019 shape ("BusinessEventsAlertEvent"): only the six envelope fields
// every F&O version sends (no BusinessEventLegalEntity, ContextRecordSubject,
// InitiatingUserAADObjectId, ParentContextRecordSubjects, EventTimeIso8601), and event fields
// holding a nested object and an array. It is always the first entry of the feed.
function alertEvent() {
  return {
    AlertRuleId: '000042',
    BusinessEventId: 'BusinessEventsAlertEvent',
    ChangedFields: [{ FieldName: 'CreditMax', NewValue: '2500', OldValue: '1000' }],
    CompanyId: 'usmf',
    ControlNumber: FIRST_CONTROL_NUMBER,
    EventId: '0C7FB4B7-3D71-4E0C-A3F5-2D6A8A0E1B44',
    EventTime: '/Date(1561041315000)/',
    MajorVersion: 0,
    MinorVersion: 0,
    Record: { KeyFields: { AccountNum: 'US-000001', DataAreaId: 'usmf' }, TableName: 'CustTable' },
    Subject: 'Credit limit changed',
  }
}

let feed = [alertEvent()]
let controlNumber = FIRST_CONTROL_NUMBER
let raised = 0

/** `/Date(ms)/` of a Date, an ISO text, or the empty date for null/undefined. */
function wcfDate(value) {
  if (value === null || value === undefined || value === '') return EMPTY_DATE
  const ms = new Date(value).getTime()
  return Number.isNaN(ms) ? EMPTY_DATE : `/Date(${ms})/`
}

/** Adds an event; `fields` are the event-specific data members. Returns the payload. */
function raise(businessEventId, legalEntity, fields, { contextRecordSubject = '', parents = [] } = {}) {
  // Gaps of 1..5, as F&O's number sequence leaves them.
  raised += 1
  controlNumber += 1 + ((raised * 7) % 5)
  const now = Date.now()
  const seconds = Math.floor(now / 1000) * 1000
  const ticks = String(now % 1000).padStart(3, '0') + String(Number(process.hrtime.bigint() % 10000n)).padStart(4, '0')
  const payload = {
    BusinessEventId: businessEventId,
    BusinessEventLegalEntity: String(legalEntity || '').toUpperCase(),
    ContextRecordSubject: contextRecordSubject,
    ControlNumber: controlNumber,
    EventId: crypto.randomUUID().toUpperCase(),
    EventTime: `/Date(${seconds})/`,
    EventTimeIso8601: `${new Date(seconds).toISOString().slice(0, 19)}.${ticks}Z`,
    InitiatingUserAADObjectId: USER,
    MajorVersion: 0,
    MinorVersion: 0,
    ParentContextRecordSubjects: parents,
    ...fields,
  }
  const sorted = Object.fromEntries(Object.keys(payload).sort().map(k => [k, payload[k]]))
  feed.push(sorted)
  return sorted
}

function clear() {
  feed = [alertEvent()]
}

function router(express) {
  const r = express.Router()
  r.get('/', (req, res) => {
    const since = req.query.since === undefined ? null : Number(req.query.since)
    if (since !== null && !Number.isFinite(since)) return res.status(400).json({ error: { code: '', message: `since=${req.query.since} is not a number` } })
    res.json(since === null ? feed : feed.filter(e => e.ControlNumber > since))
  })
  r.delete('/', (req, res) => {
    const removed = feed.length - 1
    clear()
    res.json({ removed })
  })
  return r
}

module.exports = { raise, wcfDate, clear, router, EMPTY_DATE }
