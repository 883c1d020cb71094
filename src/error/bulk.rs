//! [`BulkError`]: why a bulk read could not deliver an exact result.

/// Why a bulk read stopped without an exact result. Carried by
/// [`Error::Bulk`](crate::Error::Bulk).
///
/// Key values in the messages are OData literals of the rows' key properties (never request
/// headers or tokens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// Offset windows no longer meet: rows were inserted into or deleted from the part of the
    /// result already read while later windows were still being read, so `$skip` positions
    /// moved. Continuing would duplicate or drop rows; read again, or use key ranges
    /// ([`BulkRead::key_ranges`](crate::bulk::BulkRead::key_ranges)), which stay exact under writes.
    #[error(
        "{entity_set}: the result shifted while it was read in offset windows: window {window} \
         ($skip={skip}) should start with the row {expected}, but {found} (rows were inserted \
         or deleted meanwhile; read again, or use key ranges, which stay exact under writes)"
    )]
    WindowsShifted {
        /// The entity set read.
        entity_set: String,
        /// The 0-based window whose start does not meet the end of the window before it.
        window: u64,
        /// The window's `$skip`.
        skip: u64,
        /// The key the window should have started with, or "none (the previous window ended the
        /// result)".
        expected: String,
        /// What the window started with instead.
        found: String,
    },

    /// The service answered the `$count=true` request without `@odata.count`, so the result
    /// cannot be cut into windows or ranges.
    #[error("{entity_set}: the service sent no @odata.count for {url}")]
    NoCount {
        /// The entity set read.
        entity_set: String,
        /// The request URL.
        url: String,
    },

    /// Some rows have `null` in the property the key ranges are cut on; every range filter
    /// (`ge`/`lt`) would leave them out.
    #[error(
        "{entity_set}: rows with {field} = null exist; key ranges on {field} would miss them \
         (cut on a property that is never null, e.g. a key property)"
    )]
    NullRangeField {
        /// The entity set read.
        entity_set: String,
        /// The property.
        field: String,
    },

    /// A response held more rows than the `$top` it was asked with.
    #[error("{entity_set}: {url} returned {rows} rows, more than the $top={top} asked for")]
    TooManyRows {
        /// The entity set read.
        entity_set: String,
        /// The request.
        url: String,
        /// Rows received.
        rows: usize,
        /// Rows asked for.
        top: u64,
    },

    /// The read made no progress or did not end within its bound: a page repeated the last
    /// key seen, or the result kept growing past twice its counted size.
    #[error("{entity_set}: {reason}")]
    Runaway {
        /// The entity set read.
        entity_set: String,
        /// What was seen.
        reason: String,
    },
}
