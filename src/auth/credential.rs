//! [`Credential`]: an Entra ID token source with its settings, and the [`Auth`] constructors for the
//! credentials of `azure_identity`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{Secret as AzureSecret, TokenCredential};
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential,
};

use super::{Auth, DEFAULT_REFRESH_MARGIN, Secret};
use crate::error::{Error, Result};

/// Builds a new instance of a credential.
type Build = dyn Fn() -> azure_core::Result<Arc<dyn TokenCredential>> + Send + Sync;

/// An Entra ID credential with the settings of its token cache; held by [`Auth::Credential`].
///
/// Cheap to clone. Every [`Client`](crate::Client) built with it keeps its own token cache.
#[derive(Clone)]
pub struct Credential {
    pub(crate) credential: Arc<dyn TokenCredential>,
    /// Builds a fresh instance, for credentials this crate constructs. `azure_identity` credentials
    /// keep a cache of their own that would hand back a token the service has just refused; a new
    /// instance starts with an empty one.
    pub(crate) rebuild: Option<Arc<Build>>,
    name: Cow<'static, str>,
    origin: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) refresh_margin: Duration,
    /// Values removed from every error message, in case a credential ever echoes them.
    redact: Vec<Secret>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .field("scope", &self.scope)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Wraps any Entra ID credential.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        let name = type_name_of(&*credential);
        Credential {
            credential,
            rebuild: None,
            name: Cow::Owned(name),
            origin: None,
            scope: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            redact: Vec::new(),
        }
    }

    /// A credential this crate builds with `build`, which can build it again after the service
    /// refuses one of its tokens.
    fn rebuildable(
        name: &'static str,
        build: impl Fn() -> azure_core::Result<Arc<dyn TokenCredential>> + Send + Sync + 'static,
        redact: Vec<Secret>,
    ) -> Result<Self> {
        let credential =
            build().map_err(|e| credential_error(name, e.to_string(), &redact, Some(e.into())))?;
        Ok(Credential {
            credential,
            rebuild: Some(Arc::new(build)),
            name: Cow::Borrowed(name),
            origin: None,
            scope: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            redact,
        })
    }

    /// Requests tokens for `scope` instead of `https://<environment host>/.default`.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The scope set with [`with_scope`](Self::with_scope), if any.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Replaces a cached token this long before it expires (see [`Auth::with_refresh_margin`]).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The kind of credential, e.g. `ClientSecretCredential`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why this credential was chosen, for one picked by [`Auth::from_env`] (e.g. `AZURE_TENANT_ID,
    /// AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set`).
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Asks the credential for one access token, for the scope set with
    /// [`with_scope`](Self::with_scope) or else `default_scope`, outside any
    /// [`Client`](crate::Client) and its token cache: for a single request made with another
    /// HTTP client, such as the code generator's `$metadata` download.
    ///
    /// # Errors
    /// [`Error::Credential`] when no token is obtained, with the credential's known secrets
    /// removed from the message.
    pub async fn access_token(&self, default_scope: &str) -> Result<Secret> {
        let scope = self.scope.as_deref().unwrap_or(default_scope);
        let token = self
            .credential
            .get_token(&[scope], None)
            .await
            .map_err(|e| self.error(e))?;
        Ok(Secret::new(token.token.secret()))
    }

    pub(crate) fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The typed error for a failed token request, with known secrets removed.
    pub(crate) fn error(&self, source: azure_core::Error) -> Error {
        credential_error(
            &self.name,
            source.to_string(),
            &self.redact,
            Some(source.into()),
        )
    }
}

/// [`Error::Credential`] with `original` as its message, every value of `redact` replaced by `***`.
fn credential_error(
    name: &str,
    original: String,
    redact: &[Secret],
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    let mut message = original.clone();
    for secret in redact {
        if !secret.expose().is_empty() {
            message = message.replace(secret.expose(), "***");
        }
    }
    // When the text held a secret, the source (which would show it again) is dropped.
    let source = if message == original { source } else { None };
    Error::Credential {
        credential: name.to_owned(),
        message,
        source,
    }
}

/// The last path segment of a credential's type name, read from its `Debug` output
/// (`azure_identity` credentials print their full type name first).
fn type_name_of(credential: &dyn TokenCredential) -> String {
    let shown = format!("{credential:?}");
    let head = shown.split([' ', '{', '(']).next().unwrap_or_default();
    let name = head.rsplit("::").next().unwrap_or_default();
    if name.is_empty() {
        "TokenCredential".to_owned()
    } else {
        name.to_owned()
    }
}

impl Auth {
    /// An app registration's client secret (OAuth client credentials flow), for the tenant
    /// `tenant_id` and the application (client) id `client_id`.
    ///
    /// ```no_run
    /// # fn run() -> d365fo_odata::Result<()> {
    /// use d365fo_odata::{Auth, Client};
    ///
    /// let auth = Auth::client_secret(
    ///     "contoso.onmicrosoft.com",              // tenant
    ///     "00000000-0000-0000-0000-000000000000", // application (client) id
    ///     std::env::var("FNO_CLIENT_SECRET").unwrap_or_default(),
    /// )?;
    /// let client = Client::builder("https://contoso.operations.dynamics.com")
    ///     .auth(auth)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Credential`] when the tenant id is malformed or the client id or secret is empty.
    pub fn client_secret(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Result<Auth> {
        Auth::client_secret_with_options(tenant_id, client_id, secret, ClientOptions::default())
    }

    /// Like [`Auth::client_secret`], with the credential's own HTTP options: its transport, retry
    /// policy and cloud (the authority host, e.g. a sovereign cloud).
    ///
    /// # Errors
    /// [`Error::Credential`] when the tenant id is malformed, the client id or secret is empty, or
    /// the authority host is not `https`.
    pub fn client_secret_with_options(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<String>,
        client_options: ClientOptions,
    ) -> Result<Auth> {
        let tenant_id = tenant_id.into();
        let client_id = client_id.into();
        let secret = Secret::new(secret);
        let redact = vec![secret.clone()];
        let build = move || -> azure_core::Result<Arc<dyn TokenCredential>> {
            let options = ClientSecretCredentialOptions {
                client_options: client_options.clone(),
            };
            let credential = ClientSecretCredential::new(
                &tenant_id,
                client_id.clone(),
                AzureSecret::new(secret.expose().to_owned()),
                Some(options),
            )?;
            Ok(credential)
        };
        Credential::rebuildable("ClientSecretCredential", build, redact).map(Auth::Credential)
    }

    /// The managed identity of the Azure host this runs on (App Service, Functions, Container
    /// Apps, virtual machines, Arc, ...): the system-assigned one when `user_assigned` is `None`.
    ///
    /// # Errors
    /// [`Error::Credential`] when the credential cannot be set up.
    pub fn managed_identity(user_assigned: Option<UserAssignedId>) -> Result<Auth> {
        let build = move || -> azure_core::Result<Arc<dyn TokenCredential>> {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: user_assigned.clone(),
                ..Default::default()
            };
            let credential = ManagedIdentityCredential::new(Some(options))?;
            Ok(credential)
        };
        Credential::rebuildable("ManagedIdentityCredential", build, Vec::new())
            .map(Auth::Credential)
    }

    /// Workload identity federation (e.g. Azure Kubernetes Service), configured by the
    /// environment variables `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE`.
    ///
    /// # Errors
    /// [`Error::Credential`] when one of those variables is missing.
    pub fn workload_identity() -> Result<Auth> {
        let build = || -> azure_core::Result<Arc<dyn TokenCredential>> {
            let credential = WorkloadIdentityCredential::new(None)?;
            Ok(credential)
        };
        Credential::rebuildable("WorkloadIdentityCredential", build, Vec::new())
            .map(Auth::Credential)
    }

    /// The account signed in to the Azure CLI (`az login`), for development machines. Each token
    /// request runs `az account get-access-token`.
    ///
    /// # Errors
    /// [`Error::Credential`] when the credential cannot be set up.
    pub fn azure_cli() -> Result<Auth> {
        let build = || -> azure_core::Result<Arc<dyn TokenCredential>> {
            let credential = AzureCliCredential::new(None)?;
            Ok(credential)
        };
        Credential::rebuildable("AzureCliCredential", build, Vec::new()).map(Auth::Credential)
    }

    /// An app registration's certificate (OAuth client credentials flow with a signed assertion):
    /// `pkcs12` is the certificate with its private key in PKCS #12 form (`.pfx`), protected by
    /// `password` when it has one.
    ///
    /// # Errors
    /// [`Error::Credential`] when the tenant id is malformed, the client id is empty, or the
    /// certificate cannot be read.
    #[cfg(feature = "client-certificate")]
    pub fn client_certificate(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        pkcs12: impl Into<Vec<u8>>,
        password: Option<String>,
    ) -> Result<Auth> {
        use azure_core::credentials::SecretBytes;
        use azure_identity::{ClientCertificateCredential, ClientCertificateCredentialOptions};

        let tenant_id = tenant_id.into();
        let client_id = client_id.into();
        let pkcs12: Vec<u8> = pkcs12.into();
        let redact = password.iter().map(Secret::new).collect();
        let build = move || -> azure_core::Result<Arc<dyn TokenCredential>> {
            let options = ClientCertificateCredentialOptions {
                password: password.clone().map(AzureSecret::new),
                ..Default::default()
            };
            let credential = ClientCertificateCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                SecretBytes::new(pkcs12.clone()),
                Some(options),
            )?;
            Ok(credential)
        };
        Credential::rebuildable("ClientCertificateCredential", build, redact).map(Auth::Credential)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_show_the_secret() {
        let secret = Secret::new("pa55-word");
        let error = credential_error(
            "ClientSecretCredential",
            "AADSTS7000215: Invalid client secret pa55-word".to_owned(),
            &[secret],
            None,
        );
        let shown = error.to_string();
        assert!(shown.contains("AADSTS7000215"), "{shown}");
        assert!(!shown.contains("pa55-word"), "{shown}");
    }

    #[test]
    fn debug_shows_the_kind_not_the_secret() {
        let Auth::Credential(credential) =
            Auth::client_secret("contoso.onmicrosoft.com", "app", "pa55-word").unwrap()
        else {
            panic!("not a credential");
        };
        assert_eq!(credential.name(), "ClientSecretCredential");
        let shown = format!("{credential:?}");
        assert!(!shown.contains("pa55-word"), "{shown}");
    }

    /// Hands back a token naming the scopes asked for, or fails.
    #[derive(Debug)]
    struct Echo {
        fail: bool,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Echo {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            if self.fail {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "AADSTS700016: application not found",
                ));
            }
            Ok(azure_core::credentials::AccessToken::new(
                format!("for {}", scopes.join(" ")),
                time::OffsetDateTime::now_utc() + time::Duration::hours(1),
            ))
        }
    }

    #[tokio::test]
    async fn access_token_asks_for_the_default_scope_unless_one_is_set() {
        let credential = Credential::new(Arc::new(Echo { fail: false }));
        let token = credential
            .access_token("https://env.example/.default")
            .await
            .unwrap();
        assert_eq!(token.expose(), "for https://env.example/.default");
        let token = credential
            .with_scope("api://other/.default")
            .access_token("https://env.example/.default")
            .await
            .unwrap();
        assert_eq!(token.expose(), "for api://other/.default");

        let failing = Credential::new(Arc::new(Echo { fail: true }));
        let error = failing.access_token("https://env.example/.default").await;
        let Err(Error::Credential {
            credential,
            message,
            ..
        }) = error
        else {
            panic!("expected a credential error, got {error:?}");
        };
        assert_eq!(credential, "Echo");
        assert!(message.contains("AADSTS700016"), "{message}");
    }

    #[test]
    fn names_a_wrapped_credential_by_its_type() {
        let credential = ClientSecretCredential::new(
            "contoso.onmicrosoft.com",
            "app".to_owned(),
            AzureSecret::new("pa55-word"),
            None,
        )
        .unwrap();
        assert_eq!(Credential::new(credential).name(), "ClientSecretCredential");
    }
}
