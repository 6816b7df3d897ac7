//! Builders and readers the unit tests of several modules share.

use crate::report::ValidationReport;
use crate::types::{ChordEntry, MusicPayload, NumeralStyle};

pub(crate) fn entry(bar: u32, numeral: &str, symbol: &str) -> ChordEntry {
    ChordEntry {
        symbol: symbol.into(),
        ..ChordEntry::new(bar, numeral)
    }
}

pub(crate) fn payload(key: &str, chords: Vec<ChordEntry>) -> MusicPayload {
    MusicPayload {
        key: key.into(),
        style: NumeralStyle::Classical,
        meter: None,
        instrument: None,
        voicing_kind: None,
        chords,
        scale: None,
        rhythm: None,
        melody: Vec::new(),
    }
}

pub(crate) fn messages(report: &ValidationReport) -> Vec<String> {
    report.issues.iter().map(ToString::to_string).collect()
}
