//! [`SyncState`]: what an incremental sync remembers between runs, and its checks on load.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::key::{Column, KeyValues};
use crate::edm::{DateTimeOffset, ODataLiteral};
use crate::error::{Error, Result};

/// Most rows a saved state may remember (a state claiming more is refused on load).
pub const MAX_REMEMBERED: usize = 1_000_000;

/// The version of the saved form written by this crate.
const FORMAT: u32 = 1;

/// Where an incremental sync stands: a small value to store between runs (a file, a database
/// row, a blob) and hand back to [`BulkRead::changes`](crate::bulk::BulkRead::changes).
///
/// It holds the position of the last row delivered in the order (watermark field, key), the
/// rows delivered within the overlap window (so that re-reading the window delivers none of
/// them twice), and the names of the field and key it was made with. Its serialized form is
/// plain JSON-friendly data (timestamps as text, key values as they appear in rows); a state
/// edited by hand or damaged in storage is checked when a sync starts and refused with an
/// [`Error::Config`] naming what is wrong, never turned into query text unchecked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncState {
    #[serde(default = "format")]
    format: u32,
    /// The watermark property (set by the first run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// The key properties, in key order (set by the first run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    key: Vec<String>,
    /// Where the first run starts (`None`: every row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<DateTimeOffset>,
    /// The last row delivered in (field, key) order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<Position>,
    /// Rows delivered with a watermark inside the overlap window and above `floor`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    recent: Vec<Position>,
    /// `recent` is complete only for watermarks at or after this (the start of the overlap
    /// window when it was last narrowed; `None`: complete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<DateTimeOffset>,
    /// `recent` is complete only for watermarks above this (set when it had to be cut to its
    /// bound); rows at or below it are not re-read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    floor: Option<DateTimeOffset>,
}

fn format() -> u32 {
    FORMAT
}

/// One delivered row: its watermark value and key values (as JSON values of the row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Position {
    pub(crate) at: DateTimeOffset,
    pub(crate) key: Vec<Value>,
}

impl SyncState {
    /// A state for a first run that reads every row.
    pub fn new() -> Self {
        SyncState {
            format: FORMAT,
            ..SyncState::default()
        }
    }

    /// A state for a first run that reads the rows whose watermark is at or after `since`
    /// (for instance the time of a full export made another way).
    pub fn since(since: DateTimeOffset) -> Self {
        SyncState {
            since: Some(since),
            ..SyncState::new()
        }
    }

    /// The watermark: the largest watermark value delivered so far (`None` before any row).
    pub fn watermark(&self) -> Option<DateTimeOffset> {
        self.cursor.as_ref().map(|c| c.at)
    }

    /// How many delivered rows the state remembers for the overlap window.
    pub fn remembered(&self) -> usize {
        self.recent.len()
    }

    pub(crate) fn since_value(&self) -> Option<DateTimeOffset> {
        self.since
    }

    pub(crate) fn floor(&self) -> Option<DateTimeOffset> {
        self.floor
    }

    pub(crate) fn from(&self) -> Option<DateTimeOffset> {
        self.from
    }
}

/// The checked, working form of a state during a run.
pub(crate) struct Working {
    pub(crate) state: SyncState,
    /// `(watermark literal, key literals)` of `state.recent`, for the duplicate check.
    index: HashSet<(DateTimeOffset, KeyValues)>,
    /// The literals of the cursor: watermark first, then the key.
    pub(crate) cursor_literals: Option<KeyValues>,
}

impl Working {
    /// Checks `state` against the sync's field and key (`columns`: the field, then the key).
    pub(crate) fn load(mut state: SyncState, columns: &[Column], set: &str) -> Result<Self> {
        let bad = |what: String| Error::config(format!("saved sync state for {set}: {what}"));
        if state.format != FORMAT {
            return Err(bad(format!(
                "format {} is not known (this version writes {FORMAT})",
                state.format
            )));
        }
        let (field, key) = columns
            .split_first()
            .ok_or_else(|| bad("no watermark field".to_owned()))?;
        match &state.field {
            Some(saved) if saved != field.name => {
                return Err(bad(format!(
                    "it was made for the watermark {saved}, not {}",
                    field.name
                )));
            }
            _ => state.field = Some(field.name.to_owned()),
        }
        let names: Vec<String> = key.iter().map(|c| c.name.to_owned()).collect();
        if !state.key.is_empty() && state.key != names {
            return Err(bad(format!(
                "it was made for the key ({}), not ({})",
                state.key.join(", "),
                names.join(", ")
            )));
        }
        state.key = names;
        if state.recent.len() > MAX_REMEMBERED {
            return Err(bad(format!(
                "it remembers {} rows, more than {MAX_REMEMBERED}",
                state.recent.len()
            )));
        }
        let cursor_literals = match &state.cursor {
            Some(cursor) => {
                let key = key_literals(cursor, key).map_err(|e| bad(format!("cursor: {e}")))?;
                Some(with_watermark(cursor.at, &key))
            }
            None => None,
        };
        let mut index = HashSet::with_capacity(state.recent.len());
        for (i, position) in state.recent.iter().enumerate() {
            let key = key_literals(position, key).map_err(|e| bad(format!("row {i}: {e}")))?;
            index.insert((position.at, key));
        }
        Ok(Working {
            state,
            index,
            cursor_literals,
        })
    }

    /// Whether the row `(at, key)` was delivered before and is remembered.
    pub(crate) fn delivered(&self, at: DateTimeOffset, key: &KeyValues) -> bool {
        self.index.contains(&(at, key.clone()))
    }

    /// Records a delivered row (`key`: its key literals); `advance`: it was read after the
    /// cursor, in order, so it becomes the cursor.
    pub(crate) fn record(&mut self, position: Position, key: KeyValues, advance: bool) {
        if advance {
            self.cursor_literals = Some(with_watermark(position.at, &key));
            self.state.cursor = Some(position.clone());
        }
        if self.state.floor.is_none_or(|floor| position.at > floor) {
            self.index.insert((position.at, key));
            self.state.recent.push(position);
        }
    }

    /// Forgets rows older than `lowest` (the start of the overlap window), then, while more
    /// than `bound` are remembered, whole timestamps from the oldest up (raising the floor).
    pub(crate) fn prune(&mut self, lowest: Option<DateTimeOffset>, bound: usize) {
        if let Some(low) = lowest {
            self.state.from = Some(self.state.from.map_or(low, |from| from.max(low)));
        }
        let (from, floor) = (self.state.from, self.state.floor);
        let keep =
            |at: DateTimeOffset| from.is_none_or(|f| at >= f) && floor.is_none_or(|f| at > f);
        self.state.recent.retain(|p| keep(p.at));
        self.index.retain(|(at, _)| keep(*at));
        let len = self.state.recent.len();
        if len > bound {
            let mut ats: Vec<DateTimeOffset> = self.state.recent.iter().map(|p| p.at).collect();
            ats.sort_unstable();
            let cut = ats[len - bound - 1];
            self.state.floor = Some(floor.map_or(cut, |f| f.max(cut)));
            self.state.recent.retain(|p| p.at > cut);
            self.index.retain(|(at, _)| *at > cut);
        }
    }
}

/// The literals of a position's key values, each checked against its column's type.
fn key_literals(position: &Position, key: &[Column]) -> std::result::Result<KeyValues, String> {
    if position.key.len() != key.len() {
        return Err(format!(
            "{} key values, the key has {}",
            position.key.len(),
            key.len()
        ));
    }
    let mut out = Vec::with_capacity(key.len());
    for (column, value) in key.iter().zip(&position.key) {
        let literal = column
            .literal(&value.to_string())
            .map_err(|e| format!("{} = {value}: {e}", column.name))?;
        out.push(literal);
    }
    Ok(out.into_boxed_slice())
}

/// The literals of a position in (watermark, key) order.
pub(crate) fn with_watermark(at: DateTimeOffset, key: &[String]) -> KeyValues {
    let mut out = Vec::with_capacity(key.len() + 1);
    out.push(at.to_literal());
    out.extend(key.iter().cloned());
    out.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Field;

    struct Cust;
    const MODIFIED: Field<Cust, DateTimeOffset> = Field::new("ModifiedDateTime");
    const AREA: Field<Cust, String> = Field::new("dataAreaId");
    const ACCOUNT: Field<Cust, String> = Field::new("CustomerAccount");

    fn columns() -> Vec<Column> {
        vec![Column::of(MODIFIED), Column::of(AREA), Column::of(ACCOUNT)]
    }

    fn at(second: u8) -> DateTimeOffset {
        format!("2024-05-01T10:00:{second:02}Z").parse().unwrap()
    }

    fn position(second: u8, account: &str) -> (Position, KeyValues) {
        let position = Position {
            at: at(second),
            key: vec![Value::from("usmf"), Value::from(account)],
        };
        let key: KeyValues = vec!["'usmf'".to_owned(), format!("'{account}'")].into();
        (position, key)
    }

    fn working() -> Working {
        Working::load(SyncState::new(), &columns(), "CustomersV3").unwrap()
    }

    #[test]
    fn recorded_rows_are_remembered_and_the_cursor_follows_rows_read_in_order() {
        let mut w = working();
        let (p, k) = position(1, "C-1");
        w.record(p, k.clone(), true);
        assert!(w.delivered(at(1), &k));
        assert!(
            !w.delivered(at(2), &k),
            "another version of the same row is new"
        );
        assert_eq!(w.state.watermark(), Some(at(1)));
        let (late, late_key) = position(0, "C-9");
        w.record(late, late_key.clone(), false);
        assert_eq!(
            w.state.watermark(),
            Some(at(1)),
            "a late row does not move the cursor"
        );
        assert_eq!(
            w.cursor_literals.as_deref().unwrap(),
            ["2024-05-01T10:00:01Z", "'usmf'", "'C-1'"]
        );
        // Saved and loaded, the state remembers the same rows.
        let text = serde_json::to_string(&w.state).unwrap();
        let again = Working::load(serde_json::from_str(&text).unwrap(), &columns(), "C").unwrap();
        assert!(again.delivered(at(1), &k) && again.delivered(at(0), &late_key));
        assert_eq!(again.cursor_literals, w.cursor_literals);
    }

    #[test]
    fn pruning_drops_rows_before_the_window_then_whole_timestamps_past_the_bound() {
        let mut w = working();
        for (second, account) in [(1, "A"), (2, "B"), (3, "C"), (3, "D"), (4, "E"), (4, "F")] {
            let (p, k) = position(second, account);
            w.record(p, k, true);
        }
        w.prune(Some(at(2)), 100);
        assert_eq!(w.state.remembered(), 5);
        assert_eq!(w.state.from(), Some(at(2)));
        assert!(!w.delivered(at(1), &position(1, "A").1));
        // Bound 3: timestamps 2 and 3 go whole (not one row of 3), the floor is 3.
        w.prune(Some(at(2)), 3);
        assert_eq!(w.state.remembered(), 2);
        assert_eq!(w.state.floor(), Some(at(3)));
        assert!(w.delivered(at(4), &position(4, "E").1));
        // Rows at or below the floor are not remembered any more.
        let (p, k) = position(3, "G");
        w.record(p, k.clone(), false);
        assert!(!w.delivered(at(3), &k));
        assert_eq!(w.state.remembered(), 2);
        // More rows than the bound at the newest timestamp: all of it goes.
        w.prune(Some(at(2)), 1);
        assert_eq!(w.state.remembered(), 0);
        assert_eq!(w.state.floor(), Some(at(4)));
        // A narrower window later never lowers `from`.
        w.prune(Some(at(0)), 10);
        assert_eq!(w.state.from(), Some(at(2)));
    }

    #[test]
    fn a_state_that_does_not_fit_is_refused_with_what_is_wrong() {
        let mut w = working();
        let (p, k) = position(1, "C-1");
        w.record(p, k, true);
        let good = serde_json::to_value(&w.state).unwrap();
        for (edit, needle) in [
            (
                serde_json::json!({"recent": [{"at": "2024-05-01T10:00:00Z", "key": [1, "x"]}]}),
                "row 0: dataAreaId = 1",
            ),
            (
                serde_json::json!({"cursor": {"at": "2024-05-01T10:00:00Z", "key": ["usmf", null]}}),
                "cursor: CustomerAccount = null",
            ),
            (
                serde_json::json!({"field": "CreatedDateTime"}),
                "watermark CreatedDateTime",
            ),
        ] {
            let mut state = good.clone();
            for (name, value) in edit.as_object().unwrap() {
                state[name] = value.clone();
            }
            let state: SyncState = serde_json::from_value(state).unwrap();
            let e = Working::load(state, &columns(), "CustomersV3")
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains(needle) && e.contains("CustomersV3"), "{e}");
        }
        // Quotes inside key values are re-encoded as literals, never pasted into a filter.
        let mut state = good;
        state["cursor"]["key"][1] = Value::from("x') or (1 eq 1");
        let w = Working::load(serde_json::from_value(state).unwrap(), &columns(), "C").unwrap();
        assert_eq!(w.cursor_literals.unwrap()[2], "'x'') or (1 eq 1'");
    }
}
