//! [`Auth::from_env`]: picking a credential from the environment variables the Azure tools set.

use azure_identity::UserAssignedId;

use super::Auth;
use crate::error::Result;

/// The credential the environment points to.
#[derive(Debug, PartialEq, Eq)]
enum Choice {
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: String,
    },
    WorkloadIdentity,
    ManagedIdentity {
        client_id: Option<String>,
        endpoint_variable: &'static str,
    },
    AzureCli,
}

/// The first match of the chain documented on [`Auth::from_env`]; `var` reads a variable, and an
/// empty value counts as unset.
fn choose(var: impl Fn(&str) -> Option<String>) -> Choice {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    if let (Some(tenant_id), Some(client_id), Some(secret)) = (
        var("AZURE_TENANT_ID"),
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET"),
    ) {
        return Choice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        };
    }
    if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        return Choice::WorkloadIdentity;
    }
    for endpoint_variable in ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"] {
        if var(endpoint_variable).is_some() {
            return Choice::ManagedIdentity {
                client_id: var("AZURE_CLIENT_ID"),
                endpoint_variable,
            };
        }
    }
    Choice::AzureCli
}

impl Auth {
    /// A credential chosen from the environment, the first that applies of:
    ///
    /// 1. `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` set: a client secret
    ///    ([`Auth::client_secret`]);
    /// 2. `AZURE_FEDERATED_TOKEN_FILE` set: workload identity ([`Auth::workload_identity`]);
    /// 3. `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` set (App Service, Functions, Container Apps, Arc,
    ///    Cloud Shell): managed identity ([`Auth::managed_identity`]), user-assigned when
    ///    `AZURE_CLIENT_ID` is set;
    /// 4. otherwise the Azure CLI's signed-in account ([`Auth::azure_cli`]).
    ///
    /// A virtual machine's managed identity sets no variable: use [`Auth::managed_identity`]
    /// there. Which one was picked, and why, is in [`Credential::name`](super::Credential::name)
    /// and [`Credential::origin`](super::Credential::origin) (also shown by `Debug`).
    ///
    /// # Errors
    /// [`Error::Credential`](crate::Error::Credential) when the chosen credential cannot be set up.
    pub fn from_env() -> Result<Auth> {
        Auth::from_choice(choose(|name| std::env::var(name).ok()))
    }

    fn from_choice(choice: Choice) -> Result<Auth> {
        let (auth, origin) = match choice {
            Choice::ClientSecret {
                tenant_id,
                client_id,
                secret,
            } => (
                Auth::client_secret(tenant_id, client_id, secret)?,
                "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set".to_owned(),
            ),
            Choice::WorkloadIdentity => (
                Auth::workload_identity()?,
                "AZURE_FEDERATED_TOKEN_FILE is set".to_owned(),
            ),
            Choice::ManagedIdentity {
                client_id,
                endpoint_variable,
            } => {
                let origin = match &client_id {
                    Some(_) => format!(
                        "{endpoint_variable} is set; user-assigned identity from AZURE_CLIENT_ID"
                    ),
                    None => format!("{endpoint_variable} is set; system-assigned identity"),
                };
                (
                    Auth::managed_identity(client_id.map(UserAssignedId::ClientId))?,
                    origin,
                )
            }
            Choice::AzureCli => (
                Auth::azure_cli()?,
                "no service principal, workload or managed identity variables are set".to_owned(),
            ),
        };
        Ok(match auth {
            Auth::Credential(c) => Auth::Credential(c.with_origin(origin)),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn choose_from(vars: &[(&str, &str)]) -> Choice {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        choose(|name| vars.get(name).cloned())
    }

    #[test]
    fn a_full_service_principal_picks_the_client_secret() {
        let choice = choose_from(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_CLIENT_SECRET", "s"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi"),
        ]);
        assert_eq!(
            choice,
            Choice::ClientSecret {
                tenant_id: "t".into(),
                client_id: "c".into(),
                secret: "s".into()
            }
        );
    }

    #[test]
    fn a_federated_token_file_picks_workload_identity() {
        let choice = choose_from(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
        ]);
        assert_eq!(choice, Choice::WorkloadIdentity);
    }

    #[test]
    fn an_identity_endpoint_picks_managed_identity() {
        assert_eq!(
            choose_from(&[("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi")]),
            Choice::ManagedIdentity {
                client_id: None,
                endpoint_variable: "IDENTITY_ENDPOINT"
            }
        );
        assert_eq!(
            choose_from(&[
                ("MSI_ENDPOINT", "http://127.0.0.1:1/msi"),
                ("AZURE_CLIENT_ID", "c")
            ]),
            Choice::ManagedIdentity {
                client_id: Some("c".into()),
                endpoint_variable: "MSI_ENDPOINT"
            }
        );
    }

    #[test]
    fn nothing_set_falls_back_to_the_azure_cli() {
        assert_eq!(choose_from(&[]), Choice::AzureCli);
        assert_eq!(
            choose_from(&[("AZURE_CLIENT_SECRET", ""), ("AZURE_TENANT_ID", "t")]),
            Choice::AzureCli
        );
    }

    #[test]
    fn the_chosen_credential_says_why() {
        let auth = Auth::from_choice(Choice::ClientSecret {
            tenant_id: "contoso.onmicrosoft.com".into(),
            client_id: "c".into(),
            secret: "pa55-word".into(),
        })
        .unwrap();
        let credential = auth.as_credential().unwrap();
        assert_eq!(credential.name(), "ClientSecretCredential");
        assert!(credential.origin().unwrap().contains("AZURE_CLIENT_SECRET"));
        assert!(!format!("{auth:?}").contains("pa55-word"));
    }
}
