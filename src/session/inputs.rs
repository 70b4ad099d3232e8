//! Which snapshots a command line names: files as given, or the snapshots in one directory.
//! Checks only names and identities; reading is [`super::progress`]'s job.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

fn usage(message: String) -> Error {
    Error::new(ErrorKind::Usage(message))
}

/// The snapshots named on the command line, oldest first: files as given, or the snapshots in
/// a directory (in file-name order). At least two, at most one from stdin, no file twice.
pub fn snapshot_paths(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let files = if files.len() == 1 && files[0].is_dir() {
        let dir = &files[0];
        let entries =
            std::fs::read_dir(dir).map_err(|e| usage(format!("reading {}: {e}", dir.display())))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|n| {
                    n.ends_with(".heapsnapshot")
                        || n.ends_with(".heapsnapshot.gz")
                        || n.ends_with(".heaptimeline")
                })
            })
            .collect();
        found.sort();
        if found.len() < 2 {
            return Err(usage(format!(
                "{}: a directory needs at least two .heapsnapshot files, found {}",
                dir.display(),
                found.len()
            )));
        }
        found
    } else {
        files.to_vec()
    };
    if files.len() < 2 {
        return Err(usage(
            "give at least two snapshots (BASE LATE), or a directory of them".to_string(),
        ));
    }
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(usage(
            "only one snapshot can come from stdin ('-')".to_string(),
        ));
    }
    for (i, a) in files.iter().enumerate() {
        for b in &files[i + 1..] {
            if same_file(a, b) {
                return Err(usage(format!(
                    "{} and {} are the same file: give snapshots taken at different times",
                    a.display(),
                    b.display()
                )));
            }
        }
    }
    Ok(files)
}

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
