//! The theory analysis document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{MusicPayload, SCHEMA_VERSION, current_version, pattern};

/// Why a chord is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChordFunction {
    Diatonic,
    Applied,
    Borrowed,
    Neapolitan,
    Chromatic,
}

impl From<cadence_theory::HarmonicFunction> for ChordFunction {
    fn from(function: cadence_theory::HarmonicFunction) -> Self {
        use cadence_theory::HarmonicFunction as H;
        match function {
            H::Diatonic => ChordFunction::Diatonic,
            H::Applied => ChordFunction::Applied,
            H::Borrowed => ChordFunction::Borrowed,
            H::Neapolitan => ChordFunction::Neapolitan,
            H::Chromatic => ChordFunction::Chromatic,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionNote {
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    #[schemars(pattern(pattern::NUMERAL))]
    pub numeral: String,
    /// Computed from the chord and the key.
    pub function: ChordFunction,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleChordRelation {
    #[schemars(pattern(pattern::CHORD_SYMBOL))]
    pub symbol: String,
    /// Scales (names as in the scale field) that contain every chord tone (checked).
    pub scales: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Substitution {
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    pub original: String,
    pub substitute: String,
    pub explanation: String,
}

/// A harmonic analysis of a progression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TheoryAnalysis {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    pub title: String,
    pub summary: String,
    pub music: MusicPayload,
    pub functions: Vec<FunctionNote>,
    pub scale_chord: Vec<ScaleChordRelation>,
    pub voice_leading: Vec<String>,
    pub substitutions: Vec<Substitution>,
}
