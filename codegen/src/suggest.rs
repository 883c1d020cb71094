//! "Did you mean" suggestions for misspelled names (`CustomerV3` → `CustomersV3`).

/// The candidate closest to `wanted` by edit distance, if it is close enough to be a likely typo.
///
/// Comparison ignores ASCII case first (F&O names differ from user input mostly by case and a
/// plural `s`), and a candidate must be within a third of the wanted name's length.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == wanted {
            continue;
        }
        let distance = edit_distance(&wanted_lower, &candidate.to_ascii_lowercase());
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_plural_entity_set_for_singular_name() {
        let sets = ["CustomersV3", "CustomerGroups", "VendorsV2"];
        assert_eq!(closest("CustomerV3", sets), Some("CustomersV3"));
    }

    #[test]
    fn suggests_nothing_for_unrelated_names() {
        assert_eq!(
            closest("SalesOrderLines", ["CustomersV3", "VendorsV2"]),
            None
        );
    }

    #[test]
    fn measures_edit_distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
