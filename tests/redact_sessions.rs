//! Issue 31: `heapdiff redact` kept every session id of an express-session `MemoryStore`,
//! because they are property names (of the store's `sessions` object, which V8 keeps in
//! dictionary mode). The fixture is a real Node 20 snapshot of a server holding 300 sessions
//! (`fixtures/scripts/sessions.js`); the program wrote the ids it held to `sessions.json`, so
//! the test knows them without trusting the snapshot reader.

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use support::builder::SnapshotBuilder;
use support::{heapdiff, stdout_of};

const FIXTURE: &str = "fixtures/sessions/sessions.heapsnapshot.zst";

/// A fresh scratch directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the program held: `sessions` (the store's ids) or `fast_keys` (a fast object's keys).
fn known(list: &str) -> Vec<String> {
    let text = std::fs::read_to_string("fixtures/sessions/sessions.json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The names of edges of one type (`property`, `context`...) in a snapshot.
fn edge_names(path: &Path, ty: &str) -> HashSet<String> {
    let g = heapdiff::read::load(path).unwrap();
    (0..g.edge_count())
        .filter(|&e| g.edge_types.names[g.edge_type[e] as usize] == ty)
        .map(|e| g.edge_name(e).into_owned())
        .collect()
}

/// The names of nodes of one type (`object`, `closure`...) in a snapshot.
fn node_names(path: &Path, ty: &str) -> HashSet<String> {
    let g = heapdiff::read::load(path).unwrap();
    (0..g.node_count() as u32)
        .filter(|&v| g.type_name(v) == ty)
        .map(|v| g.raw_name(v).to_string())
        .collect()
}

/// Class rows of `heapdiff summary --json`: key, name, count, self and retained size.
fn summary_rows(path: &Path) -> Vec<String> {
    let out = stdout_of(heapdiff().args(["--json", "summary"]).arg(path));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut rows: Vec<String> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c["key"], c["name"], c["count"], c["self_size"], c["retained_size"]
            )
        })
        .collect();
    rows.sort();
    rows
}

// See: issue 31 (redact keeps the session ids of an express-session MemoryStore).
#[test]
fn no_session_id_survives_redaction_and_code_names_do() {
    let ids = known("sessions");
    assert_eq!(ids.len(), 300);
    let original = Path::new(FIXTURE);
    // The bug's premise: every id is a property name of the original.
    let properties = edge_names(original, "property");
    assert!(ids.iter().all(|id| properties.contains(id)));

    let dir = scratch("redact-sessions");
    let out = dir.join("sessions.heapsnapshot");
    stdout_of(
        heapdiff()
            .args(["redact", "--quiet"])
            .arg(original)
            .arg("-o")
            .arg(&out),
    );
    // No id anywhere in the file's bytes: not as a name, a string, or inside either.
    let bytes = std::fs::read(&out).unwrap();
    let survivors: Vec<&String> = ids
        .iter()
        .filter(|id| memchr::memmem::find(&bytes, id.as_bytes()).is_some())
        .collect();
    assert!(survivors.is_empty(), "{} ids survived", survivors.len());

    // Names of code stay: the classes, the store's `sessions` property, variables.
    let objects = node_names(&out, "object");
    let closures = node_names(&out, "closure");
    assert!(objects.contains("MemoryStore"));
    for class in ["MemoryStore", "Session", "Cookie", "Store"] {
        assert!(closures.contains(class), "{class}");
    }
    let properties = edge_names(&out, "property");
    for name in ["sessions", "_events", "generate", "__proto__"] {
        assert!(properties.contains(name), "{name}");
    }
    assert!(edge_names(&out, "context").contains("cookie"));
    // The store's keys are placeholders now, 300 distinct ones of the ids' length.
    let placeholders: HashSet<&String> = properties
        .iter()
        .filter(|p| p.starts_with("<string 32 B #"))
        .collect();
    assert!(placeholders.len() >= 300, "{}", placeholders.len());

    // The graph and every Summary row are the original's (no row is named by a session id:
    // DevTools names an object by its properties only when objects share them).
    let (o, r) = (
        heapdiff::read::load(original).unwrap(),
        heapdiff::read::load(&out).unwrap(),
    );
    assert_eq!(r.edge_to, o.edge_to);
    assert_eq!(r.self_size, o.self_size);
    assert_eq!(summary_rows(&out), summary_rows(original));

    // Redacting the copy again changes nothing: the evidence that kept a name is still there.
    let again = dir.join("again.heapsnapshot");
    stdout_of(
        heapdiff()
            .args(["redact", "--quiet"])
            .arg(&out)
            .arg("-o")
            .arg(&again),
    );
    assert!(std::fs::read(&again).unwrap() == bytes);
}

#[test]
fn token_like_names_that_stay_are_counted_on_stderr() {
    // The program's other object is keyed by four UUIDs and V8 kept it in fast mode: its
    // names are in a hidden class like any code's, so they stay, and the warning counts them.
    let dir = scratch("redact-sessions-warning");
    let out = dir.join("sessions.heapsnapshot");
    let run = heapdiff()
        .args(["redact", FIXTURE, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning: 4 property names kept in the copy look like keys, ids or tokens"),
        "{stderr}"
    );
    let kept = edge_names(&out, "property");
    for key in known("fast_keys") {
        assert!(kept.contains(&key), "{key}");
        assert!(!stderr.contains(&key), "the warning names no secret");
    }
    // Nothing to warn about on a snapshot without such names.
    let run = heapdiff()
        .args([
            "redact",
            "fixtures/snapshots/node20-late.heapsnapshot.gz",
            "-o",
        ])
        .arg(dir.join("node20.heapsnapshot"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success() && !stderr.contains("heapdiff: warning"),
        "{stderr}"
    );
}

/// A snapshot with each kind of object whose property names redaction decides on.
fn dictionaries_snapshot() -> String {
    let mut b = SnapshotBuilder::new();
    let shape = |b: &mut SnapshotBuilder, id: u32, descriptors: bool| {
        let map = b.node("hidden", "system / Map", id, 40);
        if descriptors {
            let array = b.node("hidden", "system / DescriptorArray", id + 1, 40);
            b.edge(map, "internal", "descriptors", array);
        }
        map
    };
    let value = b.node("object", "Value", 3, 16);
    // A fast object (its map has descriptors) and the prototype its map names.
    let fast = b.node("object", "Fast", 5, 16);
    let fast_map = shape(&mut b, 7, true);
    b.edge(fast, "internal", "map", fast_map);
    b.edge(fast, "property", "aFastName", value);
    let proto = b.node("object", "Proto", 11, 16);
    let proto_map = shape(&mut b, 13, false);
    b.edge(proto, "internal", "map", proto_map);
    b.edge(proto, "property", "aMethodName", value);
    b.edge(fast_map, "internal", "prototype", proto);
    // The global object: its properties are global variables.
    let global = b.node("object", "global", 15, 16);
    let global_map = shape(&mut b, 17, false);
    b.edge(global, "internal", "map", global_map);
    b.edge(global, "internal", "global_proxy", value);
    b.edge(global, "property", "aGlobalName", value);
    // A dictionary keyed by data, some keys of which code also names.
    let dict = b.node("object", "Object", 19, 16);
    let dict_map = shape(&mut b, 21, false);
    b.edge(dict, "internal", "map", dict_map);
    for key in [
        "qZ4x-Kd81_mPw0LraT7yVb3N",
        "alice@example.com",
        "aFastName",
        "aCompiledName",
    ] {
        b.edge(dict, "property", key, value);
    }
    b.edge(dict, "property", "__proto__", proto);
    // A constant pool naming `aCompiledName`.
    let pool = b.node("code", "(constant pool)", 23, 16);
    let literal = b.node("string", "aCompiledName", 25, 16);
    b.edge(pool, "internal", "0", literal);
    for (index, node) in [fast, global, dict, pool].into_iter().enumerate() {
        b.element(0, "element", index as u32 + 1, node);
    }
    b.build()
}

#[test]
fn dictionary_keys_are_data_unless_code_names_them() {
    let dir = scratch("redact-dictionaries");
    let path = dir.join("dictionaries.heapsnapshot");
    std::fs::write(&path, dictionaries_snapshot()).unwrap();
    let g = heapdiff::read::load(&path).unwrap();
    let plan = heapdiff::redact::plan(&g);
    let mut replaced: Vec<&str> = plan
        .rewrite
        .replaced
        .keys()
        .map(|&i| g.strings.get(i))
        .collect();
    replaced.sort();
    // Replaced: the dictionary's keys no code names. Kept: a fast object's, a prototype's
    // and the global object's property names, and keys that a fast object or compiled code
    // also names.
    assert_eq!(replaced, ["alice@example.com", "qZ4x-Kd81_mPw0LraT7yVb3N"]);
    assert_eq!(plan.hidden_keys, 2);
    assert_eq!(plan.token_like_kept, 0);
}
