//! The single error type of the theory engine.
//!
//! Every variant carries the offending input so a message can be shown to the
//! user as is, and says what would have been accepted instead.

use thiserror::Error;

/// Everything that can go wrong when reading or computing music.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TheoryError {
    /// The input was empty or only whitespace.
    #[error("empty {what}; expected e.g. {example}")]
    Empty {
        what: &'static str,
        example: &'static str,
    },

    /// A note or pitch name could not be read.
    #[error("invalid note `{input}`: {reason}")]
    InvalidNote { input: String, reason: String },

    /// An interval name could not be read.
    #[error("invalid interval `{input}`: {reason}; expected e.g. m3, P5, A4, M9")]
    InvalidInterval { input: String, reason: String },

    /// The part of a chord symbol after the root was not understood.
    #[error(
        "unknown chord quality `{quality}` in `{symbol}`; expected e.g. m7, maj7, 7, dim7, m7b5, sus4, 9, 13, 7(b9,#11)"
    )]
    UnknownChordQuality { symbol: String, quality: String },

    /// A chord symbol is readable but musically contradictory.
    #[error("invalid chord `{symbol}`: {reason}")]
    InvalidChord { symbol: String, reason: String },

    /// A key name could not be read.
    #[error("invalid key `{input}`: {reason}; expected e.g. C, Eb, F# minor, Bbm")]
    InvalidKey { input: String, reason: String },

    /// A scale or mode name could not be read.
    #[error("unknown scale `{input}`; expected one of: {expected}")]
    UnknownScale { input: String, expected: String },

    /// A Roman numeral could not be read.
    #[error("invalid Roman numeral `{input}`: {reason}")]
    InvalidNumeral { input: String, reason: String },

    /// A chord has no Roman-numeral spelling in this engine's notation.
    #[error("cannot write {chord} as a Roman numeral in {key}: {reason}")]
    NotExpressible {
        chord: String,
        key: String,
        reason: String,
    },

    /// A set of notes matches no chord the engine knows.
    #[error(
        "no chord found for notes {notes}; give at least two distinct pitches forming a known chord"
    )]
    NoChordFound { notes: String },

    /// A voicing type name could not be read.
    #[error("unknown voicing type `{input}`; expected one of: {expected}")]
    UnknownVoicing { input: String, expected: String },

    /// A voicing could not be built for a chord.
    #[error("cannot voice {chord} as {kind}: {reason}")]
    VoicingFailed {
        chord: String,
        kind: String,
        reason: String,
    },

    /// A progression template name could not be read.
    #[error("unknown progression `{input}`; expected one of: {expected}")]
    UnknownProgression { input: String, expected: String },

    /// A reharmonisation rule name could not be read.
    #[error("unknown reharmonisation `{input}`; expected one of: {expected}")]
    UnknownReharmonization { input: String, expected: String },
}

/// Result type of the theory engine.
pub type Result<T, E = TheoryError> = std::result::Result<T, E>;
