//! `heapdiff mcp`: the analysis as tools for AI agents, over the Model Context Protocol on
//! stdio (the official Rust SDK, rmcp). An agent loads snapshots once (they stay in memory,
//! each with a number) and asks many questions: summary, diff and series reports (the JSON
//! report structs), a cluster's members, an object's retainers, dominators and allocation
//! stack. The queries themselves are in [`store`].

mod store;

use std::sync::Mutex;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
pub use store::Store;

/// Rows per page when a call gives no `limit`.
const DEFAULT_LIMIT: usize = 50;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LoadArgs {
    /// Path of a .heapsnapshot or .heaptimeline file (plain, gzip'd or zstd'd).
    pub path: String,
    /// A folder of source maps kept apart from the served scripts (a build folder), matched
    /// by the end of their path. Maps that local scripts name or have beside them are always
    /// read.
    pub source_maps: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SnapshotArgs {
    /// The number load_snapshot returned.
    pub snapshot: usize,
    /// First row of the page (default 0).
    pub offset: Option<usize>,
    /// Rows per page (default 50).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DiffArgs {
    /// The earlier snapshot's number.
    pub base: usize,
    /// The later snapshot's number.
    pub late: usize,
    /// Rows per list (findings, clusters, classes; default 50).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SeriesArgs {
    /// Three or more snapshot numbers, oldest first.
    pub snapshots: Vec<usize>,
    /// Rows per list (default 50).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ClusterArgs {
    pub base: usize,
    pub late: usize,
    /// The cluster's rank in the diff report (1 = first).
    pub rank: usize,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ObjectArgs {
    pub snapshot: usize,
    /// The object's id (DevTools' @id).
    pub id: u32,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

/// The MCP server: one store behind a lock (tools run one at a time).
pub struct Server {
    store: Mutex<Store>,
    tool_router: ToolRouter<Self>,
}

/// A tool's answer: the JSON, or the error as a tool error the agent can read.
fn answer(
    result: std::result::Result<Value, String>,
) -> std::result::Result<CallToolResult, ErrorData> {
    Ok(match result {
        Ok(value) => CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
        Err(message) => CallToolResult::error(vec![ContentBlock::text(message)]),
    })
}

#[tool_router]
impl Server {
    pub fn new() -> Server {
        Server {
            store: Mutex::new(Store::default()),
            tool_router: Self::tool_router(),
        }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }

    #[tool(
        description = "Load and analyse a V8 heap snapshot (DevTools' numbers); it stays in memory. Returns its number for the other tools, node count and total size in bytes."
    )]
    async fn load_snapshot(
        &self,
        Parameters(a): Parameters<LoadArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| s.load(&a.path, a.source_maps.as_deref())))
    }

    #[tool(
        description = "DevTools' Summary view of a loaded snapshot: statistics and classes (count, shallow and retained bytes, distance), paged."
    )]
    async fn summary(
        &self,
        Parameters(a): Parameters<SnapshotArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| {
            s.summary(
                a.snapshot,
                a.offset.unwrap_or(0),
                a.limit.unwrap_or(DEFAULT_LIMIT),
            )
        }))
    }

    #[tool(
        description = "heapdiff's report on two loaded snapshots of one process (base, late): findings (old objects that gained new ones, most likely leak first), clusters of new objects with sites and retainer paths, DevTools' allocated-between classes. Sizes in bytes."
    )]
    async fn diff(
        &self,
        Parameters(a): Parameters<DiffArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| s.diff(a.base, a.late, a.limit.unwrap_or(DEFAULT_LIMIT))))
    }

    #[tool(
        description = "heapdiff's series report on three or more loaded snapshots: holders that grew at every step first, class and cluster trends."
    )]
    async fn series(
        &self,
        Parameters(a): Parameters<SeriesArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| s.series(&a.snapshots, a.limit.unwrap_or(DEFAULT_LIMIT))))
    }

    #[tool(
        description = "One cluster of a diff (by rank): its report row with every retainer path, and its members (id, class, shallow and retained bytes), paged."
    )]
    async fn cluster(
        &self,
        Parameters(a): Parameters<ClusterArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| {
            s.cluster(
                a.base,
                a.late,
                a.rank,
                a.offset.unwrap_or(0),
                a.limit.unwrap_or(DEFAULT_LIMIT),
            )
        }))
    }

    #[tool(
        description = "The objects that hold an object (by id): every retaining edge with its type and name, the holders largest first, paged."
    )]
    async fn retainers(
        &self,
        Parameters(a): Parameters<ObjectArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| {
            s.retainers(
                a.snapshot,
                a.id,
                a.offset.unwrap_or(0),
                a.limit.unwrap_or(DEFAULT_LIMIT),
            )
        }))
    }

    #[tool(
        description = "An object's place in the dominator tree: its dominators up to the root, and the objects it dominates (what freeing it frees), largest first, paged."
    )]
    async fn dominator_subtree(
        &self,
        Parameters(a): Parameters<ObjectArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| {
            s.dominators(
                a.snapshot,
                a.id,
                a.offset.unwrap_or(0),
                a.limit.unwrap_or(DEFAULT_LIMIT),
            )
        }))
    }

    #[tool(
        description = "The call stack that allocated an object (innermost frame first: function, script, 1-based line and column), for snapshots written with allocation tracking."
    )]
    async fn allocation_stack(
        &self,
        Parameters(a): Parameters<ObjectArgs>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        answer(self.with_store(|s| s.allocation_stack(a.snapshot, a.id)))
    }
}

impl Default for Server {
    fn default() -> Server {
        Server::new()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let info = Implementation::new("heapdiff", env!("CARGO_PKG_VERSION"));
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(info)
            .with_instructions(
                "Load V8 heap snapshots with load_snapshot (keep the numbers it returns), then \
                 diff two of them (base, late) to find leaks; cluster, retainers, \
                 dominator_subtree and allocation_stack explain one finding. Sizes are bytes.",
            )
    }
}

/// Serves MCP on stdin and stdout until the client closes stdin.
pub fn serve_stdio() -> Result<()> {
    let failed = |e: String| Error::new(ErrorKind::Usage(format!("mcp: {e}")));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    runtime.block_on(async {
        let service = Server::new()
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| failed(e.to_string()))?;
        service.waiting().await.map_err(|e| failed(e.to_string()))?;
        Ok(())
    })
}
