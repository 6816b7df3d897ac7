//! RomanText analyses, as `cadence import rntxt` reads them: every chord spelled, or the
//! first line that cannot be read named. Repeats cannot copy chords past the bound, and what
//! is read prints without failing.

#![no_main]

use cadence_theory::romantext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match romantext::read(text) {
        Ok(analysis) => {
            assert!(analysis.chords.len() <= romantext::MAX_CHORDS);
            for chord in &analysis.chords {
                assert!(!chord.notes.is_empty(), "{chord}");
                assert!(chord.measure <= romantext::MAX_MEASURE);
            }
            let _ = format!("{analysis:#}");
        }
        Err(error) => {
            assert!(error.line >= 1 && error.line <= text.lines().count().max(1));
            assert!(!error.reason.is_empty());
        }
    }
});
