//! Scales on a tonic (`D dorian`, `Bb bebop dominant`) and scale names alone. A scale
//! prints and reads back to itself, and has as many notes as its intervals.

#![no_main]

use cadence_theory::{Scale, ScaleKind, scale_report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.parse::<Scale>() {
        Ok(scale) => {
            for printed in [scale.to_string(), format!("{scale:#}")] {
                let reparsed: Scale = printed
                    .parse()
                    .unwrap_or_else(|error| panic!("{text:?} printed as {printed:?}: {error}"));
                assert_eq!(reparsed, scale, "{text:?} printed as {printed:?}");
            }
            assert_eq!(scale.notes().len(), scale.kind.intervals().len());
            assert_eq!(scale.notes()[0], scale.tonic);
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    if let Ok(kind) = text.parse::<ScaleKind>() {
        assert_eq!(kind.to_string().parse::<ScaleKind>().ok(), Some(kind));
    }
    // `cadence theory scale`.
    if let Err(error) = scale_report(text) {
        assert!(!error.to_string().is_empty());
    }
});
