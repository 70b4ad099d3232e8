//! `heapdiff mcp`: the analysis as tools for AI agents, over the Model Context Protocol on
//! stdio (the official Rust SDK, rmcp, over our own line transport). An agent loads snapshots
//! once (they stay in memory, each with a number, in `store.rs`) and asks many questions: diff
//! and series reports shaped for capped tool results (`answer.rs`), one finding explained and
//! what removing objects frees (`explain.rs`), whether a change fixed a leak (`verify.rs`), and a
//! cluster's members, an object's retainers, dominators and allocation stack (`queries.rs`).

mod answer;
mod args;
mod error;
mod explain;
mod queries;
mod store;
mod transport;
mod verify;

use std::path::PathBuf;
use std::sync::Mutex;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use answer::DEFAULT_ROWS;
use args::{
    ClusterArgs, DiffArgs, ExplainArgs, LoadArgs, ObjectArgs, SeriesArgs, SnapshotArgs, VerifyArgs,
    WhatIfArgs,
};
use error::{ToolError, ToolResult};
use explain::WhatIfTarget;
pub use store::Store;
use transport::LineTransport;

/// Rows per page of the paged tools (summary, cluster, retainers, dominator_subtree) when a
/// call gives no `limit`.
const DEFAULT_PAGE: usize = 50;

/// The MCP server: one store behind a lock (tools run one at a time).
pub struct Server {
    store: Mutex<Store>,
    tool_router: ToolRouter<Self>,
}

/// What every tool returns: its answer, or a protocol failure (never: mistakes are answers).
type Answer = std::result::Result<CallToolResult, ErrorData>;

/// A tool's answer: the JSON text (fields in the order the answer's type declares them), or
/// the error as a tool error the agent can read.
fn answer<T: Serialize>(result: ToolResult<T>) -> Answer {
    let text = result.and_then(|value| {
        serde_json::to_string(&value).map_err(|e| ToolError::Engine(e.to_string()))
    });
    Ok(match text {
        Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
        Err(e) => CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
    })
}

#[tool_router]
impl Server {
    /// A server whose relative paths resolve against `root`.
    pub fn new(root: PathBuf) -> Server {
        Server {
            store: Mutex::new(Store::new(root)),
            tool_router: Self::tool_router(),
        }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }

    #[tool(
        description = "Load and analyse a V8 heap snapshot (DevTools' numbers); it stays in memory. A relative path resolves against the server's root: its working directory when it started (errors name the resolved path and the root). redact: true replaces heap strings by placeholders. Returns its number for the other tools, node count and total size in bytes."
    )]
    async fn load_snapshot(&self, Parameters(a): Parameters<LoadArgs>) -> Answer {
        answer(self.with_store(|s| s.load(&a.path, a.source_maps.as_deref(), a.redact)))
    }

    #[tool(
        description = "DevTools' Summary view of a loaded snapshot: statistics and classes (count, shallow and retained bytes, distance), paged."
    )]
    async fn summary(&self, Parameters(a): Parameters<SnapshotArgs>) -> Answer {
        let (offset, limit) = (a.offset.unwrap_or(0), a.limit.unwrap_or(DEFAULT_PAGE));
        answer(self.with_store(|s| s.summary(a.snapshot, offset, limit)))
    }

    #[tool(
        description = "heapdiff's report on two loaded snapshots of one process (base, late), verdict and findings first: findings (old objects that gained new ones, most likely leak first), then clusters of new objects and DevTools' allocated-between classes. Lists cut to limit rows (default 10; totals gives their lengths); detail: summary (verdict and findings), normal (default; clusters with their first path, no stacks) or full. ignore, sort and redact as the CLI's --ignore, --sort and --redact. Sizes in bytes."
    )]
    async fn diff(&self, Parameters(a): Parameters<DiffArgs>) -> Answer {
        let limit = a.limit.unwrap_or(DEFAULT_ROWS);
        answer(self.with_store(|s| s.diff((a.base, a.late), limit, a.detail, &a.options)))
    }

    #[tool(
        description = "heapdiff's series report on three or more loaded snapshots, verdict and findings first: holders that grew at every step first, then cluster and class trends. limit, detail, ignore, sort and redact as for diff."
    )]
    async fn series(&self, Parameters(a): Parameters<SeriesArgs>) -> Answer {
        let limit = a.limit.unwrap_or(DEFAULT_ROWS);
        answer(self.with_store(|s| s.series(&a.snapshots, limit, a.detail, &a.options)))
    }

    #[tool(
        description = "One cluster of a diff (by rank, with the diff's ignore and sort): its report row with every retainer path and allocation stack, and its members (id, class, shallow and retained bytes), paged."
    )]
    async fn cluster(&self, Parameters(a): Parameters<ClusterArgs>) -> Answer {
        let page = (a.offset.unwrap_or(0), a.limit.unwrap_or(DEFAULT_PAGE));
        answer(self.with_store(|s| s.cluster((a.base, a.late), a.rank, &a.options, page)))
    }

    #[tool(
        description = "The objects that hold an object (by id): every retaining edge with its type and name, the holders largest first, paged."
    )]
    async fn retainers(&self, Parameters(a): Parameters<ObjectArgs>) -> Answer {
        let (offset, limit) = (a.offset.unwrap_or(0), a.limit.unwrap_or(DEFAULT_PAGE));
        answer(self.with_store(|s| s.retainers(a.snapshot, a.id, offset, limit)))
    }

    #[tool(
        description = "An object's place in the dominator tree: its dominators up to the root, and the objects it dominates (what freeing it frees), largest first, paged."
    )]
    async fn dominator_subtree(&self, Parameters(a): Parameters<ObjectArgs>) -> Answer {
        let (offset, limit) = (a.offset.unwrap_or(0), a.limit.unwrap_or(DEFAULT_PAGE));
        answer(self.with_store(|s| s.dominators(a.snapshot, a.id, offset, limit)))
    }

    #[tool(
        description = "The call stack that allocated an object (innermost frame first: function, script, 1-based line and column), for snapshots written with allocation tracking."
    )]
    async fn allocation_stack(&self, Parameters(a): Parameters<ObjectArgs>) -> Answer {
        answer(self.with_store(|s| s.allocation_stack(a.snapshot, a.id)))
    }

    #[tool(
        description = "Did a change fix a leak? Give two runs of one scenario, before and after the change, each a list of loaded snapshot numbers (oldest first; three or more per run tell growth from a one-time fill). Each leak of the run before is matched to the run after by its fingerprint (holder and code), else by its code; answers per leak still-growing, stopped or new, with bytes per step in each run, and fixed: true when every leak stopped and none is new."
    )]
    async fn verify_fix(&self, Parameters(a): Parameters<VerifyArgs>) -> Answer {
        answer(self.with_store(|s| s.verify_fix(&a.before, &a.after, &a.ignore)))
    }

    #[tool(
        description = "One finding of a diff (two snapshots) or series (three or more) by rank, in one answer: its full report row (holder path, per-step gains, parts, fingerprint), the holder object, the units it gained (gained objects no other gained object dominates, by class, with retained bytes), the sites that made them and their allocation stacks (tracked snapshots)."
    )]
    async fn explain_finding(&self, Parameters(a): Parameters<ExplainArgs>) -> Answer {
        answer(self.with_store(|s| s.explain_finding(&a.snapshots, a.rank, &a.options)))
    }

    #[tool(
        description = "Bytes freed if objects were gone: one object (id, in the last of snapshots), a diff's cluster (cluster: rank; all its members) or a finding (finding: rank; every new object its holder gained, i.e. the leak fixed). Set-level: reachability from the roots over strong edges without them, summing the shallow sizes of what becomes unreachable (freed_bytes); retained_by_dominators is the dominator tree's figure for comparison."
    )]
    async fn what_if(&self, Parameters(a): Parameters<WhatIfArgs>) -> Answer {
        let target = match (a.id, a.cluster, a.finding) {
            (Some(id), None, None) => WhatIfTarget::Object(id),
            (None, Some(rank), None) => WhatIfTarget::Cluster(rank),
            (None, None, Some(rank)) => WhatIfTarget::Finding(rank),
            _ => {
                return answer::<()>(Err(ToolError::Arguments(
                    "what_if takes one of id, cluster or finding".to_string(),
                )));
            }
        };
        answer(self.with_store(|s| s.what_if(&a.snapshots, target, &a.options)))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let info = Implementation::new("heapdiff", env!("CARGO_PKG_VERSION"));
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(info)
            .with_instructions(
                "Load V8 heap snapshots with load_snapshot (keep the numbers it returns; \
                 relative paths resolve against the server's working directory), then diff \
                 two of them (base, late) or run a series on three or more to find leaks; \
                 explain_finding, cluster, retainers, dominator_subtree and allocation_stack \
                 explain one finding, what_if says what fixing it frees, and verify_fix \
                 compares runs before and after a change. Sizes are bytes.",
            )
    }
}

/// Serves MCP on stdin and stdout until the client closes stdin; relative paths resolve
/// against the working directory it starts in.
pub fn serve_stdio() -> Result<()> {
    let failed = |e: String| Error::new(ErrorKind::Usage(format!("mcp: {e}")));
    let root = std::env::current_dir().map_err(|e| {
        failed(format!(
            "no working directory to resolve paths against: {e}"
        ))
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    runtime.block_on(async {
        let transport = LineTransport::new(tokio::io::stdin(), tokio::io::stdout());
        let service = Server::new(root)
            .serve(transport)
            .await
            .map_err(|e| failed(e.to_string()))?;
        service.waiting().await.map_err(|e| failed(e.to_string()))?;
        Ok(())
    })
}
