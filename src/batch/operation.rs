//! The operations a batch holds, before they are encoded: each is one HTTP request with a stable
//! `Content-ID`, grouped in units (a lone read, or a change set).

use bytes::Bytes;
use reqwest::Method;
use url::Url;

/// One request of a batch.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// HTTP method.
    pub(crate) method: Method,
    /// The request target relative to the service root (`CustomersV3?$top=1`,
    /// `SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='X')`), or a Content-ID reference
    /// (`$1/SalesOrderLines`).
    pub(crate) target: String,
    /// The absolute URL, for error messages and resolving next links.
    pub(crate) url: Url,
    /// Request headers other than `Content-Type` (added with a body).
    pub(crate) headers: Vec<(&'static str, String)>,
    /// JSON body of a write.
    pub(crate) body: Option<Bytes>,
    /// The `Content-ID`: the slot number plus one, unique in the batch and stable across chunks
    /// and retries, so that `$n` references stay valid.
    pub(crate) content_id: String,
}

impl Operation {
    /// `POST https://…/data/SalesOrderHeadersV2`, for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url)
    }

    /// `true` when the target is a Content-ID reference (`$1/…`).
    pub(crate) fn is_reference(&self) -> bool {
        self.target.starts_with('$') && self.target[1..].starts_with(|c: char| c.is_ascii_digit())
    }
}

/// What the batch sends as one top-level part: a read outside change sets, or a change set.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// A request outside change sets (F&O: reads).
    Single(usize),
    /// The operations of one atomic change set, by slot index.
    ChangeSet(Vec<usize>),
}

impl Unit {
    /// The slot indices of this unit's operations.
    pub(crate) fn slots(&self) -> &[usize] {
        match self {
            Unit::Single(slot) => std::slice::from_ref(slot),
            Unit::ChangeSet(slots) => slots,
        }
    }

    /// Number of operations (what counts against the operation cap).
    pub(crate) fn len(&self) -> usize {
        self.slots().len()
    }
}
