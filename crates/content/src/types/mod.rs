//! The lesson documents: what generators produce, the store keeps and export writes.
//!
//! Musical facts appear as the theory engine's ASCII names ("Eb major", "Bb7", "Eb4",
//! "V7/V"). A model writes keys and numerals; every field documented as computed is
//! filled in (or overwritten) by check-and-repair, never trusted.
//!
//! Each document kind has its own file, as does the music payload they share; the level,
//! the numeral style and the string patterns are here.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ContentError;
// One definition of each kind serves the documents and the library columns.
pub use cadence_store::{AssessmentKind, ExerciseKind};

mod analysis;
mod assessment;
mod curriculum;
mod exercise;
mod lesson_plan;
mod music;
mod tutorial;

pub use analysis::*;
pub use assessment::*;
pub use curriculum::*;
pub use exercise::*;
pub use lesson_plan::*;
pub use music::*;
pub use tutorial::*;

/// Version of every document format; bump it when a change breaks old files.
pub const SCHEMA_VERSION: u32 = 1;

/// String patterns the schemas carry, so that a constrained decoder can only write
/// something shaped like a key, a numeral, a chord symbol or a standard code. The theory
/// engine still checks what the shape cannot.
pub mod pattern {
    /// `Eb major`, `F# minor`.
    pub const KEY: &str = r"^[A-G](##|#|bb|b)? (major|minor)$";
    /// `Eb`, `F#`, `Cbb`.
    pub const PITCH_CLASS: &str = r"^[A-G](##|#|bb|b)?$";
    /// `Eb4`: scientific pitch notation.
    pub const NOTE: &str = r"^[A-G](##|#|bb|b)?-?[0-9]$";
    /// `ii7`, `V7/V`, `viio7/ii`, `bVII`, `N6`, `Ger+6`, and the RomanText forms: `V6/5`,
    /// `vii/o7`, `Cad64`, `IV6[no1][add2]`, `V/V/V`. The theory engine's parser decides; this
    /// is its shape. Suffixes are bounded: an unbounded one lets a sampling model ramble
    /// inside a single field.
    pub const NUMERAL: &str = r"^(bb|b|#|-)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i|N|It|Fr|Ger|Gr|Sw|Cad)[A-Za-z0-9+#°ø%()/]{0,10}(\[(no|add)?(bb|b|#|-)?[0-9]{1,2}\]){0,4}(/(bb|b|#|-)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)){0,3}$";
    /// `Ebmaj7`, `C7(b9,#11)`, `F/A`; empty where the engine has yet to compute it.
    pub const CHORD_SYMBOL: &str =
        r"^([A-G](##|#|bb|b)?[A-Za-z0-9+#°ø(),^-]{0,16}(/[A-G](##|#|bb|b)?)?)?$";
    /// A US National Core Arts Standards music code: `MU:Cr1.1.4a`, `MU:Pr4.2.Ka`.
    pub const STANDARD_CODE: &str = r"^MU:(Cr|Pr|Re|Cn)[0-9]{1,2}\.[0-9]\.(PK|K|[1-8])[a-z]$";
    /// Every voicing name the theory engine reads, canonical names and aliases.
    pub const VOICING_KIND: &str = "^(close|closed|drop-2|drop2|drop-3|drop3|shell|shell-a|shell-137|shell-b|shell-173|rootless-a|a|rootless-b|b|rootless|rootless-ab|gospel|upper-structure|ust|upper)$";
    /// `4/4`, `6/8`.
    pub const METER: &str = r"^[1-9][0-9]?/(1|2|4|8|16)$";
    /// Every scale name the theory engine reads, canonical names and aliases.
    pub const SCALE_KIND: &str = "^(major|ionian|dorian|phrygian|lydian|mixolydian|natural minor|minor|aeolian|locrian|harmonic minor|melodic minor|jazz minor|major pentatonic|pentatonic|minor pentatonic|blues|minor blues|major blues|bebop dominant|bebop|bebop major|bebop dorian|bebop minor|bebop melodic minor|altered|super locrian|lydian dominant|lydian b7|whole tone|diminished|whole half diminished|dominant diminished|half whole diminished)$";
}

fn current_version() -> u32 {
    SCHEMA_VERSION
}

/// How far along the student is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Beginner, Level::Intermediate, Level::Advanced];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ContentError;

    fn from_str(s: &str) -> Result<Self, ContentError> {
        let wanted = s.trim().to_lowercase();
        Level::ALL
            .into_iter()
            .find(|level| level.as_str() == wanted)
            .ok_or_else(|| ContentError::UnknownLevel {
                input: s.to_string(),
            })
    }
}

/// How a bare upper-case `7` in a numeral is read: `classical` (I7 = Imaj7 in major),
/// `jazz` (I7 is a dominant seventh, as in the blues) or `romantext` (as published RomanText
/// analyses mean their figures; an imported analysis is in this style).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumeralStyle {
    #[default]
    Classical,
    Jazz,
    #[serde(rename = "romantext")]
    RomanText,
}

impl NumeralStyle {
    pub fn theory(self) -> cadence_theory::Style {
        match self {
            NumeralStyle::Classical => cadence_theory::Style::Classical,
            NumeralStyle::Jazz => cadence_theory::Style::Jazz,
            NumeralStyle::RomanText => cadence_theory::Style::RomanText,
        }
    }
}
