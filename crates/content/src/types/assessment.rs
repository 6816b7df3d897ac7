//! The assessment document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AssessmentKind, Level, NumeralStyle, SCHEMA_VERSION, current_version, pattern};

/// What a question asks; the answer key is computed from this by the theory engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionSpec {
    /// Which chord is this numeral in this key? Answer: one chord symbol.
    ChordForNumeral {
        #[schemars(pattern(pattern::KEY))]
        key: String,
        #[schemars(pattern(pattern::NUMERAL))]
        numeral: String,
        #[serde(default)]
        style: NumeralStyle,
    },
    /// Which numeral is this chord in this key? Answer: one numeral.
    NumeralForChord {
        #[schemars(pattern(pattern::KEY))]
        key: String,
        #[schemars(pattern(pattern::CHORD_SYMBOL))]
        symbol: String,
        #[serde(default)]
        style: NumeralStyle,
    },
    /// Which notes make up this chord? Answer: its pitch classes.
    ChordNotes {
        #[schemars(pattern(pattern::CHORD_SYMBOL))]
        symbol: String,
    },
    /// Which notes make up this scale? Answer: its pitch classes, ascending.
    ScaleNotes {
        #[schemars(pattern(pattern::PITCH_CLASS))]
        tonic: String,
        scale: String,
    },
    /// How many sharps or flats? Answer: e.g. "3 flats".
    KeySignature {
        #[schemars(pattern(pattern::KEY))]
        key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    #[schemars(range(min = 1, max = 100))]
    pub number: u32,
    pub prompt: String,
    pub spec: QuestionSpec,
    /// Multiple-choice options; empty for a free answer. Each option is one answer
    /// written as its items joined by spaces.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The answer key (computed).
    #[serde(default)]
    pub answer: Vec<String>,
    #[schemars(range(min = 1, max = 100))]
    pub points: u32,
}

/// A test of what a student knows, with engine-computed answer keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub kind: AssessmentKind,
    pub level: Level,
    pub topic: String,
    #[schemars(length(min = 1))]
    pub questions: Vec<Question>,
}
