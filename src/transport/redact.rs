//! URLs as they may appear in logs: no user information, and no values of query parameters that
//! carry secrets (SAS signatures, codes, tokens, keys).

use std::borrow::Cow;

use url::Url;

/// Query parameter names whose values are replaced (compared case-insensitively).
const SECRET_PARAMETERS: &[&str] = &[
    "sig",
    "signature",
    "code",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "key",
    "api-key",
    "apikey",
    "password",
    "secret",
    "client_secret",
];

/// What replaces a secret.
const REDACTED: &str = "REDACTED";

/// `url` without user name, password and secret query values.
pub(crate) fn loggable_url(url: &Url) -> Cow<'_, str> {
    let secret_query = url.query_pairs().any(|(name, _)| is_secret(&name));
    let has_user = !url.username().is_empty() || url.password().is_some();
    if !secret_query && !has_user {
        return Cow::Borrowed(url.as_str());
    }
    let mut clean = url.clone();
    // Only fails for URLs that cannot have user information, which then have none.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    if secret_query {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret(&name) {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        clean.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Cow::Owned(clean.into())
}

fn is_secret(name: &str) -> bool {
    SECRET_PARAMETERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_urls_pass_unchanged() {
        let url =
            Url::parse("https://e.example/data/CustomersV3?$top=5&$filter=A%20eq%201").unwrap();
        assert!(matches!(loggable_url(&url), Cow::Borrowed(_)));
    }

    #[test]
    fn user_information_and_signatures_are_removed() {
        let url = Url::parse("https://u:p@blob.example/c/f.zip?sv=2020&SIG=abc%2Bdef&x=1").unwrap();
        let shown = loggable_url(&url);
        assert!(!shown.contains("abc"), "{shown}");
        assert!(!shown.contains("u:p"), "{shown}");
        assert!(
            shown.contains("SIG=REDACTED") && shown.contains("sv=2020"),
            "{shown}"
        );
    }
}
