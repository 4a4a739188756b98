//! libFuzzer entry point; the logic is `keyrs_fuzz::request_parser`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyrs_fuzz::request_parser(data));
