//! Parallel reading of the big numeric arrays (`nodes`, `edges`): the array is cut into
//! chunks that start at record boundaries, and each chunk is parsed on its own thread straight
//! into its slice of the output columns. Numbers must be non-negative integers that fit in 32
//! bits; errors carry absolute byte offsets.

use std::ops::Range;

use rayon::prelude::*;

use super::Paging;
use super::scan::describe_byte;
use crate::error::{Error, Result};

/// Arrays smaller than this are parsed in one piece.
const MIN_PARALLEL_BYTES: usize = 4 << 20;
/// Target size of one chunk.
const CHUNK_BYTES: usize = 8 << 20;
/// How much of an array is paged in at once.
const PAGING_WINDOW: usize = 32 << 20;

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

/// A numeric array's body (between `[` and `]`), measured in one parallel pass: its value
/// count, and the commas in each chunk, which later cut it at record boundaries.
pub(crate) struct ArrayBody {
    pub range: Range<usize>,
    /// Commas + 1, or 0 when the body is blank.
    pub values: u64,
    /// Commas in each `sizes.chunk`-sized piece from the start; empty for small bodies.
    chunk_commas: Vec<u64>,
    sizes: Chunking,
}

/// Measures the array body that starts at `body_start` (just after its `[`).
/// The body is paged in (`paging`) a window at a time while its end is searched for.
pub(crate) fn array_body(
    buf: &[u8],
    body_start: usize,
    context: &str,
    paging: &dyn Paging,
) -> Result<ArrayBody> {
    array_body_chunked(buf, body_start, context, paging, CHUNKING)
}

fn array_body_chunked(
    buf: &[u8],
    body_start: usize,
    context: &str,
    paging: &dyn Paging,
    sizes: Chunking,
) -> Result<ArrayBody> {
    // Pieces of `sizes.chunk` bytes are paged in, searched for the `]` and their commas
    // counted on both cores, a window of them at a time, until a piece holds the `]`.
    let per_window = (PAGING_WINDOW / sizes.chunk).clamp(1, 16);
    let mut chunk_commas: Vec<u64> = Vec::new();
    let end = loop {
        let first = body_start + chunk_commas.len() * sizes.chunk;
        if first >= buf.len() {
            return Err(Error::truncated(buf.len(), context));
        }
        let pieces: Vec<(u64, Option<usize>)> = (0..per_window)
            .into_par_iter()
            .map(|i| {
                let from = (first + i * sizes.chunk).min(buf.len());
                let piece = from..(from + sizes.chunk).min(buf.len());
                paging.will_need(piece.clone());
                commas_until_bracket(&buf[piece])
            })
            .collect();
        match pieces.iter().position(|(_, bracket)| bracket.is_some()) {
            Some(i) => {
                chunk_commas.extend(pieces[..=i].iter().map(|(commas, _)| commas));
                let bracket = pieces[i].1.expect("found");
                break body_start + (chunk_commas.len() - 1) * sizes.chunk + bracket;
            }
            None => chunk_commas.extend(pieces.iter().map(|(commas, _)| commas)),
        }
    };
    let commas: u64 = chunk_commas.iter().sum();
    if end - body_start < sizes.min_parallel {
        chunk_commas.clear();
    }
    let values = if commas == 0 && buf[body_start..end].iter().all(|&b| is_ws(b)) {
        0
    } else {
        commas + 1
    };
    Ok(ArrayBody {
        range: body_start..end,
        values,
        chunk_commas,
        sizes,
    })
}

/// The commas in `bytes` before its first `]`, and where that `]` is.
fn commas_until_bracket(bytes: &[u8]) -> (u64, Option<usize>) {
    let mut commas = 0;
    for (i, run) in bytes.chunks(255).enumerate() {
        if run.iter().fold(false, |found, &b| found | (b == b']')) {
            let at = memchr::memchr(b']', run).expect("a `]` in the run");
            return (commas + count_commas(&run[..at]), Some(i * 255 + at));
        }
        commas += count_commas(run);
    }
    (commas, None)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Counts commas in runs of 255 bytes with a byte-wide counter, which compiles to wide
/// compare-and-subtract instructions (a plain `filter().count()` widens every byte to 64 bits).
fn count_commas(bytes: &[u8]) -> u64 {
    bytes
        .chunks(255)
        .map(|run| run.iter().fold(0u8, |n, &b| n + (b == b',') as u8) as u64)
        .sum()
}

/// Chunk boundaries: (byte range without the separating comma, first record index).
fn record_chunks(buf: &[u8], body: &ArrayBody, fields: usize) -> Vec<(Range<usize>, usize)> {
    let range = body.range.clone();
    if body.chunk_commas.is_empty() {
        return vec![(range, 0)];
    }
    // For each piece after the first: hop to the first comma after which a record starts.
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (comma position, record index after it)
    let mut before = 0u64;
    for (i, commas) in body.chunk_commas.iter().enumerate() {
        let s = range.start + i * body.sizes.chunk;
        if i > 0 {
            let mut pos = s;
            let mut index = before; // commas before `pos`
            let cut = loop {
                let Some(offset) = memchr::memchr(b',', &buf[pos..range.end]) else {
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
        before += commas;
    }
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut start = range.start;
    let mut record = 0;
    for (comma, next_record) in cuts {
        chunks.push((start..comma, record));
        start = comma + 1;
        record = next_record;
    }
    chunks.push((start..range.end, record));
    chunks
}

/// Reads the run of ASCII digits at `pos` (not past `end`): its value, saturated just above
/// `u32::MAX`, and its length. Eight bytes are classified and converted at once (SWAR) where
/// the buffer allows; this is the parser's hot loop.
#[inline(always)]
fn digits(buf: &[u8], pos: usize, end: usize) -> (u64, usize) {
    if let Some(window) = buf.get(pos..pos + 16) {
        let first = u64::from_le_bytes(window[..8].try_into().expect("8 bytes"));
        let n = leading_digits(first);
        if n < 8 {
            if pos + n <= end {
                return (digits_value(first, n), n);
            }
        } else {
            let second = u64::from_le_bytes(window[8..].try_into().expect("8 bytes"));
            let m = leading_digits(second);
            if m < 8 && pos + 8 + m <= end {
                let high = digits_value(first, 8);
                let value = high * 10u64.pow(m as u32) + digits_value(second, m);
                return (value.min(u32::MAX as u64 + 1), 8 + m);
            }
        }
    }
    let mut value: u64 = 0;
    let mut len = 0;
    while pos + len < end {
        let d = buf[pos + len].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        value = (value * 10 + d as u64).min(u32::MAX as u64 + 1);
        len += 1;
    }
    (value, len)
}

/// How many of the eight bytes of `word` (first byte lowest) are ASCII digits before the
/// first byte that is not.
#[inline(always)]
fn leading_digits(word: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte is a digit iff its high nibble is 3 and adding 6 keeps it 3. Carries between
    // bytes start only at bytes >= 0xFA, which are not digits, so the first non-digit is exact.
    let high = (word & (0xF0 * ONES)) ^ (0x30 * ONES);
    let low = (word.wrapping_add(0x06 * ONES) & (0xF0 * ONES)) ^ (0x30 * ONES);
    let not_digit = high | low;
    let marked =
        ((not_digit & (0x7F * ONES)).wrapping_add(0x7F * ONES) | not_digit) & (0x80 * ONES);
    (marked.trailing_zeros() / 8) as usize
}

/// The value of the first `n` (1..=8) bytes of `word`, all ASCII digits.
#[inline(always)]
fn digits_value(word: u64, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    // Move the digits to the top bytes (zeros above act as leading zeros), then combine
    // pairs, quads and halves with one multiplication each.
    let d = (word << (8 * (8 - n))) & 0x0F0F_0F0F_0F0F_0F0F;
    let d = (d.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let d = (d.wrapping_mul(100 * 65536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    d.wrapping_mul(10000 * (1 << 32) + 1) >> 32
}

/// Parses `n,n,…,n` in `range` into `columns`, `fields` values per record: whole records
/// first by [`plain_records`] where V8's layouts allow, the rest (and anything unusual) by
/// [`parse_values`].
fn parse_chunk<C: Columns>(
    buf: &[u8],
    range: Range<usize>,
    fields: usize,
    (records, columns): (usize, &mut C),
    context: &str,
) -> Result<()> {
    let (done, pos) = match fields {
        3 => plain_records::<C, 3>(buf, range.clone(), records, columns),
        4 => plain_records::<C, 4>(buf, range.clone(), records, columns),
        6 => plain_records::<C, 6>(buf, range.clone(), records, columns),
        7 => plain_records::<C, 7>(buf, range.clone(), records, columns),
        _ => (0, range.start),
    };
    parse_values(
        buf,
        pos..range.end,
        fields,
        (done, records, columns),
        context,
    )
}

/// The hot loop: whole records of `FIELDS` numbers of at most 10 digits, each followed by
/// `,` or by `\n,` (how V8 ends a record), while far enough from the chunk's end that neither
/// can run past it. Where each number ends comes from a mask of the non-digits in 64 bytes
/// at a time, so finding the next number does not wait for the last one's value. Stops
/// before the first record that is anything else, which [`parse_values`] then reads or
/// reports. Returns the records stored and where the next one starts.
fn plain_records<C: Columns, const FIELDS: usize>(
    buf: &[u8],
    range: Range<usize>,
    records: usize,
    columns: &mut C,
) -> (usize, usize) {
    // 10 digits and `\n,` per value, and the 16 bytes read for a number's digits.
    let margin = FIELDS * 12 + 16;
    let (mut pos, mut record) = (range.start, 0);
    // The 64 bytes from `block` have their non-digits in `mask`; `p - block < 64` throughout.
    let mut block = pos;
    let Some(mut mask) = non_digits(buf, block) else {
        return (0, pos);
    };
    let mut row = [0u32; FIELDS];
    'records: while record < records && pos + margin < range.end {
        let mut p = pos;
        for value in row.iter_mut() {
            let rel = p - block;
            let ahead = mask >> rel;
            let len = if ahead != 0 {
                ahead.trailing_zeros() as usize
            } else {
                block += 64;
                mask = match non_digits(buf, block) {
                    Some(m) if m != 0 => m,
                    _ => break 'records,
                };
                64 - rel + mask.trailing_zeros() as usize
            };
            if len == 0 || len > 10 {
                break 'records;
            }
            let first = u64::from_le_bytes(buf[p..p + 8].try_into().expect("8 bytes"));
            let v = if len <= 8 {
                digits_value(first, len)
            } else {
                let second = u64::from_le_bytes(buf[p + 8..p + 16].try_into().expect("8 bytes"));
                digits_value(first, 8) * if len == 9 { 10 } else { 100 }
                    + digits_value(second, len - 8)
            };
            if v > u32::MAX as u64 {
                break 'records;
            }
            *value = v as u32;
            let end = p + len;
            p = match buf[end] {
                b',' => end + 1,
                b'\n' if buf[end + 1] == b',' => end + 2,
                _ => break 'records,
            };
            if p - block >= 64 {
                block += 64;
                mask = match non_digits(buf, block) {
                    Some(m) => m,
                    None => break 'records,
                };
            }
        }
        columns.store(record, &row);
        record += 1;
        pos = p;
    }
    (record, pos)
}

/// A bit for each of the 64 bytes at `at` that is not an ASCII digit (bit `i` for byte
/// `at + i`); `None` when fewer than 64 bytes are left.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn non_digits(buf: &[u8], at: usize) -> Option<u64> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_sub_epi8,
    };
    let bytes = buf.get(at..at + 64)?;
    let mut digits = 0u64;
    for (i, lane) in bytes.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86_64 CPU; the load reads the 16 bytes of `lane`.
        // A byte is a digit when (byte - '0') wraps to at most 9.
        let mask = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d))
        };
        digits |= (mask as u32 as u64 & 0xFFFF) << (16 * i);
    }
    Some(!digits)
}

/// [`non_digits`] a byte at a time, for other architectures (and to test the fast one).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn non_digits_bytewise(buf: &[u8], at: usize) -> Option<u64> {
    let bytes = buf.get(at..at + 64)?;
    Some(bytes.iter().enumerate().fold(0u64, |mask, (i, &b)| {
        mask | ((b.wrapping_sub(b'0') > 9) as u64) << i
    }))
}

#[cfg(not(target_arch = "x86_64"))]
fn non_digits(buf: &[u8], at: usize) -> Option<u64> {
    non_digits_bytewise(buf, at)
}

/// Parses `n,n,…,n` in `range` value by value, allowing whitespace around every number, from
/// record `first` of `records`; errors name the byte where the text goes wrong.
fn parse_values<C: Columns>(
    buf: &[u8],
    range: Range<usize>,
    fields: usize,
    (first, records, columns): (usize, usize, &mut C),
    context: &str,
) -> Result<()> {
    let mut pos = range.start;
    let end = range.end;
    // Position of the next value: record and field (counted, not divided).
    // A record's values are collected and stored together, one dispatch per record.
    let (mut record, mut field) = (first, 0usize);
    let mut row = vec![0u32; fields];
    loop {
        while pos < end && is_ws(buf[pos]) {
            pos += 1;
        }
        let start = pos;
        let (value, len) = digits(buf, pos, end);
        pos += len;
        if value > u32::MAX as u64 {
            return Err(Error::too_large(format!(
                "number at byte {start} {context} does not fit in 32 bits"
            )));
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

/// Parses the array body `body` of `records` records into `columns`, in parallel for big
/// arrays. The caller has checked that the body holds exactly `records * fields` values.
pub(crate) fn parse_records<C: Columns>(
    buf: &[u8],
    body: &ArrayBody,
    fields: usize,
    records: usize,
    columns: C,
    context: &str,
) -> Result<()> {
    if records == 0 {
        return Ok(());
    }
    let chunks = record_chunks(buf, body, fields);
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
        let body = array_body_chunked(buf, 1, "", &super::super::InMemory, sizes)?;
        assert_eq!(body.values % 3, 0);
        let mut rows = vec![[0u32; 3]; (body.values / 3) as usize];
        parse_records(buf, &body, 3, rows.len(), Rows(&mut rows), "")?;
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
    fn digit_runs_read_eight_bytes_at_a_time_equal_the_byte_loop() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 1 + (seed % 18) as usize;
            let mut text: Vec<u8> = (0..len)
                .map(|i| b'0' + ((seed >> (i * 3)) % 10) as u8)
                .collect();
            let tail =
                [b',', b']', b'\n', b' ', b'/', b':', 0xFF, 0xFA, b'x'][(seed >> 60) as usize % 9];
            text.push(tail);
            text.extend_from_slice(b"12345678901234567890");
            let expected = std::str::from_utf8(&text[..len])
                .unwrap()
                .parse::<u128>()
                .unwrap()
                .min(u32::MAX as u128 + 1) as u64;
            assert_eq!(digits(&text, 0, text.len()), (expected, len), "{text:?}");
            // A range end inside the run stops it there.
            let cut = len / 2;
            let expected_cut = if cut == 0 {
                0
            } else {
                std::str::from_utf8(&text[..cut])
                    .unwrap()
                    .parse::<u128>()
                    .unwrap()
                    .min(u32::MAX as u128 + 1) as u64
            };
            assert_eq!(
                digits(&text, 0, cut),
                (expected_cut, cut),
                "{text:?} cut {cut}"
            );
        }
    }

    #[test]
    fn the_non_digit_mask_equals_the_bytewise_one() {
        let text: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        for at in 0..text.len() - 63 {
            assert_eq!(
                non_digits(&text, at),
                non_digits_bytewise(&text, at),
                "at {at}"
            );
        }
        assert_eq!(non_digits(&text, text.len() - 63), None);
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
