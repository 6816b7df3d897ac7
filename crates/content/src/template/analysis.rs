//! Theory analyses of a progression: functions, scale choices, voice leading and tritone
//! substitutions.

use std::str::FromStr;

use super::payload::{chart, progression_payload};
use super::{parse_key, plan, voicings_for};
use crate::ContentError;
use crate::topic::{Topic, progression_name};
use crate::types::{
    ChordFunction, FunctionNote, Instrument, Level, MusicPayload, SCHEMA_VERSION,
    ScaleChordRelation, Substitution, TheoryAnalysis,
};
use cadence_theory::progression::tritone_substitute;
use cadence_theory::{Chord, Key, Note, RomanNumeral, Scale, ScaleKind, voicing};

fn function_explanation(function: ChordFunction, symbol: &str, key: &Key) -> String {
    match function {
        ChordFunction::Diatonic => format!("{symbol} is built only from notes of {key}."),
        ChordFunction::Applied => {
            format!(
                "{symbol} is an applied chord: it acts as the dominant of the chord it leads to."
            )
        }
        ChordFunction::Borrowed => format!("{symbol} is borrowed from {}.", key.parallel()),
        ChordFunction::Neapolitan => {
            format!("{symbol} is the Neapolitan chord, built on the lowered second degree.")
        }
        ChordFunction::Chromatic => {
            format!("{symbol} brings in notes from outside {key} for colour and tension.")
        }
    }
}

/// Scales on the chord's root that contain every chord tone (at most three).
fn scales_for(chord: &Chord) -> Vec<String> {
    let notes = chord.notes();
    ScaleKind::ALL
        .into_iter()
        .map(|kind| Scale::new(chord.root(), kind))
        .filter(|scale| notes.iter().all(|p| scale.contains(*p)))
        .take(3)
        .map(|scale| scale.to_string())
        .collect()
}

/// What the engine says of a progression's chords: each one's function in its key, the
/// scales on its root that hold it, and its tritone substitutions.
pub(crate) struct HarmonicNotes {
    pub functions: Vec<FunctionNote>,
    pub scale_chord: Vec<ScaleChordRelation>,
    pub substitutions: Vec<Substitution>,
}

/// The harmonic notes of `music`, whose chords are computed.
pub(crate) fn harmonic_notes(music: &MusicPayload) -> Result<HarmonicNotes, ContentError> {
    let music_key = Key::from_str(&music.key)?;
    let style = music.style.theory();
    let mut functions = Vec::new();
    let mut scale_chord: Vec<ScaleChordRelation> = Vec::new();
    let mut substitutions = Vec::new();
    for entry in &music.chords {
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        let key = entry.key_in(&music_key)?;
        if let Ok(reading) = RomanNumeral::for_chord(&chord, &key, style) {
            let function = ChordFunction::from(reading.function);
            functions.push(FunctionNote {
                bar: entry.bar,
                numeral: entry.numeral.clone(),
                function,
                explanation: function_explanation(function, &entry.symbol, &key),
            });
        }
        if !scale_chord.iter().any(|r| r.symbol == entry.symbol) {
            scale_chord.push(ScaleChordRelation {
                symbol: entry.symbol.clone(),
                scales: scales_for(&chord),
            });
            if let Some(substitute) = tritone_substitute(&chord) {
                substitutions.push(Substitution {
                    bar: entry.bar,
                    original: chord.to_string(),
                    substitute: substitute.to_string(),
                    explanation: format!(
                        "{substitute} shares the tritone of {chord} and resolves down by a half step."
                    ),
                });
            }
        }
    }
    Ok(HarmonicNotes {
        functions,
        scale_chord,
        substitutions,
    })
}

/// A harmonic analysis of a progression topic: functions, scale choices, voice leading
/// and tritone substitutions, all computed.
pub fn theory_analysis(
    topic: &str,
    key: &str,
    level: Level,
) -> Result<TheoryAnalysis, ContentError> {
    let parsed = Topic::parse(topic)?;
    let Topic::Progression(template) = parsed else {
        return Err(ContentError::UnknownTopic {
            input: topic.to_string(),
            known: "a progression, e.g. ii-V-I, gospel-2-5-1, blues".to_string(),
        });
    };
    let key = parse_key(key)?;
    let music = progression_payload(
        template,
        &key,
        &voicings_for(template, &plan(level)),
        Instrument::Piano,
    )?;
    let HarmonicNotes {
        functions,
        scale_chord,
        substitutions,
    } = harmonic_notes(&music)?;
    let voice_leading = music
        .chords
        .windows(2)
        .filter_map(|pair| {
            let from = pair[0].voicing.as_ref()?;
            let to = pair[1].voicing.as_ref()?;
            let from_notes: Vec<Note> = from.notes.iter().filter_map(|n| n.parse().ok()).collect();
            let to_notes: Vec<Note> = to.notes.iter().filter_map(|n| n.parse().ok()).collect();
            let common: Vec<String> = from_notes
                .iter()
                .filter(|n| to_notes.contains(n))
                .map(|n| n.to_string())
                .collect();
            let held = if common.is_empty() {
                "no common tones".to_string()
            } else {
                format!("holding {}", common.join(" "))
            };
            Some(format!(
                "{} to {}: the voices move {} semitones in all, {held}.",
                pair[0].symbol,
                pair[1].symbol,
                voicing::motion(&from_notes, &to_notes)
            ))
        })
        .collect();
    let name = progression_name(template);
    Ok(TheoryAnalysis {
        schema_version: SCHEMA_VERSION,
        title: format!("Analysis: the {name} in {}", music.key),
        summary: format!(
            "The {name} in {}: {}. Each chord's function, the scales that fit it, how the \
             voicings connect and where a tritone substitution can go.",
            music.key,
            chart(&music)
        ),
        music,
        functions,
        scale_chord,
        voice_leading,
        substitutions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn theory_analysis_is_computed_and_passes_validation() {
        let mut analysis = theory_analysis("ii-V-I", "C", Level::Intermediate).unwrap();
        assert_eq!(analysis.functions.len(), 4);
        assert!(
            analysis
                .functions
                .iter()
                .all(|f| f.function == ChordFunction::Diatonic)
        );
        let g7 = analysis
            .scale_chord
            .iter()
            .find(|r| r.symbol == "G7")
            .unwrap();
        assert!(g7.scales.contains(&"G mixolydian".to_string()), "{g7:?}");
        assert_eq!(analysis.substitutions[0].substitute, "Db7");
        assert_eq!(analysis.voice_leading.len(), 3);
        let report = validate::theory_analysis(&mut analysis);
        assert!(report.issues.is_empty(), "{report}");
        assert!(theory_analysis("major scale", "C", Level::Beginner).is_err());
    }
}
