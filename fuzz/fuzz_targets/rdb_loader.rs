//! libFuzzer entry point; the logic is `keyrs_fuzz::rdb::rdb_loader`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyrs_fuzz::rdb::rdb_loader(data));
