//! [`FunctionRequest`]: invoking an OData function (`GET`, parameters as URL literals).

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::result;
use super::target::Target;
use crate::client::Client;
use crate::crud::EntityRef;
use crate::edm::ODataLiteral;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::wire::{Answer, Decode, Prepared};

/// A function invocation: `GET Name(p1=literal,p2=literal)`; made by [`Client::function`]
/// (unbound), [`Client::collection_function`] (bound to an entity set) or
/// [`EntityRef::function`] (bound to one entity). Send it alone, or hand it to
/// [`Batch::add`](crate::Batch::add), whose slot yields an [`OperationResult`](crate::OperationResult).
///
/// Parameters are written as OData literals ([`ODataLiteral`]: strings quoted with `'` doubled,
/// enums as `Namespace.Type'Member'` via [`EnumLiteral`](crate::edm::EnumLiteral), dates
/// unquoted) and percent-encoded. Read the result with [`value`](Self::value),
/// [`value_or_nested`](Self::value_or_nested) or [`object`](Self::object).
///
/// ```no_run
/// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
/// let customers: i64 = client
///     .function("GetCustomerCount")
///     .parameter("dataAreaId", "usrt")
///     .value()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a function does nothing until it is sent"]
pub struct FunctionRequest {
    target: Target,
    /// `name=literal` pairs, unencoded.
    parameters: Vec<(String, String)>,
    /// The first unusable parameter name.
    invalid: Option<String>,
}

impl<E: Entity> EntityRef<E> {
    /// A function bound to this entity: `GET /Set(key)/Namespace.Function(...)`.
    /// `qualified_name` includes the namespace. Carries `cross-company=true` when this reference
    /// does.
    pub fn function(&self, qualified_name: &str) -> FunctionRequest {
        let mut target = Target::new(
            self.client(),
            "function",
            self.path_prefix(),
            Some(E::ENTITY_SET),
            qualified_name,
        );
        if self.is_cross_company() {
            target.cross_company();
        }
        FunctionRequest::new(target)
    }
}

impl FunctionRequest {
    pub(crate) fn new(target: Target) -> Self {
        FunctionRequest {
            target,
            parameters: Vec::new(),
            invalid: None,
        }
    }

    /// Adds the parameter `name` with `value` written as an OData literal. A second value for
    /// the same name replaces the first.
    pub fn parameter<T: ODataLiteral + ?Sized>(mut self, name: &str, value: &T) -> Self {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '@');
        if !valid && self.invalid.is_none() {
            self.invalid = Some(format!(
                "{name:?} is not a parameter name of the {}",
                self.target.describe()
            ));
        }
        let literal = value.to_literal();
        match self.parameters.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = literal,
            None => self.parameters.push((name.to_owned(), literal)),
        }
        self
    }

    /// Adds F&O's `cross-company=true` to the request.
    pub fn cross_company(mut self) -> Self {
        self.target.cross_company();
        self
    }

    /// The URL the function is read from, parameters included.
    ///
    /// # Errors
    /// [`Error::Config`] when the entity set, function or a parameter name is unusable.
    pub fn url(&self) -> Result<Url> {
        self.target.url(&self.arguments()?)
    }

    /// Invokes the function and reads a primitive, enum or collection result from
    /// `{"value": …}`.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name; the service's refusal as its [`Error`] variant;
    /// [`Error::Decode`] (naming the function and URL) when the body is not JSON or its `value`
    /// does not read as `T`.
    pub async fn value<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::value(a.what, a.url, a.body))
            .await
    }

    /// Like [`value`](Self::value), but also accepts a nested `{"value": {"value": …}}`.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub async fn value_or_nested<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::value_or_nested(a.what, a.url, a.body))
            .await
    }

    /// Invokes the function and reads a complex-type or entity result, which is the body itself.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub async fn object<T: DeserializeOwned>(self) -> Result<T> {
        self.call(|a: &Answer<'_>| result::object(a.what, a.url, a.body))
            .await
    }

    /// The client and the one request this function call sends, alone or in a `$batch`.
    pub(crate) fn prepare(&self) -> (Client, Result<Prepared>) {
        let prepared = self
            .arguments()
            .and_then(|arguments| self.target.prepare(Method::GET, &arguments, None));
        (self.target.client().clone(), prepared)
    }

    async fn call<T>(self, decode: Decode<T>) -> Result<T> {
        let (client, prepared) = self.prepare();
        client.call(prepared?, decode).await
    }

    /// `(p1=literal,p2=literal)`, unencoded.
    fn arguments(&self) -> Result<String> {
        if let Some(problem) = &self.invalid {
            return Err(Error::config(problem));
        }
        let mut out = String::from("(");
        for (i, (name, literal)) in self.parameters.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(literal);
        }
        out.push(')');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::Client;
    use crate::edm::EnumLiteral;

    fn client() -> Client {
        Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap()
    }

    #[test]
    fn function_parameters_are_literals_percent_encoded_in_the_path() {
        let url = client()
            .function("GetCustomerCount")
            .parameter("dataAreaId", "O'Brien & Sons/1")
            .parameter("Since", &5i64)
            .parameter(
                "Blocked",
                &EnumLiteral::new("Microsoft.Dynamics.DataEntities.NoYes", "Yes"),
            )
            .url()
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://env.operations.dynamics.com/data/GetCustomerCount(dataAreaId='O''Brien%20%26%20Sons%2F1',\
             Since=5,Blocked=Microsoft.Dynamics.DataEntities.NoYes'Yes')"
        );
    }

    #[test]
    fn function_without_parameters_has_empty_parentheses() {
        let url = client().function("GetCustomerCount").url().unwrap();
        assert!(url.as_str().ends_with("/data/GetCustomerCount()"), "{url}");
    }

    #[test]
    fn unusable_names_are_config_errors_not_panics() {
        let e = client().function("Get/Count").url().unwrap_err();
        assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
        let e = client()
            .function("GetCustomerCount")
            .parameter("a=b", "x")
            .url()
            .unwrap_err();
        assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
    }
}
