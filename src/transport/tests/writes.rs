//! What is sent again and what is not: writes sent once unless the answer proves nothing was
//! processed, reads and idempotent requests sent again, and the typed error of a write that may
//! have been applied.

use super::*;

#[test]
fn idempotency_follows_the_method_and_if_match() {
    let u = Url::parse("http://127.0.0.1/data/X").unwrap();
    let r = |m: Method| Request::new(m, u.clone());
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::HEAD] {
        assert!(r(method.clone()).is_idempotent(), "{method}");
    }
    assert!(!r(Method::POST).is_idempotent());
    assert!(!r(Method::PATCH).is_idempotent());
    assert!(
        r(Method::PATCH)
            .header(IF_MATCH, HeaderValue::from_static("W/\"1\""))
            .is_idempotent()
    );
    assert!(r(Method::POST).idempotent(true).is_idempotent());
    assert!(!r(Method::GET).idempotent(false).is_idempotent());
}

#[tokio::test]
async fn a_post_answered_503_without_retry_after_is_sent_once_and_may_have_been_applied() {
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::Reply(Reply::status(503))]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1, "never sent a second time");
    let (request_id, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 1);
    assert!(matches!(source, Error::Service(_)), "{source:?}");
    assert_eq!(error.status(), Some(503), "the status is still there");
    assert!(error.may_have_been_applied());
    let sent = &server.received()[0];
    assert_eq!(sent.header("x-ms-client-request-id"), Some(request_id));
    assert_eq!(error.request_id(), Some(request_id));
    let shown = error.to_string();
    assert!(
        shown.contains("may have been applied") && shown.contains(request_id),
        "{shown}"
    );
}

#[tokio::test]
async fn a_post_answered_500_502_504_or_408_is_sent_once() {
    for code in [408, 500, 502, 504] {
        let server = TestServer::start().await;
        server.script(
            "POST",
            THINGS,
            [Step::Reply(Reply::status(code).header("Retry-After", "0"))],
        );
        let error = engine(quick())
            .send(create(server.url(THINGS)))
            .await
            .unwrap_err();
        assert_eq!(server.count("POST", THINGS), 1, "{code}");
        assert!(error.may_have_been_applied(), "{code}: {error:?}");
        assert_eq!(error.status(), Some(code));
    }
}

#[tokio::test]
async fn a_post_answered_503_with_retry_after_is_sent_again() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [Step::Reply(Reply::status(503).header("Retry-After", "0"))],
    );
    let response = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 201);
    assert_eq!(server.count("POST", THINGS), 2);
}

#[tokio::test]
async fn a_throttled_post_is_sent_again_with_the_same_request_id() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [
            Step::Reply(Reply::throttled("0")),
            Step::Reply(Reply::throttled("0")),
        ],
    );
    let response = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 201);
    let received = server.received();
    assert_eq!(received.len(), 3);
    let ids: Vec<_> = received
        .iter()
        .map(|r| r.header("x-ms-client-request-id").unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
}

#[tokio::test]
async fn a_post_throttled_then_reset_may_have_been_applied_after_two_attempts() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [
            Step::Reply(Reply::throttled("0")),
            Step::ResetBeforeResponse,
        ],
    );
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 2);
    let (_, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 2);
    assert!(matches!(source, Error::Transport { .. }), "{source:?}");
}

#[tokio::test]
async fn a_post_whose_connection_is_reset_before_the_response_is_not_sent_again() {
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::ResetBeforeResponse]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1);
    let (_, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 1);
    assert!(matches!(source, Error::Transport { .. }), "{source:?}");
}

#[tokio::test]
async fn a_post_whose_body_is_cut_off_is_not_sent_again() {
    let server = TestServer::start().await;
    let created = Reply::json(201, &format!(r#"{{"Id":1,"Name":"{}"}}"#, "x".repeat(4000)));
    server.script("POST", THINGS, [Step::ResetMidBody(created)]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1);
    assert!(error.may_have_been_applied(), "{error:?}");
}

#[tokio::test]
async fn a_get_whose_connection_is_reset_is_sent_again() {
    let server = TestServer::start().await;
    let page = Reply::json(200, &format!(r#"{{"value":["{}"]}}"#, "y".repeat(4000)));
    server.script(
        "GET",
        THINGS,
        [Step::ResetBeforeResponse, Step::ResetMidBody(page)],
    );
    let response = engine(quick()).send(get(server.url(THINGS))).await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(server.count("GET", THINGS), 3);
}

#[tokio::test]
async fn a_post_marked_idempotent_is_sent_again_after_a_reset() {
    // A `$batch` of reads only is marked so; one with a change set never is.
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::ResetBeforeResponse]);
    let request = create(server.url(THINGS)).idempotent(true);
    engine(quick()).send(request).await.unwrap();
    assert_eq!(server.count("POST", THINGS), 2);
}

#[tokio::test]
async fn a_post_to_a_server_not_yet_listening_is_sent_once_it_listens() {
    let addr = refusing_address().await;
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        TestServer::start_on(addr).await
    });
    let url = Url::parse(&format!("http://{addr}{THINGS}")).unwrap();
    let policy = quick().max_attempts(30);
    let response = engine(policy).send(create(url)).await.unwrap();
    assert_eq!(response.status.as_u16(), 201);
    let server = late.await.unwrap();
    assert_eq!(
        server.count("POST", THINGS),
        1,
        "refused attempts never arrived"
    );
}

#[tokio::test]
async fn a_refused_connection_is_not_a_write_that_may_have_been_applied() {
    let addr = refusing_address().await;
    let url = Url::parse(&format!("http://{addr}{THINGS}")).unwrap();
    let error = engine(quick().max_attempts(3))
        .send(create(url))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!error.may_have_been_applied());
}

#[tokio::test]
async fn an_interrupted_if_match_patch_answered_412_says_the_first_may_have_been_applied() {
    let server = TestServer::start().await;
    server.script(
        "PATCH",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(412))],
    );
    let patch = Request::new(Method::PATCH, server.url(THINGS))
        .header(IF_MATCH, HeaderValue::from_static("W/\"1\""))
        .body("application/json", r#"{"Name":"x"}"#);
    let error = engine(quick()).send(patch).await.unwrap_err();
    assert_eq!(server.count("PATCH", THINGS), 2);
    let Error::PreconditionFailed(service) = &error else {
        panic!("expected Error::PreconditionFailed, got {error:?}");
    };
    assert!(service.earlier_attempt_interrupted);
    assert!(error.may_have_been_applied());
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
}

#[tokio::test]
async fn an_interrupted_delete_answered_404_says_so_and_a_plain_412_does_not() {
    let server = TestServer::start().await;
    server.script(
        "DELETE",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(404))],
    );
    let error = engine(quick())
        .send(Request::new(Method::DELETE, server.url(THINGS)))
        .await
        .unwrap_err();
    assert!(
        error.is_not_found() && error.may_have_been_applied(),
        "{error:?}"
    );

    server.script("PATCH", THINGS, [Step::Reply(Reply::status(412))]);
    let patch = Request::new(Method::PATCH, server.url(THINGS))
        .header(IF_MATCH, HeaderValue::from_static("W/\"1\""));
    let error = engine(quick()).send(patch).await.unwrap_err();
    assert!(
        matches!(error, Error::PreconditionFailed(_)) && !error.may_have_been_applied(),
        "{error:?}"
    );

    // A read is never said to have applied anything.
    server.script(
        "GET",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(404))],
    );
    let error = engine(quick())
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert!(error.is_not_found() && !error.may_have_been_applied());
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = TestServer::start().await;
    server.script("GET", THINGS, [Step::Reply(Reply::status(400))]);
    let error = engine(quick())
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(server.count("GET", THINGS), 1);
}

#[tokio::test]
async fn a_persistent_503_ends_after_max_attempts() {
    let server = TestServer::start().await;
    server.default_reply("GET", THINGS, Reply::status(503));
    let error = engine(quick().max_attempts(3))
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.count("GET", THINGS), 3);
}
