//! The music payload every document carries: key, numerals and what is computed from them.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NumeralStyle, pattern};
use crate::ContentError;

// What the music is written for: it decides what the engine computes for each chord (piano
// voicings, guitar shapes) and whether the line is the chords' root movement. Its schema
// carries no description: every document's prompt holds the schema, and the names say it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    #[default]
    Piano,
    Guitar,
    Bass,
    Voice,
}

impl Instrument {
    pub const ALL: [Instrument; 4] = [
        Instrument::Piano,
        Instrument::Guitar,
        Instrument::Bass,
        Instrument::Voice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Instrument::Piano => "piano",
            Instrument::Guitar => "guitar",
            Instrument::Bass => "bass",
            Instrument::Voice => "voice",
        }
    }

    /// The instrument a request names. A request's instrument is free text (a student may
    /// play the oboe); one the engine writes no music of its own for gets the piano's.
    pub fn from_request(text: &str) -> Instrument {
        text.parse().unwrap_or_default()
    }

    /// Plays one note at a time, so its music is a line rather than chords.
    pub fn plays_single_notes(self) -> bool {
        matches!(self, Instrument::Bass | Instrument::Voice)
    }
}

impl fmt::Display for Instrument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Instrument {
    type Err = ContentError;

    /// The names and the common ways of saying them, in any case: "Electric Guitar",
    /// "upright bass", "vocals", "keys".
    fn from_str(s: &str) -> Result<Self, ContentError> {
        let wanted = s.trim().to_lowercase();
        let words: Vec<&str> = wanted.split_whitespace().collect();
        let has = |word: &str| words.contains(&word);
        let found = if has("bass") {
            Some(Instrument::Bass)
        } else if has("guitar") {
            Some(Instrument::Guitar)
        } else if ["piano", "keyboard", "keys", "keyboards"]
            .iter()
            .any(|w| has(w))
        {
            Some(Instrument::Piano)
        } else if ["voice", "vocals", "vocal", "singing", "singer"]
            .iter()
            .any(|w| has(w))
        {
            Some(Instrument::Voice)
        } else {
            None
        };
        found.ok_or_else(|| ContentError::UnknownInstrument {
            input: s.to_string(),
        })
    }
}

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
    /// Computed for guitar music.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guitar: Option<GuitarShape>,
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
            guitar: None,
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

// A chord fretted on a guitar in standard tuning (E2 A2 D3 G3 B3 E4): C is frets
// [null, 3, 2, 0, 1, 0] sounding ["C3", "E3", "G3", "C4", "E4"]. The schema's words are few
// because every document's prompt holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GuitarShape {
    /// Low E to high E: 0 open, null muted.
    #[schemars(length(min = 6, max = 6), inner(range(max = 24)))]
    pub frets: Vec<Option<u8>>,
    // The sounding notes, low string first, spelled as the chord spells them; computed.
    pub notes: Vec<String>,
}

impl GuitarShape {
    /// The frets as a chord book writes them: `x32010`.
    pub fn diagram(&self) -> String {
        cadence_theory::fretboard::diagram(&self.frets)
    }
}

impl From<&cadence_theory::ChordShape> for GuitarShape {
    fn from(shape: &cadence_theory::ChordShape) -> Self {
        GuitarShape {
            frets: shape.frets().to_vec(),
            notes: shape.sounding().iter().map(ToString::to_string).collect(),
        }
    }
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
    /// Absent: piano.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<Instrument>,
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

impl MusicPayload {
    /// The instrument the music is for: the piano when none is named.
    pub fn instrument(&self) -> Instrument {
        self.instrument.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruments_are_read_in_any_case_and_common_names() {
        for (text, instrument) in [
            ("Guitar", Instrument::Guitar),
            (" electric guitar ", Instrument::Guitar),
            ("BASS", Instrument::Bass),
            ("bass guitar", Instrument::Bass),
            ("upright bass", Instrument::Bass),
            ("keys", Instrument::Piano),
            ("Piano", Instrument::Piano),
            ("vocals", Instrument::Voice),
            ("voice", Instrument::Voice),
        ] {
            assert_eq!(text.parse::<Instrument>().unwrap(), instrument, "{text}");
        }
        let error = "oboe".parse::<Instrument>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown instrument `oboe`; use piano, guitar, bass or voice"
        );
        assert_eq!(Instrument::from_request("oboe"), Instrument::Piano);
        assert_eq!(Instrument::from_request("Guitar"), Instrument::Guitar);
        for instrument in Instrument::ALL {
            assert_eq!(
                instrument.as_str().parse::<Instrument>().unwrap(),
                instrument
            );
        }
    }
}
