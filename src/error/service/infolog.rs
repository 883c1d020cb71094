//! Splitting F&O Infolog text into its entries.
//!
//! X++ validation messages reach OData callers as one text: `… Infolog: Warning: first.; Warning:
//! second.` or with newlines between the entries. An entry starts with a severity prefix; a `;`
//! or a newline that is *not* followed by one belongs to the entry (X++ messages hold both, e.g.
//! `Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists..`).

/// The severity prefixes that start an Infolog entry.
const SEVERITIES: [&str; 3] = ["Info:", "Warning:", "Error:"];

/// The marker before the entries of a write failure's message.
const MARKER: &str = "Infolog:";

fn starts_with_severity(text: &str) -> bool {
    SEVERITIES.iter().any(|s| text.starts_with(s))
}

/// The Infolog entries of `text`, in order, each trimmed and keeping its severity prefix.
///
/// The entries follow the first `Infolog:` marker; a text without one counts only when it starts
/// with a severity prefix itself. Empty when there are none.
pub(super) fn entries(text: &str) -> Vec<&str> {
    let log = match text.find(MARKER) {
        Some(at) => &text[at + MARKER.len()..],
        None => {
            let trimmed = text.trim_start();
            if !starts_with_severity(trimmed) {
                return Vec::new();
            }
            trimmed
        }
    };
    let bytes = log.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b';' && b != b'\n' {
            continue;
        }
        let rest = &log[i + 1..];
        let next = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        if starts_with_severity(next) {
            push_entry(&mut out, &log[start..i]);
            start = log.len() - next.len();
        }
    }
    push_entry(&mut out, &log[start..]);
    out
}

fn push_entry<'a>(out: &mut Vec<&'a str>, entry: &'a str) {
    let entry = entry.trim();
    if !entry.is_empty() {
        out.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_semicolon_and_newline_only_before_a_severity() {
        let text = "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: \
                    Warning: The value 'Local; Remote' in field 'Customer group' is not found.; \
                    Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.\n\
                    Error: Update has been canceled.";
        assert_eq!(
            entries(text),
            [
                "Warning: The value 'Local; Remote' in field 'Customer group' is not found.",
                "Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
                "Error: Update has been canceled.",
            ]
        );
    }

    #[test]
    fn a_newline_inside_one_message_is_not_a_separator() {
        let text = "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: \
                    Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists..";
        assert_eq!(
            entries(text),
            [
                "Info: Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists.."
            ]
        );
    }

    #[test]
    fn crlf_between_entries_and_text_without_marker() {
        assert_eq!(
            entries("Warning: a;b\r\nError: c"),
            ["Warning: a;b", "Error: c"]
        );
        assert!(entries("The property 'X' does not exist").is_empty());
        assert!(entries("Infolog:   ").is_empty());
    }
}
