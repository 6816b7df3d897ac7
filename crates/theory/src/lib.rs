//! Music theory engine: the source of musical truth for Cadence.
//!
//! Everything here is computed, never guessed: spelled pitches, chord symbols,
//! keys, Roman numerals, voicings and progressions, plus a validator for
//! progressions written elsewhere (e.g. by a language model).
//!
//! # Entry points
//!
//! For the `cadence theory` command line ([`report`]; each result is
//! `Serialize` for `--json` and `Display` for text, `{:#}` for ♭/♯):
//! - [`report::chord_report`]`(symbol_or_notes)`: `"C7(b9,#11)"` or `"C E G Bb"`.
//! - [`report::roman_report`]`(key, numerals)` and
//!   [`report::roman_report_with_style`]: `("Eb", "ii7 V7 Imaj7")`.
//! - [`report::voicing_report`]`(kind, key, chords)`:
//!   `("rootless-a", "F", "Gm7 C7 Fmaj7")`.
//! - [`report::scale_report`], [`report::progression_report`],
//!   [`report::validation_report`].
//!
//! Library API:
//! - [`PitchClass`], [`Note`] (`"Eb"`, `"Eb4"`, MIDI), [`Interval`] (`"m3"`).
//! - [`Chord`]: `"Bb13(#11)".parse()`, [`Chord::notes`], [`Chord::identify`].
//! - [`Key`], [`Scale`], [`ScaleKind`], [`KeySignature`].
//! - [`RomanNumeral`]: [`RomanNumeral::chord`] (numeral + key → chord),
//!   [`RomanNumeral::for_chord`] (chord + key → functional numeral), [`Style`].
//! - [`voicing::voice`], [`voicing::voice_progression`], [`voicing::check_voicing`].
//! - [`Fretboard`] (guitar, bass): [`Fretboard::chord_shape`], [`Fretboard::line`].
//! - [`Progression`], [`ProgressionTemplate`], [`Reharmonization`],
//!   [`progression::tritone_substitute`].
//! - [`validate::validate`] / [`validate::validate_text`] → [`ValidationReport`].
//! - [`romantext::read`]: a RomanText analysis, every chord spelled.
//!
//! # Conventions
//!
//! - Input accepts ASCII (`b`, `#`, `bb`, `##`, `x`) and Unicode (♭ ♯ 𝄫 𝄪)
//!   accidentals. Output is ASCII by default (`Bb7`, `F##`); the alternate
//!   format flag (`{:#}`) prints Unicode (`B♭7`, `F𝄪`). JSON uses the ASCII
//!   forms: a note is `"Eb4"`, a pitch class `"Eb"`, a chord `"Bb7(b9,#11)"`,
//!   a key `"Eb major"`, a numeral `"V65/V"`.
//! - Canonical chord suffixes are listed in [`quality`]; chord names from
//!   notes prefer exact spelling, then the plainest symbol with the root in
//!   the bass.
//! - Roman numerals are classical by default: a bare `I7` is the key's own
//!   seventh chord (Cmaj7 in C). [`Style::Jazz`] reads `I7` as a dominant
//!   seventh (blues). `maj7`/`dom7` are explicit in both. See [`roman`].
//! - Nothing here panics on user input; every failure is a [`TheoryError`]
//!   that says what was expected.

/// Implements `Serialize`/`Deserialize` through `Display`/`FromStr`, so theory
/// values appear in JSON as their readable names ("Eb4", "Bb7", "V7/V").
macro_rules! serde_as_string {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod accidental;
pub mod chord;
pub mod error;
pub mod fretboard;
pub mod interval;
pub mod pitch;
pub mod progression;
pub mod quality;
pub mod report;
pub mod roman;
pub mod romantext;
pub mod scale;
pub mod validate;
pub mod voicing;

#[cfg(test)]
mod properties;

pub use chord::Chord;
pub use error::{Result, TheoryError};
pub use fretboard::{ChordShape, Fretboard};
pub use interval::Interval;
pub use pitch::{Letter, Note, PitchClass};
pub use progression::{Progression, ProgressionTemplate, Reharmonization};
pub use quality::{AddedTone, Alteration, ChordQuality, Extension, OmittedTone, Seventh, Triad};
pub use report::{
    ChordReport, ProgressionReport, RomanReport, ScaleReport, VoicingReport, chord_report,
    progression_report, roman_report, roman_report_with_style, scale_report, validation_report,
    voicing_report,
};
pub use roman::{Bracket, HarmonicFunction, NumeralReading, RomanNumeral, Style};
pub use scale::{Key, KeyMode, KeySignature, Scale, ScaleKind};
pub use validate::{ProposedChord, ValidationReport};
pub use voicing::{Register, VoicedProgression, Voicing, VoicingKind};
