//! Typed errors of the library. Every error that comes from a file names the file; parse errors
//! also carry the byte offset (in the decompressed text) where the problem was found.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error of heapdiff's library, with the file it concerns (if any).
#[derive(Debug)]
pub struct Error {
    path: Option<PathBuf>,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
pub enum ErrorKind {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file is not valid JSON at `offset`.
    Syntax { offset: usize, message: String },
    /// The file ends before the JSON document is complete.
    Truncated { offset: usize, context: String },
    /// The JSON is well formed but is not a V8 heap snapshot.
    NotSnapshot(String),
    /// `snapshot.meta` lacks a field heapdiff needs.
    MissingMeta(String),
    /// The snapshot's data contradicts itself (bad index, count mismatch, ...).
    Invalid(String),
    /// A number or a count is larger than heapdiff can represent.
    TooLarge(String),
    /// A budget or argument given by the user cannot be used.
    Usage(String),
    /// The report could not be written to `what` (stdout or a file).
    Write {
        what: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn new(kind: ErrorKind) -> Error {
        Error { path: None, kind }
    }

    /// Attaches the file this error concerns (keeps an already attached one).
    pub fn with_path(mut self, path: &Path) -> Error {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the reader of the output went away (`heapdiff … | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(&self.kind, ErrorKind::Io(e) | ErrorKind::Write { source: e, .. }
            if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Syntax {
            offset,
            message: message.into(),
        })
    }

    pub(crate) fn truncated(offset: usize, context: impl Into<String>) -> Error {
        Error::new(ErrorKind::Truncated {
            offset,
            context: context.into(),
        })
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Invalid(message.into()))
    }

    pub(crate) fn too_large(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::TooLarge(message.into()))
    }

    pub(crate) fn not_snapshot(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotSnapshot(message.into()))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Syntax { offset, message } => {
                write!(f, "invalid JSON at byte {offset}: {message}")
            }
            ErrorKind::Truncated { offset, context } => write!(
                f,
                "file ends at byte {offset} {context}: the snapshot is truncated \
                 (was the writing process killed, or the copy cut short?)"
            ),
            ErrorKind::NotSnapshot(m) => write!(f, "not a V8 heap snapshot: {m}"),
            ErrorKind::MissingMeta(field) => {
                write!(
                    f,
                    "not a usable heap snapshot: snapshot.meta has no {field}"
                )
            }
            ErrorKind::Invalid(m) => write!(f, "corrupt heap snapshot: {m}"),
            ErrorKind::TooLarge(m) => write!(f, "snapshot too large: {m}"),
            ErrorKind::Usage(m) => write!(f, "{m}"),
            ErrorKind::Write { what, source } => write!(f, "writing {what}: {source}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {}", p.display(), self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {
    // The I/O error's text is already part of this error's message, so it is not repeated as
    // a source (anyhow's `{:#}` would print it twice).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        None
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
