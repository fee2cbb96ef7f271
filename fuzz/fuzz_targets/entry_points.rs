//! Every entry point of losskit-core with arbitrary shapes, data lengths, class indices,
//! options and output slots, decoded from libFuzzer's bytes by the harness the stable driver
//! shares (crates/losskit-core/tests/fuzz_harness): no panic other than a returned error, no
//! write outside the output slots, and (under AddressSanitizer) no read out of bounds.
#![no_main]

#[path = "../../crates/losskit-core/tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::run(&mut fuzz_harness::Bytes(data));
});
