//! Small pieces of English that every stage and reporter needs the same way (a leaf: it
//! imports nothing of the crate).

/// `1 case`, `2 cases`: a count with the form of its noun that goes with it.
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// [`plural`] for a `usize` count (lengths of lists).
pub fn count(n: usize, one: &str, many: &str) -> String {
    plural(u64::try_from(n).unwrap_or(u64::MAX), one, many)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_agree_with_their_count() {
        assert_eq!(plural(1u32, "case", "cases"), "1 case");
        assert_eq!(plural(13u64, "new deviation", "new deviations"), "13 new deviations");
        assert_eq!(count(0, "case", "cases"), "0 cases");
    }
}
