//! Parsing captured and hand-made `$batch` answers: F&O's and CAP's shapes, strict framing,
//! and hostile input that must give a typed error, never a panic.

use super::*;

/// An F&O-shaped response: a read, then a change set that failed with an inner 500 carrying
/// F&O's OData error. Written with LF; `crlf` converts it.
const FNO_RESPONSE: &str = "--batchresponse_4f1a\n\
Content-Type: application/http\n\
Content-Transfer-Encoding: binary\n\
\n\
HTTP/1.1 200 OK\n\
Content-Type: application/json; odata.metadata=minimal\n\
OData-Version: 4.0\n\
\n\
{\"@odata.context\":\"https://x.operations.dynamics.com/data/$metadata#CustomerGroups\",\"value\":[{\"dataAreaId\":\"usmf\",\"CustomerGroupId\":\"10\"}]}\n\
--batchresponse_4f1a\n\
Content-Type: multipart/mixed; boundary=changesetresponse_9c2e\n\
\n\
--changesetresponse_9c2e\n\
Content-Type: application/http\n\
Content-Transfer-Encoding: binary\n\
Content-ID: 2\n\
\n\
HTTP/1.1 500 Internal Server Error\n\
Content-Type: application/json; odata.metadata=minimal\n\
OData-Version: 4.0\n\
\n\
{\"error\":{\"code\":\"\",\"message\":\"An error has occurred.\",\"innererror\":{\"message\":\"Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). The record already exists..\",\"type\":\"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException\",\"stacktrace\":\"\"}}}\n\
--changesetresponse_9c2e--\n\
--batchresponse_4f1a--\n";

const CONTENT_TYPE: &str = "multipart/mixed; boundary=batchresponse_4f1a";

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn parse(text: &str) -> Parsed<Vec<Part>> {
    parse_batch(CONTENT_TYPE, &Bytes::copy_from_slice(text.as_bytes())).map(|b| b.parts)
}

fn check_fno_parts(parts: &[Part]) {
    assert_eq!(parts.len(), 2);
    let Part::Response(read) = &parts[0] else {
        panic!("first part is a response")
    };
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.starts_with(b"{\"@odata.context\""));
    assert!(read.body.ends_with(b"}]}"), "no line end in the body");
    let Part::ChangeSet { responses, .. } = &parts[1] else {
        panic!("second part is a change set")
    };
    assert_eq!(responses.len(), 1);
    let failed = &responses[0];
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.content_id.as_deref(), Some("2"));
    let error =
        crate::error::service::ServiceError::from_response(500, "POST", "u", None, &failed.body);
    assert_eq!(error.message, "An error has occurred.");
    assert_eq!(
        error.infolog(),
        vec![
            "Info: Cannot create a record in Customer groups (CustGroup). The record already exists.."
        ]
    );
}

#[test]
fn parses_fno_changeset_failure_with_lf_line_ends() {
    check_fno_parts(&parse(FNO_RESPONSE).unwrap());
}

#[test]
fn closing_delimiters_are_where_missing_parts_would_be() {
    for text in [FNO_RESPONSE.to_owned(), crlf(FNO_RESPONSE)] {
        let batch = parse_batch(CONTENT_TYPE, &Bytes::copy_from_slice(text.as_bytes())).unwrap();
        let nl = if text.contains('\r') { "\r\n" } else { "\n" };
        let outer = text.find(&format!("{nl}--batchresponse_4f1a--")).unwrap();
        assert_eq!(batch.end, outer);
        let Part::ChangeSet { end, offset, .. } = &batch.parts[1] else {
            panic!("second part is a change set")
        };
        let inner = text
            .find(&format!("{nl}--changesetresponse_9c2e--"))
            .unwrap();
        assert_eq!(*end, inner);
        assert!(*offset < inner && inner < outer);
    }
}

#[test]
fn parses_fno_changeset_failure_with_crlf_line_ends() {
    check_fno_parts(&parse(&crlf(FNO_RESPONSE)).unwrap());
}

#[test]
fn quoted_boundary_and_preamble_and_epilogue_are_accepted() {
    let text = format!("preamble text\r\n{}epilogue\r\n", crlf(FNO_RESPONSE));
    let parts = parse_batch(
        "multipart/mixed; charset=utf-8; BOUNDARY=\"batchresponse_4f1a\"",
        &Bytes::from(text),
    )
    .unwrap()
    .parts;
    check_fno_parts(&parts);
}

#[test]
fn missing_boundary_parameter_is_an_error_at_offset_zero() {
    let e = parse_batch("multipart/mixed", &Bytes::from_static(b"--x--")).unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(e.message.contains("no boundary"), "{}", e.message);
    let e = parse_batch("application/json", &Bytes::from_static(b"{}")).unwrap_err();
    assert!(e.message.contains("multipart/mixed"), "{}", e.message);
}

#[test]
fn body_without_delimiter_is_an_error() {
    let e = parse("HTTP/1.1 200 OK\n\n{}").unwrap_err();
    assert!(e.message.contains("no delimiter"), "{}", e.message);
}

#[test]
fn truncated_body_reports_missing_closing_delimiter_at_the_end() {
    let text = crlf(FNO_RESPONSE);
    let cut = &text[..text.len() - 30];
    let e = parse(cut).unwrap_err();
    assert_eq!(e.offset, cut.len(), "{e:?}");
    assert!(e.message.contains("closing delimiter"), "{}", e.message);
}

#[test]
fn unparsable_status_line_names_its_offset() {
    let text = FNO_RESPONSE.replace("HTTP/1.1 500 Internal Server Error", "HTTP/1.1 5x0 Oops");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.offset, text.find("HTTP/1.1 5x0").unwrap());
    assert!(e.message.contains("status line"), "{}", e.message);
}

#[test]
fn header_line_without_colon_is_an_error() {
    let text = FNO_RESPONSE.replace("Content-ID: 2", "Content-ID 2");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.offset, text.find("Content-ID 2").unwrap());
}

#[test]
fn content_length_longer_than_the_part_is_an_error() {
    let text = FNO_RESPONSE.replace(
        "HTTP/1.1 200 OK\n",
        "HTTP/1.1 200 OK\nContent-Length: 100000\n",
    );
    let e = parse(&text).unwrap_err();
    assert!(e.message.contains("Content-Length"), "{}", e.message);
}

#[test]
fn delimiter_wins_over_a_short_content_length() {
    let text = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{\"a\":1}\r\n--b--";
    let parts = parse_batch("multipart/mixed; boundary=b", &Bytes::from(text))
        .unwrap()
        .parts;
    let Part::Response(r) = &parts[0] else {
        panic!()
    };
    assert_eq!(&r.body[..], b"{\"a\":1}");
}

#[test]
fn content_length_trims_the_body() {
    let text = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}\r\n\r\n--b--";
    let parts = parse_batch("multipart/mixed; boundary=b", &Bytes::from(text))
        .unwrap()
        .parts;
    let Part::Response(r) = &parts[0] else {
        panic!()
    };
    assert_eq!(&r.body[..], b"{}");
}

#[test]
fn a_longer_boundary_with_our_prefix_is_not_a_delimiter() {
    let text =
        "--b\nContent-Type: application/http\n\nHTTP/1.1 200 OK\n\n--bx is body text\n--b--\n";
    let parts = parse_batch("multipart/mixed; boundary=b", &Bytes::from(text))
        .unwrap()
        .parts;
    let Part::Response(r) = &parts[0] else {
        panic!()
    };
    assert_eq!(&r.body[..], b"--bx is body text");
}

#[test]
fn nested_change_sets_and_unknown_part_types_are_rejected() {
    let text = "--b\nContent-Type: text/plain\n\nhello\n--b--\n";
    let e = parse_batch("multipart/mixed; boundary=b", &Bytes::from(text)).unwrap_err();
    assert!(e.message.contains("text/plain"), "{}", e.message);
    let text = "--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\nContent-Type: multipart/mixed; boundary=d\n\n--d\nContent-Type: application/http\n\nHTTP/1.1 200 OK\n\n\n--d--\n--c--\n--b--\n";
    let e = parse_batch("multipart/mixed; boundary=b", &Bytes::from(text)).unwrap_err();
    assert!(e.message.contains("nested"), "{}", e.message);
}

#[test]
fn base64_transfer_encoding_is_rejected() {
    let text = FNO_RESPONSE.replacen(
        "Content-Transfer-Encoding: binary",
        "Content-Transfer-Encoding: base64",
        1,
    );
    assert!(parse(&text).is_err());
}

/// Deterministic xorshift, so a failure reproduces.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn truncated_and_mutated_responses_never_panic() {
    for text in [FNO_RESPONSE.to_owned(), crlf(FNO_RESPONSE)] {
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let _ = parse_batch(CONTENT_TYPE, &Bytes::copy_from_slice(&bytes[..cut]));
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let alphabet = b"-\r\n: \t0123456789abHTP/";
        for _ in 0..20_000 {
            let mut mutated = bytes.to_vec();
            for _ in 0..1 + next(&mut seed) % 4 {
                let at = (next(&mut seed) as usize) % mutated.len();
                match next(&mut seed) % 3 {
                    0 => mutated[at] = alphabet[(next(&mut seed) as usize) % alphabet.len()],
                    1 => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at, alphabet[(next(&mut seed) as usize) % alphabet.len()]),
                }
            }
            if let Err(e) = parse_batch(CONTENT_TYPE, &Bytes::from(mutated.clone())) {
                assert!(e.offset <= mutated.len(), "offset past the end: {e:?}");
            }
        }
    }
}
