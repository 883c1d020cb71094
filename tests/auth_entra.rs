//! Entra ID authentication end to end, on loopback only: `azure_identity`'s client secret
//! credential talks to a token endpoint written here (reached through a transport that maps the
//! authority host `https://login.test/` to `http://127.0.0.1:<port>/`), and the local OData sandbox
//! accepts only the token that endpoint issues.

use std::collections::HashMap;
use std::error::Error as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use d365fo_odata::auth::azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use d365fo_odata::auth::azure_core::credentials::Secret as AzureSecret;
use d365fo_odata::auth::azure_core::http::{
    AsyncRawResponse, ClientOptions, HttpClient, Request, RetryOptions, Transport,
};
use d365fo_odata::auth::azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use d365fo_odata::{Auth, Client, Error};
use d365fo_sandbox::Sandbox;
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "client-secret-do-not-print-7f3a";
/// The only token the sandbox accepts.
const GOOD_TOKEN: &str = "entra-issued-token-9c1e";
/// A token the sandbox refuses.
const STALE_TOKEN: &str = "entra-stale-token-44b0";

/// One sandbox for this test binary, accepting only [`GOOD_TOKEN`].
fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::builder()
            .token(GOOD_TOKEN)
            .start()
            .unwrap_or_else(|e| panic!("cannot start the local OData sandbox: {e}"))
    })
}

/// How the token endpoint behaves.
struct Behaviour {
    /// Tokens handed out in order; the last one repeats.
    tokens: Vec<&'static str>,
    expires_in: u64,
    /// Waits this long before answering, so that concurrent callers overlap.
    delay: Duration,
}

/// A minimal Entra ID token endpoint on 127.0.0.1 for the client credentials grant.
struct TokenEndpoint {
    port: u16,
    requests: AtomicUsize,
    scopes: Mutex<Vec<String>>,
    behaviour: Behaviour,
}

impl TokenEndpoint {
    async fn start(behaviour: Behaviour) -> Arc<TokenEndpoint> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = Arc::new(TokenEndpoint {
            port: listener.local_addr().unwrap().port(),
            requests: AtomicUsize::new(0),
            scopes: Mutex::new(Vec::new()),
            behaviour,
        });
        let serving = endpoint.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let serving = serving.clone();
                tokio::spawn(async move { serving.answer(stream).await });
            }
        });
        endpoint
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    async fn answer(&self, mut stream: TcpStream) {
        let Some((head, body)) = read_request(&mut stream).await else {
            return;
        };
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        self.scopes
            .lock()
            .unwrap()
            .push(form.get("scope").cloned().unwrap_or_default());
        tokio::time::sleep(self.behaviour.delay).await;

        let expected_path = format!("POST /{TENANT}/oauth2/v2.0/token ");
        let (status, json) = if !head.starts_with(&expected_path) {
            ("404 Not Found", r#"{"error":"not_found"}"#.to_owned())
        } else if form.get("grant_type").map(String::as_str) != Some("client_credentials")
            || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        {
            (
                "400 Bad Request",
                r#"{"error":"invalid_request","error_description":"AADSTS900144: bad request"}"#
                    .to_owned(),
            )
        } else if form.get("client_secret").map(String::as_str) != Some(SECRET) {
            (
                "400 Bad Request",
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.","error_codes":[7000215]}"#
                    .to_owned(),
            )
        } else {
            let tokens = &self.behaviour.tokens;
            let token = tokens[n.min(tokens.len() - 1)];
            (
                "200 OK",
                format!(
                    r#"{{"token_type":"Bearer","expires_in":{},"ext_expires_in":{0},"access_token":"{token}"}}"#,
                    self.behaviour.expires_in
                ),
            )
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

/// Reads one HTTP/1.1 request: the head (request line and headers) and the body.
async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = bytes[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, String::from_utf8_lossy(&body).into_owned()))
}

/// Sends the credential's requests for `https://login.test/...` to the local token endpoint, and
/// refuses every other destination.
#[derive(Debug)]
struct LoopbackLogin {
    http: reqwest::Client,
    port: u16,
}

#[async_trait::async_trait]
impl HttpClient for LoopbackLogin {
    async fn execute_request(
        &self,
        request: &Request,
    ) -> d365fo_odata::auth::azure_core::Result<AsyncRawResponse> {
        let mut request = request.clone();
        let url = request.url_mut();
        assert_eq!(url.scheme(), "https", "credential request to {url}");
        assert_eq!(
            url.host_str(),
            Some("login.test"),
            "credential request to {url}"
        );
        url.set_scheme("http").unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        self.http.execute_request(&request).await
    }
}

/// Credential options that reach `endpoint` and give up at once instead of retrying.
fn client_options(endpoint: &TokenEndpoint) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = "https://login.test/".to_owned();
    ClientOptions {
        transport: Some(Transport::new(Arc::new(LoopbackLogin {
            http: reqwest::Client::new(),
            port: endpoint.port,
        }))),
        retry: RetryOptions::none(),
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        ..Default::default()
    }
}

fn client_secret(endpoint: &TokenEndpoint, secret: &str) -> Auth {
    Auth::client_secret_with_options(TENANT, CLIENT_ID, secret, client_options(endpoint))
        .expect("client secret credential")
}

fn client(auth: Auth) -> Client {
    Client::builder(sandbox().base_url())
        .allow_http_loopback()
        .auth(auth)
        .build()
        .expect("client for the sandbox")
}

async fn read_three(client: &Client) -> Result<Vec<serde_json::Value>, Error> {
    client
        .query("CustomersV3")
        .top(3)
        .stream::<serde_json::Value>()
        .try_collect()
        .await
}

fn endpoint_with(tokens: Vec<&'static str>) -> Behaviour {
    Behaviour {
        tokens,
        expires_in: 3600,
        delay: Duration::ZERO,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_fetched_once_and_reused_across_requests() {
    let endpoint = TokenEndpoint::start(endpoint_with(vec![GOOD_TOKEN])).await;
    let client = client(client_secret(&endpoint, SECRET));
    for _ in 0..3 {
        assert_eq!(read_three(&client).await.unwrap().len(), 3);
    }
    assert_eq!(endpoint.requests(), 1);
    // The scope is the environment's origin without path or trailing slash, plus /.default.
    assert_eq!(
        *endpoint.scopes.lock().unwrap(),
        [format!("{}/.default", sandbox().base_url())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_refreshed_before_it_expires() {
    // A 20 s token refreshed 10 s before expiry: reused for its first 10 s, which leaves a wide
    // margin for the first reads on a busy machine, then replaced before it expires.
    let endpoint = TokenEndpoint::start(Behaviour {
        expires_in: 20,
        ..endpoint_with(vec![GOOD_TOKEN])
    })
    .await;
    let auth = client_secret(&endpoint, SECRET).with_refresh_margin(Duration::from_secs(10));
    let client = client(auth);
    let issued = std::time::Instant::now();
    read_three(&client).await.unwrap();
    read_three(&client).await.unwrap();
    assert!(
        issued.elapsed() < Duration::from_secs(10),
        "reads took {:?}",
        issued.elapsed()
    );
    assert_eq!(endpoint.requests(), 1, "reused while more than 10 s remain");
    tokio::time::sleep(
        Duration::from_secs(10).saturating_sub(issued.elapsed()) + Duration::from_millis(500),
    )
    .await;
    read_three(&client).await.unwrap();
    assert_eq!(
        endpoint.requests(),
        2,
        "refreshed once less than 10 s remain, before it expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_requests_on_a_cold_cache_make_one_token_request() {
    let endpoint = TokenEndpoint::start(Behaviour {
        delay: Duration::from_millis(300),
        ..endpoint_with(vec![GOOD_TOKEN])
    })
    .await;
    let client = client(client_secret(&endpoint, SECRET));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { read_three(&client).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().len(), 3);
    }
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_drops_the_token_and_retries_once_with_a_fresh_one() {
    // The first token is refused by the service; the endpoint then issues the accepted one.
    let endpoint = TokenEndpoint::start(endpoint_with(vec![STALE_TOKEN, GOOD_TOKEN])).await;
    let client = client(client_secret(&endpoint, SECRET));
    assert_eq!(read_three(&client).await.unwrap().len(), 3);
    assert_eq!(endpoint.requests(), 2, "one refresh after the 401");
    // The fresh token is cached.
    read_three(&client).await.unwrap();
    assert_eq!(endpoint.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_refused_again_after_the_retry_is_a_typed_401() {
    let endpoint = TokenEndpoint::start(endpoint_with(vec![STALE_TOKEN])).await;
    let client = client(client_secret(&endpoint, SECRET));
    let error = read_three(&client).await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert_eq!(error.status(), Some(401));
    // The credential handed back the refused token: no second retry, no loop.
    assert_eq!(endpoint.requests(), 2);
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(STALE_TOKEN), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_bearer_token_refused_by_the_service_is_a_typed_401() {
    let client = client(Auth::Bearer(d365fo_odata::Secret::new(STALE_TOKEN)));
    let error = read_three(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(401), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_a_credential_error_with_the_aadsts_code_and_without_the_secret() {
    let endpoint = TokenEndpoint::start(endpoint_with(vec![GOOD_TOKEN])).await;
    let wrong_secret = "wrong-secret-value-3b9d";
    let client = client(client_secret(&endpoint, wrong_secret));
    let error = read_three(&client).await.unwrap_err();
    let Error::Credential { credential, .. } = &error else {
        panic!("expected Error::Credential, got {error:?}");
    };
    assert_eq!(credential, "ClientSecretCredential");
    let mut shown = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        shown.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    assert!(shown.contains("AADSTS7000215"), "{shown}");
    assert!(!shown.contains(wrong_secret), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_output_of_client_and_auth_shows_neither_token_nor_secret() {
    let endpoint = TokenEndpoint::start(endpoint_with(vec![GOOD_TOKEN])).await;
    let auth = client_secret(&endpoint, SECRET);
    let client = client(auth.clone());
    read_three(&client).await.unwrap();
    for shown in [
        format!("{client:?}"),
        format!("{auth:?}"),
        format!("{auth:#?}"),
    ] {
        assert!(shown.contains("ClientSecretCredential"), "{shown}");
        assert!(!shown.contains(GOOD_TOKEN), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builder_accepts_an_azure_identity_credential() {
    let endpoint = TokenEndpoint::start(endpoint_with(vec![GOOD_TOKEN])).await;
    let credential = ClientSecretCredential::new(
        TENANT,
        CLIENT_ID.to_owned(),
        AzureSecret::new(SECRET),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&endpoint),
        }),
    )
    .unwrap();
    let client = Client::builder(sandbox().base_url())
        .allow_http_loopback()
        .credential(credential)
        .build()
        .unwrap();
    assert_eq!(read_three(&client).await.unwrap().len(), 3);
    read_three(&client).await.unwrap();
    assert_eq!(endpoint.requests(), 1);
}
