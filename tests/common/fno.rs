//! Bindings for the sandbox's `CustomersV3`, written by hand in the shape the generator emits.

use d365fo_odata::edm::{DateTimeOffset, Decimal, EnumLiteral, ODataLiteral, key_predicate};
use d365fo_odata::profile::Fno;
use d365fo_odata::{ETag, Entity, EntityKey, Field};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub enum NoYes {
    No,
    Yes,
}

impl ODataLiteral for NoYes {
    fn write_literal(&self, out: &mut String) {
        let member = match self {
            NoYes::No => "No",
            NoYes::Yes => "Yes",
        };
        EnumLiteral::new("Microsoft.Dynamics.DataEntities.NoYes", member).write_literal(out);
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CustomerV3 {
    #[serde(rename = "dataAreaId")]
    pub data_area_id: String,
    #[serde(rename = "CustomerAccount")]
    pub customer_account: String,
    #[serde(rename = "OrganizationName")]
    pub organization_name: Option<String>,
    #[serde(rename = "CustomerGroupId")]
    pub customer_group_id: Option<String>,
    #[serde(rename = "CreditLimit")]
    pub credit_limit: Option<Decimal>,
    #[serde(rename = "IsOneTimeCustomer")]
    pub is_one_time_customer: Option<NoYes>,
    #[serde(rename = "CredManLastReviewDate")]
    pub cred_man_last_review_date: Option<DateTimeOffset>,
    #[serde(rename = "OrganizationNumberOfEmployees")]
    pub organization_number_of_employees: Option<i32>,
    #[serde(rename = "AddressRecordId")]
    pub address_record_id: Option<i64>,
    #[serde(rename = "OnHoldStatus")]
    pub on_hold_status: Option<CustVendorBlocked>,
    #[serde(rename = "@odata.etag")]
    pub etag: Option<ETag>,
}

pub struct CustomerV3Key {
    pub data_area_id: String,
    pub customer_account: String,
}

impl EntityKey for CustomerV3Key {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[
            ("dataAreaId", &self.data_area_id),
            ("CustomerAccount", &self.customer_account),
        ]));
    }
}

impl Entity for CustomerV3 {
    const ENTITY_SET: &'static str = "CustomersV3";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
    type Key = CustomerV3Key;
    type Profile = Fno;

    fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }

    fn row_key(&self) -> Option<CustomerV3Key> {
        Some(CustomerV3Key::new(
            &self.data_area_id,
            &self.customer_account,
        ))
    }
}

impl CustomerV3Key {
    pub fn new(data_area_id: &str, customer_account: &str) -> Self {
        CustomerV3Key {
            data_area_id: data_area_id.to_owned(),
            customer_account: customer_account.to_owned(),
        }
    }
}

/// `CustVendorBlocked`: the values of `CustomerV3.OnHoldStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub enum CustVendorBlocked {
    No,
    Invoice,
    All,
    Payment,
    Requisition,
    Never,
    PurchOrder,
}

/// Write model of `CustomerV3`: every property optional, unset ones are not serialized.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewCustomerV3 {
    #[serde(rename = "dataAreaId", skip_serializing_if = "Option::is_none")]
    pub data_area_id: Option<String>,
    #[serde(rename = "CustomerAccount", skip_serializing_if = "Option::is_none")]
    pub customer_account: Option<String>,
    #[serde(rename = "OrganizationName", skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    #[serde(rename = "CustomerGroupId", skip_serializing_if = "Option::is_none")]
    pub customer_group_id: Option<String>,
    #[serde(rename = "CreditLimit", skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<Decimal>,
    #[serde(rename = "IsOneTimeCustomer", skip_serializing_if = "Option::is_none")]
    pub is_one_time_customer: Option<NoYes>,
    #[serde(rename = "OnHoldStatus", skip_serializing_if = "Option::is_none")]
    pub on_hold_status: Option<CustVendorBlocked>,
    #[serde(
        rename = "OrganizationNumberOfEmployees",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_number_of_employees: Option<i32>,
}

/// `SalesStatus`: the values of `SalesOrderHeaderV2.SalesOrderStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub enum SalesStatus {
    None,
    Backorder,
    Delivered,
    Invoiced,
    Canceled,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SalesOrderHeaderV2 {
    #[serde(rename = "dataAreaId")]
    pub data_area_id: String,
    #[serde(rename = "SalesOrderNumber")]
    pub sales_order_number: String,
    #[serde(rename = "SalesOrderStatus")]
    pub sales_order_status: Option<SalesStatus>,
    #[serde(rename = "ConfirmedShippingDate")]
    pub confirmed_shipping_date: Option<DateTimeOffset>,
    #[serde(rename = "@odata.etag")]
    pub etag: Option<ETag>,
}

pub struct SalesOrderHeaderV2Key {
    pub data_area_id: String,
    pub sales_order_number: String,
}

impl SalesOrderHeaderV2Key {
    pub fn new(data_area_id: &str, sales_order_number: &str) -> Self {
        SalesOrderHeaderV2Key {
            data_area_id: data_area_id.to_owned(),
            sales_order_number: sales_order_number.to_owned(),
        }
    }
}

impl EntityKey for SalesOrderHeaderV2Key {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[
            ("dataAreaId", &self.data_area_id),
            ("SalesOrderNumber", &self.sales_order_number),
        ]));
    }
}

impl Entity for SalesOrderHeaderV2 {
    const ENTITY_SET: &'static str = "SalesOrderHeadersV2";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2";
    type Key = SalesOrderHeaderV2Key;
    type Profile = Fno;

    fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }
}

/// `DataManagementDefinitionGroups`: shared (no company); carries the data management actions.
#[derive(Debug, Clone, Deserialize)]
pub struct DataManagementDefinitionGroup {
    #[serde(rename = "DefinitionGroupId")]
    pub definition_group_id: String,
}

pub struct DataManagementDefinitionGroupKey {
    pub definition_group_id: String,
}

impl EntityKey for DataManagementDefinitionGroupKey {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[(
            "DefinitionGroupId",
            &self.definition_group_id,
        )]));
    }
}

impl Entity for DataManagementDefinitionGroup {
    const ENTITY_SET: &'static str = "DataManagementDefinitionGroups";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.DataManagementDefinitionGroup";
    type Key = DataManagementDefinitionGroupKey;
    type Profile = Fno;
}

/// Parameters of the `ExportToPackage` action, as a generated parameter struct looks.
#[derive(Debug, Clone, Serialize)]
pub struct ExportToPackage {
    #[serde(rename = "definitionGroupId")]
    pub definition_group_id: String,
    #[serde(rename = "packageName")]
    pub package_name: String,
    #[serde(rename = "executionId")]
    pub execution_id: String,
    #[serde(rename = "reExecute")]
    pub re_execute: bool,
    #[serde(rename = "legalEntityId")]
    pub legal_entity_id: String,
}

/// The result of `GetExecutionSummaryStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum DmfExecutionStatus {
    Unknown,
    NotRun,
    Executing,
    Succeeded,
    PartiallySucceeded,
    Failed,
    Canceled,
}

pub mod customer_v3 {
    use super::*;

    pub const DATA_AREA_ID: Field<CustomerV3, String> = Field::new("dataAreaId");
    pub const CUSTOMER_ACCOUNT: Field<CustomerV3, String> = Field::new("CustomerAccount");
    pub const ORGANIZATION_NAME: Field<CustomerV3, String> = Field::new("OrganizationName");
    pub const CUSTOMER_GROUP_ID: Field<CustomerV3, String> = Field::new("CustomerGroupId");
    pub const CREDIT_LIMIT: Field<CustomerV3, Decimal> = Field::new("CreditLimit");
    pub const IS_ONE_TIME_CUSTOMER: Field<CustomerV3, NoYes> = Field::new("IsOneTimeCustomer");
    pub const CRED_MAN_LAST_REVIEW_DATE: Field<CustomerV3, DateTimeOffset> =
        Field::new("CredManLastReviewDate");
    pub const ORGANIZATION_NUMBER_OF_EMPLOYEES: Field<CustomerV3, i32> =
        Field::new("OrganizationNumberOfEmployees");
}

#[derive(Debug, Clone, Deserialize)]
pub struct CustomerGroup {
    #[serde(rename = "dataAreaId")]
    pub data_area_id: String,
    #[serde(rename = "CustomerGroupId")]
    pub customer_group_id: String,
    #[serde(rename = "Description")]
    pub description: Option<String>,
}

pub struct CustomerGroupKey {
    pub data_area_id: String,
    pub customer_group_id: String,
}

impl EntityKey for CustomerGroupKey {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[
            ("dataAreaId", &self.data_area_id),
            ("CustomerGroupId", &self.customer_group_id),
        ]));
    }
}

impl Entity for CustomerGroup {
    const ENTITY_SET: &'static str = "CustomerGroups";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerGroup";
    type Key = CustomerGroupKey;
    type Profile = Fno;
}

pub mod customer_group {
    use super::*;

    pub const CUSTOMER_GROUP_ID: Field<CustomerGroup, String> = Field::new("CustomerGroupId");
    pub const DESCRIPTION: Field<CustomerGroup, String> = Field::new("Description");
}
