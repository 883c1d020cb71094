//! Turning the environment URL a user gives into the OData service root.

use url::Url;

use crate::error::{Error, Result};
use crate::redact;
use crate::transport::is_loopback;

/// Normalizes an environment URL into the service root (ending in `/data/`).
///
/// Accepts `https://env.operations.dynamics.com`, with or without a trailing slash, with or
/// without `/data`; keeps a path prefix such as on-premises `/namespaces/AXSF`. Rejects URLs that
/// go past `/data` (`.../data/CustomersV3`: an entity set, not the service), URLs with a query or
/// fragment (both messages name the service root that was meant), without a host, with a user name or password (credentials go through
/// [`Auth`](crate::Auth), never in the URL, where they would end up in logs and in a second
/// `Authorization` header), and `http://` unless the host is loopback and `allow_http_loopback`
/// is set. Messages show the URL redacted.
pub(crate) fn service_root(input: &str, allow_http_loopback: bool) -> Result<Url> {
    let raw = input.trim();
    let url = Url::parse(raw).map_err(|e| Error::url(raw, e))?;
    let shown = redact::url(&url).into_owned();
    let trimmed = shown.as_str();
    if url.host().is_none() {
        return Err(Error::config(format!(
            "environment URL {trimmed:?} has no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "environment URL {trimmed:?} must not carry a user name or password: give \
             credentials with ClientBuilder::auth, bearer_token or credential"
        )));
    }
    // What the service root would be: the path up to and including a `data` segment (or the
    // whole path, for a generic OData service), then `/data/`; no query, no fragment.
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let data_at = segments.iter().position(|s| s.eq_ignore_ascii_case("data"));
    let prefix_len = data_at.unwrap_or(segments.len());
    let prefix: String = segments[..prefix_len]
        .iter()
        .map(|s| format!("/{s}"))
        .collect();
    let mut root = url.clone();
    root.set_query(None);
    root.set_fragment(None);
    root.set_path(&format!("{prefix}/data/"));
    let root_shown = redact::url(&root).into_owned();
    // `https://host/data/CustomersV3` names an entity set, not the service: taking it as a path
    // prefix would send every request to `/data/CustomersV3/data/...`.
    if let Some(at) = data_at
        && at + 1 < segments.len()
    {
        let rest = segments[at + 1..].join("/");
        return Err(Error::config(format!(
            "environment URL {trimmed:?} goes past the service root: the service root is \
             {root_shown:?}, and {rest:?} after it looks like an entity set or resource path; \
             give the environment URL (or the URL ending in /data) and name entity sets in the \
             query"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        let found = match (url.query().is_some(), url.fragment().is_some()) {
            (true, true) => "a query and a fragment",
            (true, false) => "a query",
            _ => "a fragment",
        };
        return Err(Error::config(format!(
            "environment URL {trimmed:?} carries {found}: the service root is {root_shown:?}, \
             given without a query string or fragment; put query options on the query itself"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) && allow_http_loopback => {}
        "http" if is_loopback(&url) => {
            return Err(Error::config(format!(
                "environment URL {trimmed:?} uses plain http: call \
                 ClientBuilder::allow_http_loopback() to talk to a local server"
            )));
        }
        "http" => {
            return Err(Error::config(format!(
                "environment URL {trimmed:?} uses plain http: only https is allowed for \
                 non-loopback hosts, so that tokens are never sent in clear text"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "environment URL {trimmed:?} has unsupported scheme {other:?}"
            )));
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(input: &str) -> String {
        service_root(input, true).unwrap().to_string()
    }

    #[test]
    fn adds_data_segment_and_trailing_slash() {
        assert_eq!(
            root("https://contoso.operations.dynamics.com"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root("https://contoso.operations.dynamics.com/"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root("https://contoso.operations.dynamics.com/data"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root(" https://contoso.operations.dynamics.com/data/ "),
            "https://contoso.operations.dynamics.com/data/"
        );
    }

    #[test]
    fn keeps_on_premises_namespace_prefix() {
        assert_eq!(
            root("https://ax.contoso.com/namespaces/AXSF/"),
            "https://ax.contoso.com/namespaces/AXSF/data/"
        );
    }

    #[test]
    fn entity_set_in_the_path_is_refused_with_the_root_named() {
        for (input, rest) in [
            (
                "https://contoso.operations.dynamics.com/data/CustomersV3",
                "CustomersV3",
            ),
            (
                "https://contoso.operations.dynamics.com/data/CustomersV3/",
                "CustomersV3",
            ),
            (
                "https://contoso.operations.dynamics.com/data/CustomersV3(dataAreaId='usmf')",
                "CustomersV3(dataAreaId='usmf')",
            ),
            (
                "https://contoso.operations.dynamics.com/Data/$metadata",
                "$metadata",
            ),
            (
                "https://ax.contoso.com/namespaces/AXSF/data/Vendors/x",
                "Vendors/x",
            ),
        ] {
            let e = service_root(input, true).unwrap_err();
            let shown = e.to_string();
            assert!(matches!(e, Error::Config { .. }), "{shown}");
            assert!(shown.contains("the service root is"), "{shown}");
            assert!(shown.contains(&format!("{rest:?}")), "{shown}");
            assert!(shown.contains("/data/\""), "{shown}");
        }
        let e = service_root("https://ax.contoso.com/namespaces/AXSF/data/Vendors", true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"https://ax.contoso.com/namespaces/AXSF/data/\""),
            "{e}"
        );
    }

    #[test]
    fn query_or_fragment_is_refused_with_the_root_suggested() {
        for (input, found, root) in [
            (
                "https://contoso.operations.dynamics.com/data/?$top=1",
                "a query",
                "https://contoso.operations.dynamics.com/data/",
            ),
            (
                "https://contoso.operations.dynamics.com/?x=1",
                "a query",
                "https://contoso.operations.dynamics.com/data/",
            ),
            (
                "https://contoso.operations.dynamics.com/data#top",
                "a fragment",
                "https://contoso.operations.dynamics.com/data/",
            ),
            (
                "https://contoso.operations.dynamics.com/?x=1#y",
                "a query and a fragment",
                "https://contoso.operations.dynamics.com/data/",
            ),
        ] {
            let e = service_root(input, true).unwrap_err();
            let shown = e.to_string();
            assert!(matches!(e, Error::Config { .. }), "{shown}");
            assert!(shown.contains(&format!("carries {found}:")), "{shown}");
            assert!(
                shown.contains(&format!("the service root is {root:?}")),
                "{shown}"
            );
        }
    }

    #[test]
    fn entity_set_with_query_names_the_entity_set() {
        let e = service_root(
            "https://contoso.operations.dynamics.com/data/CustomersV3?$top=1",
            true,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"CustomersV3\""), "{e}");
        assert!(
            e.contains("the service root is \"https://contoso.operations.dynamics.com/data/\""),
            "{e}"
        );
    }

    #[test]
    fn generic_service_prefixes_are_kept() {
        assert_eq!(root("https://host/odata/v4"), "https://host/odata/v4/data/");
        assert_eq!(root("https://host/data/"), "https://host/data/");
        assert_eq!(root("https://host/database"), "https://host/database/data/");
    }

    #[test]
    fn plain_http_is_refused_for_remote_hosts() {
        let e = service_root("http://contoso.operations.dynamics.com", true).unwrap_err();
        assert!(e.to_string().contains("only https is allowed"), "{e}");
    }

    #[test]
    fn plain_http_loopback_needs_opt_in() {
        let e = service_root("http://127.0.0.1:4004", false).unwrap_err();
        assert!(e.to_string().contains("allow_http_loopback"), "{e}");
        assert_eq!(root("http://127.0.0.1:4004"), "http://127.0.0.1:4004/data/");
        assert_eq!(root("http://localhost:4004"), "http://localhost:4004/data/");
        assert_eq!(root("http://[::1]:4004"), "http://[::1]:4004/data/");
    }

    #[test]
    fn user_information_is_refused_and_never_shown() {
        for input in [
            "https://admin:hunter2@contoso.operations.dynamics.com",
            "https://admin@contoso.operations.dynamics.com/data",
            "http://admin:hunter2@127.0.0.1:4004",
        ] {
            let e = service_root(input, true).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(matches!(e, Error::Config { .. }), "{shown}");
            assert!(shown.contains("user name or password"), "{shown}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("admin"),
                "{shown}"
            );
        }
        let e = service_root("https://admin:hunter2@[::1", true).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    }

    #[test]
    fn rejects_query_fragment_and_garbage() {
        assert!(service_root("https://x.com/?a=1", true).is_err());
        assert!(service_root("https://x.com/#top", true).is_err());
        let e = service_root("not a url", true).unwrap_err();
        assert!(matches!(e, Error::Url { .. }), "{e:?}");
        assert!(service_root("ftp://x.com", true).is_err());
    }
}
