//! Index newtypes. A node's position in the snapshot (`NodeIdx`, an ordinal) and V8's object id
//! (`ObjectId`, the `@123` DevTools shows) are different numbers; keeping them as distinct types
//! stops one from being used for the other.

/// A node's ordinal: its position in the snapshot's `nodes` array, divided by the field count.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIdx(pub u32);

/// An edge's ordinal: its position in the snapshot's `edges` array, divided by the field count.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeIdx(pub u32);

/// An index into the snapshot's `strings` table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StrIdx(pub u32);

/// V8's heap object id (`@id`): stable for one object across snapshots of one process. V8 heap
/// objects have odd ids, embedder (native) objects even ones.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub u32);

impl NodeIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl EdgeIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl StrIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
