//! Appending query options to a query string, each name and value percent-encoded on its own
//! (see [`percent_encode_query_value`](crate::edm::percent_encode_query_value) for the rules).

use crate::edm::write_percent_encoded_query_value;

/// Appends `name=value` to `query`, percent-encoding both.
pub(crate) fn push_option(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    write_percent_encoded_query_value(name, query);
    query.push('=');
    write_percent_encoded_query_value(value, query);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        let mut q = String::new();
        push_option(&mut q, "$filter", value);
        q
    }

    #[test]
    fn escapes_query_delimiters_inside_literals() {
        assert_eq!(
            encoded("Name eq 'Smith & Sons #1+2=3?'"),
            "$filter=Name%20eq%20'Smith%20%26%20Sons%20%231%2B2%3D3%3F'"
        );
    }

    #[test]
    fn escapes_percent_and_non_ascii_as_utf8() {
        assert_eq!(encoded("'100% Müller'"), "$filter='100%25%20M%C3%BCller'");
        assert_eq!(encoded("'東'"), "$filter='%E6%9D%B1'");
    }

    #[test]
    fn joins_options_with_ampersand() {
        let mut q = String::new();
        push_option(&mut q, "$top", "5");
        push_option(&mut q, "cross-company", "true");
        assert_eq!(q, "$top=5&cross-company=true");
    }
}
