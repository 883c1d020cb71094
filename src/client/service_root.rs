//! Turning the environment URL a user gives into the OData service root.

use url::{Host, Url};

use crate::error::{Error, Result};
use crate::redact;

/// Normalizes an environment URL into the service root (ending in `/data/`).
///
/// Accepts `https://env.operations.dynamics.com`, with or without a trailing slash, with or
/// without `/data`; keeps a path prefix such as on-premises `/namespaces/AXSF`. Rejects URLs with
/// a query or fragment, without a host, with a user name or password (credentials go through
/// [`Auth`](crate::Auth), never in the URL, where they would end up in logs and in a second
/// `Authorization` header), and `http://` unless the host is loopback and `allow_http_loopback`
/// is set. Messages show the URL redacted.
pub(crate) fn service_root(input: &str, allow_http_loopback: bool) -> Result<Url> {
    let raw = input.trim();
    let mut url = Url::parse(raw).map_err(|e| Error::url(raw, e))?;
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
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "environment URL {trimmed:?} must not carry a query or fragment"
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
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/data").unwrap_or(path);
    let root = format!("{path}/data/");
    url.set_path(&root);
    Ok(url)
}

/// Whether a client may request `url`: `https`, or plain `http` to a loopback host when
/// `allow_http_loopback` is set. Checked for the service root, storage URLs and every redirect.
pub(crate) fn permits_scheme(url: &Url, allow_http_loopback: bool) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => allow_http_loopback && is_loopback(url),
        _ => false,
    }
}

/// `true` for `localhost`, 127.0.0.0/8 and `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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
