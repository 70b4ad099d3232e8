//! A cache hint for the graph's random reads: the flat arrays are far bigger than the caches,
//! and loops that know which node they will visit a few steps ahead can ask for it early.

/// Asks the processor to start loading `items[index]` into the cache (a hint: no effect on
/// other targets or out of bounds).
#[inline(always)]
pub fn prefetch<T>(items: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = items.get(index) {
        // SAFETY: a prefetch is a hint that never faults, and the pointer is in bounds.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (item as *const T).cast::<i8>(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, index);
}
