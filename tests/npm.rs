//! The npm packages (`npm/`): packed by `npm/pack.sh` with this build's binary, installed from
//! the tarballs into an empty project with no network (`npm install --offline`, a new cache),
//! and run with `npx heapdiff`. Needs node and npm.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use support::{heapdiff, snapshot};

/// The two tarballs (`heapdiff-VERSION.tgz`, `heapdiff-KEY-VERSION.tgz`), packed once.
fn tarballs() -> &'static [PathBuf; 2] {
    static PACKED: OnceLock<(tempfile::TempDir, [PathBuf; 2])> = OnceLock::new();
    &PACKED
        .get_or_init(|| {
            let out = tempfile::tempdir().unwrap();
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let output = Command::new("bash")
                .arg(root.join("npm/pack.sh"))
                .args(["--binary", env!("CARGO_BIN_EXE_heapdiff"), "--out"])
                .arg(out.path())
                .output()
                .expect("running npm/pack.sh (needs bash, node and npm)");
            assert!(
                output.status.success(),
                "npm/pack.sh failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let paths: Vec<PathBuf> = String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(PathBuf::from)
                .collect();
            assert_eq!(paths.len(), 2, "npm/pack.sh prints the two tarballs");
            let [main, platform] = [paths[0].clone(), paths[1].clone()];
            (out, [main, platform])
        })
        .1
}

/// An empty npm project with `packages` installed offline, from a cache of its own.
fn project(packages: &[&Path]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"empty","version":"1.0.0","private":true}"#,
    )
    .unwrap();
    let output = Command::new("npm")
        .current_dir(dir.path())
        .args(["install", "--offline", "--no-audit", "--no-fund", "--cache"])
        .arg(dir.path().join(".npm-cache"))
        .args(packages)
        .output()
        .expect("running npm install");
    assert!(
        output.status.success(),
        "npm install of {packages:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// `npx --offline heapdiff ARGS…` in `dir`, with a PATH that has node but no heapdiff or cargo.
fn npx(dir: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Output {
    let node_dir = which("node").parent().unwrap().to_path_buf();
    let mut cmd = Command::new(which("npx"));
    cmd.current_dir(dir)
        .env("PATH", format!("{}:/usr/bin:/bin", node_dir.display()))
        .env_remove("HEAPDIFF_BIN")
        .env("npm_config_cache", dir.join(".npm-cache"))
        .args(["--offline", "heapdiff"])
        .args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().expect("running npx")
}

fn which(program: &str) -> PathBuf {
    let output = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

/// The bundled pair, by absolute paths (npx runs in another folder).
fn pair() -> [PathBuf; 2] {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join(snapshot("node20-base")),
        root.join(snapshot("node20-late")),
    ]
}

#[test]
fn npx_heapdiff_from_the_tarballs_prints_what_the_binary_prints() {
    let [main, platform] = tarballs();
    let dir = project(&[main, platform]);
    let [base, late] = pair();
    let args = [
        "--source-root".as_ref(),
        "/work/main".as_ref(),
        base.as_os_str(),
        late.as_os_str(),
    ];
    let out = npx(dir.path(), &args, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let direct = heapdiff().args(args).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(direct.stdout).unwrap(),
        "npx heapdiff prints what the binary prints"
    );

    // Exit statuses pass through: 1 for an exceeded budget, 2 for a file that is no snapshot.
    let budget = [
        "--fail-if".as_ref(),
        "new-count>0".as_ref(),
        base.as_os_str(),
        late.as_os_str(),
    ];
    let out = npx(dir.path(), &budget, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("budget exceeded: new-count>0"));
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let out = npx(dir.path(), &["summary".as_ref(), readme.as_os_str()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("README.md"));
}

#[test]
fn the_platform_package_holds_a_stripped_executable_binary() {
    let [_, platform] = tarballs();
    let list = Command::new("tar")
        .arg("tvzf")
        .arg(platform)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let binary = list
        .lines()
        .find(|l| l.ends_with("package/bin/heapdiff"))
        .unwrap_or_else(|| panic!("no package/bin/heapdiff in {list}"));
    assert!(binary.starts_with("-rwxr-xr-x"), "{binary}");
    let size: u64 = binary.split_whitespace().nth(2).unwrap().parse().unwrap();
    let built = std::fs::metadata(env!("CARGO_BIN_EXE_heapdiff"))
        .unwrap()
        .len();
    assert!(
        size < built,
        "the packed binary is stripped ({size} of {built} bytes)"
    );
}

#[test]
fn without_the_platform_package_npx_says_what_to_do_and_heapdiff_bin_is_used() {
    let [main, _] = tarballs();
    let dir = project(&[main]);
    let out = npx(dir.path(), &["--version".as_ref()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("the package @heapdiff/linux-x64-gnu")
            && stderr.contains("set HEAPDIFF_BIN"),
        "{stderr}"
    );

    let bin = env!("CARGO_BIN_EXE_heapdiff");
    let out = npx(
        dir.path(),
        &["--version".as_ref()],
        &[("HEAPDIFF_BIN", bin)],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("heapdiff ")
    );

    let out = npx(
        dir.path(),
        &["--version".as_ref()],
        &[("HEAPDIFF_BIN", "/nonexistent/heapdiff")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HEAPDIFF_BIN is /nonexistent/heapdiff"));
}

/// Runs a test project's `run.sh` with the packed tarballs: it installs its pinned runners (npm
/// ci, the first time), installs the tarballs, runs the runners and checks every outcome.
fn run_project(script: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let [main, platform] = tarballs();
    let output = Command::new("bash")
        .arg(root.join(script))
        .arg(main)
        .arg(platform)
        .env_remove("HEAPDIFF_BIN")
        .output()
        .unwrap_or_else(|e| panic!("running {script}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{stdout}");
}

/// `assertNoLeak` under node:test, Jest and Vitest (npm/test/runners): the leaking handler's
/// test fails naming its closure's file and line, the test of a full cache and a one-time
/// init passes; the typings type-check with tsc.
#[test]
fn leak_tests_in_node_test_jest_and_vitest() {
    run_project("npm/test/runners/run.sh");
}

/// `heapdiff/playwright` with Debian's chromium (npm/test/playwright): the leaking page's spec
/// fails naming its listener's script and line, the clean page's passes.
#[test]
fn leak_tests_in_playwright() {
    run_project("npm/test/playwright/run.sh");
}
