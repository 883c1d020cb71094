//! The client request id: one random id per request, sent with every attempt of it in
//! `x-ms-client-request-id`, so that the attempts of one request can be found in the service's
//! logs and a caller told that a write may have been applied can name it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// The request header that carries the id (the name F&O's own clients use).
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");

/// The id `headers` already carry (set by the caller), or a new one inserted into them.
pub(crate) fn ensure(headers: &mut HeaderMap) -> String {
    if let Some(id) = headers
        .get(&CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
    {
        return id.to_owned();
    }
    let id = new_id();
    // Hexadecimal digits and dashes only: always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(CLIENT_REQUEST_ID, value);
    }
    id
}

/// A random id in the form of a version 4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
///
/// The randomness comes from the standard library's randomly keyed hasher, mixed with a process
/// counter and the clock: unique enough to tell requests apart, not meant as a secret.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let half = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(count);
        hasher.write_u64(nanos);
        hasher.write_u64(salt);
        hasher.finish()
    };
    let high = half(1);
    let low = half(2);
    let high = (high & !0xF000) | 0x4000; // version 4
    let low = (low & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xFFFF,
        high & 0xFFFF,
        low >> 48,
        low & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        for id in &ids {
            assert_eq!(id.len(), 36, "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
            assert!(
                id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
                "{id}"
            );
        }
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn an_id_set_by_the_caller_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(CLIENT_REQUEST_ID, HeaderValue::from_static("mine-1"));
        assert_eq!(ensure(&mut headers), "mine-1");
        let mut empty = HeaderMap::new();
        let id = ensure(&mut empty);
        assert_eq!(empty[&CLIENT_REQUEST_ID], id.as_str());
    }
}
