//! The box at the top of a pair or series page. It leads with the verdict (the text report's
//! first line), then the first finding in a few lines (holder, what it gained, how much, where
//! it was made), then the counts, so a reader knows what to look at before scrolling.

use std::path::Path;

use super::esc;
use super::trends::per_step_count;
use crate::report::layout::short_scripts;
use crate::report::{BudgetReport, FindingReport, human_bytes, thousands};

/// What the top box says: the report's `verdict`, its budgets, its first finding (when the
/// page lists findings) and a sentence of counts.
pub(super) struct TopBox<'r> {
    pub verdict: &'r str,
    pub budgets: &'r [BudgetReport],
    pub first: Option<&'r FindingReport>,
    pub findings: usize,
    pub counts: String,
}

impl TopBox<'_> {
    /// The box as a `<section id="verdict">`, scripts below `cwd` shown relative to it.
    pub(super) fn html(&self, cwd: Option<&Path>) -> String {
        let over = self.budgets.iter().filter(|b| b.exceeded).count();
        let (class, budgets) = match (self.budgets.len(), over) {
            (0, _) => ("", String::new()),
            (n, 0) => (" good", format!("{n} budgets met.")),
            (n, over) => (" bad", format!("{over} of {n} budgets exceeded.")),
        };
        let mut out = format!(
            "<section class=\"verdict{class}\" id=\"verdict\">\n<p class=\"headline\"><strong>{}</strong></p>\n",
            esc(&short_scripts(self.verdict, cwd))
        );
        if !budgets.is_empty() {
            out.push_str(&format!("<p class=\"budgets\">{}</p>\n", esc(&budgets)));
        }
        if let Some(f) = self.first {
            out.push_str(&first_finding(f, self.findings, cwd));
        }
        out.push_str(&format!(
            "<p class=\"counts\">{}</p>\n</section>\n",
            esc(&self.counts)
        ));
        out
    }
}

/// The first finding as a short list: holder, what it gained, how much, where it was made.
fn first_finding(f: &FindingReport, of: usize, cwd: Option<&Path>) -> String {
    let mut holder = format!(
        "<code>{}</code> <span class=\"note\">@{}</span>",
        esc(&short_scripts(&f.holder.short_path, cwd)),
        f.holder.id
    );
    if !f.holder.inside_short.is_empty() {
        holder.push_str(&format!(
            ", inside it <code>{}</code>",
            esc(&f.holder.inside_short)
        ));
    }
    let gained = format!(
        "{}{}",
        short_scripts(&f.parts_summary(4), cwd),
        f.suspicion_note()
    );
    let steps = f.step_bytes.len();
    let amount = if steps > 1 {
        format!(
            "+{} and {} objects per step over {steps} steps (+{}, {} objects in all)",
            human_bytes(f.gained_bytes / steps as u64),
            per_step_count(f.gained_count as f64 / steps as f64, steps),
            human_bytes(f.gained_bytes),
            thousands(f.gained_count)
        )
    } else {
        format!(
            "+{} in {} objects",
            human_bytes(f.gained_bytes),
            thousands(f.gained_count)
        )
    };
    let made = match &f.site {
        Some(site) => {
            let mut text = short_scripts(&site.label, cwd);
            if let Some(by) = &site.created_by {
                text.push_str(&format!(", created by {}", short_scripts(by, cwd)));
            }
            if let Some(package) = &site.package {
                text.push_str(&format!(" (package {package})"));
            }
            format!("<code>{}</code>", esc(&text))
        }
        None => "not known: the snapshot names no constructor or function for it".to_string(),
    };
    format!(
        "<p class=\"first-title\"><a href=\"#findings\">Finding #{} of {of}</a></p>\n\
         <dl class=\"first-finding\" id=\"first-finding\"><dt>Holder</dt><dd>{holder}</dd>\
         <dt>Gained</dt><dd>{}</dd><dt>Size</dt><dd>{}</dd><dt>Made by</dt><dd>{made}</dd></dl>\n",
        f.rank,
        esc(&gained),
        esc(&amount)
    )
}
