//! [`ETag`]: the version of an entity the service hands out, and how it becomes `If-Match`.

use std::fmt;

use reqwest::header::{ETAG, HeaderMap, HeaderValue, IF_MATCH};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::wire::Prepared;

/// The version of one entity as the service reported it (`@odata.etag` of a row, or the `ETag`
/// response header), e.g. `W/"2024-05-01T10:00:00.123Z"`.
///
/// The text is opaque: it is kept exactly as received and sent back in `If-Match` so that an
/// update or delete only applies if nobody changed the entity in between. Generated read structs
/// carry it in a field `#[serde(rename = "@odata.etag")] etag: Option<ETag>` and return it from
/// [`Entity::etag`](crate::Entity::etag).
///
/// ```
/// use d365fo_odata::ETag;
///
/// let etag = ETag::new(r#"W/"2024-05-01T10:00:00.123Z""#);
/// assert!(etag.is_weak());
/// assert_eq!(etag.to_string(), r#"W/"2024-05-01T10:00:00.123Z""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ETag(String);

impl ETag {
    /// An ETag with exactly this text (quotes and `W/` prefix included).
    pub fn new(text: impl Into<String>) -> Self {
        ETag(text.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `true` for a weak ETag (`W/"..."`), the kind OData services usually send.
    pub fn is_weak(&self) -> bool {
        self.0.starts_with("W/")
    }

    /// The ETag as an HTTP header value.
    ///
    /// # Errors
    /// [`Error::Config`] when the text holds characters a header cannot carry (control
    /// characters).
    pub(crate) fn header_value(&self) -> Result<HeaderValue> {
        HeaderValue::from_str(&self.0).map_err(|_| {
            Error::config(format!(
                "ETag {:?} cannot be sent in If-Match: it holds characters an HTTP header cannot carry",
                self.0
            ))
        })
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for ETag {
    fn from(text: String) -> Self {
        ETag(text)
    }
}

impl From<&str> for ETag {
    fn from(text: &str) -> Self {
        ETag(text.to_owned())
    }
}

/// What an update or delete sends in `If-Match`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// No `If-Match`: no ETag is known, or the caller opted out.
    #[default]
    None,
    /// `If-Match: <etag>`: apply only to this version (412 when stale).
    Match(ETag),
    /// `If-Match: *`: apply to whatever version exists, but only if the entity exists.
    Any,
    /// `If-Match` with the ETag of a row that had none: sending fails with
    /// [`Error::MissingETag`] for this entity type.
    MissingRowETag {
        /// The entity type's qualified name.
        entity: &'static str,
    },
}

impl Precondition {
    /// `If-Match: <etag>` when an ETag is given, no header otherwise.
    pub(crate) fn from_known(etag: Option<&ETag>) -> Self {
        etag.map_or(Precondition::None, |e| Precondition::Match(e.clone()))
    }

    /// `If-Match: <etag>` with the ETag of a row of `E`; without one, a precondition that fails
    /// when applied.
    pub(crate) fn from_row<E: crate::Entity>(etag: Option<&ETag>) -> Self {
        etag.map_or(
            Precondition::MissingRowETag {
                entity: E::TYPE_NAME,
            },
            |e| Precondition::Match(e.clone()),
        )
    }

    /// Adds the `If-Match` header this precondition asks for to `request` (for the service at
    /// `root`, named in the error).
    ///
    /// # Errors
    /// [`Error::MissingETag`] for a row without ETag; [`Error::Config`] for an ETag a header
    /// cannot carry.
    pub(crate) fn apply(&self, request: Prepared, root: &Url) -> Result<Prepared> {
        Ok(match self {
            Precondition::MissingRowETag { entity } => {
                return Err(Error::MissingETag {
                    entity: (*entity).to_owned(),
                    method: request.method.to_string(),
                    url: format!("{root}{}", request.target()),
                });
            }
            Precondition::None => request,
            Precondition::Match(etag) => request.header(IF_MATCH, etag.header_value()?),
            Precondition::Any => request.header(IF_MATCH, HeaderValue::from_static("*")),
        })
    }
}

/// The `ETag` response header, when the service sent a readable one.
pub(crate) fn header_etag(headers: &HeaderMap) -> Option<ETag> {
    let value = headers.get(ETAG)?.to_str().ok()?;
    Some(ETag::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_etag_response_header_verbatim() {
        let mut headers = HeaderMap::new();
        assert_eq!(header_etag(&headers), None);
        headers.insert(
            ETAG,
            HeaderValue::from_static(r#"W/"2024-01-01T00:00:00Z""#),
        );
        assert_eq!(
            header_etag(&headers),
            Some(ETag::new(r#"W/"2024-01-01T00:00:00Z""#))
        );
    }

    #[test]
    fn decodes_from_odata_etag_annotation_verbatim() {
        #[derive(Deserialize)]
        struct Row {
            #[serde(rename = "@odata.etag")]
            etag: Option<ETag>,
        }
        let row: Row =
            serde_json::from_str(r#"{"@odata.etag":"W/\"2024-05-01T10:00:00.123Z\""}"#).unwrap();
        let etag = row.etag.unwrap();
        assert_eq!(etag.as_str(), r#"W/"2024-05-01T10:00:00.123Z""#);
        assert!(etag.is_weak());
        assert!(!ETag::new(r#""abc""#).is_weak());
    }

    #[test]
    fn precondition_from_known_etag_sends_it_and_absent_sends_nothing() {
        let etag = ETag::new(r#"W/"1""#);
        assert_eq!(
            Precondition::from_known(Some(&etag)),
            Precondition::Match(etag)
        );
        assert_eq!(Precondition::from_known(None), Precondition::None);
    }

    #[test]
    fn etag_with_control_characters_is_a_config_error_not_a_panic() {
        let e = ETag::new("W/\"a\nb\"").header_value().unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
    }
}
