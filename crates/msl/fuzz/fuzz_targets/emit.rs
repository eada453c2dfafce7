//! Fuzzes reflection and emission: any input must give a library or a located error, and
//! emitting every entry point for both targets must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msl::{ConstantValues, Library, Options, Target};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let opts = Options { file_name: "fuzz.metal".into(), ..Options::default() };
    match Library::new(&src, &opts) {
        Ok(lib) => {
            let names: Vec<&str> = lib.reflection.entry_points.iter().map(|e| e.name.as_str()).collect();
            for target in [Target::Cpu, Target::Cuda] {
                if let Err(d) = lib.emit(target, &names, &ConstantValues::default()) {
                    let _ = d.to_string();
                }
            }
        }
        Err(d) => {
            assert!(!d.file.is_empty());
            let _ = d.to_string();
        }
    }
});
