//! Every line of every text report fits `--width`: pairs, three snapshots, a series,
//! `summary`, `--group-by stack` and `--group-by package`, at 60, 80 and 120 columns, and
//! unfitted (no width: tables as wide as their cells). The outputs are pinned in
//! tests/golden/widths/ (`UPDATE_GOLDEN=1 cargo test --test widths` rewrites them).

mod support;

use std::ffi::OsString;
use std::path::Path;

use support::{heapdiff, series, snapshot};

/// The reports checked: a name and the arguments.
fn cases() -> Vec<(&'static str, Vec<OsString>)> {
    let s = |name: &str| series(name).into_os_string();
    let p = |name: &str| snapshot(name).into_os_string();
    vec![
        ("pair", vec![p("node20-base"), p("node20-late")]),
        (
            "pair-chromium",
            vec![p("chromium-base"), p("chromium-late")],
        ),
        ("three", vec![s("s1"), s("s2"), s("s3")]),
        ("series", vec![s("s1"), s("s2"), s("s3"), s("s4")]),
        ("summary", vec!["summary".into(), p("node20-late")]),
        (
            "stack",
            vec![
                p("tracked-base"),
                p("tracked-late"),
                "--group-by".into(),
                "stack".into(),
            ],
        ),
        (
            "package",
            vec![
                s("s1"),
                s("s2"),
                s("s3"),
                s("s4"),
                "--group-by".into(),
                "package".into(),
            ],
        ),
        (
            "cluster",
            vec![
                p("node20-base"),
                p("node20-late"),
                "--cluster".into(),
                "1".into(),
            ],
        ),
    ]
}

#[test]
fn every_line_fits_the_width() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/widths");
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for (name, args) in cases() {
        for width in [Some(60), Some(80), Some(120), None] {
            let mut cmd = heapdiff();
            // Maps of the fixtures' libraries may be on one machine and not another.
            cmd.args(["-q", "--no-source-maps"])
                .args(&args)
                .env_remove("COLUMNS");
            // The fixtures were written in /work/main: their scripts show relative to it
            // wherever the repository is checked out (`summary` shows no script).
            if args[0] != "summary" {
                cmd.args(["--source-root", "/work/main"]);
            }
            if let Some(w) = width {
                cmd.arg("--width").arg(w.to_string());
            }
            let out = cmd.output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name} {width:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.lines().count() > 5, "{name} {width:?}: {text}");
            if let Some(w) = width {
                for line in text.lines() {
                    assert!(
                        line.chars().count() <= w,
                        "{name}: a line wider than {w}:\n{line}"
                    );
                }
            }
            let file = dir.join(match width {
                Some(w) => format!("{name}-{w}.txt"),
                None => format!("{name}.txt"),
            });
            if update {
                std::fs::write(&file, &text).unwrap();
            }
            let expected = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", file.display()));
            assert_eq!(
                text,
                expected,
                "{name} {width:?} differs from {}",
                file.display()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 32);
}

/// Unfitted, a report keeps its long lines: the widths test above is not vacuous.
#[test]
fn unfitted_reports_are_wider_than_sixty() {
    let out = heapdiff()
        .args(["-q"])
        .arg(series("s1"))
        .arg(series("s4"))
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.chars().count() > 120), "{text}");
}
