//! Report structs for allocation stacks: a cluster's stacks, the new objects by allocation
//! site (`--group-by stack`) and one snapshot's Allocation view, built from the engine's
//! results for every renderer.

use serde::Serialize;

use crate::analysis::stacks::{AllocationTop, Frame};
use crate::leaks::allocation_sites::AllocationSite;
use crate::leaks::clusters::ClusterStacks;

/// A cluster's allocation stacks (snapshots written with allocation tracking on).
#[derive(Debug, Clone, Serialize)]
pub struct AllocationReport {
    /// Members that have a stack.
    pub traced: u64,
    /// The innermost function of the program's own code (outside `node_modules` and Node's
    /// internals) that most members' stacks pass through, and how many members' do.
    pub allocated_by: Option<AllocatedBy>,
    /// The most common stacks, innermost frame first.
    pub stacks: Vec<StackReport>,
    /// Distinct stacks not listed, and how many members they allocated.
    pub omitted_stacks: u64,
    pub omitted_count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AllocatedBy {
    #[serde(flatten)]
    pub frame: Frame,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StackReport {
    pub count: u64,
    /// The members' shallow bytes.
    pub size: u64,
    /// Recorded stacks counted here: more than 1 when they differ only in which eval'd script
    /// (`new Function`) ran; `frames` are those of the commonest.
    pub variants: u64,
    pub frames: Vec<Frame>,
}

impl From<&ClusterStacks> for AllocationReport {
    fn from(s: &ClusterStacks) -> AllocationReport {
        AllocationReport {
            traced: s.traced,
            allocated_by: s.allocated_by.as_ref().map(|(frame, count)| AllocatedBy {
                frame: frame.clone(),
                count: *count,
            }),
            stacks: s
                .stacks
                .iter()
                .map(|st| StackReport {
                    count: st.count,
                    size: st.size,
                    variants: st.variants,
                    frames: st.frames.clone(),
                })
                .collect(),
            omitted_stacks: s.omitted_stacks,
            omitted_count: s.omitted_count,
        }
    }
}

/// A class and how many of a site's objects it has.
#[derive(Debug, Clone, Serialize)]
pub struct ClassCount {
    pub name: String,
    pub count: u64,
}

/// One row of the Allocation view: a function as the innermost frame of allocations. In a
/// diff, `live_count` and `live_size` count the new objects only.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationSiteReport {
    /// The function, every allocation V8 recorded with it innermost (alive or not) and the
    /// live objects among them.
    #[serde(flatten)]
    pub top: AllocationTop,
    /// (In a diff) the program's own function most of these objects were allocated under,
    /// when that is not this function itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocated_by: Option<AllocatedBy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<ClassCount>,
}

impl From<&AllocationTop> for AllocationSiteReport {
    fn from(t: &AllocationTop) -> AllocationSiteReport {
        AllocationSiteReport {
            top: t.clone(),
            allocated_by: None,
            classes: Vec::new(),
        }
    }
}

impl From<&AllocationSite> for AllocationSiteReport {
    fn from(s: &AllocationSite) -> AllocationSiteReport {
        AllocationSiteReport {
            // A site in the program's own code is its own allocator.
            allocated_by: s
                .allocated_by
                .as_ref()
                .filter(|(frame, _)| *frame != s.top.frame)
                .map(|(frame, count)| AllocatedBy {
                    frame: frame.clone(),
                    count: *count,
                }),
            classes: s
                .classes
                .iter()
                .map(|(name, count)| ClassCount {
                    name: name.clone(),
                    count: *count,
                })
                .collect(),
            ..AllocationSiteReport::from(&s.top)
        }
    }
}
