//! `--cluster`: one cluster as text, with everything known about it: its site, sizes,
//! captured variables and properties, every retainer path short and in full, and its members'
//! allocation stacks.

use super::fit::{wrap, wrap_indented};
use super::layout::{
    Layout, PATH_LEGEND, allocated_by, cluster_origin, cluster_title, frame_text, held_by, plural,
    short_scripts,
};
use super::{AllocationReport, ClusterReport, human_bytes, thousands};

/// `--cluster`: one cluster with everything known about it, paths short and in full.
pub(super) fn cluster_card(out: &mut String, c: &ClusterReport, layout: &Layout) {
    let cwd = layout.cwd.as_deref();
    out.push_str(&format!(
        "\nCluster #{} ({}): {}\n",
        c.rank,
        c.kind,
        cluster_title(c, cwd)
    ));
    for line in [cluster_origin(c, cwd), allocated_by(c, cwd)]
        .into_iter()
        .flatten()
    {
        out.push_str(&wrap_indented(&format!("  {line}"), layout.width, 4));
    }
    out.push_str(&format!(
        "  {}, {} shallow, {} retained (of which {} internals, {})\n",
        plural(c.count, "object", "objects"),
        human_bytes(c.self_size),
        human_bytes(c.retained_size),
        thousands(c.attributed_count),
        human_bytes(c.attributed_size)
    ));
    if let Some(outer) = c.inside_of {
        out.push_str(&format!("  held for the most part by cluster #{outer}\n"));
    }
    if !c.captured.is_empty() {
        out.push_str(&format!(
            "  captured variables: {}\n",
            c.captured.join(", ")
        ));
    }
    if !c.properties.is_empty() {
        out.push_str(&format!("  properties: {}\n", c.properties.join(", ")));
    }
    let ids: Vec<String> = c.example_ids.iter().map(|id| format!("@{id}")).collect();
    out.push_str(&format!(
        "  example ids (DevTools' search): {}\n",
        ids.join(" ")
    ));
    out.push_str(&format!(
        "\nRetainer paths of {} sampled members\n",
        thousands(c.paths_sampled)
    ));
    for p in &c.paths {
        let line = format!("  {}", held_by(p, c.paths_sampled, cwd));
        out.push_str(&wrap_indented(&line, layout.width, 4));
        let line = format!("    full: {}", short_scripts(&p.path, cwd));
        out.push_str(&wrap_indented(&line, layout.width, 6));
    }
    out.push_str(&wrap(PATH_LEGEND, layout.width));
    if let Some(a) = &c.allocation {
        stacks_card(out, a, c.count, layout);
    }
}

/// Most frames of one allocation stack printed; the rest are counted.
const MAX_FRAMES: usize = 12;

/// The members' allocation stacks, innermost frame first (the tree's root frame left out).
fn stacks_card(out: &mut String, a: &AllocationReport, count: u64, layout: &Layout) {
    let cwd = layout.cwd.as_deref();
    out.push_str(&format!(
        "\nAllocation stacks ({} of {} members have one)\n",
        thousands(a.traced),
        thousands(count)
    ));
    for st in &a.stacks {
        let variants = if st.variants > 1 {
            format!(
                " ({} alike but for their eval'd scripts; frames of the commonest)",
                plural(st.variants, "stack", "stacks")
            )
        } else {
            String::new()
        };
        let line = format!(
            "  {}, {}{variants}",
            plural(st.count, "object", "objects"),
            human_bytes(st.size)
        );
        out.push_str(&wrap_indented(&line, layout.width, 4));
        let frames: Vec<_> = st
            .frames
            .iter()
            .filter(|f| !(f.function == "(root)" && f.script.is_empty()))
            .collect();
        for f in frames.iter().take(MAX_FRAMES) {
            let line = format!("    {}", frame_text(f, cwd));
            out.push_str(&wrap_indented(&line, layout.width, 6));
        }
        if frames.len() > MAX_FRAMES {
            out.push_str(&format!(
                "    … {} more frames (--json has all)\n",
                frames.len() - MAX_FRAMES
            ));
        }
    }
    if a.omitted_stacks > 0 {
        out.push_str(&format!(
            "  ({} more stacks, {}; --json lists the first {})\n",
            thousands(a.omitted_stacks),
            plural(a.omitted_count, "object", "objects"),
            a.stacks.len()
        ));
    }
}
