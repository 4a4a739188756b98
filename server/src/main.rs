//! keyrs-server: `keyrs-server [file.conf] [--option value ...]`.

/// mimalloc: size-classed, no per-allocation header, so a small key's node
/// and its value cost their size class and nothing more (glibc malloc adds
/// 8–16 bytes to every allocation), and thread-local free lists keep the
/// per-command allocations cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
}
