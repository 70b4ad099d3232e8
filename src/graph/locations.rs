//! Where closures and objects were defined, by node ordinal: a sorted table with a bit per node
//! and a running count per 64 nodes, so that a lookup reads one record and a scan in node order
//! reads the records in order (a hash map of millions of entries missed the cache on each).

use super::Location;
use super::bits::BitSet;

/// The nodes that have a [`Location`], in ascending node order.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    /// A bit per node: does it have a location?
    has: BitSet,
    /// Per 64 nodes, how many nodes before them have a location.
    before: Vec<u32>,
    nodes: Vec<u32>,
    sites: Vec<Location>,
}

impl Locations {
    /// The table of `records` (node, location) for a graph of `node_count` nodes, in any
    /// order; when a node has several records the last counts, as it would in a map. No sort:
    /// the bits give each node its place, and the records are written there in their order.
    pub fn new(node_count: usize, records: Vec<(u32, Location)>) -> Locations {
        let mut has = BitSet::new(node_count);
        for &(node, _) in &records {
            has.set(node as usize);
        }
        let mut before = Vec::with_capacity(node_count.div_ceil(64));
        let mut nodes: Vec<u32> = Vec::new();
        for (w, &word) in has.words().iter().enumerate() {
            before.push(nodes.len() as u32);
            let mut bits = word;
            while bits != 0 {
                nodes.push((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        let unset = Location {
            script_id: 0,
            line: 0,
            column: 0,
        };
        let mut table = Locations {
            has,
            before,
            sites: vec![unset; nodes.len()],
            nodes,
        };
        for (node, site) in records {
            let index = table.index(node as usize);
            table.sites[index] = site;
        }
        table
    }

    /// Where node `v`'s location is (or would be) in `sites`: the located nodes before it.
    fn index(&self, v: usize) -> usize {
        let below = self.has.words()[v / 64] & ((1u64 << (v % 64)) - 1);
        self.before[v / 64] as usize + below.count_ones() as usize
    }

    /// The location of node `v`, if it has one.
    pub fn get(&self, v: &u32) -> Option<&Location> {
        let v = *v as usize;
        let word = *self.has.words().get(v / 64)?;
        if word & (1 << (v % 64)) == 0 {
            return None;
        }
        self.sites.get(self.index(v))
    }

    pub fn contains_key(&self, v: &u32) -> bool {
        self.get(v).is_some()
    }

    /// Every (node, location), in ascending node order.
    pub fn iter(&self) -> impl Iterator<Item = (&u32, &Location)> {
        self.nodes.iter().zip(&self.sites)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl<'a> IntoIterator for &'a Locations {
    type Item = (&'a u32, &'a Location);
    type IntoIter = std::iter::Zip<std::slice::Iter<'a, u32>, std::slice::Iter<'a, Location>>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter().zip(&self.sites)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashMap;

    fn at(line: u32) -> Location {
        Location {
            script_id: 1,
            line,
            column: 0,
        }
    }

    /// Lookups agree with a map built from the same records, the last record of a node
    /// winning, on random record lists in random order.
    #[test]
    fn lookups_match_a_map() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for _ in 0..200 {
            let n = 1 + next(300) as usize;
            let records: Vec<(u32, Location)> = (0..next(400))
                .map(|i| (next(n as u64) as u32, at(i as u32)))
                .collect();
            let map: FxHashMap<u32, Location> = records.iter().copied().collect();
            let table = Locations::new(n, records);
            assert_eq!(table.len(), map.len());
            for v in 0..n as u32 + 70 {
                assert_eq!(table.get(&v), map.get(&v), "node {v}");
            }
            let listed: Vec<u32> = table.iter().map(|(&v, _)| v).collect();
            assert!(listed.is_sorted() && listed.len() == map.len());
        }
    }
}
