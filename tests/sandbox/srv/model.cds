// The OData service at /data, modelled on a handful of Dynamics 365 F&O public data entities.
// Entity names are the F&O public collection names (CustomersV3, ...); property names and
// types follow the real F&O $metadata. lib/metadata.js rewrites the generated $metadata so that
// entity types carry the singular F&O names, enums become real <EnumType>s and the container
// is called "Resources".

@path: '/data'
service Microsoft.Dynamics.DataEntities {

  // ---- enums: a member's Value is its position (0, 1, 2, ...) unless @fno.value says otherwise ----
  type NoYes : String(20) enum { No; Yes; }
  type Gender : String(20) enum { Unknown; Male; Female; NonSpecific; }
  type CustVendorBlocked : String(20) enum { No; Invoice; ![All]; Payment; Requisition; Never; PurchOrder; }
  type SalesStatus : String(20) enum { None; Backorder; Delivered; Invoiced; Canceled; }
  type EcoResProductType : String(20) enum { @fno.value: 1 Item; @fno.value: 2 Service; }

  // F&O exposes dates and date-times alike as Edm.DateTimeOffset.
  type FnoDateTime : DateTime;
  type Money : Decimal(32, 6);

  aspect Versioned {
    // Row version behind @odata.etag (F&O derives its ETag from the record version).
    @odata.etag
    @cds.on.insert: $now
    @cds.on.update: $now
    ModifiedDateTime : Timestamp;
  }

  entity CustomerGroups : Versioned {
    key dataAreaId                    : String(4);
    key CustomerGroupId               : String(10);
        Description                   : String(60);
        PaymentTermId                 : String(10);
        DefaultDimensionDisplayValue  : String(500);
        IsSalesTaxIncludedInPrice     : NoYes default 'No';
        CustomerAccountNumberSequence : String(10);
        ClearingPeriodPaymentTermName : String(10);
  }

  entity CustomersV3 : Versioned {
    key dataAreaId                    : String(4);
    key CustomerAccount               : String(20);
        OrganizationName              : String(100);
        NameAlias                     : String(20);
        PartyType                     : String(20);
        PartyNumber                   : String(40);
        CustomerGroupId               : String(10);
        SalesCurrencyCode             : String(3);
        LanguageId                    : String(7);
        PaymentTerms                  : String(10);
        PaymentMethod                 : String(10);
        AddressStreet                 : String(250);
        AddressCity                   : String(60);
        AddressZipCode                : String(10);
        AddressState                  : String(10);
        AddressCountryRegionId        : String(10);
        AddressLatitude               : Decimal(32, 6);
        AddressLongitude              : Decimal(32, 6);
        AddressValidFrom              : FnoDateTime;
        AddressValidTo                : FnoDateTime;
        AddressRecordId               : Int64;
        PrimaryContactEmail           : String(255);
        PrimaryContactPhone           : String(255);
        PrimaryContactPhoneRecordId   : Int64;
        CreditLimit                   : Money;
        CreditLimitIsMandatory        : NoYes default 'No';
        IsOneTimeCustomer             : NoYes default 'No';
        OnHoldStatus                  : CustVendorBlocked default 'No';
        PersonGender                  : Gender default 'Unknown';
        OrganizationNumberOfEmployees : Int32;
        PaymentTermsBaseDays          : Int32;
        CredManCustomerSince          : FnoDateTime;
        CredManLastReviewDate         : FnoDateTime;
        SalesMemo                     : LargeString;
        CustomerGroup                 : Association to one CustomerGroups
                                          on CustomerGroup.dataAreaId = dataAreaId
                                         and CustomerGroup.CustomerGroupId = CustomerGroupId;
  }

  entity SalesOrderHeadersV2 : Versioned {
    key dataAreaId                     : String(4);
    key SalesOrderNumber               : String(20);
        SalesOrderName                 : String(100);
        OrderingCustomerAccountNumber  : String(20);
        InvoiceCustomerAccountNumber   : String(20);
        CurrencyCode                   : String(3);
        SalesOrderStatus               : SalesStatus default 'Backorder';
        SalesOrderPoolId               : String(10);
        CustomerRequisitionNumber      : String(20);
        CustomersOrderReference        : String(60);
        IsDeliveryAddressOrderSpecific : NoYes default 'No';
        DeliveryAddressCountryRegionId : String(10);
        DeliveryAddressCity            : String(60);
        DefaultShippingWarehouseId     : String(10);
        RequestedShippingDate          : FnoDateTime;
        ConfirmedShippingDate          : FnoDateTime;
        OrderTotalAmount               : Money;
        SalesOrderLines                : Composition of many SalesOrderLines
                                           on SalesOrderLines.SalesOrderHeader = $self;
        Customer                       : Association to one CustomersV3
                                           on Customer.dataAreaId = dataAreaId
                                          and Customer.CustomerAccount = OrderingCustomerAccountNumber;
  } actions {
    // Bound action: confirm the order (sets ConfirmedShippingDate, returns the order status).
    action ConfirmSalesOrder(confirmedShippingDate : FnoDateTime) returns String;
  }

  entity SalesOrderLines : Versioned {
    key dataAreaId                 : String(4);
    key InventoryLotId             : String(20);
        SalesOrderNumber           : String(20);
        LineCreationSequenceNumber : Int32;
        LineNumber                 : Decimal(32, 6);
        ItemNumber                 : String(20);
        LineDescription            : String(1000);
        OrderedSalesQuantity       : Decimal(32, 6);
        SalesUnitSymbol            : String(10);
        SalesPrice                 : Money;
        LineAmount                 : Money;
        CurrencyCode               : String(3);
        SalesOrderLineStatus       : SalesStatus default 'Backorder';
        ShippingWarehouseId        : String(10);
        RequestedShippingDate      : FnoDateTime;
        SalesOrderHeader           : Association to one SalesOrderHeadersV2
                                       on SalesOrderHeader.dataAreaId = dataAreaId
                                      and SalesOrderHeader.SalesOrderNumber = SalesOrderNumber;
  }

  entity ReleasedProductsV2 : Versioned {
    key dataAreaId                      : String(4);
    key ItemNumber                      : String(20);
        ProductNumber                   : String(20);
        ProductName                     : String(60);
        SearchName                      : String(20);
        ProductType                     : EcoResProductType default 'Item';
        ProductGroupId                  : String(10);
        ItemModelGroupId                : String(10);
        InventoryUnitSymbol             : String(10);
        SalesUnitSymbol                 : String(10);
        SalesPrice                      : Money;
        PurchasePrice                   : Money;
        NetProductWeight                : Decimal(32, 6);
        IsSalesWithholdingTaxCalculated : NoYes default 'No';
        ProductLifecycleStateId         : String(10);
  }

  // Shared entity (no dataAreaId): data management import/export projects, with the
  // data management package API bound to the collection (lib/dmf.js).
  entity DataManagementDefinitionGroups {
    key DefinitionGroupId : String(60);
        Description       : String(60);
        OperationType     : String(10);
        EntityName        : String(100);
  } actions {
    action ExportToPackage(in : many $self, definitionGroupId : String, packageName : String,
                           executionId : String, reExecute : Boolean, legalEntityId : String) returns String;
    action ImportFromPackage(in : many $self, packageUrl : String, definitionGroupId : String,
                             executionId : String, execute : Boolean, overwrite : Boolean,
                             legalEntityId : String) returns String;
    action GetExecutionSummaryStatus(in : many $self, executionId : String) returns String;
    action GetExportedPackageUrl(in : many $self, executionId : String) returns String;
    action GetAzureWriteUrl(in : many $self, uniqueFileName : String) returns String;
    action GetExecutionErrors(in : many $self, executionId : String) returns String;
    action GetImportStagingErrorFileUrl(in : many $self, executionId : String, entityName : String) returns String;
    // Recurring integrations: status of a message enqueued through /api/connector (lib/recurring.js).
    action GetMessageStatus(in : many $self, messageId : String) returns String;
  }

  // Unbound action: put a customer on hold (or release it); returns the new status.
  action SetCustomerOnHold(dataAreaId : String, CustomerAccount : String,
                           OnHoldStatus : CustVendorBlocked) returns CustVendorBlocked;

  // Unbound function: number of customers of a company (a computed value).
  function GetCustomerCount(dataAreaId : String) returns Int64;
}
