#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = common::text(data) {
        common::check(opsbook::extract::backstage::extract("catalog-info.yaml", text));
    }
});
