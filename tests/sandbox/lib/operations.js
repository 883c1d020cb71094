'use strict'
// The remaining actions and functions of the service:
//   SalesOrderHeadersV2(...)/Microsoft.Dynamics.DataEntities.ConfirmSalesOrder  (bound action)
//   SetCustomerOnHold(dataAreaId, CustomerAccount, OnHoldStatus)                   (unbound action)
//   GetCustomerCount(dataAreaId=...)                                               (unbound function)

const cds = require('@sap/cds')
const { isCrossCompany } = require('./fno-conventions')
const businessEvents = require('./business-events')
const wireFno = require('./wire-fno')

const NS = 'Microsoft.Dynamics.DataEntities'

function register(srv, opts) {
  const company = () => opts.defaultCompany

  srv.on('ConfirmSalesOrder', 'SalesOrderHeadersV2', async req => {
    const key = req.params[req.params.length - 1]
    if (String(key.dataAreaId).toLowerCase() !== company() && !isCrossCompany(req)) return req.reject(404)
    const entity = `${NS}.SalesOrderHeadersV2`
    const order = await cds.db.run(SELECT.one.from(entity).where(key))
    if (!order) return req.reject(404)
    if (order.SalesOrderStatus === 'Canceled') return req.reject(400, `Sales order ${order.SalesOrderNumber} is canceled and cannot be confirmed.`)
    const date = req.data.confirmedShippingDate || order.RequestedShippingDate
    const bump = wireFno.versionBump(cds.model.definitions[entity], { dataAreaId: order.dataAreaId, SalesOrderNumber: order.SalesOrderNumber })
    await cds.db.run(UPDATE(entity).set({ ConfirmedShippingDate: date, ModifiedDateTime: new Date().toISOString(), ...bump }).where(key))
    businessEvents.raise('SalesOrderConfirmedBusinessEvent', order.dataAreaId, {
      ConfirmedShippingDate: businessEvents.wcfDate(date),
      CustomerAccount: order.OrderingCustomerAccountNumber,
      RequestedShippingDate: businessEvents.wcfDate(order.RequestedShippingDate),
      SalesOrderNumber: order.SalesOrderNumber,
      SalesOrderStatus: order.SalesOrderStatus,
    }, { contextRecordSubject: order.SalesOrderNumber })
    return order.SalesOrderStatus
  })

  srv.on('SetCustomerOnHold', async req => {
    const { dataAreaId, CustomerAccount, OnHoldStatus } = req.data
    if (!dataAreaId || !CustomerAccount) return req.reject(400, 'dataAreaId and CustomerAccount are required.')
    const n = await cds.db.run(
      UPDATE(`${NS}.CustomersV3`)
        .set({
          OnHoldStatus: OnHoldStatus || 'All',
          ModifiedDateTime: new Date().toISOString(),
          ...wireFno.versionBump(cds.model.definitions[`${NS}.CustomersV3`], { dataAreaId: String(dataAreaId).toLowerCase(), CustomerAccount }),
        })
        .where({ dataAreaId: String(dataAreaId).toLowerCase(), CustomerAccount }),
    )
    if (!n) return req.reject(404, `Customer ${CustomerAccount} not found in ${dataAreaId}.`)
    businessEvents.raise('CustomerOnHoldStatusChangedBusinessEvent', dataAreaId, {
      CustomerAccount,
      OnHoldStatus: OnHoldStatus || 'All',
      // X++ leaves a date it has no value for empty (1900-01-01).
      ReleaseDate: businessEvents.wcfDate(null),
    }, { contextRecordSubject: CustomerAccount })
    return OnHoldStatus || 'All'
  })

  srv.on('GetCustomerCount', async req => {
    const area = String(req.data.dataAreaId || company()).toLowerCase()
    const row = await cds.db.run(SELECT.one.from(`${NS}.CustomersV3`).columns('count(1) as n').where({ dataAreaId: area }))
    return Number(row?.n ?? 0)
  })
}

module.exports = { register }
