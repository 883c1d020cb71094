//! Bindings for the sandbox's `CustomersV3`, written by hand in the shape the generator emits.

use d365fo_odata::edm::{DateTimeOffset, Decimal, EnumLiteral, ODataLiteral, key_predicate};
use d365fo_odata::profile::Fno;
use d365fo_odata::{Entity, EntityKey, Field};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
