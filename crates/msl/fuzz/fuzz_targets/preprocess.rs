//! `cargo fuzz run preprocess`: the preprocessor must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msl::preprocess::{preprocess_with_limits, Limits};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let opts = msl::Options { defines: vec![("F(x)".into(), "x x".into())], ..msl::Options::default() };
    let limits = Limits { max_expansion_work: 1_000_000, max_output_tokens: 1_000_000, ..Limits::default() };
    let _ = preprocess_with_limits(&src, &opts, &limits);
});
