//! Which URLs a client may request: the one scheme rule for the service root, storage URLs
//! and redirects.

use url::{Host, Url};

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
