//! [`ExecutionStatus`]: what `GetExecutionSummaryStatus` reports about an execution.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// The summary status of a data management execution (F&O's `DMFExecutionSummaryStatus`).
///
/// Reads the documented member names (case-insensitively); any other value is kept in
/// [`Other`](Self::Other), so a status added by a later F&O version never breaks decoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    /// F&O does not know the execution (yet): a wrong id, or one not registered so far.
    Unknown,
    /// Created, not started.
    NotRun,
    /// Running.
    Executing,
    /// Finished; every record was processed.
    Succeeded,
    /// Finished; some records failed (see `GetExecutionErrors` and the staging error files).
    PartiallySucceeded,
    /// Finished without result.
    Failed,
    /// Stopped by a user.
    Canceled,
    /// A value this crate does not know, as sent.
    Other(String),
}

impl ExecutionStatus {
    /// The status named `name` (as F&O writes it, any case); unknown names are [`Other`](Self::Other).
    pub fn from_name(name: &str) -> Self {
        const KNOWN: [(&str, ExecutionStatus); 7] = [
            ("Unknown", ExecutionStatus::Unknown),
            ("NotRun", ExecutionStatus::NotRun),
            ("Executing", ExecutionStatus::Executing),
            ("Succeeded", ExecutionStatus::Succeeded),
            ("PartiallySucceeded", ExecutionStatus::PartiallySucceeded),
            ("Failed", ExecutionStatus::Failed),
            ("Canceled", ExecutionStatus::Canceled),
        ];
        let name = name.trim();
        KNOWN
            .into_iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map_or_else(|| ExecutionStatus::Other(name.to_owned()), |(_, s)| s)
    }

    /// The name as F&O writes it (the original text for [`Other`](Self::Other)).
    pub fn name(&self) -> &str {
        match self {
            ExecutionStatus::Unknown => "Unknown",
            ExecutionStatus::NotRun => "NotRun",
            ExecutionStatus::Executing => "Executing",
            ExecutionStatus::Succeeded => "Succeeded",
            ExecutionStatus::PartiallySucceeded => "PartiallySucceeded",
            ExecutionStatus::Failed => "Failed",
            ExecutionStatus::Canceled => "Canceled",
            ExecutionStatus::Other(name) => name,
        }
    }

    /// `true` once the execution has finished: `Succeeded`, `PartiallySucceeded`, `Failed` or
    /// `Canceled`. `Unknown`, `NotRun`, `Executing` and values this crate does not know are not
    /// final, so polling goes on until one of these or the poll timeout.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ExecutionStatus::Succeeded
                | ExecutionStatus::PartiallySucceeded
                | ExecutionStatus::Failed
                | ExecutionStatus::Canceled
        )
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ExecutionStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ExecutionStatus::from_name(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_names_read_in_any_case_and_others_are_kept() {
        assert_eq!(
            ExecutionStatus::from_name("PartiallySucceeded"),
            ExecutionStatus::PartiallySucceeded
        );
        assert_eq!(
            ExecutionStatus::from_name("canceled"),
            ExecutionStatus::Canceled
        );
        let other = ExecutionStatus::from_name("WaitingForBatch");
        assert_eq!(other, ExecutionStatus::Other("WaitingForBatch".into()));
        assert_eq!(other.to_string(), "WaitingForBatch");
        assert!(!other.is_final());
    }

    #[test]
    fn only_finished_states_are_final() {
        let finals: Vec<_> = [
            "Unknown",
            "NotRun",
            "Executing",
            "Succeeded",
            "PartiallySucceeded",
            "Failed",
            "Canceled",
        ]
        .into_iter()
        .filter(|n| ExecutionStatus::from_name(n).is_final())
        .collect();
        assert_eq!(
            finals,
            ["Succeeded", "PartiallySucceeded", "Failed", "Canceled"]
        );
    }

    #[test]
    fn deserializes_from_json_strings_and_rejects_non_strings() {
        let s: ExecutionStatus = serde_json::from_str(r#""Executing""#).unwrap();
        assert_eq!(s, ExecutionStatus::Executing);
        let s: ExecutionStatus = serde_json::from_str(r#""Paused\u00e9""#).unwrap();
        assert_eq!(s, ExecutionStatus::Other("Pausedé".into()));
        assert!(serde_json::from_str::<ExecutionStatus>("3").is_err());
    }
}
