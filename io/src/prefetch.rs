//! The CPU's prefetch instruction, for the engine's batch prefetch
//! (`Engine::prefetch_batch`, KeyDB's `prefetch-enabled`). keyrs-core has
//! no `unsafe`, so it hands the addresses here.

/// Ask the CPU to start loading the cache line holding `p` into its
/// caches. Only a hint: any address is allowed, valid or not.
#[inline(always)]
pub fn hint(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: the intrinsic needs the `sse` target feature, which every
        // x86_64 target has. A prefetch neither reads memory the program can
        // observe nor faults, even for an unmapped or null address (the
        // test below prefetches both).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_address_is_a_harmless_hint() {
        let data = vec![7u8; 256];
        hint(data.as_ptr());
        hint(std::ptr::null());
        // An address nothing is mapped at (the top of the lower half).
        hint(std::ptr::without_provenance(0x7fff_ffff_f000));
        assert_eq!(data, vec![7u8; 256], "the data is untouched");
    }
}
