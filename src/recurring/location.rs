//! Connector URLs: building them under the environment, and checking the `DownloadLocation` a
//! dequeue response points to before a token is sent there.

use url::Url;

use crate::edm::{Guid, percent_encode_query_value};
use crate::error::{Error, Result};

/// Parses a recurring job's activity id: a GUID, with or without braces (`{…}` or `%7B…%7D`).
pub(crate) fn parse_activity_id(text: &str) -> Result<Guid> {
    let trimmed = text.trim();
    let bare = trimmed
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .or_else(|| {
            let lower = trimmed.get(..3)?;
            let upper = trimmed.get(trimmed.len().checked_sub(3)?..)?;
            (lower.eq_ignore_ascii_case("%7b") && upper.eq_ignore_ascii_case("%7d"))
                .then(|| &trimmed[3..trimmed.len() - 3])
        })
        .unwrap_or(trimmed);
    Guid::parse(bare).map_err(|e| {
        Error::config(format!(
            "recurring job activity id {text:?} is not a GUID (copy it from the ID field of \
             Manage scheduled data jobs): {e}"
        ))
    })
}

/// `https://env/api/connector/{operation}/%7B{ACTIVITY}%7D?{query}`, keeping a path prefix the
/// service root has before `/data/`.
pub(crate) fn connector_url(
    root: &Url,
    operation: &str,
    activity_id: Guid,
    query: &[(&str, &str)],
) -> Url {
    let prefix = root.path().strip_suffix("data/").unwrap_or("/");
    let mut url = root.clone();
    let id = activity_id.to_string().to_ascii_uppercase();
    url.set_path(&format!("{prefix}api/connector/{operation}/%7B{id}%7D"));
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    url.set_query((!query.is_empty()).then_some(query.as_str()));
    url
}

/// The URL to download from for a dequeued message's `DownloadLocation`.
///
/// The host must be the environment's (the request carries the client's token). Plain `http`
/// (which load-balanced environments send) becomes `https`, dropping an explicit port 80, unless
/// the service itself is reached over plain http (a loopback host the client was allowed to use
/// without TLS).
pub(crate) fn download_url(root: &Url, location: &str) -> Result<Url> {
    let refuse = |why: String| {
        Error::config(format!(
            "refusing DownloadLocation {location:?} of a dequeued message: {why}"
        ))
    };
    let mut url = Url::parse(location.trim()).map_err(|e| refuse(e.to_string()))?;
    if url.host() != root.host() {
        return Err(refuse(format!(
            "its host is not the environment's ({}); the access token is only sent to the \
             environment",
            root.host_str().unwrap_or_default()
        )));
    }
    match (url.scheme(), root.scheme()) {
        ("https", _) | ("http", "http") => {}
        ("http", _) => {
            if url.port() == Some(80) {
                url.set_port(None)
                    .map_err(|()| refuse("cannot drop port 80".to_owned()))?;
            }
            url.set_scheme("https")
                .map_err(|()| refuse("cannot switch it to https".to_owned()))?;
        }
        (other, _) => return Err(refuse(format!("unsupported scheme {other:?}"))),
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "C03BB937-09ED-46DE-86EE-4520D7D7E373";

    fn root(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn activity_ids_parse_with_or_without_braces() {
        let expected = Guid::parse(ID).unwrap();
        for text in [
            ID.to_owned(),
            format!("{{{ID}}}"),
            format!("%7B{ID}%7D"),
            format!(" %7b{}%7d ", ID.to_lowercase()),
        ] {
            assert_eq!(parse_activity_id(&text).unwrap(), expected, "{text}");
        }
        for bad in ["", "{}", "not-a-guid", "{C03BB937-09ED-46DE-86EE}"] {
            let e = parse_activity_id(bad).unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{e:?}");
            assert!(e.to_string().contains("activity id"), "{e}");
        }
    }

    #[test]
    fn connector_urls_encode_braces_and_entity_names() {
        let id = Guid::parse(ID).unwrap();
        let url = connector_url(
            &root("https://env.operations.dynamics.com/data/"),
            "enqueue",
            id,
            &[("entity", "Customer groups"), ("company", "usmf")],
        );
        assert_eq!(
            url.as_str(),
            "https://env.operations.dynamics.com/api/connector/enqueue/\
             %7BC03BB937-09ED-46DE-86EE-4520D7D7E373%7D?entity=Customer%20groups&company=usmf"
        );
        let url = connector_url(
            &root("https://ax.contoso.com/namespaces/AXSF/data/"),
            "dequeue",
            id,
            &[],
        );
        assert_eq!(
            url.as_str(),
            "https://ax.contoso.com/namespaces/AXSF/api/connector/dequeue/\
             %7BC03BB937-09ED-46DE-86EE-4520D7D7E373%7D"
        );
    }

    #[test]
    fn plain_http_download_locations_are_moved_to_https() {
        let r = root("https://env.operations.dynamics.com/data/");
        let loc = "http://env.operations.dynamics.com:80/api/connector/download/%7BX%7D?correlation-id=a&blob=b";
        assert_eq!(
            download_url(&r, loc).unwrap().as_str(),
            "https://env.operations.dynamics.com/api/connector/download/%7BX%7D?correlation-id=a&blob=b"
        );
        let https = "https://env.operations.dynamics.com/api/connector/download/x?blob=b";
        assert_eq!(download_url(&r, https).unwrap().as_str(), https);
    }

    #[test]
    fn loopback_http_stays_http_when_the_service_is_plain_http() {
        let r = root("http://127.0.0.1:4004/data/");
        let loc = "http://127.0.0.1:4004/api/connector/download/x?blob=b";
        assert_eq!(download_url(&r, loc).unwrap().as_str(), loc);
    }

    #[test]
    fn foreign_hosts_and_garbage_are_refused() {
        let r = root("https://env.operations.dynamics.com/data/");
        for loc in [
            "https://attacker.example/api/connector/download/x",
            "http://127.0.0.1:4004/api/connector/download/x",
            "ftp://env.operations.dynamics.com/x",
            "not a url",
        ] {
            let e = download_url(&r, loc).unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{loc}: {e:?}");
            assert!(e.to_string().contains("DownloadLocation"), "{e}");
        }
    }
}
