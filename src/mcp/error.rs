//! What a tool call can get wrong, as typed values: the server turns each into a tool error
//! whose text tells the agent what to ask instead.

use std::fmt;
use std::path::PathBuf;

/// A tool call that cannot be answered.
#[derive(Debug)]
pub enum ToolError {
    /// A snapshot number that load_snapshot never returned.
    NoSnapshot { asked: usize, loaded: usize },
    /// An object id the snapshot does not have.
    NoObject { snapshot: usize, id: u32 },
    /// A rank past the end of a list (`what` names the list).
    NoRank {
        what: &'static str,
        rank: usize,
        total: usize,
    },
    /// A file or folder that could not be read, with the path as given, as resolved and the
    /// root relative paths resolve against.
    Path {
        given: String,
        resolved: PathBuf,
        root: PathBuf,
        problem: String,
    },
    /// The snapshot was written without allocation tracking.
    NoStacks { snapshot: usize },
    /// Arguments that do not fit together (too few snapshots, no target for what_if).
    Arguments(String),
    /// The library could not compute the answer.
    Engine(String),
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::NoSnapshot { asked, loaded } => write!(
                f,
                "no snapshot {asked}: {loaded} loaded (load_snapshot first)"
            ),
            ToolError::NoObject { snapshot, id } => {
                write!(f, "snapshot {snapshot} has no object @{id}")
            }
            ToolError::NoRank { what, rank, total } => {
                write!(f, "no {what} #{rank}: there are {total} (ranks start at 1)")
            }
            ToolError::Path {
                given,
                resolved,
                root,
                problem,
            } => write!(
                f,
                "{problem}: {} (path {given:?} resolved against the server's root {})",
                resolved.display(),
                root.display()
            ),
            ToolError::NoStacks { snapshot } => write!(
                f,
                "snapshot {snapshot} has no allocation stacks (write it with \
                 --track-heap-objects or an allocation timeline)"
            ),
            ToolError::Arguments(message) | ToolError::Engine(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ToolError {}

impl From<crate::Error> for ToolError {
    fn from(e: crate::Error) -> ToolError {
        ToolError::Engine(e.to_string())
    }
}

/// The result of a tool's query.
pub type ToolResult<T> = std::result::Result<T, ToolError>;
