//! `heapdiff capture`: heap snapshots of a running Node process, with no change to its code.
//! It opens the process's inspector (or asks Node to open one with SIGUSR1), and every
//! interval collects garbage and streams `HeapProfiler.takeHeapSnapshot` chunks straight into
//! `DIR/NNN.heapsnapshot.gz` (a temporary file renamed when whole; never the whole snapshot in
//! memory). What to report on the files is the session's business.

mod inspector;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use inspector::{Session, debugger_url, failed};

/// The port Node opens its inspector on when sent SIGUSR1.
const DEFAULT_INSPECTOR_PORT: u16 = 9229;

/// Which process.
#[derive(Debug, Clone)]
pub enum Target {
    /// A process started with `--inspect[=HOST:PORT]`.
    Inspect { host: String, port: u16 },
    /// A local Node process by pid: SIGUSR1 opens its inspector on 127.0.0.1:9229.
    Pid(u32),
}

/// What to capture.
#[derive(Debug, Clone)]
pub struct CaptureRequest {
    pub target: Target,
    pub every: Duration,
    pub count: usize,
    pub dir: PathBuf,
    /// Collect garbage before each snapshot (`HeapProfiler.collectGarbage`).
    pub gc: bool,
    /// Start allocation tracking first, so that the snapshots carry allocation stacks.
    pub track_allocations: bool,
}

/// Takes the snapshots; returns the files written, also when `stop` (Ctrl-C) ended it early.
/// `progress` hears one line per step.
pub fn capture(
    request: &CaptureRequest,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<PathBuf>> {
    let (host, port) = match &request.target {
        Target::Inspect { host, port } => (host.clone(), *port),
        Target::Pid(pid) => {
            open_inspector(*pid)?;
            ("127.0.0.1".to_string(), DEFAULT_INSPECTOR_PORT)
        }
    };
    let url = wait_for_inspector(&host, port, &request.target)?;
    let mut session = Session::connect(&url)?;
    std::fs::create_dir_all(&request.dir).map_err(|e| {
        Error::new(ErrorKind::Usage(format!(
            "creating {}: {e}",
            request.dir.display()
        )))
    })?;
    let mut ignore = |_: &str, _: &serde_json::Value| Ok(());
    session.call("HeapProfiler.enable", json!({}), stop, &mut ignore)?;
    if request.track_allocations {
        session.call(
            "HeapProfiler.startTrackingHeapObjects",
            json!({"trackAllocations": true}),
            stop,
            &mut ignore,
        )?;
    }
    let mut files = Vec::new();
    let first = next_number(&request.dir);
    for i in 0..request.count {
        if i > 0 && !sleep_unless_stopped(request.every, stop) {
            break;
        }
        let path = request
            .dir
            .join(format!("{:03}.heapsnapshot.gz", first + i));
        progress(&format!(
            "snapshot {} of {}: {}",
            i + 1,
            request.count,
            path.display()
        ));
        match take_snapshot(&mut session, request.gc, &path, stop) {
            Ok(()) => {
                record_memory(&mut session, &path, stop);
                files.push(path);
            }
            Err(_) if stop.load(Ordering::Relaxed) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(files)
}

/// The first free snapshot number in `dir`, so that a second capture adds to the series.
fn next_number(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".heapsnapshot.gz")?.parse::<usize>().ok()
        })
        .max()
        .map_or(1, |n| n + 1)
}

/// Sends SIGUSR1 to `pid` (Node's documented way to open the inspector of a running process).
fn open_inspector(pid: u32) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args(["-USR1", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| failed(format!("sending SIGUSR1 to {pid}: {e}")))?;
    if !status.success() {
        return Err(failed(format!(
            "cannot signal process {pid}: no such process, or not yours"
        )));
    }
    Ok(())
}

/// The debugger URL, retried for a few seconds while a signalled process opens its inspector.
fn wait_for_inspector(host: &str, port: u16, target: &Target) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match debugger_url(host, port) {
            Ok(url) => return Ok(url),
            Err(e) if Instant::now() >= deadline || matches!(target, Target::Inspect { .. }) => {
                return Err(match target {
                    Target::Pid(pid) => failed(format!(
                        "process {pid} opened no inspector on 127.0.0.1:{port} after SIGUSR1 \
                         (is it a Node process? is the port taken?): {e}"
                    )),
                    Target::Inspect { .. } => e,
                });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// Waits `every`, in short steps; false when stopped meanwhile.
fn sleep_unless_stopped(every: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + every;
    while Instant::now() < end {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(100)));
    }
    !stop.load(Ordering::Relaxed)
}

/// What `process.memoryUsage()` (and V8's heap statistics) say, right after the snapshot.
const MEMORY_EXPRESSION: &str = "JSON.stringify(Object.assign(process.memoryUsage(), {time: Date.now(), \
    heapStatistics: typeof require === 'function' ? require('v8').getHeapStatistics() : undefined}))";

/// Writes the process's memory beside the snapshot at `path` (`NNN.memory.json`), so that
/// reports can split its RSS growth; a process without `process` (a browser) gets none.
fn record_memory(session: &mut Session, path: &Path, stop: &AtomicBool) {
    let mut ignore = |_: &str, _: &serde_json::Value| Ok(());
    let params = json!({
        "expression": MEMORY_EXPRESSION,
        "includeCommandLineAPI": true,
        "returnByValue": true,
    });
    let Ok(result) = session.call("Runtime.evaluate", params, stop, &mut ignore) else {
        return;
    };
    if let Some(text) = result["result"]["value"].as_str() {
        let beside = crate::read::memory::memory_path(path);
        let _ = crate::atomic::write_atomically(&beside, |file| {
            file.write_all(text.as_bytes())
                .map_err(|e| failed(format!("{}: {e}", beside.display())))
        });
    }
}

/// One snapshot, streamed into `path` (written atomically).
fn take_snapshot(session: &mut Session, gc: bool, path: &Path, stop: &AtomicBool) -> Result<()> {
    let mut ignore = |_: &str, _: &serde_json::Value| Ok(());
    if gc {
        session.call("HeapProfiler.collectGarbage", json!({}), stop, &mut ignore)?;
    }
    let write_failed = |e: std::io::Error| {
        Error::new(ErrorKind::Write {
            what: path.display().to_string(),
            source: e,
        })
    };
    crate::atomic::write_atomically(path, |file| {
        let mut gz = flate2::write::GzEncoder::new(
            std::io::BufWriter::with_capacity(1 << 20, file),
            flate2::Compression::fast(),
        );
        let mut on_event = |method: &str, params: &serde_json::Value| -> Result<()> {
            if method == "HeapProfiler.addHeapSnapshotChunk"
                && let Some(chunk) = params["chunk"].as_str()
            {
                gz.write_all(chunk.as_bytes()).map_err(write_failed)?;
            }
            Ok(())
        };
        session.call(
            "HeapProfiler.takeHeapSnapshot",
            json!({"reportProgress": false, "captureNumericValue": false}),
            stop,
            &mut on_event,
        )?;
        gz.finish()
            .and_then(|mut w| w.flush())
            .map_err(write_failed)
    })
}
