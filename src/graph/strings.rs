//! The snapshot's string table, stored as one buffer plus end offsets instead of one heap
//! allocation per string.

/// All strings of a snapshot. String `i` is `text[ends[i - 1]..ends[i]]` (with `ends[-1] = 0`).
#[derive(Debug, Default, Clone)]
pub struct StringTable {
    text: String,
    ends: Vec<usize>,
}

impl StringTable {
    pub fn new() -> StringTable {
        StringTable::default()
    }

    /// Builds a table from decoded bytes and end offsets; invalid UTF-8 is replaced per string.
    pub fn from_parts(bytes: Vec<u8>, ends: Vec<usize>) -> StringTable {
        match String::from_utf8(bytes) {
            Ok(text) => StringTable { text, ends },
            Err(e) => {
                let bytes = e.into_bytes();
                let mut table = StringTable::new();
                let mut start = 0;
                for end in ends {
                    table.push(&String::from_utf8_lossy(&bytes[start..end]));
                    start = end;
                }
                table
            }
        }
    }

    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string at `index`. Panics when out of range: the reader checks every index.
    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The indices of the strings that contain `needle`, ascending: one SIMD search over the
    /// whole buffer instead of a search per string.
    pub fn containing(&self, needle: &str) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        for at in memchr::memmem::find_iter(self.text.as_bytes(), needle.as_bytes()) {
            let i = self.ends.partition_point(|&end| end <= at);
            let within = i < self.ends.len() && at + needle.len() <= self.ends[i];
            if within && found.last() != Some(&(i as u32)) {
                found.push(i as u32);
            }
        }
        found
    }

    /// Bytes of text held, for memory accounting.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_replaces_invalid_utf8() {
        let t = StringTable::from_parts(b"ab\xffc".to_vec(), vec![2, 3, 4]);
        assert_eq!((t.get(0), t.get(1), t.get(2)), ("ab", "\u{fffd}", "c"));
        let mut t = StringTable::new();
        assert_eq!(t.push("x"), 0);
        assert_eq!(t.push(""), 1);
        assert_eq!((t.get(0), t.get(1), t.len()), ("x", "", 2));
    }

    #[test]
    fn finds_the_strings_containing_a_needle() {
        let mut t = StringTable::new();
        for s in ["abab", "ab", "xa", "bx", "", "cab"] {
            t.push(s);
        }
        // The match across the boundary of "xa" and "bx" is inside neither.
        assert_eq!(t.containing("ab"), vec![0, 1, 5]);
        assert_eq!(t.containing("zz"), Vec::<u32>::new());
    }
}
