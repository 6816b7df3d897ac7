//! The music payload every document carries: key, numerals and what is computed from them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NumeralStyle, pattern};

/// One chord of a progression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChordEntry {
    /// 1-based bar number.
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    /// Roman numeral in the payload's key, e.g. "ii7", "V7/V", "bVII7".
    #[schemars(pattern(pattern::NUMERAL))]
    pub numeral: String,
    /// Chord symbol (computed from numeral and key), e.g. "Fm7".
    #[serde(default)]
    #[schemars(pattern(pattern::CHORD_SYMBOL))]
    pub symbol: String,
    /// Spelled pitch classes, root first or bass first for inversions (computed).
    #[serde(default)]
    #[schemars(inner(pattern(pattern::PITCH_CLASS)))]
    pub notes: Vec<String>,
    /// Piano voicing (computed when the payload names a voicing kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicing: Option<VoicingEntry>,
    /// The key the numeral is read in where the music has moved from the payload's key,
    /// e.g. "C major" in a piece in A minor; absent, the payload's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(pattern::KEY))]
    pub key: Option<String>,
    /// The beat the chord starts on, 1 the downbeat (2.5 halfway through beat 2); absent,
    /// the chords of a bar share it evenly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1.0, max = 16.0))]
    pub beat: Option<f64>,
}

impl ChordEntry {
    /// The key the chord is read in: its own, or else the payload's `home`.
    pub fn key_in(
        &self,
        home: &cadence_theory::Key,
    ) -> cadence_theory::Result<cadence_theory::Key> {
        match &self.key {
            Some(name) => name.parse(),
            None => Ok(*home),
        }
    }

    /// A chord in the payload's key at the start of `bar`, to be computed from its numeral.
    pub fn new(bar: u32, numeral: impl Into<String>) -> Self {
        ChordEntry {
            bar,
            numeral: numeral.into(),
            symbol: String::new(),
            notes: Vec::new(),
            voicing: None,
            key: None,
            beat: None,
        }
    }
}

/// A chord voiced on the piano.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VoicingEntry {
    /// Voicing kind, e.g. "shell", "rootless-a", "drop-2".
    pub kind: String,
    /// Notes with octaves, lowest first, e.g. ["Ab3", "C4", "Eb4", "G4"].
    #[schemars(inner(pattern(pattern::NOTE)))]
    pub notes: Vec<String>,
}

/// A scale with its spelled notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleEntry {
    /// Tonic pitch class, e.g. "Eb".
    #[schemars(pattern(pattern::PITCH_CLASS))]
    pub tonic: String,
    /// Scale name, e.g. "major", "harmonic minor", "blues".
    #[schemars(pattern(pattern::SCALE_KIND))]
    pub kind: String,
    /// Ascending pitch classes from the tonic (computed).
    #[serde(default)]
    #[schemars(inner(pattern(pattern::PITCH_CLASS)))]
    pub notes: Vec<String>,
}

/// A rhythm: durations in beats within one bar, and the same rhythm in ABC notation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rhythm {
    /// Time signature, e.g. "4/4".
    #[schemars(pattern(pattern::METER))]
    pub meter: String,
    /// Onsets' durations in quarter-note beats; they fill one bar exactly.
    #[schemars(length(max = 64), inner(range(min = 0.0625, max = 16.0)))]
    pub pattern: Vec<f64>,
    /// The pattern as an ABC tune on one pitch (computed from the pattern).
    #[serde(default)]
    pub abc: String,
}

/// One note of a line (a lick or a scale pattern).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MelodyNote {
    /// Note with octave, e.g. "Bb4".
    #[schemars(pattern(pattern::NOTE))]
    pub note: String,
    /// Length in quarter-note beats.
    #[schemars(range(min = 0.0625, max = 16.0))]
    pub beats: f64,
}

/// The musical content of a document: key, numerals and what is computed from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MusicPayload {
    /// Key, e.g. "Eb major", "C minor".
    #[schemars(pattern(pattern::KEY))]
    pub key: String,
    #[serde(default)]
    pub style: NumeralStyle,
    /// Time signature of the music, e.g. "3/4", where the document follows a score (an
    /// imported analysis); absent, 4/4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(pattern::METER))]
    pub meter: Option<String>,
    /// Voicing kind used for every chord's voicing, e.g. "rootless-a".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(pattern::VOICING_KIND))]
    pub voicing_kind: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub chords: Vec<ChordEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rhythm: Option<Rhythm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub melody: Vec<MelodyNote>,
}
