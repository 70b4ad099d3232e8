//! Parallel reading of the big numeric arrays (`nodes`, `edges`): the array is cut into
//! chunks that start at record boundaries, and each chunk is parsed on its own thread straight
//! into its slice of the output columns. Numbers must be non-negative integers that fit in 32
//! bits; errors carry absolute byte offsets.

use std::ops::Range;

use rayon::prelude::*;

use super::scan::describe_byte;
use crate::error::{Error, Result};

/// Arrays smaller than this are parsed in one piece.
const MIN_PARALLEL_BYTES: usize = 4 << 20;
/// Target size of one chunk.
const CHUNK_BYTES: usize = 8 << 20;

/// How an array is cut into chunks (tests use tiny sizes to exercise the cutting).
#[derive(Clone, Copy)]
struct Chunking {
    min_parallel: usize,
    chunk: usize,
}

const CHUNKING: Chunking = Chunking {
    min_parallel: MIN_PARALLEL_BYTES,
    chunk: CHUNK_BYTES,
};

/// Column slices a chunk of records is written into.
pub(crate) trait Columns: Send + Sized {
    /// Splits off the first `records` records.
    fn split(self, records: usize) -> (Self, Self);
    /// Stores record `record` (relative to this slice), given all its field values.
    fn store(&mut self, record: usize, values: &[u32]);
}

/// Records kept as one flat vector, `fields` values each.
pub(crate) struct Flat<'a> {
    pub values: &'a mut [u32],
    pub fields: usize,
}

impl Columns for Flat<'_> {
    fn split(self, records: usize) -> (Self, Self) {
        let (a, b) = self.values.split_at_mut(records * self.fields);
        (
            Flat {
                values: a,
                fields: self.fields,
            },
            Flat {
                values: b,
                fields: self.fields,
            },
        )
    }

    fn store(&mut self, record: usize, values: &[u32]) {
        let start = record * self.fields;
        self.values[start..start + self.fields].copy_from_slice(values);
    }
}

/// Where the array body ends: the position of its `]`, or truncation.
pub(crate) fn array_end(buf: &[u8], body_start: usize, context: &str) -> Result<usize> {
    buf[body_start..]
        .iter()
        .position(|&b| b == b']')
        .map(|i| body_start + i)
        .ok_or_else(|| Error::truncated(buf.len(), context))
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

fn count_commas(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b',').count() as u64
}

/// The number of values in the array body (commas + 1, or 0 when it is blank).
pub(crate) fn value_count(buf: &[u8], body: Range<usize>) -> u64 {
    let bytes = &buf[body];
    if bytes.iter().all(|&b| is_ws(b)) {
        return 0;
    }
    let commas: u64 = if bytes.len() >= MIN_PARALLEL_BYTES {
        bytes.par_chunks(CHUNK_BYTES).map(count_commas).sum()
    } else {
        count_commas(bytes)
    };
    commas + 1
}

/// Chunk boundaries: (byte range without the separating comma, first record index).
fn record_chunks(
    buf: &[u8],
    body: Range<usize>,
    fields: usize,
    sizes: Chunking,
) -> Vec<(Range<usize>, usize)> {
    let len = body.end - body.start;
    if len < sizes.min_parallel {
        return vec![(body, 0)];
    }
    let pieces = len.div_ceil(sizes.chunk);
    let starts: Vec<usize> = (0..pieces).map(|i| body.start + i * sizes.chunk).collect();
    let commas: Vec<u64> = starts
        .par_iter()
        .map(|&s| count_commas(&buf[s..(s + sizes.chunk).min(body.end)]))
        .collect();
    // For each piece after the first: hop to the first comma after which a record starts.
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (comma position, record index after it)
    let mut before = 0u64;
    for (i, &s) in starts.iter().enumerate() {
        if i > 0 {
            let mut pos = s;
            let mut index = before; // commas before `pos`
            let cut = loop {
                let Some(offset) = buf[pos..body.end].iter().position(|&b| b == b',') else {
                    break None;
                };
                let comma = pos + offset;
                index += 1;
                if index.is_multiple_of(fields as u64) {
                    break Some((comma, (index / fields as u64) as usize));
                }
                pos = comma + 1;
            };
            if let Some(c) = cut
                && cuts.last().is_none_or(|last| last.0 < c.0)
            {
                cuts.push(c);
            }
        }
        before += commas[i];
    }
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut start = body.start;
    let mut record = 0;
    for (comma, next_record) in cuts {
        chunks.push((start..comma, record));
        start = comma + 1;
        record = next_record;
    }
    chunks.push((start..body.end, record));
    chunks
}

/// Parses `n,n,…,n` in `range` into `columns`, `fields` values per record.
fn parse_chunk<C: Columns>(
    buf: &[u8],
    range: Range<usize>,
    fields: usize,
    (records, columns): (usize, &mut C),
    context: &str,
) -> Result<()> {
    let mut pos = range.start;
    let end = range.end;
    // Position of the next value: record and field (counted, not divided: this is the hot loop).
    // A record's values are collected and stored together, one dispatch per record.
    let (mut record, mut field) = (0usize, 0usize);
    let mut row = vec![0u32; fields];
    loop {
        while pos < end && is_ws(buf[pos]) {
            pos += 1;
        }
        let start = pos;
        let mut value: u64 = 0;
        while pos < end {
            let d = buf[pos].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            value = value * 10 + d as u64;
            if value > u32::MAX as u64 {
                return Err(Error::too_large(format!(
                    "number at byte {start} {context} does not fit in 32 bits"
                )));
            }
            pos += 1;
        }
        if pos == start {
            return Err(match buf.get(pos) {
                Some(&b) if pos < end || b != b']' => Error::syntax(
                    pos,
                    format!(
                        "expected a non-negative integer {context}, found {}",
                        describe_byte(b)
                    ),
                ),
                _ => Error::syntax(pos, format!("expected a number {context}")),
            });
        }
        if record >= records {
            return Err(Error::syntax(
                start,
                format!("more numbers than expected {context}"),
            ));
        }
        row[field] = value as u32;
        field += 1;
        if field == fields {
            columns.store(record, &row);
            field = 0;
            record += 1;
        }
        while pos < end && is_ws(buf[pos]) {
            pos += 1;
        }
        if pos == end {
            return Ok(());
        }
        if buf[pos] != b',' {
            return Err(Error::syntax(
                pos,
                format!(
                    "expected ',' or ']' after a number {context}, found {}",
                    describe_byte(buf[pos])
                ),
            ));
        }
        pos += 1;
    }
}

/// Parses the array body `body` (between `[` and `]`) of `records` records into `columns`,
/// in parallel for big arrays. The caller has checked that the body holds exactly
/// `records * fields` values (see [`value_count`]).
pub(crate) fn parse_records<C: Columns>(
    buf: &[u8],
    body: Range<usize>,
    fields: usize,
    records: usize,
    columns: C,
    context: &str,
) -> Result<()> {
    parse_records_chunked(buf, body, fields, records, columns, context, CHUNKING)
}

fn parse_records_chunked<C: Columns>(
    buf: &[u8],
    body: Range<usize>,
    fields: usize,
    records: usize,
    columns: C,
    context: &str,
    sizes: Chunking,
) -> Result<()> {
    if records == 0 {
        return Ok(());
    }
    let chunks = record_chunks(buf, body, fields, sizes);
    let mut work: Vec<(Range<usize>, usize, C)> = Vec::with_capacity(chunks.len());
    let mut rest = columns;
    for i in 0..chunks.len() {
        let next = chunks.get(i + 1).map_or(records, |c| c.1);
        let count = next.saturating_sub(chunks[i].1);
        let (mine, tail) = rest.split(count);
        work.push((chunks[i].0.clone(), count, mine));
        rest = tail;
    }
    work.into_par_iter()
        .try_for_each(|(range, count, mut cols)| {
            parse_chunk(buf, range, fields, (count, &mut cols), context)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of three fields, kept as rows.
    struct Rows<'a>(&'a mut [[u32; 3]]);

    impl Columns for Rows<'_> {
        fn split(self, records: usize) -> (Self, Self) {
            let (a, b) = self.0.split_at_mut(records);
            (Rows(a), Rows(b))
        }
        fn store(&mut self, record: usize, values: &[u32]) {
            self.0[record].copy_from_slice(values);
        }
    }

    fn parse(text: &str, sizes: Chunking) -> Result<Vec<[u32; 3]>> {
        let buf = text.as_bytes();
        let end = array_end(buf, 1, "")?;
        let values = value_count(buf, 1..end);
        assert_eq!(values % 3, 0);
        let mut rows = vec![[0u32; 3]; (values / 3) as usize];
        parse_records_chunked(buf, 1..end, 3, rows.len(), Rows(&mut rows), "", sizes)?;
        Ok(rows)
    }

    #[test]
    fn chunked_parsing_equals_one_piece() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        for round in 0..50 {
            let records = 1 + round * 7;
            let mut text = String::from("[");
            let mut expected = Vec::new();
            for r in 0..records {
                let mut row = [0u32; 3];
                for (f, cell) in row.iter_mut().enumerate() {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    *cell = (seed % [10, 1000, u32::MAX as u64][f]) as u32;
                    if r + f > 0 {
                        text.push_str(if seed.is_multiple_of(5) { ",\n" } else { "," });
                    }
                    text.push_str(&cell.to_string());
                }
                expected.push(row);
            }
            text.push(']');
            for chunk in [1, 2, 3, 5, 8, 13, 64] {
                let sizes = Chunking {
                    min_parallel: 0,
                    chunk,
                };
                assert_eq!(
                    parse(&text, sizes).unwrap(),
                    expected,
                    "chunk {chunk}: {text}"
                );
            }
        }
    }

    #[test]
    fn chunked_parsing_reports_errors_at_their_offset() {
        let sizes = Chunking {
            min_parallel: 0,
            chunk: 4,
        };
        let e = parse("[1,2,3,4,x,6]", sizes).unwrap_err();
        assert!(e.to_string().contains("at byte 9"), "{e}");
        let e = parse("[1,2,3,4,5,]", sizes).unwrap_err();
        assert!(e.to_string().contains("expected a number"), "{e}");
        let e = parse("[1,2,3,4,5,99999999999]", sizes).unwrap_err();
        assert!(e.to_string().contains("does not fit in 32 bits"), "{e}");
    }
}
