//! The token scope for an environment: `https://<host>/.default`.

use url::Url;

/// The default scope for the service at `root`: its scheme, host and port (no path, no trailing
/// slash, which F&O does not accept in the resource) followed by `/.default`.
pub(crate) fn default_scope(root: &Url) -> String {
    format!("{}/.default", root.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(root: &str) -> String {
        default_scope(&Url::parse(root).unwrap())
    }

    #[test]
    fn is_the_origin_without_path_plus_default() {
        assert_eq!(
            scope("https://contoso.sandbox.operations.dynamics.com/data/"),
            "https://contoso.sandbox.operations.dynamics.com/.default"
        );
        assert_eq!(
            scope("https://fno.contoso.com/namespaces/AXSF/data/"),
            "https://fno.contoso.com/.default"
        );
    }

    #[test]
    fn keeps_a_non_default_port_and_drops_the_default_one() {
        assert_eq!(
            scope("http://127.0.0.1:8080/data/"),
            "http://127.0.0.1:8080/.default"
        );
        assert_eq!(
            scope("https://contoso.operations.dynamics.com:443/data/"),
            "https://contoso.operations.dynamics.com/.default"
        );
    }
}
