//! The per-client token cache: one token shared by every request, refreshed before it expires,
//! fetched by one caller at a time, and dropped when the service refuses it.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use azure_core::credentials::TokenCredential;
use time::OffsetDateTime;

use super::{Credential, Secret};
use crate::error::Result;

/// A token as handed to a request.
#[derive(Clone)]
pub(crate) struct CachedToken {
    value: Secret,
    expires_on: OffsetDateTime,
    /// From this instant on, the token is replaced before use.
    refresh_at: OffsetDateTime,
    /// Which fetch produced it; lets concurrent refusals of one token cause one refresh.
    generation: u64,
}

impl CachedToken {
    /// `Bearer <token>`.
    pub(crate) fn header_value(&self) -> String {
        format!("Bearer {}", self.value.expose())
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("expires_on", &self.expires_on)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

struct State {
    credential: Arc<dyn TokenCredential>,
    current: Option<CachedToken>,
    generation: u64,
    /// The service refused a token: build a new credential instance (if possible) before the next
    /// fetch, so that the credential's own cache cannot hand the same token back.
    rebuild_pending: bool,
}

/// Caches the token of one credential for one scope.
///
/// The state lock is only ever held for a few field reads and writes, never across an await.
/// The refresh lock is held across the token request only, so concurrent callers that find no
/// usable token wait for a single request; requests to the OData service never hold either lock.
pub(crate) struct TokenCache {
    credential: Credential,
    scope: String,
    state: RwLock<State>,
    refresh: tokio::sync::Mutex<()>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache for `credential`, requesting `default_scope` unless the credential overrides it.
    pub(crate) fn new(credential: Credential, default_scope: String) -> Self {
        let scope = credential.scope.clone().unwrap_or(default_scope);
        TokenCache {
            state: RwLock::new(State {
                credential: credential.credential.clone(),
                current: None,
                generation: 0,
                rebuild_pending: false,
            }),
            credential,
            scope,
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// A token that is not due for refresh, fetching one if needed.
    ///
    /// # Errors
    /// [`Error::Credential`](crate::Error::Credential) when the credential fails.
    pub(crate) async fn token(&self) -> Result<CachedToken> {
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        let _single_flight = self.refresh.lock().await;
        // Whoever held the lock before may have fetched one already.
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        self.fetch().await
    }

    /// Called after the service answered 401 to a request sent with `rejected`: drops that token
    /// and gets another. `None` when the credential hands back the same token, which would only be
    /// refused again.
    ///
    /// # Errors
    /// [`Error::Credential`](crate::Error::Credential) when the credential fails.
    pub(crate) async fn replace_rejected(
        &self,
        rejected: &CachedToken,
    ) -> Result<Option<CachedToken>> {
        {
            let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
            if state
                .current
                .as_ref()
                .is_some_and(|t| t.generation == rejected.generation)
            {
                state.current = None;
                state.rebuild_pending = true;
            }
        }
        let fresh = self.token().await?;
        Ok((fresh.value != rejected.value).then_some(fresh))
    }

    fn usable(&self) -> Option<CachedToken> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let now = OffsetDateTime::now_utc();
        state
            .current
            .as_ref()
            .filter(|t| now < t.refresh_at)
            .cloned()
    }

    /// Requests a token. Callers hold the refresh lock.
    async fn fetch(&self) -> Result<CachedToken> {
        let (credential, previous) = {
            let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
            if state.rebuild_pending {
                if let Some(rebuild) = &self.credential.rebuild {
                    state.credential = rebuild().map_err(|e| self.credential.error(e))?;
                }
                state.rebuild_pending = false;
            }
            (state.credential.clone(), state.current.clone())
        };
        let requested_at = OffsetDateTime::now_utc();
        let access = match credential.get_token(&[&self.scope], None).await {
            Ok(access) => access,
            Err(e) => {
                // A failed early refresh leaves a token that has not expired yet in use.
                if let Some(previous) = previous.filter(|t| requested_at < t.expires_on) {
                    return Ok(previous);
                }
                return Err(self.credential.error(e));
            }
        };
        let lifetime = access.expires_on - requested_at;
        let margin = time::Duration::try_from(self.credential.refresh_margin)
            .unwrap_or(time::Duration::MAX)
            .min(lifetime / 2)
            .max(time::Duration::ZERO);
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        let token = CachedToken {
            value: Secret::new(access.token.secret()),
            expires_on: access.expires_on,
            refresh_at: access.expires_on - margin,
            generation: state.generation,
        };
        state.current = Some(token.clone());
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use azure_core::credentials::{AccessToken, TokenRequestOptions};

    use super::*;

    /// Hands out `token-1`, `token-2`, ... valid for `lifetime`, slowly, counting requests.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: time::Duration,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            assert_eq!(scopes, ["https://env.example/.default"]);
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(AccessToken::new(
                format!("token-{n}"),
                OffsetDateTime::now_utc() + self.lifetime,
            ))
        }
    }

    fn cache(lifetime: time::Duration, margin: Duration) -> (Arc<Counting>, Arc<TokenCache>) {
        let counting = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime,
        });
        let credential = Credential::new(counting.clone()).with_refresh_margin(margin);
        let cache = TokenCache::new(credential, "https://env.example/.default".into());
        (counting, Arc::new(cache))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_on_a_cold_cache_share_one_request() {
        let (counting, cache) = cache(time::Duration::hours(1), Duration::from_secs(300));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token().await.unwrap().header_value() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "Bearer token-1");
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_once_the_margin_is_reached() {
        let (counting, cache) = cache(time::Duration::seconds(2), Duration::from_millis(1500));
        // The margin is capped at half the lifetime: 1 s.
        assert_eq!(
            cache.token().await.unwrap().header_value(),
            "Bearer token-1"
        );
        assert_eq!(
            cache.token().await.unwrap().header_value(),
            "Bearer token-1"
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            cache.token().await.unwrap().header_value(),
            "Bearer token-2"
        );
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_rejections_of_one_token_cause_one_refresh() {
        let (counting, cache) = cache(time::Duration::hours(1), Duration::from_secs(300));
        let rejected = cache.token().await.unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, rejected) = (cache.clone(), rejected.clone());
                tokio::spawn(async move { cache.replace_rejected(&rejected).await.unwrap() })
            })
            .collect();
        for task in tasks {
            let fresh = task.await.unwrap().expect("a different token");
            assert_eq!(fresh.header_value(), "Bearer token-2");
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn debug_hides_the_token() {
        let token = CachedToken {
            value: Secret::new("eyJ-very-secret"),
            expires_on: OffsetDateTime::now_utc(),
            refresh_at: OffsetDateTime::now_utc(),
            generation: 1,
        };
        assert!(!format!("{token:?}").contains("eyJ"));
    }
}
