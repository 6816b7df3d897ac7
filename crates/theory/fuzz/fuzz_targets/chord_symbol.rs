//! Chord symbols (`Bb13(#11)`, `Am7/G`), as charts and the command line write them.
//! A symbol that parses prints canonically, in ASCII and in Unicode, and both read back
//! to the same chord; one that does not is refused with a message.

#![no_main]

use cadence_theory::{Chord, chord_report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Chord::parse(text) {
        Ok(chord) => {
            for printed in [chord.to_string(), format!("{chord:#}")] {
                let reparsed = Chord::parse(&printed)
                    .unwrap_or_else(|error| panic!("{text:?} printed as {printed:?}: {error}"));
                assert_eq!(reparsed, chord, "{text:?} printed as {printed:?}");
            }
            let notes = chord.notes();
            assert!(!notes.is_empty(), "{text:?} has no notes");
            if let Some(bass) = chord.bass() {
                assert_eq!(notes[0], bass, "{text:?}: the bass comes first");
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    // `cadence theory chord`: a symbol, or notes to name.
    if let Err(error) = chord_report(text) {
        assert!(!error.to_string().is_empty());
    }
});
