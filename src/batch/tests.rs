//! A batch carries exactly what the single call sends: the same builders are sent alone and
//! inside a `$batch` to the in-process test server, and the inner requests of the `$batch` body
//! are compared with the requests the server read, line by line and byte by byte.

use serde::Deserialize;
use serde_json::json;

use crate::transport::test_server::{Received, Reply, TestServer};
use crate::{Client, ETag, Entity, EntityKey};

#[derive(Debug, Deserialize)]
struct Thing {
    #[serde(rename = "Id")]
    _id: i64,
}

struct ThingKey(i64);

impl EntityKey for ThingKey {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&format!("(dataAreaId='usrt',Id={})", self.0));
    }
}

impl Entity for Thing {
    const ENTITY_SET: &'static str = "Things";
    const TYPE_NAME: &'static str = "Test.Thing";
    type Key = ThingKey;
    type Profile = crate::profile::Fno;
}

/// Headers every request of a client carries on the connection, which a `$batch` sends once
/// for all its parts instead of in each of them.
const CONNECTION_HEADERS: [&str; 7] = [
    "host",
    "content-length",
    "authorization",
    "user-agent",
    "x-ms-client-request-id",
    "odata-maxversion",
    "accept-encoding",
];

/// One inner request of a `$batch` body: request line, header lines, body.
#[derive(Debug)]
struct Inner {
    line: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

/// The `application/http` parts of `body`, in order, at any nesting depth.
fn inner_requests(body: &[u8]) -> Vec<Inner> {
    let text = String::from_utf8(body.to_vec()).expect("a UTF-8 batch body");
    let marker = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
    text.split(marker)
        .skip(1)
        .map(|part| {
            // `Content-ID: n`, a blank line, then the request.
            let (_, request) = part.split_once("\r\n\r\n").expect("part headers");
            let (head, rest) = request.split_once("\r\n\r\n").expect("request head");
            let end = rest.find("\r\n--").expect("a delimiter after the body");
            let mut lines = head.split("\r\n").map(str::to_owned);
            Inner {
                line: lines.next().expect("a request line"),
                headers: lines.collect(),
                body: rest.as_bytes()[..end].to_vec(),
            }
        })
        .collect()
}

/// Asserts that `inner` is byte for byte the request `single` the server read: the same
/// request line (absolute in the batch), the same header lines (but those of the connection),
/// the same body.
fn assert_same_request(single: &Received, inner: &Inner) {
    let mut head = single.head.split("\r\n");
    let line = head.next().unwrap();
    let single_headers: Vec<&str> = head.collect();
    let host = single.header("host").unwrap();
    let (method, rest) = line.split_once(' ').unwrap();
    assert_eq!(
        inner.line,
        format!("{method} http://{host}{rest}"),
        "request line"
    );
    for header in &inner.headers {
        assert!(
            single_headers.contains(&header.as_str()),
            "{header:?} in the batch part, not in the single call: {single_headers:?}"
        );
    }
    for header in &single_headers {
        let name = header.split(':').next().unwrap().to_ascii_lowercase();
        if !CONNECTION_HEADERS.contains(&name.as_str()) {
            assert!(
                inner.headers.iter().any(|h| h == header),
                "{header:?} of the single call is missing in the batch part: {:?}",
                inner.headers
            );
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&inner.body),
        String::from_utf8_lossy(&single.body),
        "body"
    );
}

fn client(server: &TestServer) -> Client {
    Client::builder(server.url("/").as_str())
        .allow_http_loopback()
        .bearer_token("secret-token")
        .build()
        .unwrap()
}

/// The `$batch` request the server read last.
fn last_batch(server: &TestServer) -> Received {
    server
        .received()
        .into_iter()
        .rev()
        .find(|r| r.path == "/data/$batch")
        .expect("a $batch request")
}

#[tokio::test]
async fn a_change_set_of_update_if_match_and_create_sends_the_single_calls_bytes() {
    let server = TestServer::start().await;
    let client = client(&server);
    let etag = ETag::new(r#"W/"JzEsNTYzNzE0NDU3Nic=""#);
    let changes = json!({"Name": "Contoso & Sons", "Note": "Müller 100%"});
    let new = json!({"dataAreaId": "usrt", "Id": 7, "Name": "new"});
    let update = || {
        client
            .update::<Thing, _>(&ThingKey(1), &changes)
            .if_match(&etag)
            .cross_company()
    };
    let create = || client.create::<Thing, _>(&new);

    update().await.unwrap();
    create().await.unwrap();
    let singles = server.received();
    assert_eq!(singles.len(), 2);

    let mut batch = client.batch();
    let mut change_set = batch.change_set();
    change_set.add(update());
    change_set.add(create());
    // The server answers `$batch` with JSON, which is no multipart answer: only what was sent
    // matters here.
    assert!(batch.send().await.is_err());
    let inner = inner_requests(&last_batch(&server).body);
    assert_eq!(inner.len(), 2, "{inner:?}");
    assert!(inner[0].line.starts_with("PATCH "), "{inner:?}");
    assert!(inner[0].headers.iter().any(|h| h.starts_with("if-match: ")));
    for (single, inner) in singles.iter().zip(&inner) {
        assert_same_request(single, inner);
    }
}

#[tokio::test]
async fn a_query_get_and_function_in_a_batch_send_the_single_calls_bytes() {
    use futures::TryStreamExt as _;

    let server = TestServer::start().await;
    server.default_reply(
        "GET",
        "/data/Things(dataAreaId='usrt',Id=2)",
        Reply::json(200, r#"{"Id":2}"#),
    );
    server.default_reply(
        "GET",
        "/data/CountThings(since=5)",
        Reply::json(200, r#"{"value":3}"#),
    );
    let client = client(&server);
    let query = || {
        client
            .entity_set::<Thing>()
            .top(2)
            .cross_company()
            .into_raw()
            .filter("Name eq 'A & B'")
    };
    let get = || client.get::<Thing>(&ThingKey(2)).cross_company();
    let function = || client.function("CountThings").parameter("since", &5i64);

    query().pages::<Thing>().try_next().await.unwrap();
    get().await.unwrap();
    let _: i64 = function().value().await.unwrap();
    let singles = server.received();
    assert_eq!(singles.len(), 3);

    let mut batch = client.batch();
    batch.get_raw::<Thing>(query());
    batch.add(get());
    batch.add(function());
    assert!(batch.send().await.is_err());
    let inner = inner_requests(&last_batch(&server).body);
    assert_eq!(inner.len(), 3, "{inner:?}");
    assert!(
        inner[0]
            .headers
            .contains(&"prefer: odata.maxpagesize=1000".to_owned()),
        "{inner:?}"
    );
    for (single, inner) in singles.iter().zip(&inner) {
        assert_same_request(single, inner);
    }
}

#[tokio::test]
async fn a_builder_of_another_client_is_refused_before_anything_is_sent() {
    let server = TestServer::start().await;
    let client = client(&server);
    let other = Client::builder("https://other.example").build().unwrap();
    let mut batch = client.batch();
    batch.add(other.get::<Thing>(&ThingKey(1)));
    let e = batch.send().await.unwrap_err();
    assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("another client"), "{e}");
    assert!(server.received().is_empty());
}
