//! Which operations to send again after a response with throttled (429) parts: only the units
//! the service answered 429 (it applied nothing of them) and those it did not reach, never the
//! ones it answered otherwise.

use std::time::Duration;

use super::matching::{UnitClass, UnitOutcome};

/// What to send again, and the longest wait the throttled parts asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RetryPlan {
    /// Unit indices to send again, in their original order.
    pub(crate) resend: Vec<usize>,
    /// The longest `Retry-After` among the throttled parts (`None`: none sent one).
    pub(crate) retry_after: Option<Duration>,
}

/// The plan after sending the units `sent` (unit indices) and getting `outcomes` (same order);
/// `None` when no part was throttled.
pub(crate) fn plan(sent: &[usize], outcomes: &[UnitOutcome]) -> Option<RetryPlan> {
    let throttled: Vec<Option<Duration>> = outcomes
        .iter()
        .filter_map(|o| match o.class {
            UnitClass::Throttled(wait) => Some(wait),
            _ => None,
        })
        .collect();
    if throttled.is_empty() {
        return None;
    }
    let resend = sent
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| matches!(o.class, UnitClass::Throttled(_) | UnitClass::NotRun))
        .map(|(&unit, _)| unit)
        .collect();
    Some(RetryPlan {
        resend,
        retry_after: throttled.into_iter().flatten().max(),
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::Method;

    use super::super::encode::{Boundaries, Targets, encode};
    use super::super::matching::match_parts;
    use super::super::operation::{Operation, Unit};
    use super::super::parse::parse_batch;
    use super::*;

    fn read(slot: usize, target: &str) -> Operation {
        Operation::test(slot, Method::GET, target, None)
    }

    /// Three reads; the service throttled the second one only, as F&O reports it: an inner
    /// `HTTP/1.1 429` part with its own `Retry-After`.
    const RESPONSE: &str = "--batchresponse_1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 1\r\n\
\r\n\
HTTP/1.1 200 OK\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"value\":[]}\r\n\
--batchresponse_1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 2\r\n\
\r\n\
HTTP/1.1 429 Too Many Requests\r\n\
Retry-After: 7\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"error\":{\"code\":\"\",\"message\":\"This request could not be processed at this time due to system experiencing high resource utilization.\"}}\r\n\
--batchresponse_1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 3\r\n\
\r\n\
HTTP/1.1 200 OK\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"value\":[]}\r\n\
--batchresponse_1--\r\n";

    #[test]
    fn inner_429_part_is_resent_alone_after_its_retry_after() {
        let ops = vec![
            read(0, "CustomerGroups"),
            read(1, "CustomersV3"),
            read(2, "SalesOrderHeadersV2"),
        ];
        let units = [Unit::Single(0), Unit::Single(1), Unit::Single(2)];
        let sent: Vec<&Unit> = units.iter().collect();
        let body = Bytes::from_static(RESPONSE.as_bytes());
        let parts = parse_batch("multipart/mixed; boundary=batchresponse_1", &body).unwrap();
        let outcomes = match_parts(&ops, &sent, parts, false, "u").unwrap();
        assert_eq!(outcomes[0].class, UnitClass::Succeeded);
        assert_eq!(
            outcomes[1].class,
            UnitClass::Throttled(Some(Duration::from_secs(7)))
        );
        assert_eq!(outcomes[2].class, UnitClass::Succeeded);

        let plan = plan(&[0, 1, 2], &outcomes).expect("a throttled part makes a plan");
        assert_eq!(
            plan.resend,
            vec![1],
            "only the throttled read is sent again"
        );
        assert_eq!(plan.retry_after, Some(Duration::from_secs(7)));

        let again: Vec<&Unit> = plan.resend.iter().map(|&u| &units[u]).collect();
        let request = encode(&ops, &again, &Boundaries::new("r"), Targets::Relative);
        let request = String::from_utf8(request).unwrap();
        assert!(request.contains("GET CustomersV3 HTTP/1.1"), "{request}");
        assert!(!request.contains("CustomerGroups"), "{request}");
        assert!(!request.contains("SalesOrderHeadersV2"), "{request}");
        assert_eq!(request.matches("Content-ID:").count(), 1);
    }

    #[test]
    fn no_plan_without_a_throttled_part_and_unreached_units_follow_a_throttled_one() {
        let ops = vec![read(0, "A"), read(1, "B"), read(2, "C")];
        let units = [Unit::Single(0), Unit::Single(1), Unit::Single(2)];
        let sent: Vec<&Unit> = units.iter().collect();
        // The service stopped after the throttled second part (no continue-on-error).
        let cut = RESPONSE.rfind("--batchresponse_1\r\nContent-Type").unwrap();
        let text = format!("{}--batchresponse_1--\r\n", &RESPONSE[..cut]);
        let body = Bytes::from(text);
        let parts = parse_batch("multipart/mixed; boundary=batchresponse_1", &body).unwrap();
        let outcomes = match_parts(&ops, &sent, parts, false, "u").unwrap();
        assert_eq!(outcomes[2].class, UnitClass::NotRun);
        let plan = plan(&[0, 1, 2], &outcomes).unwrap();
        assert_eq!(plan.resend, vec![1, 2]);

        let ok: Vec<UnitOutcome> = vec![outcomes[0].clone()];
        assert_eq!(super::plan(&[0], &ok), None);
    }

    #[test]
    fn with_continue_on_error_a_change_set_missing_after_a_throttled_read_is_never_resent() {
        let mut ops = vec![read(0, "A")];
        ops.push(Operation::test(
            1,
            Method::POST,
            "SalesOrderHeadersV2",
            Some("{}"),
        ));
        let units = [Unit::Single(0), Unit::ChangeSet(vec![1])];
        let sent: Vec<&Unit> = units.iter().collect();
        // The read was throttled; the change set has no part. The service went on after the
        // 429 (continue-on-error), so it may have applied the change set.
        let cut = RESPONSE.find("--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2").unwrap();
        let throttled = &RESPONSE[cut..];
        let throttled = &throttled[..throttled[2..].find("--batchresponse_1").unwrap() + 2];
        let text = format!(
            "{}--batchresponse_1--\r\n",
            throttled.replace("Content-ID: 2", "Content-ID: 1")
        );
        let body = Bytes::from(text);
        let parts = parse_batch("multipart/mixed; boundary=batchresponse_1", &body).unwrap();
        let outcomes = match_parts(&ops, &sent, parts.clone(), true, "u").unwrap();
        assert_eq!(outcomes[1].class, UnitClass::Unknown);
        let plan = plan(&[0, 1], &outcomes).unwrap();
        assert_eq!(
            plan.resend,
            vec![0],
            "only the throttled read is sent again"
        );

        // Without continue-on-error the service stopped at the 429: the change set goes again.
        let outcomes = match_parts(&ops, &sent, parts, false, "u").unwrap();
        assert_eq!(outcomes[1].class, UnitClass::NotRun);
        assert_eq!(super::plan(&[0, 1], &outcomes).unwrap().resend, vec![0, 1]);
    }

    #[test]
    fn a_change_set_throttled_without_content_id_is_resent_whole() {
        let ops: Vec<Operation> = (0..2)
            .map(|i| Operation::test(i, Method::POST, "SalesOrderLines", Some("{}")))
            .collect();
        let units = [Unit::ChangeSet(vec![0, 1])];
        let sent: Vec<&Unit> = units.iter().collect();
        let text = "--batchresponse_1\r\n\
Content-Type: multipart/mixed; boundary=changesetresponse_2\r\n\
\r\n\
--changesetresponse_2\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
\r\n\
HTTP/1.1 429 Too Many Requests\r\n\
Retry-After: 3\r\n\
\r\n\
\r\n\
--changesetresponse_2--\r\n\
--batchresponse_1--\r\n";
        let body = Bytes::from_static(text.as_bytes());
        let parts = parse_batch("multipart/mixed; boundary=batchresponse_1", &body).unwrap();
        let outcomes = match_parts(&ops, &sent, parts, false, "u").unwrap();
        let plan = plan(&[0], &outcomes).expect("a throttled change set makes a plan");
        assert_eq!(plan.resend, vec![0]);
        assert_eq!(plan.retry_after, Some(Duration::from_secs(3)));
    }
}
