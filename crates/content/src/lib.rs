//! Lesson content: document types and their JSON Schemas, prompts, the no-model
//! template generator, musical validation and repair, export and import.
//!
//! # Entry points
//!
//! - [`template::tutorial`]`(topic, key, level)`, [`template::exercises`],
//!   [`template::assessment`], [`template::curriculum`], [`template::theory_analysis`],
//!   [`template::lesson_plan`]: complete documents computed by the theory engine, no model
//!   needed; [`template::tutorial_for`], [`template::exercises_for`] and
//!   [`template::curriculum_for`] write them for an [`Instrument`] (the guitar's chord
//!   shapes, the bass's or the voice's root movement).
//! - [`topic::Topic`]: what the template generator teaches; [`topic::Topic::entries`] lists
//!   every topic with its id and title for a picker.
//! - [`validate::tutorial`] (and siblings): checks every musical fact of a parsed
//!   document, repairs what the engine can compute, reports the rest.
//! - [`export::tutorial_json`], [`export::import_tutorial`], [`export::exercise_midi`].
//! - [`musicxml::tutorial_musicxml`], [`musicxml::exercise_musicxml`]: the music as a
//!   MusicXML score for notation programs.
//! - [`schema::write_all`]: regenerates the files in `assets/schema`.
//! - [`standards::table`]: the NCAS music codes shipped in `assets/standards`.
//! - [`prompts::render`]: a task's prompt with its variables checked.
//! - [`structured::parse_as`]: a model's answer read into its document type, each field
//!   that breaks the schema named by its path.

pub mod edit;
pub mod export;
pub mod import;
pub mod musicxml;
pub mod prompts;
pub mod romantext;
pub mod schema;
pub mod standards;
pub mod structured;
pub mod template;
pub mod topic;
pub mod types;
pub mod validate;

mod compute;
mod report;
#[cfg(test)]
mod test_support;

pub use types::*;
pub use validate::{Issue, Severity, ValidationReport};

/// Most characters of a typed value an error quotes back: enough to recognise it.
const QUOTED_CHARS: usize = 40;

/// A value the teacher gave, as an error quotes it: whole when short, else its opening.
pub fn quoted(input: &str) -> String {
    match input.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("unknown level `{}`; use beginner, intermediate or advanced", quoted(.input))]
    UnknownLevel { input: String },
    #[error("unknown instrument `{}`; use piano, guitar, bass or voice", quoted(.input))]
    UnknownInstrument { input: String },
    #[error("unknown topic `{}`; the template generator knows: {known}", quoted(.input))]
    UnknownTopic { input: String, known: String },
    #[error("`{}` is not an NCAS grade; use PK, K or 1 to 8", quoted(.input))]
    UnknownGrade { input: String },
    #[error("{0}")]
    Standards(String),
    #[error("there is no {kind} exercise for {topic}; choose one of: {offered}")]
    NoSuchExercise {
        kind: String,
        topic: String,
        offered: String,
    },
    #[error(
        "the lesson “{lesson}” has no tutorial yet; finish the curriculum (run `cadence batch` again) before exporting it"
    )]
    Unfinished { lesson: String },
    #[error("unknown lesson-plan part `{}`; use one of: {known}", quoted(.input))]
    UnknownPart { input: String, known: String },
    #[error("{0}")]
    Theory(#[from] cadence_theory::TheoryError),
    #[error("{0}")]
    Schema(#[from] crate::structured::StructuredError),
    #[error("the document is not valid JSON for a {what}: {message}")]
    Malformed { what: &'static str, message: String },
    #[error(
        "the {what} does not match its schema (assets/schema/{what}.schema.json):\n  {}",
        problems.join("\n  ")
    )]
    SchemaViolation {
        what: &'static str,
        problems: Vec<String>,
    },
    #[error(
        "the {what} was written for schema version {found}, this Cadence reads version {supported}; \
         update Cadence or export the file again from the Cadence that wrote it"
    )]
    UnsupportedVersion {
        what: &'static str,
        found: u64,
        supported: u32,
    },
    #[error("the {what} has musical errors that cannot be repaired:\n  {}", report.unrepaired().join("\n  "))]
    Invalid {
        what: &'static str,
        report: ValidationReport,
    },
    #[error("{0}")]
    RomanText(String),
    #[error("prompt `{template}`: {problem}")]
    Prompt { template: String, problem: String },
    #[error("cannot write {}: {source}; check that the folder exists and is writable", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("MIDI: {0}")]
    Midi(String),
    #[error("MusicXML: {0}")]
    MusicXml(String),
    #[error(transparent)]
    Store(#[from] cadence_store::StoreError),
    #[error(
        "curriculum {id} was not planned by this batch request (its key, level, weeks, \
         instrument or goal differ); repeat the request it was made with, or run without \
         resuming to plan a new curriculum"
    )]
    ResumeMismatch { id: i64 },
    #[error("a curriculum lasts 1 to {max} weeks; got {weeks}")]
    Weeks { weeks: u32, max: u32 },
    #[error("the batch run was cancelled; run it again to resume where it stopped")]
    Cancelled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_quote_only_the_opening_of_a_long_value() {
        assert_eq!(quoted("grandmaster"), "grandmaster");
        let long = "é".repeat(5000);
        let error = ContentError::UnknownLevel { input: long }.to_string();
        assert_eq!(
            error,
            format!(
                "unknown level `{}…`; use beginner, intermediate or advanced",
                "é".repeat(QUOTED_CHARS)
            )
        );
    }
}
