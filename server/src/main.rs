//! keyrs-server: `keyrs-server [file.conf] [--option value ...]`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// mimalloc: size-classed, no per-allocation header, so a small key's node
/// and its value cost their size class and nothing more (glibc malloc adds
/// 8–16 bytes to every allocation), and thread-local free lists keep the
/// per-command allocations cheap.
///
/// Called directly rather than through the `mimalloc` crate's allocator,
/// which routes every request through `mi_malloc_aligned`: in mimalloc 3 that
/// takes a generic path costing ~250 instructions for small blocks, where
/// `mi_malloc` (whose blocks are always aligned to their natural alignment,
/// up to [`MI_MAX_ALIGN`]) takes ~20.
struct Allocator;

/// Alignment every `mi_malloc` block has (`MI_MAX_ALIGN_SIZE`): a block of
/// `n` bytes is aligned to min(16, the largest power of two dividing its size
/// class), and Rust's layouts have `size` a multiple of `align`.
const MI_MAX_ALIGN: usize = 16;

// SAFETY: every method forwards to mimalloc's documented C API with the
// layout's size (and alignment when it exceeds what mi_malloc guarantees);
// pointers freed/reallocated here were all obtained from mimalloc.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MI_MAX_ALIGN {
            libmimalloc_sys::mi_malloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MI_MAX_ALIGN {
            libmimalloc_sys::mi_zalloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        libmimalloc_sys::mi_free(ptr.cast::<c_void>());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MI_MAX_ALIGN {
            libmimalloc_sys::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            libmimalloc_sys::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align())
                .cast()
        }
    }
}

#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t`, the
/// same in mimalloc 2 and 3; the binding crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed memory to the OS at once instead of after a delay.
///
/// Why: a delayed purge only runs on later allocator activity, so memory
/// freed just before the server goes quiet (a bulk load's read buffers, a
/// closed client's buffers) stays resident indefinitely; Redis (jemalloc)
/// gives it back. Small-object pages are reused long before they are
/// purged, so the hot path does not pay for it.
fn configure_allocator() {
    // SAFETY: mi_option_set only stores an integer option in mimalloc's
    // option table; any value is valid for purge_delay (0 = immediate), and
    // it is called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() {
    configure_allocator();
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(keyrs_server::main_with_args(&args));
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_set_to_immediate() {
        super::configure_allocator();
        // SAFETY: reads an integer option.
        let v = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(v, 0);
    }

    #[test]
    fn blocks_have_the_alignment_their_layout_asks() {
        // Every size class up to a few KiB, at every alignment up to 64.
        for align in [1usize, 2, 4, 8, 16, 32, 64] {
            let mut held = Vec::new();
            for size in (align..4096).step_by(align.max(8)) {
                let v: Vec<u8> = Vec::with_capacity(size);
                let layout = std::alloc::Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero size; freed below with the same layout.
                let p = unsafe { std::alloc::alloc(layout) };
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "size {size} align {align}");
                held.push((p, layout));
                drop(v);
            }
            for (p, layout) in held {
                // SAFETY: allocated above with this layout.
                unsafe { std::alloc::dealloc(p, layout) };
            }
        }
    }
}
