//! The row counts the sandbox's seed script creates, read from `tests/sandbox/seed-counts.json`
//! (the file the script itself reads), so tests compare against the seed and not a copy of it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::SandboxError;

/// Seeded rows per company and entity set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCounts {
    default_company: String,
    /// company → entity set → rows
    rows: BTreeMap<String, BTreeMap<String, u64>>,
}

impl SeedCounts {
    pub(crate) fn load(dir: &Path) -> Result<SeedCounts, SandboxError> {
        let path = dir.join("seed-counts.json");
        let text = std::fs::read_to_string(&path).map_err(|source| SandboxError::Io {
            action: format!("reading {}", path.display()),
            source,
        })?;
        let bad = |what: &str| SandboxError::Control {
            message: format!("{}: {what}", path.display()),
        };
        let json: Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
        let default_company = json
            .get("defaultCompany")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no \"defaultCompany\" string"))?
            .to_owned();
        let companies = json
            .get("companies")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("no \"companies\" object"))?;
        let mut rows = BTreeMap::new();
        for (company, sets) in companies {
            let sets = sets
                .as_object()
                .ok_or_else(|| bad(&format!("companies.{company} is not an object")))?;
            let counts = sets
                .iter()
                .filter_map(|(set, n)| n.as_u64().map(|n| (set.clone(), n)))
                .collect();
            rows.insert(company.clone(), counts);
        }
        Ok(SeedCounts {
            default_company,
            rows,
        })
    }

    /// The company reads are scoped to without `cross-company=true`.
    pub fn default_company(&self) -> &str {
        &self.default_company
    }

    /// Rows of `entity_set` (e.g. `CustomersV3`) seeded in `company`.
    pub fn rows(&self, entity_set: &str, company: &str) -> Option<u64> {
        self.rows.get(company)?.get(entity_set).copied()
    }

    /// Rows of `entity_set` seeded across all companies.
    pub fn total(&self, entity_set: &str) -> u64 {
        self.rows
            .values()
            .filter_map(|sets| sets.get(entity_set))
            .sum()
    }

    /// The seeded companies, sorted.
    pub fn companies(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }
}
