//! Exercises: the music each kind of exercise needs, and a scale pattern's notes.

use std::str::FromStr;

use super::{check_version, require_text};
use crate::compute::{music, names};
use crate::report::{Severity, ValidationReport};
use crate::types::{Exercise, ExerciseKind, MusicPayload};
use cadence_theory::{Note, Scale};

pub fn exercise(doc: &mut Exercise) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    music(&mut doc.music, "music", &mut report);
    let needs = match doc.kind {
        ExerciseKind::Progression | ExerciseKind::VoicingStudy if doc.music.chords.is_empty() => {
            Some("music.chords")
        }
        ExerciseKind::VoicingStudy if doc.music.voicing_kind.is_none() => {
            Some("music.voicing_kind")
        }
        ExerciseKind::ScalePattern if doc.music.scale.is_none() => Some("music.scale"),
        ExerciseKind::ScalePattern | ExerciseKind::Lick if doc.music.melody.is_empty() => {
            Some("music.melody")
        }
        ExerciseKind::Rhythm if doc.music.rhythm.is_none() => Some("music.rhythm"),
        _ => None,
    };
    if let Some(field) = needs {
        report.push(
            field,
            Severity::Error,
            format!("a {:?} exercise needs it", doc.kind),
        );
    }
    if doc.kind == ExerciseKind::ScalePattern {
        scale_pattern_notes(&doc.music, &mut report);
    }
    report
}

/// Every note of a scale pattern must belong to its scale.
fn scale_pattern_notes(payload: &MusicPayload, report: &mut ValidationReport) {
    let Some(scale) = payload
        .scale
        .as_ref()
        .and_then(|s| format!("{} {}", s.tonic, s.kind).parse::<Scale>().ok())
    else {
        return;
    };
    for (index, entry) in payload.melody.iter().enumerate() {
        if let Ok(note) = Note::from_str(&entry.note)
            && !scale.contains(note.pitch())
        {
            report.push(
                format!("music.melody[{index}].note"),
                Severity::Error,
                format!(
                    "{} is not in {scale} ({})",
                    entry.note,
                    names(&scale.notes()).join(" ")
                ),
            );
        }
    }
}
