//! [`Dmf`]: typed calls to the data management package actions bound to
//! `DataManagementDefinitionGroups`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::dmf::ExecutionStatus;
use crate::error::dmf::redacted;
use crate::error::{Error, Result};
use crate::operation::ActionRequest;

/// The entity set the package actions are bound to.
pub const DEFINITION_GROUPS: &str = "DataManagementDefinitionGroups";

/// The namespace of the package actions.
pub const NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// The data management package API of one environment; made by [`Client::dmf`].
///
/// Each method is one action call. The flows built on them, [`export`](Self::export) and
/// [`import`](Self::import), are what most callers want.
#[derive(Debug, Clone)]
pub struct Dmf {
    client: Client,
}

impl Client {
    /// The data management (DMF) package API: exports to and imports from packages through the
    /// actions of `DataManagementDefinitionGroups`.
    pub fn dmf(&self) -> Dmf {
        Dmf {
            client: self.clone(),
        }
    }
}

/// Parameters of `ExportToPackage`: run the export project `definition_group_id` for a legal
/// entity into a package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportToPackage {
    /// The export project (data project), which must exist in F&O.
    pub definition_group_id: String,
    /// The package name (the file name of the ZIP in storage).
    pub package_name: String,
    /// An execution id to use; empty: F&O makes one.
    pub execution_id: String,
    /// Run an execution id that ran before again.
    pub re_execute: bool,
    /// The legal entity (company, `dataAreaId`) to export.
    pub legal_entity_id: String,
}

/// Parameters of `ImportFromPackage`: import the package at `package_url` with the import project
/// `definition_group_id`.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportFromPackage {
    /// Where the package is: the blob URL from [`Dmf::azure_write_url`], signature included.
    pub package_url: String,
    /// The import project (data project), which must exist in F&O.
    pub definition_group_id: String,
    /// An execution id to use; empty: F&O makes one.
    pub execution_id: String,
    /// Run the import at once (else it is only staged).
    pub execute: bool,
    /// Overwrite existing records (must be `false` for composite entities).
    pub overwrite: bool,
    /// The legal entity (company, `dataAreaId`) to import into.
    pub legal_entity_id: String,
}

impl fmt::Debug for ImportFromPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportFromPackage")
            .field("package_url", &redacted(&self.package_url))
            .field("definition_group_id", &self.definition_group_id)
            .field("execution_id", &self.execution_id)
            .field("execute", &self.execute)
            .field("overwrite", &self.overwrite)
            .field("legal_entity_id", &self.legal_entity_id)
            .finish()
    }
}

/// Where to upload a package: the answer of `GetAzureWriteUrl`. The URL carries a storage
/// signature (SAS) with an expiry; `Debug` shows it without.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct AzureWriteUrl {
    /// The blob's id, e.g. `{6B2C1B3E-...}`.
    #[serde(rename = "BlobId")]
    pub blob_id: String,
    /// The blob URL to `PUT` the package to, signature included.
    #[serde(rename = "BlobUrl")]
    pub blob_url: String,
}

impl fmt::Debug for AzureWriteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureWriteUrl")
            .field("blob_id", &self.blob_id)
            .field("blob_url", &redacted(&self.blob_url))
            .finish()
    }
}

/// The `value` of `GetAzureWriteUrl`: documented as a JSON string holding the JSON object
/// (double-encoded); the object itself is accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum WriteUrlValue {
    Encoded(String),
    Object(AzureWriteUrl),
}

impl WriteUrlValue {
    /// The write URL; `url` names the action's URL in a decode error.
    pub(crate) fn decode(self, url: &str) -> Result<AzureWriteUrl> {
        match self {
            WriteUrlValue::Object(w) => Ok(w),
            WriteUrlValue::Encoded(text) => serde_json::from_str(&text)
                .map_err(|e| Error::decode("the JSON string of GetAzureWriteUrl", url, &e)),
        }
    }
}

/// The `value` of `GetExecutionErrors`: a JSON string holding a list of messages (as
/// documented), or the list itself. Entries that are not strings are kept as their JSON text;
/// a string that is not a JSON list is one message.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ErrorsValue {
    List(Vec<serde_json::Value>),
    Encoded(String),
    Missing,
}

impl ErrorsValue {
    pub(crate) fn messages(self) -> Vec<String> {
        let list = match self {
            ErrorsValue::List(list) => list,
            ErrorsValue::Missing => Vec::new(),
            ErrorsValue::Encoded(text) if text.trim().is_empty() => Vec::new(),
            ErrorsValue::Encoded(text) => match serde_json::from_str::<ErrorsValue>(&text) {
                Ok(ErrorsValue::List(list)) => list,
                Ok(ErrorsValue::Missing) => Vec::new(),
                _ => return vec![text],
            },
        };
        list.into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect()
    }
}

impl Dmf {
    /// The action `name` of `DataManagementDefinitionGroups`, for calls without a typed method
    /// here (e.g. `ExportToPackagePreview`).
    pub fn action(&self, name: &str) -> ActionRequest {
        self.client
            .entity_set_action(DEFINITION_GROUPS, &format!("{NAMESPACE}.{name}"))
    }

    /// The client this API talks through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `ExportToPackage`: starts an export and returns its execution id (read from `value` or
    /// the nested `value.value` the docs show).
    ///
    /// # Errors
    /// The service's refusal as its [`Error`] variant; [`Error::Decode`] for another answer.
    pub async fn export_to_package(&self, parameters: &ExportToPackage) -> Result<String> {
        self.action("ExportToPackage")
            .parameters(parameters)
            .value_or_nested()
            .await
    }

    /// `ImportFromPackage`: starts an import of an uploaded package and returns its execution
    /// id. Must not be called in parallel (an F&O rule).
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package).
    pub async fn import_from_package(&self, parameters: &ImportFromPackage) -> Result<String> {
        self.action("ImportFromPackage")
            .parameters(parameters)
            .value_or_nested()
            .await
    }

    /// `GetExecutionSummaryStatus`: the execution's status (unknown values as
    /// [`ExecutionStatus::Other`]).
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package).
    pub async fn execution_summary_status(&self, execution_id: &str) -> Result<ExecutionStatus> {
        self.action("GetExecutionSummaryStatus")
            .parameter("executionId", execution_id)
            .value_or_nested()
            .await
    }

    /// `GetExportedPackageUrl`: the URL (with signature) of an export's package; `None` when F&O
    /// answers with an empty string (no package: unknown, failed or unfinished execution).
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package).
    pub async fn exported_package_url(&self, execution_id: &str) -> Result<Option<String>> {
        let url: Option<String> = self
            .action("GetExportedPackageUrl")
            .parameter("executionId", execution_id)
            .value_or_nested()
            .await?;
        Ok(url.filter(|u| !u.trim().is_empty()))
    }

    /// `GetAzureWriteUrl`: a blob to upload a package to, for [`import_from_package`](Self::import_from_package).
    /// `unique_file_name` names the blob.
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package); [`Error::Decode`] when the
    /// (double-encoded) JSON has no `BlobId` and `BlobUrl`.
    pub async fn azure_write_url(&self, unique_file_name: &str) -> Result<AzureWriteUrl> {
        let action = self
            .action("GetAzureWriteUrl")
            .parameter("uniqueFileName", unique_file_name);
        let url = action.url()?;
        let value: WriteUrlValue = action.value_or_nested().await?;
        value.decode(url.as_str())
    }

    /// `GetExecutionErrors`: the execution's error messages (empty when there are none).
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package).
    pub async fn execution_errors(&self, execution_id: &str) -> Result<Vec<String>> {
        let value: ErrorsValue = self
            .action("GetExecutionErrors")
            .parameter("executionId", execution_id)
            .value_or_nested()
            .await?;
        Ok(value.messages())
    }

    /// `GetImportStagingErrorFileUrl`: the URL of the file of `entity_name`'s records that
    /// failed to import; `None` when there is none.
    ///
    /// # Errors
    /// As [`export_to_package`](Self::export_to_package).
    pub async fn import_staging_error_file_url(
        &self,
        execution_id: &str,
        entity_name: &str,
    ) -> Result<Option<String>> {
        let url: Option<String> = self
            .action("GetImportStagingErrorFileUrl")
            .parameter("executionId", execution_id)
            .parameter("entityName", entity_name)
            .value_or_nested()
            .await?;
        Ok(url.filter(|u| !u.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::operation::result::value_or_nested;

    fn url() -> Url {
        Url::parse("https://env.operations.dynamics.com/data/DataManagementDefinitionGroups/x")
            .unwrap()
    }

    const WRITE_URL: &str = r#"{\"BlobId\":\"{6B2C1B3E-0000-4000-8000-000000000001}\",\"BlobUrl\":\"https://acct.blob.core.windows.net/dmf/p.zip?sv=2014-02-14&sr=b&sig=S3CR3T&se=2030-01-01T00%3A00%3A00Z&sp=rw\"}"#;

    fn write_url(body: &str) -> Result<AzureWriteUrl> {
        value_or_nested::<WriteUrlValue>("action GetAzureWriteUrl", &url(), body.as_bytes())?
            .decode(url().as_str())
    }

    #[test]
    fn write_url_reads_double_encoded_in_both_shapes() {
        let flat = format!(r#"{{"@odata.context":"x","value":"{WRITE_URL}"}}"#);
        let nested = format!(r#"{{"@odata.context":"x","value":{{"value":"{WRITE_URL}"}}}}"#);
        for body in [flat, nested] {
            let w = write_url(&body).unwrap();
            assert_eq!(w.blob_id, "{6B2C1B3E-0000-4000-8000-000000000001}");
            assert!(w.blob_url.ends_with("sp=rw"), "{}", w.blob_url);
            let debug = format!("{w:?}");
            assert!(
                !debug.contains("S3CR3T") && debug.contains("sig=REDACTED"),
                "{debug}"
            );
        }
        let object = r#"{"value":{"BlobId":"b","BlobUrl":"https://a/b"}}"#;
        assert_eq!(write_url(object).unwrap().blob_url, "https://a/b");
    }

    #[test]
    fn write_url_with_bad_inner_json_is_a_decode_error() {
        let e = write_url(r#"{"value":"{\"BlobId\":\"b\"}"}"#).unwrap_err();
        match &e {
            Error::Decode { what, message, .. } => {
                assert_eq!(what, "the JSON string of GetAzureWriteUrl");
                assert!(message.contains("BlobUrl"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let e = write_url(r#"{"value":"not json"}"#).unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }

    fn errors(body: &str) -> Vec<String> {
        value_or_nested::<ErrorsValue>("action GetExecutionErrors", &url(), body.as_bytes())
            .unwrap()
            .messages()
    }

    #[test]
    fn execution_errors_read_encoded_plain_nested_and_odd_shapes() {
        let two = ["Row 1 failed", "Row 2 failed"];
        assert_eq!(
            errors(r#"{"value":"[\"Row 1 failed\",\"Row 2 failed\"]"}"#),
            two
        );
        assert_eq!(errors(r#"{"value":["Row 1 failed","Row 2 failed"]}"#), two);
        assert_eq!(
            errors(r#"{"value":{"value":"[\"Row 1 failed\",\"Row 2 failed\"]"}}"#),
            two
        );
        assert!(errors(r#"{"value":"[]"}"#).is_empty());
        assert!(errors(r#"{"value":""}"#).is_empty());
        assert!(errors(r#"{"value":null}"#).is_empty());
        assert_eq!(
            errors(r#"{"value":"Plain text failure"}"#),
            ["Plain text failure"]
        );
        assert_eq!(
            errors(r#"{"value":"[{\"Message\":\"m\"}]"}"#),
            [r#"{"Message":"m"}"#]
        );
    }

    #[test]
    fn status_and_ids_read_in_both_shapes() {
        for body in [
            r#"{"value":"Executing"}"#,
            r#"{"value":{"value":"Executing"}}"#,
        ] {
            let s: ExecutionStatus =
                value_or_nested("action GetExecutionSummaryStatus", &url(), body.as_bytes())
                    .unwrap();
            assert_eq!(s, ExecutionStatus::Executing);
        }
        let s: ExecutionStatus = value_or_nested(
            "action GetExecutionSummaryStatus",
            &url(),
            br#"{"value":"Queued"}"#,
        )
        .unwrap();
        assert_eq!(s, ExecutionStatus::Other("Queued".into()));
        let nested: Option<String> = value_or_nested(
            "action GetExportedPackageUrl",
            &url(),
            br#"{"value":{"value":"https://a/p.zip?sig=x"}}"#,
        )
        .unwrap();
        assert_eq!(nested.as_deref(), Some("https://a/p.zip?sig=x"));
    }

    #[test]
    fn parameters_serialize_with_documented_names() {
        let body = serde_json::to_string(&ExportToPackage {
            definition_group_id: "G".into(),
            package_name: "p".into(),
            execution_id: String::new(),
            re_execute: false,
            legal_entity_id: "usmf".into(),
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"definitionGroupId":"G","packageName":"p","executionId":"","reExecute":false,"legalEntityId":"usmf"}"#
        );
        let import = ImportFromPackage {
            package_url: "https://a/p.zip?sig=S3CR3T".into(),
            ..Default::default()
        };
        let body = serde_json::to_string(&import).unwrap();
        assert!(
            body.starts_with(r#"{"packageUrl":"https://a/p.zip?sig=S3CR3T","definitionGroupId""#),
            "{body}"
        );
        assert!(!format!("{import:?}").contains("S3CR3T"));
    }
}
