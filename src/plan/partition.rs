//! Sharding for CI: `--partition hash:K/N` or `count:K/N` picks the K-th of N disjoint parts
//! of the cases, so N jobs of a CI matrix together run every case exactly once. The choice
//! depends only on the case ids, never on the machine or the order files were read in.
//!
//! - `hash:K/N`: a case belongs to part `sha256(id) mod N + 1`. A case keeps its part when
//!   others are added or removed, so shards stay comparable across commits.
//! - `count:K/N`: the ids are sorted and dealt out round-robin (the first to part 1, the
//!   second to part 2, ...), as nextest does: the parts differ in size by at most one.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// One part of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: PartitionKind,
    /// 1-based.
    pub shard: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    Hash,
    Count,
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("invalid partition `{s}`: expected hash:K/N or count:K/N");
        let (kind, rest) = s.split_once(':').ok_or_else(usage)?;
        let kind = match kind {
            "hash" => PartitionKind::Hash,
            "count" => PartitionKind::Count,
            _ => return Err(usage()),
        };
        let (k, n) = rest.split_once('/').ok_or_else(usage)?;
        let shard: u64 = k.trim().parse().map_err(|_| usage())?;
        let total: u64 = n.trim().parse().map_err(|_| usage())?;
        if total == 0 || shard == 0 || shard > total {
            return Err(format!("invalid partition `{s}`: K must be between 1 and N"));
        }
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PartitionKind::Hash => "hash",
            PartitionKind::Count => "count",
        };
        write!(f, "{kind}:{}/{}", self.shard, self.total)
    }
}

/// The 1-based part of N that `id` hashes to.
fn hash_part(id: &str, total: u64) -> u64 {
    let digest = Sha256::digest(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % total + 1
}

impl Partition {
    /// The items of this part, sorted by id.
    pub fn select<T>(&self, mut items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
        items.sort_by(|a, b| id(a).cmp(id(b)));
        let total = self.total;
        items
            .into_iter()
            .enumerate()
            .filter(|(i, item)| match self.kind {
                PartitionKind::Hash => hash_part(id(item), total) == self.shard,
                PartitionKind::Count => (*i as u64) % total + 1 == self.shard,
            })
            .map(|(_, item)| item)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("docs::page{}::example{}", i % 7, i)).collect()
    }

    #[test]
    fn parses_and_prints() {
        let p: Partition = "hash:2/3".parse().unwrap();
        assert_eq!(p, Partition { kind: PartitionKind::Hash, shard: 2, total: 3 });
        assert_eq!(p.to_string(), "hash:2/3");
        assert_eq!("count:1/1".parse::<Partition>().unwrap().to_string(), "count:1/1");
        for bad in ["hash:0/3", "hash:4/3", "count:1/0", "mod:1/2", "hash:1", "hash:a/b", "1/2"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parts_are_disjoint_and_complete_whatever_the_input_order() {
        for kind in ["hash", "count"] {
            let all = ids(50);
            let mut seen = Vec::new();
            for k in 1..=4 {
                let p: Partition = format!("{kind}:{k}/4").parse().unwrap();
                let mut shuffled = all.clone();
                shuffled.reverse();
                let part = p.select(shuffled, |s| s);
                assert_eq!(part, p.select(all.clone(), |s| s), "{kind}: deterministic");
                seen.extend(part);
            }
            seen.sort();
            let mut expected = all.clone();
            expected.sort();
            assert_eq!(seen, expected, "{kind}");
        }
    }

    #[test]
    fn count_deals_round_robin_over_sorted_ids() {
        let p: Partition = "count:2/3".parse().unwrap();
        let items = vec!["e", "a", "d", "b", "c", "f", "g"];
        assert_eq!(p.select(items, |s| s), ["b", "e"]);
    }

    #[test]
    fn hash_keeps_a_case_in_its_part_when_others_come_and_go() {
        let p: Partition = "hash:1/3".parse().unwrap();
        let before = p.select(ids(30), |s| s);
        let after = p.select(ids(60), |s| s);
        assert!(before.iter().all(|id| after.contains(id)));
    }
}
