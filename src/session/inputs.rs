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
    let dirs = files.iter().filter(|f| f.is_dir()).count();
    if dirs > 0 && files.len() > 1 {
        return Err(usage(
            "give one directory of snapshots, or two or more snapshot files, not both".to_string(),
        ));
    }
    let files = if dirs == 1 {
        let dir = &files[0];
        let entries =
            std::fs::read_dir(dir).map_err(|e| usage(format!("reading {}: {e}", dir.display())))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .is_some_and(|n| is_snapshot_name(&n.to_string_lossy()))
            })
            .collect();
        found.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
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
            "give at least two snapshots (BASE LATE), a directory of them, or one \
             allocation-timeline recording with --between FROM..TO"
                .to_string(),
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

/// Whether a file name is a snapshot's: `.heapsnapshot` or `.heaptimeline`, maybe `.gz`/`.zst`.
fn is_snapshot_name(name: &str) -> bool {
    let stem = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(name);
    stem.ends_with(".heapsnapshot") || stem.ends_with(".heaptimeline")
}

/// File-name order with numbers compared as numbers: `s2` before `s10`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut digits = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(c);
                        it.next();
                    }
                    digits
                };
                let (m, n) = (take(&mut x), take(&mut y));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let order = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if order.is_ne() {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// An error unless `output` is a file other than every input (compared by device and inode,
/// so a symbolic or hard link to an input is caught too): heapdiff never overwrites a snapshot.
pub fn check_output(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
        if std::fs::metadata(input).is_ok_and(|m| same_inode(&m, &out)) {
            return Err(usage(format!(
                "--output {} is the input {}: heapdiff never overwrites its inputs",
                output.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::{is_snapshot_name, natural_cmp};
    use std::cmp::Ordering;

    #[test]
    fn snapshots_sort_in_natural_order() {
        let mut names = vec!["s10.heapsnapshot", "s2.heapsnapshot", "s1.heapsnapshot"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            ["s1.heapsnapshot", "s2.heapsnapshot", "s10.heapsnapshot"]
        );
        assert_eq!(natural_cmp("a-007", "a-7"), Ordering::Less);
        assert_eq!(natural_cmp("b9", "a10"), Ordering::Greater);
        assert!(is_snapshot_name("x.heapsnapshot.zst") && is_snapshot_name("y.heaptimeline.gz"));
        assert!(!is_snapshot_name("notes.txt") && !is_snapshot_name("x.heapsnapshot.bak"));
    }
}
