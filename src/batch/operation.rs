//! The operations a batch holds, before they are encoded: each is one [`Prepared`] request (the
//! very one its builder sends as a single call) with a stable `Content-ID`, grouped in units (a
//! lone request, or a change set).

use reqwest::Method;
use url::Url;

use super::parse::PartResponse;
use crate::wire::{Answer, Prepared};

/// One request of a batch.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// The request as its builder prepared it; its path is relative to the service root, or a
    /// Content-ID reference (`$1/SalesOrderLines`).
    pub(crate) request: Prepared,
    /// The absolute URL, for absolute targets, error messages and resolving next links.
    pub(crate) url: Url,
    /// The `Content-ID`: the slot number plus one, unique in the batch and stable across chunks
    /// and retries, so that `$n` references stay valid.
    pub(crate) content_id: String,
}

impl Operation {
    /// The HTTP method.
    pub(crate) fn method(&self) -> &Method {
        &self.request.method
    }

    /// `POST https://…/data/SalesOrderHeadersV2`, for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.request.method, self.url)
    }

    /// `true` when the target is a Content-ID reference (`$1/…`).
    pub(crate) fn is_reference(&self) -> bool {
        let path = &self.request.path;
        path.starts_with('$') && path[1..].starts_with(|c: char| c.is_ascii_digit())
    }

    /// `true` for a request that changes data (anything but GET).
    pub(crate) fn writes(&self) -> bool {
        self.request.method != Method::GET
    }

    /// The successful `part` answering this operation, as its decoder reads it.
    pub(crate) fn answer<'a>(&'a self, root: &'a Url, part: &'a PartResponse) -> Answer<'a> {
        Answer {
            root,
            url: &self.url,
            what: &self.request.what,
            status: part.status,
            headers: &part.headers,
            body: &part.body,
        }
    }

    /// `method target` under `https://fno.example/data/` with an optional JSON body, at slot
    /// `slot`: the operations the batch tests work with.
    #[cfg(test)]
    pub(crate) fn test(slot: usize, method: Method, target: &str, body: Option<&str>) -> Self {
        let root = Url::parse("https://fno.example/data/").unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut request = Prepared::new(method, path.to_owned(), format!("test {slot}"))
            .query(query.to_owned())
            .accept_json();
        if let Some(body) = body {
            request = request.json_body(bytes::Bytes::copy_from_slice(body.as_bytes()));
        }
        Operation {
            request,
            url: root.join(target).unwrap(),
            content_id: (slot + 1).to_string(),
        }
    }
}

/// What the batch sends as one top-level part: a lone request outside change sets, or a change
/// set.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// A request outside change sets (a read, or a write that is its own atomic unit).
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
