//! The reader on arbitrary bytes: it must return a graph or an error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = heapdiff::read::parse(data);
});
