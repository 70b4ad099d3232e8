//! A fixed-size bit set, one bit per node or edge.

#[derive(Debug, Clone, Default)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub fn new(len: usize) -> BitSet {
        BitSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    pub fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// The words, bit `i` being bit `i % 64` of word `i / 64`: for filling disjoint ranges in
    /// parallel.
    pub fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    /// The words, as [`BitSet::words_mut`] lays them out.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }
}
