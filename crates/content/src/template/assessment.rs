//! Assessments: questions on a topic's chords, scale and key signature, with answer keys
//! the engine computes.

use std::str::FromStr;

use super::tutorial;
use crate::ContentError;
use crate::compute;
use crate::types::{Assessment, AssessmentKind, Level, Question, QuestionSpec, SCHEMA_VERSION};
use cadence_theory::{Chord, Interval, Key};

/// `count` distinct wrong chords of the same quality, for multiple choice.
fn distractors(chord: &Chord) -> Vec<String> {
    [
        Interval::MAJOR_SECOND,
        Interval::PERFECT_FOURTH,
        Interval::PERFECT_FIFTH,
        Interval::MINOR_THIRD,
    ]
    .into_iter()
    .map(|interval| chord.transpose(interval).to_string())
    .filter(|symbol| *symbol != chord.to_string())
    .take(3)
    .collect()
}

/// An assessment on `topic` whose answer keys the engine computes.
pub fn assessment(
    topic: &str,
    key: &str,
    level: Level,
    kind: AssessmentKind,
) -> Result<Assessment, ContentError> {
    let tutorial = tutorial(topic, key, level)?;
    let music = &tutorial.music;
    let chord_count = match level {
        Level::Beginner => 3,
        Level::Intermediate => 4,
        Level::Advanced => 6,
    };
    let mut specs: Vec<(String, QuestionSpec, Vec<String>, u32)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for entry in &music.chords {
        if seen.contains(&entry.numeral.as_str()) || seen.len() >= chord_count {
            continue;
        }
        seen.push(&entry.numeral);
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        let mut choices = distractors(&chord);
        choices.push(chord.to_string());
        choices.sort();
        specs.push((
            format!("Which chord is {} in {}?", entry.numeral, music.key),
            QuestionSpec::ChordForNumeral {
                key: music.key.clone(),
                numeral: entry.numeral.clone(),
                style: music.style,
            },
            choices,
            1,
        ));
        specs.push((
            format!("Which notes make up {}?", entry.symbol),
            QuestionSpec::ChordNotes {
                symbol: entry.symbol.clone(),
            },
            Vec::new(),
            2,
        ));
        if level != Level::Beginner {
            specs.push((
                format!(
                    "What is {} in {}, as a roman numeral?",
                    entry.symbol, music.key
                ),
                QuestionSpec::NumeralForChord {
                    key: music.key.clone(),
                    symbol: entry.symbol.clone(),
                    style: music.style,
                },
                Vec::new(),
                2,
            ));
        }
    }
    let (tonic, scale) = match &music.scale {
        Some(scale) => (scale.tonic.clone(), scale.kind.clone()),
        None => {
            let key = Key::from_str(&music.key)?;
            let scale = if key.is_minor() {
                "natural minor"
            } else {
                "major"
            };
            (key.tonic().to_string(), scale.to_string())
        }
    };
    specs.push((
        format!("Spell the {tonic} {scale} scale."),
        QuestionSpec::ScaleNotes { tonic, scale },
        Vec::new(),
        2,
    ));
    specs.push((
        format!("What is the key signature of {}?", music.key),
        QuestionSpec::KeySignature {
            key: music.key.clone(),
        },
        Vec::new(),
        1,
    ));
    let questions = specs
        .into_iter()
        .enumerate()
        .map(|(index, (prompt, spec, choices, points))| {
            let answer = compute::answer_key(&spec)?;
            Ok(Question {
                number: index as u32 + 1,
                prompt,
                spec,
                choices,
                answer,
                points,
            })
        })
        .collect::<Result<Vec<_>, ContentError>>()?;
    let kind_name = match kind {
        AssessmentKind::Diagnostic => "Diagnostic",
        AssessmentKind::Milestone => "Milestone",
        AssessmentKind::Module => "Module",
        AssessmentKind::Final => "Final",
    };
    Ok(Assessment {
        schema_version: SCHEMA_VERSION,
        title: format!("{kind_name} check: {}", tutorial.title),
        kind,
        level,
        topic: tutorial.topic,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn assessment_answers_are_computed() {
        let assessment = assessment(
            "ii-V-I",
            "Eb",
            Level::Intermediate,
            AssessmentKind::Milestone,
        )
        .unwrap();
        let first = &assessment.questions[0];
        assert_eq!(first.answer, ["Fm7"]);
        assert!(first.choices.contains(&"Fm7".to_string()) && first.choices.len() == 4);
        let signature = assessment.questions.last().unwrap();
        assert_eq!(signature.answer, ["3 flats (Bb Eb Ab)"]);
        for question in &assessment.questions {
            assert_eq!(
                validate::answer_key(&question.spec).unwrap(),
                question.answer
            );
        }
    }
}
