//! libFuzzer entry point; the logic is `keyrs_fuzz::frame_roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyrs_fuzz::frame_roundtrip(data));
