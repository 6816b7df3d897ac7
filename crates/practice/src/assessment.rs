//! An assessment taken by a student: each answer judged by the theory engine against the
//! question's spec (never against text a model wrote), and the score in points.

use std::str::FromStr;

use cadence_content::{Assessment, QuestionSpec};
use cadence_theory::{Chord, Key, Scale};
use serde::Serialize;
use ts_rs::TS;

use crate::item::Item;
use crate::score::{ScoreError, Scored, score, spelled_notes};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuestionScore {
    pub number: u32,
    pub correct: bool,
    pub expected: String,
    pub feedback: String,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AssessmentScore {
    /// Points earned over points possible, 0 to 1.
    pub score: f64,
    pub points: u32,
    pub total: u32,
    pub questions: Vec<QuestionScore>,
}

/// Judges one answer to a question.
pub fn score_question(spec: &QuestionSpec, answer: &str) -> Result<Scored, ScoreError> {
    let answer = answer.trim();
    let item_error = |e: cadence_theory::TheoryError| ScoreError::Item(e.to_string());
    match spec {
        QuestionSpec::ChordForNumeral {
            key,
            numeral,
            style,
        } => {
            let key_value = Key::from_str(key).map_err(item_error)?;
            let expected = cadence_theory::RomanNumeral::from_str(numeral)
                .and_then(|n| n.chord(&key_value, style.theory()))
                .map_err(item_error)?;
            // A chord symbol, or the chord's notes spelled out.
            if let Ok(chord) = Chord::from_str(answer) {
                let correct = chord == expected;
                return Ok(Scored::judged(
                    correct,
                    expected.to_string(),
                    if correct {
                        format!("Right: {numeral} in {key} is {expected}.")
                    } else {
                        format!("{chord} is not {numeral} in {key}; it is {expected}.")
                    },
                ));
            }
            score(
                &Item::ChordOfNumeral {
                    key: key.clone(),
                    numeral: numeral.clone(),
                    style: style.theory(),
                },
                answer,
            )
        }
        QuestionSpec::NumeralForChord { key, symbol, style } => score(
            &Item::NumeralOfChord {
                key: key.clone(),
                symbol: symbol.clone(),
                style: style.theory(),
                choices: Vec::new(),
            },
            answer,
        ),
        QuestionSpec::ChordNotes { symbol } => {
            let chord = Chord::from_str(symbol).map_err(item_error)?;
            Ok(spelled_notes(answer, &chord.notes(), symbol))
        }
        QuestionSpec::ScaleNotes { tonic, scale } => {
            let scale = format!("{tonic} {scale}");
            let notes = Scale::from_str(&scale).map_err(item_error)?.notes();
            Ok(spelled_notes(answer, &notes, &scale))
        }
        QuestionSpec::KeySignature { key } => {
            let signature = Key::from_str(key).map_err(item_error)?.signature();
            let expected = signature.to_string();
            let count = signature.fifths.unsigned_abs();
            let words = answer.to_lowercase();
            let said_count = words
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .or_else(|| words.starts_with("no").then_some(0));
            let said_kind_right = count == 0
                || (signature.fifths > 0 && words.contains("sharp"))
                || (signature.fifths < 0 && words.contains("flat"));
            let correct = said_count == Some(count) && said_kind_right;
            Ok(Scored::judged(
                correct,
                expected.clone(),
                if correct {
                    format!("Right: {key} has {expected}.")
                } else {
                    format!("{key} has {expected}.")
                },
            ))
        }
    }
}

/// Scores every answer (by question, in order; a missing answer scores nothing).
pub fn score_assessment(assessment: &Assessment, answers: &[String]) -> AssessmentScore {
    let mut points = 0;
    let mut total = 0;
    let questions = assessment
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            total += question.points;
            let answer = answers.get(index).map(String::as_str).unwrap_or("");
            let expected = question.answer.join(" ");
            let (correct, expected, feedback) = if answer.trim().is_empty() {
                (false, expected, "Not answered.".to_string())
            } else {
                match score_question(&question.spec, answer) {
                    Ok(scored) => (scored.correct, scored.expected, scored.feedback),
                    Err(error) => (false, expected, error.to_string()),
                }
            };
            if correct {
                points += question.points;
            }
            QuestionScore {
                number: question.number,
                correct,
                expected,
                feedback,
                points: question.points,
            }
        })
        .collect();
    AssessmentScore {
        score: if total == 0 {
            0.0
        } else {
            f64::from(points) / f64::from(total)
        },
        points,
        total,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_content::{AssessmentKind, Level, template};

    #[test]
    fn each_kind_of_question_is_judged_by_the_engine() {
        let chord = QuestionSpec::ChordForNumeral {
            key: "Eb major".into(),
            numeral: "V7".into(),
            style: Default::default(),
        };
        assert!(score_question(&chord, "Bb7").unwrap().correct);
        assert!(score_question(&chord, "Bb D F Ab").unwrap().correct);
        assert!(!score_question(&chord, "A#7").unwrap().correct);
        let signature = QuestionSpec::KeySignature {
            key: "Eb major".into(),
        };
        assert!(score_question(&signature, "3 flats").unwrap().correct);
        assert!(!score_question(&signature, "3 sharps").unwrap().correct);
        let scale = QuestionSpec::ScaleNotes {
            tonic: "D".into(),
            scale: "major".into(),
        };
        assert!(score_question(&scale, "D E F# G A B C#").unwrap().correct);
        let wrong = score_question(&scale, "D E Gb G A B C#").unwrap();
        assert!(
            wrong.feedback.contains("Gb is spelled F# here"),
            "{}",
            wrong.feedback
        );
    }

    #[test]
    fn an_assessment_scores_by_points_with_the_answer_key_right() {
        let assessment = template::assessment(
            "major scale",
            "D",
            Level::Beginner,
            AssessmentKind::Milestone,
        )
        .unwrap();
        let right: Vec<String> = assessment
            .questions
            .iter()
            .map(|q| {
                score_question(&q.spec, "?")
                    .map(|s| s.expected)
                    .unwrap_or_default()
            })
            .collect();
        let all = score_assessment(&assessment, &right);
        assert_eq!(all.points, all.total, "{all:?}");
        assert_eq!(all.score, 1.0);
        let none = score_assessment(&assessment, &[]);
        assert_eq!((none.points, none.score), (0, 0.0));
        assert!(none.questions.iter().all(|q| q.feedback == "Not answered."));
    }
}
