//! Splitting a batch into requests of at most a given number of operations, never splitting a
//! change set (F&O accepts up to 5,000 operations per `$batch`, and recommends smaller batches).

use super::operation::Unit;
use crate::error::{Error, Result};

/// Groups `pending` (unit indices, in order) into chunks of at most `cap` operations. Units keep
/// their order; a change set is never split.
///
/// # Errors
/// [`Error::Config`] when `cap` is zero or a change set alone holds more than `cap` operations.
pub(crate) fn chunks(units: &[Unit], pending: &[usize], cap: usize) -> Result<Vec<Vec<usize>>> {
    if cap == 0 {
        return Err(Error::config("a batch's operation cap must be at least 1"));
    }
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut size = 0;
    for &unit in pending {
        let len = units[unit].len();
        if len > cap {
            return Err(Error::config(format!(
                "a change set of {len} operations exceeds the batch's cap of {cap} operations per request; \
                 a change set cannot be split (it is atomic): raise the cap or make smaller change sets"
            )));
        }
        if size + len > cap && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            size = 0;
        }
        current.push(unit);
        size += len;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<Unit> {
        // 1 read, a change set of 3, 1 read, a change set of 2, a change set of 3.
        vec![
            Unit::Single(0),
            Unit::ChangeSet(vec![1, 2, 3]),
            Unit::Single(4),
            Unit::ChangeSet(vec![5, 6]),
            Unit::ChangeSet(vec![7, 8, 9]),
        ]
    }

    #[test]
    fn chunks_fill_up_to_the_cap_without_splitting_change_sets() {
        let all: Vec<usize> = (0..5).collect();
        assert_eq!(
            chunks(&units(), &all, 4).unwrap(),
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert_eq!(chunks(&units(), &all, 10).unwrap(), vec![all.clone()]);
        assert_eq!(
            chunks(&units(), &all, 3).unwrap(),
            vec![vec![0], vec![1], vec![2, 3], vec![4]]
        );
    }

    #[test]
    fn a_change_set_larger_than_the_cap_is_refused() {
        let e = chunks(&units(), &[0, 1], 2).unwrap_err();
        assert!(e.to_string().contains("cannot be split"), "{e}");
        assert!(chunks(&units(), &[0], 0).is_err());
    }
}
