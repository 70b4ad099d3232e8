//! The bytes of a snapshot file: memory-mapped when plain, decompressed when gzip'd or zstd'd
//! (recognised by content), and paged in and out a window at a time. No JSON here.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use crate::error::{Error, Result};

/// The bytes of a snapshot file: memory-mapped when plain, decompressed into memory when gzip'd.
pub(super) enum Source {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Source {
    pub(super) fn paging(&self) -> &dyn Paging {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(_) => &InMemory,
        }
    }
}

/// Which parts of the input the parser is about to read and which it is done with. A mapped
/// file is paged in a window at a time and released behind the parser, so a multi-GB snapshot
/// is never resident all at once: what stays is the parsed columns.
pub(crate) trait Paging: Sync {
    /// `range` is read next: page it in now (one system call instead of a fault per page,
    /// which parallel parsers would contend on).
    fn will_need(&self, _range: Range<usize>) {}
    /// `range` has been parsed and is not read again.
    fn done_with(&self, _range: Range<usize>) {}
}

/// Input already in memory: nothing to page.
pub(crate) struct InMemory;

impl Paging for InMemory {}

impl Paging for memmap2::Mmap {
    fn will_need(&self, range: Range<usize>) {
        // Advice only: on kernels without MADV_POPULATE_READ (before 5.14) pages fault in.
        let _ = self.advise_range(memmap2::Advice::PopulateRead, range.start, range.len());
    }

    fn done_with(&self, range: Range<usize>) {
        // SAFETY: the map is a read-only private mapping of a file that heapdiff never writes,
        // so dropped pages read back the same bytes from the file if they are touched again.
        let _ = unsafe {
            self.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                range.start,
                range.len(),
            )
        };
    }
}

impl std::ops::Deref for Source {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
        }
    }
}
pub(super) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// How a file's bytes are compressed, recognised by their first bytes (not the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(&ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Decompresses a whole stream. Errors say how far decompression got.
fn decompress(kind: Compression, mut reader: impl Read) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let (format, result) = match kind {
        Compression::None => ("plain", reader.read_to_end(&mut out).map(drop)),
        Compression::Gzip => (
            "gzip",
            flate2::read::MultiGzDecoder::new(reader)
                .read_to_end(&mut out)
                .map(drop),
        ),
        Compression::Zstd => match ruzstd::decoding::StreamingDecoder::new(reader) {
            Ok(mut decoder) => ("zstd", decoder.read_to_end(&mut out).map(drop)),
            Err(e) => {
                return Err(Error::invalid(format!("zstd data is corrupt: {e}")));
            }
        },
    };
    result.map_err(|e| {
        Error::invalid(format!(
            "{format} data is corrupt or cut short after {} decompressed bytes: {e}",
            out.len()
        ))
    })?;
    Ok(out)
}

pub(super) fn decompress_if_compressed(bytes: Vec<u8>) -> Result<Vec<u8>> {
    match compression(&bytes) {
        Compression::None => Ok(bytes),
        kind => decompress(kind, &bytes[..]),
    }
}

pub(super) fn open(path: &Path) -> Result<Source> {
    let mut file = File::open(path)?;
    let mut head = [0u8; 4];
    let got = read_up_to(&mut file, &mut head)?;
    let kind = compression(&head[..got]);
    if kind != Compression::None {
        let reader = std::io::BufReader::new(File::open(path)?);
        return Ok(Source::Owned(decompress(kind, reader)?));
    }
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(Error::not_snapshot("it is a directory"));
    }
    if metadata.len() == 0 {
        return Err(Error::not_snapshot("the file is empty"));
    }
    // SAFETY: the map is read-only and lives only while parsing; heapdiff never writes to its
    // inputs. A file truncated by another process while mapped would raise SIGBUS, the
    // documented hazard of every mmap reader (ripgrep accepts the same). The parser pages it
    // in and out section by section (see `Paging`).
    let map = unsafe { memmap2::MmapOptions::new().map(&file)? };
    Ok(Source::Mapped(map))
}

/// Reads into `buf` until it is full or the input ends; returns how much was read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
