//! The main command on real fixture pairs: the leaks the fixture programs create are found and
//! ranked, the bounded cache is not, the JSON has the documented shape, and the table output is
//! pinned.

use std::path::Path;

mod support;

use serde_json::Value;
use support::{heapdiff, json_report, snapshot};

fn report(pair: &str, extra: &[&str]) -> Value {
    let mut args: Vec<std::ffi::OsString> = extra.iter().map(Into::into).collect();
    args.push(snapshot(&format!("{pair}-base")).into());
    args.push(snapshot(&format!("{pair}-late")).into());
    json_report(&args)
}

fn cluster<'a>(r: &'a Value, label_start: &str) -> &'a Value {
    r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"].as_str().unwrap().starts_with(label_start))
        .unwrap_or_else(|| panic!("no cluster {label_start}"))
}

#[test]
fn node_leaks_are_found_and_ranked() {
    for pair in ["node14", "node20", "node24"] {
        let r = report(pair, &["--sort", "retained"]);
        assert_eq!(r["warnings"], Value::Array(vec![]), "{pair}");
        // By retained size, the validators compiled with `new Function`, one per call, rank
        // first (the default order lists the first finding's clusters first).
        let top = &r["clusters"][0];
        assert_eq!(top["kind"], "closures", "{pair}");
        assert_eq!(top["count"], 500, "{pair}");
        assert_eq!(top["site"]["function"], "validate*", "{pair}");
        assert_eq!(top["site"]["script"], "<eval>", "{pair}");
        let creator = top["site"]["created_by"].as_str().unwrap();
        assert!(
            creator.starts_with("compileValidator (") && creator.ends_with("leak.js:44:26)"),
            "{pair}: {creator}"
        );
        assert_eq!(
            top["paths"][0]["path"],
            "global .state → Object .validators → Map {table} → (array) [] → Function validate*",
            "{pair}"
        );
        assert_eq!(top["paths"][0]["count"], top["paths_sampled"], "{pair}");

        let listeners = cluster(&r, "listener @ ");
        assert_eq!(listeners["count"], 300, "{pair}");
        assert_eq!(listeners["site"]["line"], 54, "{pair}");
        assert_eq!(
            listeners["captured"],
            serde_json::json!(["requestId"]),
            "{pair}"
        );
        let buffers = cluster(&r, "readPayload @ ");
        assert_eq!(buffers["count"], 100, "{pair}");
        // Each closure holds a 1 KiB buffer: the cluster retains more than 100 KiB.
        assert!(
            buffers["retained_size"].as_u64().unwrap() > 100 * 1024,
            "{pair}"
        );
        assert_eq!(
            cluster(&r, "\"duplicated-string-value\"")["kind"],
            "strings"
        );

        // The bounded LRU keeps 50 entries out of 2000 inserts: small, and far down the list.
        let lru = cluster(&r, "{key}");
        assert_eq!(lru["count"], 50, "{pair}");
        assert!(
            lru["rank"].as_u64().unwrap() > 10,
            "{pair}: LRU ranked {}",
            lru["rank"]
        );

        // Clusters are ranked by set-level retained size.
        let sizes: Vec<u64> = r["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["retained_size"].as_u64().unwrap())
            .collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{pair}: {sizes:?}");
    }
}

#[test]
fn detached_dom_nodes_are_a_cluster() {
    let r = report("chromium", &[]);
    let dom = cluster(&r, "Detached <div>");
    assert_eq!(dom["kind"], "detached-dom");
    // The 40 cards leak() detached (the 5 detached before the base snapshot are not new).
    assert_eq!(dom["count"], 40);
    let handlers = cluster(&r, "handler @ http://127.0.0.1:");
    assert_eq!(handlers["count"], 200);
}

/// Checks that `v` has every field of the documented wire format with the documented type.
fn check_schema(v: &Value) {
    let num = |x: &Value, k: &str| assert!(x[k].is_u64() || x[k].is_i64(), "{k}: {}", x[k]);
    let text = |x: &Value, k: &str| assert!(x[k].is_string(), "{k}: {}", x[k]);
    let list = |x: &Value, k: &str| assert!(x[k].is_array(), "{k}: {}", x[k]);
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["command"], "diff");
    for s in [&v["base"], &v["late"]] {
        text(s, "file");
        for k in ["node_count", "total_size", "max_js_object_id"] {
            num(s, k);
        }
    }
    num(v, "growth");
    for k in [
        "min_id",
        "max_id",
        "count",
        "self_size",
        "retained_size",
        "class_count",
    ] {
        num(&v["between"], k);
    }
    list(v, "warnings");
    for c in v["clusters"].as_array().unwrap() {
        for k in [
            "rank",
            "count",
            "self_size",
            "retained_size",
            "attributed_count",
            "attributed_size",
            "paths_sampled",
        ] {
            num(c, k);
        }
        for k in ["kind", "label", "class_name"] {
            text(c, k);
        }
        for k in ["captured", "properties", "example_ids", "paths"] {
            list(c, k);
        }
        assert!(
            ["closures", "objects", "strings", "detached-dom"]
                .contains(&c["kind"].as_str().unwrap())
        );
        if c["kind"] == "closures" {
            let site = &c["site"];
            text(site, "function");
            text(site, "script");
            num(site, "line");
            num(site, "column");
        } else if !c["site"].is_null() {
            // An object's constructor.
            let site = &c["site"];
            text(site, "function");
            text(site, "script");
            assert!(site["created_by"].is_null());
        }
        for p in c["paths"].as_array().unwrap() {
            text(p, "path");
            text(p, "short");
            num(p, "below_member");
            assert!(p["system_only"].is_boolean());
            num(p, "count");
        }
    }
    for g in v["lockstep"].as_array().unwrap() {
        num(g, "unit");
        for m in g["members"].as_array().unwrap() {
            text(m, "class");
            num(m, "count");
            num(m, "multiple");
        }
    }
    for c in v["classes"].as_array().unwrap() {
        for k in ["key", "name"] {
            text(c, k);
        }
        for k in ["count", "self_size", "retained_size", "distance"] {
            num(c, k);
        }
    }
    match &v["comparison"] {
        Value::Null => {}
        Value::Array(rows) => {
            for r in rows {
                for k in ["key", "name"] {
                    text(r, k);
                }
                for k in [
                    "added_count",
                    "removed_count",
                    "count_delta",
                    "added_size",
                    "removed_size",
                    "size_delta",
                ] {
                    num(r, k);
                }
                assert!(r["embedder_churn"].is_boolean());
            }
        }
        other => panic!("comparison: {other}"),
    }
}

#[test]
fn json_has_the_documented_shape() {
    for pair in ["node14", "node20", "node24", "chromium"] {
        check_schema(&report(pair, &[]));
        check_schema(&report(pair, &["--compare", "--show-churn"]));
    }
}

#[test]
fn embedder_churn_is_hidden_unless_asked() {
    let hidden = report("node20", &["--compare"]);
    let shown = report("node20", &["--compare", "--show-churn"]);
    let rows = |r: &Value| r["comparison"].as_array().unwrap().len() as u64;
    assert!(hidden["hidden_churn_rows"].as_u64().unwrap() > 0);
    assert_eq!(
        rows(&hidden) + hidden["hidden_churn_rows"].as_u64().unwrap(),
        rows(&shown)
    );
    assert!(
        hidden["comparison"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["embedder_churn"] == false)
    );
}

#[test]
fn sort_orders_by_the_chosen_key() {
    for (flag, field) in [("count", "count"), ("self", "self_size")] {
        let r = report("node20", &["--sort", flag]);
        for list in ["clusters", "classes"] {
            let values: Vec<u64> = r[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c[field].as_u64().unwrap())
                .collect();
            assert!(values.windows(2).all(|w| w[0] >= w[1]), "{list} by {flag}");
        }
    }
}

/// The human report for the node20 pair at widths 80 and 200 and unfitted, compared with
/// `tests/golden/node20*.txt` (set `UPDATE_GOLDEN=1` to rewrite them after reviewing the
/// change). Scripts are shown relative to where the fixture script ran.
#[test]
fn table_output_is_pinned() {
    for (width, name) in [
        (None, "node20.txt"),
        (Some("80"), "node20-w80.txt"),
        (Some("200"), "node20-w200.txt"),
    ] {
        let mut cmd = heapdiff();
        cmd.args(["--compare", "--top", "10", "--source-root", "/work/main"]);
        if let Some(w) = width {
            cmd.args(["--width", w]);
        }
        let out = cmd
            .arg(snapshot("node20-base"))
            .arg(snapshot("node20-late"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        if let Some(w) = width {
            let w: usize = w.parse().unwrap();
            // Only a path or a word longer than the width may overflow it.
            for line in text
                .lines()
                .filter(|l| l.starts_with('│') || l.starts_with('┌'))
            {
                assert!(line.chars().count() <= w, "wider than {w}: {line}");
            }
        }
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap();
        assert_eq!(text, expected, "{name}");
    }
}

#[test]
fn suspicious_pairs_warn_and_fail_with_strict() {
    // Late given first: the newest id goes down.
    let out = heapdiff()
        .arg(snapshot("node20-late"))
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("are the files in the wrong order?"),
        "{stderr}"
    );
    let out = heapdiff()
        .arg("--strict")
        .arg(snapshot("node20-late"))
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    // Snapshots of different processes share almost no object ids.
    let r = {
        let out = heapdiff()
            .arg("--json")
            .arg(snapshot("chromium-base"))
            .arg(snapshot("node20-late"))
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let warnings = r["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("different processes")),
        "{warnings:?}"
    );
    // Different V8 versions (Node 14 and Node 24 write different meta layouts).
    let out = heapdiff()
        .arg("--json")
        .arg(snapshot("node14-base"))
        .arg(snapshot("node24-late"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("different V8 versions")),
        "{}",
        r["warnings"]
    );
    // The same file twice is an error.
    let out = heapdiff()
        .arg(snapshot("node20-base"))
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("are the same file"), "{stderr}");
}

#[test]
fn one_thread_gives_the_same_report() {
    let files = [snapshot("node20-base"), snapshot("node20-late")];
    let one = support::stdout_of(heapdiff().args(["--json", "--threads", "1"]).args(&files));
    let all = support::stdout_of(heapdiff().args(["--json"]).args(&files));
    assert_eq!(one, all);
    let out = heapdiff()
        .args(["--threads", "0"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
