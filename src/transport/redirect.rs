//! The redirect policy of every HTTP client of the crate: the crate's scheme and origin rules
//! apply to each hop, not just to the first URL.
//!
//! A hop is followed when it goes to `https`, or to plain `http` on a loopback host for a client
//! built with [`allow_http_loopback`](crate::ClientBuilder::allow_http_loopback); at most
//! [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) hops are followed. A `307` or `308` to another origin
//! is not followed: it would send the same request, body included, to a host the client was not
//! configured for (`301`/`302`/`303` turn into a `GET` without body, and reqwest drops the
//! `Authorization` and cookie headers on every hop that changes origin). The send path turns such
//! a stopped redirect into [`Error::Redirect`](crate::Error::Redirect).
//!
//! reqwest strips only those standard headers on such a hop: a default header of the client named
//! like a credential (`x-api-key`, `Ocp-Apim-Subscription-Key`, ...) would go along. A client with
//! one follows no redirect that changes origin at all.

use std::fmt;

use reqwest::StatusCode;
use reqwest::redirect::{Attempt, Policy};
use url::Url;

use super::permits_scheme;
use crate::redact;

/// Most redirect hops followed for one request; one more fails with
/// [`Error::Redirect`](crate::Error::Redirect).
pub const MAX_REDIRECTS: usize = 10;

/// A redirect the policy refused; carried as the source of reqwest's redirect error.
#[derive(Debug)]
pub(crate) struct Refused {
    /// Where the hop would have gone (redacted).
    pub(crate) location: String,
    /// Why it is not followed.
    pub(crate) reason: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing the redirect to {}: {}",
            self.location, self.reason
        )
    }
}

impl std::error::Error for Refused {}

/// What to do with one hop.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Follow it.
    Follow,
    /// Do not follow; hand the redirect response back (a `307`/`308` to another origin).
    Stop,
    /// Fail the request with this reason.
    Refuse(String),
}

/// The rules of one client's redirects.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    /// Whether plain `http` to loopback hosts is allowed.
    pub(crate) allow_http_loopback: bool,
    /// The name of a default header with a credential that reqwest would carry to another
    /// origin; with one, no hop may change origin.
    pub(crate) credential_header: Option<String>,
}

/// Decides about a hop with `status` from `previous` (every URL requested so far, the first
/// included) to `next`.
pub(crate) fn decide(status: StatusCode, next: &Url, previous: &[Url], rules: &Rules) -> Decision {
    let allow_http_loopback = rules.allow_http_loopback;
    if previous.len() > MAX_REDIRECTS {
        return Decision::Refuse(format!("more than {MAX_REDIRECTS} redirects"));
    }
    if !permits_scheme(next, allow_http_loopback) {
        return Decision::Refuse(match next.scheme() {
            "http" if allow_http_loopback => {
                "plain http is only used for loopback hosts".to_owned()
            }
            "http" => "plain http is not used (only https, or http to loopback hosts when the \
                       client allows http loopback)"
                .to_owned(),
            other => format!("the scheme {other:?} is not used"),
        });
    }
    let same_origin = previous
        .last()
        .is_some_and(|from| from.origin() == next.origin());
    if !same_origin && let Some(header) = &rules.credential_header {
        return Decision::Refuse(format!(
            "it leaves the origin, and the client's default header {header} would be sent along"
        ));
    }
    if !same_origin
        && matches!(
            status,
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        )
    {
        return Decision::Stop;
    }
    Decision::Follow
}

/// The redirect policy for a client with `rules`.
pub(crate) fn policy(rules: Rules) -> Policy {
    Policy::custom(move |attempt: Attempt<'_>| {
        match decide(attempt.status(), attempt.url(), attempt.previous(), &rules) {
            Decision::Follow => attempt.follow(),
            Decision::Stop => attempt.stop(),
            Decision::Refuse(reason) => {
                let location = redact::url(attempt.url()).into_owned();
                attempt.error(Refused { location, reason })
            }
        }
    })
}

/// The refused redirect behind a reqwest error, if that is what it is.
pub(crate) fn refused(error: &reqwest::Error) -> Option<&Refused> {
    if !error.is_redirect() {
        return None;
    }
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused);
        }
        source = e.source();
    }
    None
}

/// Why a `307`/`308` response reached the caller: the policy stopped it because it changes
/// origin. `None` for any other status.
pub(crate) fn stopped(status: StatusCode) -> Option<String> {
    matches!(
        status,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
    )
    .then(|| {
        format!(
            "a {} to another origin would send the request, its body included, there again",
            status.as_u16()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn rules(allow_http_loopback: bool) -> Rules {
        Rules {
            allow_http_loopback,
            credential_header: None,
        }
    }

    #[test]
    fn a_client_with_a_credential_default_header_stays_on_its_origin() {
        let from = [u("https://env.example/data/X")];
        let strict = Rules {
            allow_http_loopback: false,
            credential_header: Some("x-api-key".into()),
        };
        assert_eq!(
            decide(
                StatusCode::FOUND,
                &u("https://env.example/data/Y"),
                &from,
                &strict
            ),
            Decision::Follow
        );
        assert!(matches!(
            decide(StatusCode::FOUND, &u("https://other.example/x"), &from, &strict),
            Decision::Refuse(reason) if reason.contains("x-api-key")
        ));
    }

    #[test]
    fn https_hops_are_followed_and_http_only_to_loopback_with_the_opt_in() {
        let from = [u("https://env.example/data/X")];
        let found = StatusCode::FOUND;
        assert_eq!(
            decide(found, &u("https://other.example/x"), &from, &rules(false)),
            Decision::Follow
        );
        assert!(matches!(
            decide(found, &u("http://other.example/x"), &from, &rules(true)),
            Decision::Refuse(_)
        ));
        assert!(matches!(
            decide(found, &u("http://127.0.0.1:9/x"), &from, &rules(false)),
            Decision::Refuse(_)
        ));
        assert_eq!(
            decide(found, &u("http://127.0.0.1:9/x"), &from, &rules(true)),
            Decision::Follow
        );
        assert!(matches!(
            decide(found, &u("ftp://env.example/x"), &from, &rules(true)),
            Decision::Refuse(_)
        ));
    }

    #[test]
    fn a_307_or_308_is_followed_only_on_the_same_origin() {
        let from = [u("https://env.example/data/X")];
        for status in [
            StatusCode::TEMPORARY_REDIRECT,
            StatusCode::PERMANENT_REDIRECT,
        ] {
            assert_eq!(
                decide(
                    status,
                    &u("https://env.example/data/Y"),
                    &from,
                    &rules(false)
                ),
                Decision::Follow
            );
            assert_eq!(
                decide(
                    status,
                    &u("https://env.example:8443/data/Y"),
                    &from,
                    &rules(false)
                ),
                Decision::Stop
            );
            assert_eq!(
                decide(
                    status,
                    &u("https://evil.example/data/Y"),
                    &from,
                    &rules(false)
                ),
                Decision::Stop
            );
        }
    }

    #[test]
    fn hops_are_capped() {
        let chain: Vec<Url> = (0..=MAX_REDIRECTS)
            .map(|i| u(&format!("https://env.example/{i}")))
            .collect();
        let next = u("https://env.example/next");
        assert_eq!(
            decide(
                StatusCode::FOUND,
                &next,
                &chain[..MAX_REDIRECTS],
                &rules(false)
            ),
            Decision::Follow
        );
        assert!(matches!(
            decide(StatusCode::FOUND, &next, &chain, &rules(false)),
            Decision::Refuse(_)
        ));
    }
}
