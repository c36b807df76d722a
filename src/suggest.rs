//! "Did you mean …?": the closest of a few names to a typo.

/// The candidate closest to `typo` (optimal string alignment distance, so a swapped pair
/// of letters counts once), if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typo.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != typo)
        .map(|candidate| (distance(typo, candidate), candidate))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// ` (did you mean NAME?)` for the closest candidate, or nothing: to follow a message
/// about an unknown name.
pub(crate) fn did_you_mean<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typo, candidates).map(|near| format!(" (did you mean {near}?)")).unwrap_or_default()
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_or_one_letter_off_is_suggested_a_different_name_is_not() {
        assert_eq!(closest("pya", ["discord", "pay", "platform"]), Some("pay"));
        assert_eq!(closest("dicsord", ["discord", "pay"]), Some("discord"));
        assert_eq!(closest("payy", ["pay", "pays"]), Some("pay"));
        assert_eq!(closest("bid", ["pay", "discord"]), None);
    }
}
