//! libFuzzer entry point; the logic is `keyrs_fuzz::engine::engine`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyrs_fuzz::engine::engine(data));
