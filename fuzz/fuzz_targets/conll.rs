//! Fuzz target `conll`: a thin call into `marginalia_core::formats::fuzzing::run`, which must return
//! (never panic) and report no broken rule.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(broken) = marginalia_core::formats::fuzzing::run("conll", data) {
        panic!("conll: {broken}");
    }
});
