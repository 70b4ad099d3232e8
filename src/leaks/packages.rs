//! Memory by npm package (`--group-by package`). An object with a site (a closure's function,
//! an object's constructor) belongs to the package its code is in, by the source its script's
//! map gives or else the script's path; every other object to the package of its nearest
//! dominator that has one, so each byte is counted once.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::clusters::SiteResolver;
use super::findings::{Evidence, Finding, Suspicion};
use crate::analysis::Analysis;
use crate::graph::HeapGraph;
use crate::sources::ScriptSources;
use crate::sources::package::package_of;

/// Objects made by the application's own code.
pub const APP: &str = "(app)";
/// Objects made by Node's own JavaScript (`node:…`).
pub const NODE: &str = "(node)";
/// Objects with no site at or above them in the dominator tree (engine and runtime state).
pub const NO_SITE: &str = "(no site)";

/// Each node's package, as an index into `names` (`names[0]` is [`NO_SITE`]).
pub struct Owners {
    pub names: Vec<String>,
    pub owner: Vec<u16>,
}

/// One package's share of one snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Share {
    pub count: u64,
    /// DevTools' shallow sizes of the objects it owns: nothing is counted twice.
    pub bytes: u64,
}

/// Who owns each node of `a`.
pub fn owners(a: &Analysis) -> Owners {
    let g = &a.graph;
    let mut names = vec![NO_SITE.to_string()];
    let mut ids: FxHashMap<String, u16> = FxHashMap::default();
    let mut intern = |name: &str| -> u16 {
        if let Some(&id) = ids.get(name) {
            return id;
        }
        let id = names.len().min(u16::MAX as usize) as u16;
        names.push(name.to_string());
        ids.insert(name.to_string(), id);
        id
    };
    let sited = sited_owners(a, &mut intern);
    let mut owner = vec![0u16; g.node_count()];
    let (starts, children) = &a.dominated;
    let root = g.root.0;
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        let inherited = owner[v as usize];
        for &c in &children[starts[v as usize] as usize..starts[v as usize + 1] as usize] {
            owner[c as usize] = sited.get(&c).copied().unwrap_or(inherited);
            stack.push(c);
        }
    }
    Owners { names, owner }
}

/// The owner of every node that has a site: its code's package, [`APP`] or [`NODE`].
fn sited_owners(a: &Analysis, intern: &mut impl FnMut(&str) -> u16) -> FxHashMap<u32, u16> {
    let g = &a.graph;
    let sites = SiteResolver::new(g, &a.retainers);
    // Script nodes by script id, from the closures located in them.
    let mut script_of_id: FxHashMap<u32, u32> = FxHashMap::default();
    for (&v, l) in &g.locations {
        if g.is_type(v, g.node_types.closure)
            && !script_of_id.contains_key(&l.script_id)
            && let Some(script) = sites.shared_of(v).and_then(|s| sites.script_of_shared(s))
        {
            script_of_id.insert(l.script_id, script);
        }
    }
    // Per script: its path and map; then per (script, source of its map): the owner.
    let mut scripts: FxHashMap<u32, Option<(String, Option<ScriptSources>)>> = FxHashMap::default();
    let mut by_source: FxHashMap<(u32, Option<usize>), u16> = FxHashMap::default();
    // Closures of one function share its position: one map lookup for all of them.
    let mut by_position: FxHashMap<(u32, u32, u32), u16> = FxHashMap::default();
    let mut out = FxHashMap::default();
    for (&v, l) in &g.locations {
        if let Some(&owner) = by_position.get(&(l.script_id, l.line, l.column)) {
            out.insert(v, owner);
            continue;
        }
        let Some((name, map)) = scripts
            .entry(l.script_id)
            .or_insert_with(|| {
                let script = *script_of_id.get(&l.script_id)?;
                let name = script_path(g, &sites, script)?;
                let map = g
                    .source_maps
                    .script_sources(&name, || g.script_facts(script));
                Some((name, map))
            })
            .as_ref()
        else {
            continue;
        };
        let source = map.as_ref().and_then(|m| m.source_at(l.line, l.column));
        let owner = *by_source
            .entry((l.script_id, source.map(|(key, _)| key)))
            .or_insert_with(|| match (source, map) {
                (Some((_, source)), Some(map)) => intern(owner_name(&map.source_path(source))),
                _ => intern(owner_name(name)),
            });
        by_position.insert((l.script_id, l.line, l.column), owner);
        out.insert(v, owner);
    }
    out
}

/// The path or URL of a script; for eval'd code, that of the script that ran the eval.
fn script_path(g: &HeapGraph, sites: &SiteResolver<'_>, script: u32) -> Option<String> {
    let name = g.raw_name(script);
    let name = name.strip_prefix("system / Script / ").unwrap_or(name);
    if !name.is_empty() {
        return Some(name.to_string());
    }
    let origin = g.edges(script).map(|e| g.edge_to[e]).find(|&t| {
        t != script
            && g.is_type(t, g.node_types.code)
            && sites.script_of_shared(t).is_some_and(|s| s != script)
    })?;
    let from = sites.script_of_shared(origin)?;
    let name = g.raw_name(from);
    let name = name.strip_prefix("system / Script / ").unwrap_or(name);
    (!name.is_empty()).then(|| name.to_string())
}

/// The package a source path is in, or [`NODE`] or [`APP`].
fn owner_name(path: &str) -> &str {
    match package_of(path) {
        Some(package) => package,
        None if path.starts_with("node:") || path.starts_with("internal/") => NODE,
        None => APP,
    }
}

/// Each package's share of a snapshot, by name.
pub fn shares(a: &Analysis, owners: &Owners) -> FxHashMap<String, Share> {
    let mut totals = vec![Share::default(); owners.names.len()];
    for (v, &o) in owners.owner.iter().enumerate() {
        totals[o as usize].count += 1;
        totals[o as usize].bytes += a.self_size[v] as u64;
    }
    owners.names.iter().cloned().zip(totals).collect()
}

/// Of `nodes` (the new objects), each package's share, by name.
pub fn new_shares(a: &Analysis, owners: &Owners, nodes: &[u32]) -> FxHashMap<String, Share> {
    let mut totals: FxHashMap<String, Share> = FxHashMap::default();
    for &v in nodes {
        let share = totals
            .entry(owners.names[owners.owner[v as usize] as usize].clone())
            .or_default();
        share.count += 1;
        share.bytes += a.self_size[v as usize] as u64;
    }
    totals
}

/// The bytes that would be freed if the objects `owner`'s code made were gone: those that
/// strong references then no longer reach from the root (a set's retained size: what is
/// held through another package too is not counted). Sorted by `owner`, as given.
pub fn freed_if_gone(a: &Analysis, owners: &Owners, wanted: &[u16]) -> Vec<u64> {
    let g = &a.graph;
    let everything = reachable(g, |_| false);
    wanted
        .iter()
        .map(|&owner| {
            freed_without(a, &everything, |v: u32| {
                owners.owner[v as usize] == owner && g.locations.contains_key(&v)
            })
        })
        .collect()
}

/// The bytes (DevTools' shallow sizes) that would be freed if the nodes `removed` takes were
/// gone: those reachable now (`everything`, from [`reachable`] with nothing removed) that strong
/// references then no longer reach, the removed ones included. Set-level: what two removed
/// nodes hold together is counted, unlike the sum of their retained sizes.
pub fn freed_without(a: &Analysis, everything: &[bool], removed: impl Fn(u32) -> bool) -> u64 {
    let kept = reachable(&a.graph, removed);
    (0..a.graph.node_count())
        .filter(|&v| everything[v] && !kept[v])
        .map(|v| a.self_size[v] as u64)
        .sum()
}

/// The nodes strong (not weak) edges reach from the root, past none that `removed` takes.
pub fn reachable(g: &HeapGraph, removed: impl Fn(u32) -> bool) -> Vec<bool> {
    let mut reached = vec![false; g.node_count()];
    let root = g.root.0;
    reached[root as usize] = true;
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        for e in g.edges(v) {
            let t = g.edge_to[e];
            if !reached[t as usize] && !g.is_edge_type(e, g.edge_types.weak) && !removed(t) {
                reached[t as usize] = true;
                stack.push(t);
            }
        }
    }
    reached
}

/// What the findings whose holder is each package's gained (the leak lives there), by
/// package: growing ones in a series, unsuspected ones in a pair. A holder with no site at
/// or above it goes with the code that made what it gained.
pub fn held(owners: &Owners, findings: &[Finding]) -> FxHashMap<String, u64> {
    let mut held: FxHashMap<String, u64> = FxHashMap::default();
    for f in findings {
        let counts = match f.evidence {
            Evidence::Growing => true,
            Evidence::TwoSnapshots => f.suspicion == Suspicion::None,
            Evidence::NotGrowing => false,
        };
        if counts {
            let owner = &owners.names[owners.owner[f.node as usize] as usize];
            // A holder no code's object holds (a closure's scope held by the engine's handles)
            // is the code's that made what it gained.
            let owner = match f.site() {
                Some((_, site)) if owner == NO_SITE => site.package().unwrap_or(APP),
                _ => owner,
            };
            *held.entry(owner.to_string()).or_default() += f.gained_bytes();
        }
    }
    held
}

/// One package in a pair of snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct PackageRow {
    pub package: String,
    /// What the findings its objects hold gained (see [`held`]).
    pub held_growth: u64,
    /// What it owns in the base (`None` without one: a timeline window).
    pub base: Option<Share>,
    pub late: Share,
    /// Of the new objects (allocated between the snapshots, still alive), those it owns.
    pub new: Share,
}

impl PackageRow {
    /// Late minus base bytes (the late bytes without a base).
    pub fn growth(&self) -> i64 {
        self.late.bytes as i64 - self.base.map_or(0, |b| b.bytes as i64)
    }
}

/// Each package's memory in `base` and `late` and among the new objects `nodes`: first those
/// whose objects hold the findings, then the most grown.
pub fn pair(
    base: Option<&Analysis>,
    late: &Analysis,
    nodes: &[u32],
    findings: &[Finding],
) -> Vec<PackageRow> {
    let late_owners = owners(late);
    let held = held(&late_owners, findings);
    let late_shares = shares(late, &late_owners);
    let new = new_shares(late, &late_owners, nodes);
    let base_shares = base.map(|b| shares(b, &owners(b)));
    let mut names: Vec<&String> = late_shares.keys().collect();
    if let Some(b) = &base_shares {
        names.extend(b.keys().filter(|k| !late_shares.contains_key(*k)));
    }
    let mut rows: Vec<PackageRow> = names
        .into_iter()
        .map(|name| PackageRow {
            package: name.clone(),
            held_growth: held.get(name).copied().unwrap_or(0),
            base: base_shares
                .as_ref()
                .map(|b| b.get(name).copied().unwrap_or_default()),
            late: late_shares.get(name).copied().unwrap_or_default(),
            new: new.get(name).copied().unwrap_or_default(),
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.held_growth, b.growth(), b.new.bytes, &a.package).cmp(&(
            a.held_growth,
            a.growth(),
            a.new.bytes,
            &b.package,
        ))
    });
    rows
}

/// One package across a series: what it owns in each snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct PackageTrend {
    pub package: String,
    /// What the growing findings its objects hold gained (see [`held`]).
    pub held_growth: u64,
    pub shares: Vec<Share>,
}

impl PackageTrend {
    /// Bytes gained at each step (between consecutive snapshots).
    pub fn steps(&self) -> Vec<i64> {
        self.shares
            .windows(2)
            .map(|w| w[1].bytes as i64 - w[0].bytes as i64)
            .collect()
    }
}

/// Per-snapshot shares gathered into trends: first those whose objects hold the growing
/// findings, then those that grew most at every step (the least a step gained: a one-time
/// fill at one step does not count), then by all they gained.
pub fn trends(
    per_snapshot: &[FxHashMap<String, Share>],
    held: &FxHashMap<String, u64>,
) -> Vec<PackageTrend> {
    let mut names: Vec<&String> = per_snapshot.iter().flat_map(|s| s.keys()).collect();
    names.sort();
    names.dedup();
    let mut out: Vec<PackageTrend> = names
        .into_iter()
        .map(|name| PackageTrend {
            package: name.clone(),
            held_growth: held.get(name).copied().unwrap_or(0),
            shares: per_snapshot
                .iter()
                .map(|s| s.get(name).copied().unwrap_or_default())
                .collect(),
        })
        .collect();
    let grown = |t: &PackageTrend| {
        let steps = t.steps();
        (
            t.held_growth,
            steps.iter().copied().min().unwrap_or(0),
            steps.iter().sum::<i64>(),
        )
    };
    out.sort_by(|a, b| (grown(b), &a.package).cmp(&(grown(a), &b.package)));
    out
}

/// One package in one snapshot (`summary --group-by package`).
#[derive(Debug, Clone, Serialize)]
pub struct PackageTotal {
    pub package: String,
    pub count: u64,
    /// What it owns: each byte of the heap is one package's.
    pub bytes: u64,
    /// What would be freed if the objects its code made were gone (`None`: past the rows
    /// this was computed for).
    pub freed_if_gone: Option<u64>,
}

/// Each package's memory in one snapshot, the largest first; "freed if gone" for the first
/// `top` of them (each costs a walk of the heap).
pub fn totals(a: &Analysis, top: usize) -> Vec<PackageTotal> {
    let owners = owners(a);
    let shares = shares(a, &owners);
    let mut rows: Vec<(u16, PackageTotal)> = owners
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let share = shares.get(name).copied().unwrap_or_default();
            let total = PackageTotal {
                package: name.clone(),
                count: share.count,
                bytes: share.bytes,
                freed_if_gone: None,
            };
            (i as u16, total)
        })
        .filter(|(_, t)| t.count > 0)
        .collect();
    rows.sort_by(|a, b| (b.1.bytes, &a.1.package).cmp(&(a.1.bytes, &b.1.package)));
    let wanted: Vec<u16> = rows
        .iter()
        .take(top)
        .filter(|(_, t)| t.package != NO_SITE)
        .map(|&(i, _)| i)
        .collect();
    let freed = freed_if_gone(a, &owners, &wanted);
    for (owner, bytes) in wanted.iter().zip(freed) {
        if let Some(row) = rows.iter_mut().find(|(i, _)| i == owner) {
            row.1.freed_if_gone = Some(bytes);
        }
    }
    rows.into_iter().map(|(_, t)| t).collect()
}
