//! [`ActionRequest`]: invoking an OData action (`POST`, parameters as a JSON object).

use std::collections::BTreeMap;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use url::Url;

use super::result;
use super::target::Target;
use crate::client::Client;
use crate::crud::EntityRef;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::wire::{Answer, Decode, Prepared};

/// An action invocation: `POST` with the parameters as a JSON object; made by
/// [`Client::action`] (unbound), [`Client::collection_action`] (bound to an entity set) or
/// [`EntityRef::action`] (bound to one entity). Send it alone, or hand it to
/// [`ChangeSet::add`](crate::ChangeSet::add), whose slot yields an
/// [`OperationResult`](crate::OperationResult).
///
/// Add parameters with [`parameter`](Self::parameter) or a whole parameter struct with
/// [`parameters`](Self::parameters), then read the result with the method for its shape:
/// [`send`](Self::send) (no result), [`value`](Self::value), [`value_or_nested`](Self::value_or_nested)
/// or [`object`](Self::object).
///
/// ```no_run
/// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
/// let status: String = client
///     .action("SetCustomerOnHold")
///     .parameter("dataAreaId", "usmf")
///     .parameter("CustomerAccount", "US-001")
///     .parameter("OnHoldStatus", "All")
///     .value()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "an action does nothing until it is sent"]
pub struct ActionRequest {
    target: Target,
    parameters: Vec<(String, Box<RawValue>)>,
    /// The first parameter that could not be serialized.
    invalid: Option<String>,
}

impl<E: Entity> EntityRef<E> {
    /// An action bound to this entity: `POST /Set(key)/Namespace.Action`. `qualified_name`
    /// includes the namespace, e.g. `Microsoft.Dynamics.DataEntities.ConfirmSalesOrder`.
    /// Carries `cross-company=true` when this reference does.
    pub fn action(&self, qualified_name: &str) -> ActionRequest {
        let mut target = Target::new(
            self.client(),
            "action",
            self.path_prefix(),
            Some(E::ENTITY_SET),
            qualified_name,
        );
        if self.is_cross_company() {
            target.cross_company();
        }
        ActionRequest::new(target)
    }
}

impl ActionRequest {
    pub(crate) fn new(target: Target) -> Self {
        ActionRequest {
            target,
            parameters: Vec::new(),
            invalid: None,
        }
    }

    /// Adds the parameter `name` with `value` as JSON (enum members serialize as their name
    /// strings, [`Decimal`](crate::edm::Decimal)s exactly). A second value for the same name
    /// replaces the first.
    pub fn parameter<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        match serde_json::value::to_raw_value(value) {
            Ok(raw) => self.set(name.to_owned(), raw),
            Err(e) => self.fail(format!("parameter {name:?}: {e}")),
        }
        self
    }

    /// Adds every field of `parameters`, a struct (or map) that serializes to a JSON object,
    /// as a parameter: the form generated parameter structs use.
    pub fn parameters<T: Serialize + ?Sized>(mut self, parameters: &T) -> Self {
        let object = serde_json::value::to_raw_value(parameters)
            .map_err(|e| e.to_string())
            .and_then(|raw| {
                serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(raw.get())
                    .map_err(|_| "they do not serialize to a JSON object".to_owned())
            });
        match object {
            Ok(map) => {
                for (name, value) in map {
                    self.set(name, value);
                }
            }
            Err(reason) => self.fail(format!("parameters: {reason}")),
        }
        self
    }

    /// Adds F&O's `cross-company=true` to the request.
    pub fn cross_company(mut self) -> Self {
        self.target.cross_company();
        self
    }

    /// The URL the action is posted to.
    ///
    /// # Errors
    /// [`Error::Config`] when the entity set or action name is not one path segment.
    pub fn url(&self) -> Result<Url> {
        self.target.url("")
    }

    /// The JSON body: the parameters as one object (`{}` without parameters).
    ///
    /// # Errors
    /// [`Error::Config`] when a parameter could not be serialized.
    pub fn body(&self) -> Result<Bytes> {
        if let Some(e) = &self.invalid {
            return Err(Error::config(e));
        }
        let mut json = String::from("{");
        for (i, (name, value)) in self.parameters.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            // A string always serializes.
            json.push_str(&serde_json::to_string(name).unwrap_or_default());
            json.push(':');
            json.push_str(value.get());
        }
        json.push('}');
        Ok(Bytes::from(json))
    }

    /// Invokes the action and ignores any result (actions without a return type answer 204).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name or parameter; the service's refusal as its [`Error`]
    /// variant ([`Error::NotFound`], [`Error::Service`] with its message, ...).
    pub async fn send(self) -> Result<()> {
        self.call(|_: &Answer<'_>| Ok(())).await
    }

    /// Invokes the action and reads a primitive, enum or collection result from `{"value": …}`.
    /// With no content (204), `Option<T>` reads as `None`.
    ///
    /// # Errors
    /// As [`send`](Self::send), and [`Error::Decode`] (naming the action and URL) when the body
    /// is not JSON or its `value` does not read as `T`.
    pub async fn value<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::value(a.what, a.url, a.body))
            .await
    }

    /// Like [`value`](Self::value), but also accepts the nested `{"value": {"value": …}}` that
    /// F&O's data management actions (`ExportToPackage`, `GetExportedPackageUrl`) are documented
    /// to return.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub async fn value_or_nested<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::value_or_nested(a.what, a.url, a.body))
            .await
    }

    /// Invokes the action and reads a complex-type or entity result, which is the body itself.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub async fn object<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::object(a.what, a.url, a.body))
            .await
    }

    /// The client and the one request this action sends, alone or in a `$batch`.
    pub(crate) fn prepare(&self) -> (Client, Result<Prepared>) {
        let prepared = self
            .body()
            .and_then(|body| self.target.prepare(Method::POST, "", Some(body)));
        (self.target.client().clone(), prepared)
    }

    async fn call<T>(self, decode: Decode<T>) -> Result<T> {
        let (client, prepared) = self.prepare();
        client.call(prepared?, decode).await
    }

    fn set(&mut self, name: String, value: Box<RawValue>) {
        match self.parameters.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.parameters.push((name, value)),
        }
    }

    fn fail(&mut self, reason: String) {
        if self.invalid.is_none() {
            self.invalid = Some(format!(
                "cannot write the {} {reason}",
                self.target.describe()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use crate::Client;
    use crate::edm::Decimal;

    fn client() -> Client {
        Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap()
    }

    #[test]
    fn action_body_holds_each_parameter_once_with_exact_decimals() {
        let amount: Decimal = "12345678901234.123456".parse().unwrap();
        let action = client()
            .action("SetCreditLimit")
            .parameter("dataAreaId", "usmf")
            .parameter("Amount", &amount)
            .parameter("dataAreaId", "usrt");
        assert_eq!(
            action.body().unwrap(),
            r#"{"dataAreaId":"usrt","Amount":12345678901234.123456}"#
        );
        assert_eq!(
            action.url().unwrap().as_str(),
            "https://env.operations.dynamics.com/data/SetCreditLimit"
        );
    }

    #[test]
    fn parameter_struct_becomes_the_body_object() {
        #[derive(Serialize)]
        struct Export<'a> {
            #[serde(rename = "definitionGroupId")]
            group: &'a str,
            #[serde(rename = "reExecute")]
            re_execute: bool,
        }
        let action = client().action("ExportToPackage").parameters(&Export {
            group: "G",
            re_execute: false,
        });
        assert_eq!(
            action.body().unwrap(),
            r#"{"definitionGroupId":"G","reExecute":false}"#
        );
        assert_eq!(client().action("Ping").body().unwrap(), "{}");
    }

    #[test]
    fn entity_set_action_is_posted_to_the_named_set() {
        let action = client().entity_set_action(
            "DataManagementDefinitionGroups",
            "Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus",
        );
        assert_eq!(
            action.url().unwrap().as_str(),
            "https://env.operations.dynamics.com/data/DataManagementDefinitionGroups/\
             Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus"
        );
        let e = client()
            .entity_set_action("Bad/Set", "Ns.A")
            .url()
            .unwrap_err();
        assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
    }

    #[test]
    fn parameters_that_are_not_an_object_are_a_config_error() {
        let e = client().action("A").parameters(&[1, 2]).body().unwrap_err();
        assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
        assert!(e.to_string().contains("action A"), "{e}");
    }
}
