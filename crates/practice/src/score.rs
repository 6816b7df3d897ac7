//! Scoring an answer: the theory engine computes the expected answer and judges the
//! student's, spelling included (E♯ is not F in a chord spelled with F), and the feedback
//! says what was wrong.

use std::str::FromStr;

use cadence_theory::{Chord, ChordQuality, Interval, Key, Note, PitchClass, RomanNumeral};
use serde::Serialize;
use ts_rs::TS;

use crate::item::{INTERVAL_NAMES, Item, QUALITY_NAMES, interval_name, quality_name};
use crate::schedule::Rating;

/// How an answer was judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Scored {
    pub correct: bool,
    /// The engine's answer, as the student would write it.
    pub expected: String,
    /// What was right or wrong, in a sentence.
    pub feedback: String,
    /// The rating the schedule takes: the student's own for a play-along, else good or again.
    #[serde(skip)]
    #[ts(skip)]
    pub rating: Rating,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("the answer is empty; {0}")]
    Empty(&'static str),
    #[error("`{0}` is not a rating; say how it went: again, hard, good or easy")]
    Rating(String),
    #[error("the item cannot be scored: {0}")]
    Item(String),
}

impl Scored {
    pub(crate) fn judged(correct: bool, expected: String, feedback: String) -> Scored {
        Scored {
            correct,
            expected,
            feedback,
            rating: if correct { Rating::Good } else { Rating::Again },
        }
    }
}

/// Judges `answer` to `item`.
pub fn score(item: &Item, answer: &str) -> Result<Scored, ScoreError> {
    let answer = answer.trim();
    match item {
        Item::ChordOfNumeral {
            key,
            numeral,
            style,
        } => {
            if answer.is_empty() {
                return Err(ScoreError::Empty("write the notes, e.g. D F A C"));
            }
            let key = Key::from_str(key).map_err(|e| ScoreError::Item(e.to_string()))?;
            let notes = RomanNumeral::from_str(numeral)
                .and_then(|n| n.notes(&key, *style))
                .map_err(|e| ScoreError::Item(e.to_string()))?;
            Ok(spelled_notes(
                answer,
                &notes,
                &format!("{numeral} in {key}"),
            ))
        }
        Item::ChordQuality { .. } | Item::HearChord { .. } => {
            if answer.is_empty() {
                return Err(ScoreError::Empty("name the quality, e.g. minor seventh"));
            }
            let pitches = item
                .chord_notes()
                .map_err(|e| ScoreError::Item(e.to_string()))?;
            let chord = Chord::identify(&pitches).map_err(|e| ScoreError::Item(e.to_string()))?;
            Ok(quality_answer(answer, &chord))
        }
        Item::Interval { low, high } | Item::HearInterval { low, high, .. } => {
            if answer.is_empty() {
                return Err(ScoreError::Empty(
                    "name the interval, e.g. minor third or m3",
                ));
            }
            let low = Note::from_str(low).map_err(|e| ScoreError::Item(e.to_string()))?;
            let high = Note::from_str(high).map_err(|e| ScoreError::Item(e.to_string()))?;
            Ok(interval_answer(answer, low, high))
        }
        Item::NumeralOfChord {
            key, symbol, style, ..
        } => {
            if answer.is_empty() {
                return Err(ScoreError::Empty("write a numeral, e.g. V7"));
            }
            let key = Key::from_str(key).map_err(|e| ScoreError::Item(e.to_string()))?;
            let chord = Chord::from_str(symbol).map_err(|e| ScoreError::Item(e.to_string()))?;
            let expected = RomanNumeral::for_chord(&chord, &key, *style)
                .map(|reading| reading.numeral.to_string())
                .map_err(|e| ScoreError::Item(e.to_string()))?;
            Ok(match RomanNumeral::from_str(answer) {
                Err(error) => Scored::judged(
                    false,
                    expected.clone(),
                    format!("{error}. {symbol} in {key} is {expected}."),
                ),
                Ok(numeral) => match numeral.chord(&key, *style) {
                    Ok(theirs) if theirs == chord => Scored::judged(
                        true,
                        expected,
                        format!("Right: {symbol} is {answer} in {key}."),
                    ),
                    Ok(theirs) => Scored::judged(
                        false,
                        expected.clone(),
                        format!("{answer} in {key} is {theirs}; {symbol} is {expected}."),
                    ),
                    Err(error) => Scored::judged(
                        false,
                        expected.clone(),
                        format!(
                            "{answer} has no chord in {key} ({error}); {symbol} is {expected}."
                        ),
                    ),
                },
            })
        }
        Item::PlayAlong { .. } => {
            let rating = Rating::from_str(answer)
                .map_err(|_| ScoreError::Empty("say how it went: again, hard, good or easy"))?;
            let correct = matches!(rating, Rating::Good | Rating::Easy);
            Ok(Scored {
                correct,
                expected: "good".to_string(),
                feedback: match rating {
                    Rating::Again => "Play it again slowly; it comes back soon.".to_string(),
                    Rating::Hard => "It comes back soon, at the same tempo.".to_string(),
                    Rating::Good | Rating::Easy => {
                        "Well played: next time a little faster.".to_string()
                    }
                },
                rating,
            })
        }
    }
}

/// Keys played on a keyboard (MIDI numbers) against the chord an item asks for. A key has
/// no spelling, so any octave and voicing of the chord's pitch classes is right.
pub fn score_played(item: &Item, keys: &[u8]) -> Result<Scored, ScoreError> {
    if matches!(item, Item::PlayAlong { .. }) {
        return Err(ScoreError::Item(
            "a play-along is rated, not checked note by note".into(),
        ));
    }
    let expected = item
        .chord_notes()
        .map_err(|e| ScoreError::Item(e.to_string()))?;
    if keys.is_empty() {
        return Err(ScoreError::Empty("play the chord's notes together"));
    }
    let expected_text = names(&expected);
    let played = crate::midi::match_chord(keys, &expected);
    if played.correct {
        return Ok(Scored::judged(
            true,
            expected_text.clone(),
            format!("Right: you played {expected_text}."),
        ));
    }
    let mut problems = Vec::new();
    if !played.missing.is_empty() {
        problems.push(format!("missing {}", played.missing.join(" ")));
    }
    if !played.extra.is_empty() {
        let extra: Vec<String> = played
            .extra
            .iter()
            .map(|key| cadence_theory::Note::from_midi(i32::from(*key), false).to_string())
            .collect();
        problems.push(format!("{} not in the chord", extra.join(" ")));
    }
    Ok(Scored::judged(
        false,
        expected_text.clone(),
        format!(
            "Not quite: {}. The chord is {expected_text}.",
            problems.join("; ")
        ),
    ))
}

/// A list of notes against the engine's spelling of `what`: the same letters and
/// accidentals, in any order.
pub(crate) fn spelled_notes(answer: &str, expected: &[PitchClass], what: &str) -> Scored {
    let expected_text = names(expected);
    let mut written = Vec::new();
    for token in answer.split(|c: char| c.is_whitespace() || c == ',' || c == '-') {
        if token.is_empty() {
            continue;
        }
        match PitchClass::from_str(token) {
            Ok(pitch) => written.push(pitch),
            Err(_) => {
                return Scored::judged(
                    false,
                    expected_text.clone(),
                    format!(
                        "`{token}` is not a note name; write notes like F# or Bb. {what} is {expected_text}."
                    ),
                );
            }
        }
    }
    let mut ours: Vec<String> = expected.iter().map(ToString::to_string).collect();
    let mut theirs: Vec<String> = written.iter().map(ToString::to_string).collect();
    ours.sort();
    theirs.sort();
    theirs.dedup();
    if ours == theirs {
        return Scored::judged(
            true,
            expected_text,
            format!("Right: {what} is {}.", names(expected)),
        );
    }
    // Written with another name for a note the chord has: say which.
    let respelled: Vec<String> = written
        .iter()
        .filter(|p| !expected.contains(p))
        .filter_map(|p| {
            expected
                .iter()
                .find(|e| e.is_enharmonic(*p))
                .map(|e| format!("{p} is spelled {e} here"))
        })
        .collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !written.iter().any(|p| p.is_enharmonic(**e)))
        .map(ToString::to_string)
        .collect();
    let extra: Vec<String> = written
        .iter()
        .filter(|p| !expected.iter().any(|e| e.is_enharmonic(**p)))
        .map(ToString::to_string)
        .collect();
    let mut problems = Vec::new();
    if !respelled.is_empty() {
        problems.push(format!(
            "{} (it sounds the same, but the chord's letters are fixed)",
            respelled.join(", ")
        ));
    }
    if !missing.is_empty() {
        problems.push(format!("missing {}", missing.join(" ")));
    }
    if !extra.is_empty() {
        problems.push(format!("{} not in the chord", extra.join(" ")));
    }
    Scored::judged(
        false,
        expected_text.clone(),
        format!(
            "Not quite: {}. {what} is {expected_text}.",
            problems.join("; ")
        ),
    )
}

fn names(pitches: &[PitchClass]) -> String {
    pitches
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A quality named in words (`minor seventh`) or as a chord suffix (`m7`, `ø7`).
fn read_quality(answer: &str) -> Option<ChordQuality> {
    let lower = answer.to_lowercase();
    let words = lower.replace('-', " ");
    let suffix = QUALITY_NAMES
        .iter()
        .find(|(name, _)| name.replace('-', " ") == words)
        .map(|(_, suffix)| (*suffix).to_string())
        .unwrap_or_else(|| answer.to_string());
    ChordQuality::parse(&suffix, answer).ok()
}

fn quality_answer(answer: &str, chord: &Chord) -> Scored {
    let root_position = Chord::new(chord.root(), chord.quality().clone());
    let expected = quality_name(&root_position)
        .map(str::to_string)
        .unwrap_or_else(|| root_position.to_string());
    match read_quality(answer) {
        None => Scored::judged(
            false,
            expected.clone(),
            format!(
                "`{answer}` is not a chord quality; answer e.g. minor seventh or m7. It is {expected}."
            ),
        ),
        Some(quality) if &quality == chord.quality() => Scored::judged(
            true,
            expected.clone(),
            format!("Right: {root_position} is {expected}."),
        ),
        Some(quality) => {
            let theirs = Chord::new(chord.root(), quality);
            Scored::judged(
                false,
                expected.clone(),
                format!(
                    "That would be {theirs} ({}); these notes make {root_position}, {expected}.",
                    names(&theirs.notes())
                ),
            )
        }
    }
}

/// An interval named in words (`minor third`) or short (`m3`).
fn read_interval(answer: &str) -> Option<Interval> {
    let lower = answer.to_lowercase().replace('-', " ");
    let short = INTERVAL_NAMES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, short)| *short)
        .or(match lower.as_str() {
            "tritone" => Some("A4"),
            "unison" => Some("P1"),
            _ => None,
        })
        .unwrap_or(answer);
    Interval::from_str(short).ok()
}

fn interval_answer(answer: &str, low: Note, high: Note) -> Scored {
    let interval = low.pitch().interval_to(high.pitch());
    let interval = if interval.semitones() == 0 && high.midi() > low.midi() {
        Interval::OCTAVE
    } else {
        interval
    };
    let expected = interval_name(interval)
        .map(str::to_string)
        .unwrap_or_else(|| interval.to_string());
    match read_interval(answer) {
        None => Scored::judged(
            false,
            expected.clone(),
            format!(
                "`{answer}` is not an interval; answer e.g. minor third or m3. {low} up to {high} is a {expected}."
            ),
        ),
        Some(theirs) if theirs == interval => Scored::judged(
            true,
            expected.clone(),
            format!("Right: {low} up to {high} is a {expected}."),
        ),
        Some(theirs)
            if theirs.semitones().rem_euclid(12) == interval.semitones().rem_euclid(12) =>
        {
            Scored::judged(
                false,
                expected.clone(),
                format!(
                    "It sounds like a {}, but {low} up to {high} is spelled as a {expected}: count the letters.",
                    interval_name(theirs).map_or_else(|| theirs.to_string(), str::to_string)
                ),
            )
        }
        Some(theirs) => Scored::judged(
            false,
            expected.clone(),
            format!(
                "A {} is {} semitones; {low} up to {high} is {} semitones, a {expected}.",
                interval_name(theirs).map_or_else(|| theirs.to_string(), str::to_string),
                theirs.semitones(),
                interval.semitones()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_theory::Style;

    fn spell(key: &str, numeral: &str) -> Item {
        Item::ChordOfNumeral {
            key: key.into(),
            numeral: numeral.into(),
            style: Style::Classical,
        }
    }

    #[test]
    fn a_spelled_chord_is_right_in_any_order_and_wrong_when_respelled() {
        let item = spell("D minor", "V7");
        let right = score(&item, "A C# E G").unwrap();
        assert!(right.correct, "{right:?}");
        assert!(score(&item, "g, e, c#, a").unwrap().correct);
        let respelled = score(&item, "A Db E G").unwrap();
        assert!(!respelled.correct);
        assert!(
            respelled.feedback.contains("Db is spelled C# here"),
            "{}",
            respelled.feedback
        );
        assert_eq!(respelled.expected, "A C# E G");
        let missing = score(&item, "A C# E").unwrap();
        assert!(
            missing.feedback.contains("missing G"),
            "{}",
            missing.feedback
        );
        let junk = score(&item, "A C# H G").unwrap();
        assert!(!junk.correct && junk.feedback.contains("`H` is not a note name"));
        assert!(score(&item, "  ").is_err());
    }

    #[test]
    fn qualities_are_read_in_words_or_as_suffixes() {
        let item = Item::ChordQuality {
            notes: vec!["B".into(), "D".into(), "F".into(), "A".into()],
            choices: vec![],
        };
        for right in [
            "half-diminished seventh",
            "half diminished seventh",
            "m7b5",
            "ø7",
        ] {
            assert!(score(&item, right).unwrap().correct, "{right}");
        }
        let wrong = score(&item, "minor seventh").unwrap();
        assert!(
            !wrong.correct && wrong.feedback.contains("Bm7"),
            "{}",
            wrong.feedback
        );
        assert_eq!(wrong.expected, "half-diminished seventh");
    }

    #[test]
    fn an_enharmonic_interval_is_named_as_spelled() {
        let item = Item::Interval {
            low: "C4".into(),
            high: "D#4".into(),
        };
        assert!(score(&item, "augmented second").unwrap().correct);
        assert!(score(&item, "A2").unwrap().correct);
        let sounds_right = score(&item, "minor third").unwrap();
        assert!(!sounds_right.correct);
        assert!(
            sounds_right.feedback.contains("sounds like a minor third"),
            "{}",
            sounds_right.feedback
        );
        let octave = Item::Interval {
            low: "C4".into(),
            high: "C5".into(),
        };
        assert!(score(&octave, "octave").unwrap().correct);
    }

    #[test]
    fn a_numeral_is_right_when_it_names_the_same_chord() {
        let item = Item::NumeralOfChord {
            key: "C major".into(),
            symbol: "G7/B".into(),
            style: Style::Classical,
            choices: vec![],
        };
        assert!(score(&item, "V65").unwrap().correct);
        assert!(score(&item, "V6/5").unwrap().correct);
        let wrong = score(&item, "V7").unwrap();
        assert!(
            !wrong.correct && wrong.feedback.contains("V7 in C major is G7"),
            "{}",
            wrong.feedback
        );
    }

    #[test]
    fn a_chord_played_on_a_keyboard_is_matched_by_its_keys() {
        let item = spell("D minor", "V7");
        // A3 C#4 E4 G4, and the same an octave up with the root doubled.
        assert!(score_played(&item, &[57, 61, 64, 67]).unwrap().correct);
        assert!(score_played(&item, &[69, 73, 76, 79, 81]).unwrap().correct);
        let wrong = score_played(&item, &[57, 60, 64, 67]).unwrap();
        assert!(!wrong.correct);
        assert!(
            wrong.feedback.contains("missing C#") && wrong.feedback.contains("C4 not in the chord"),
            "{}",
            wrong.feedback
        );
        assert!(score_played(&item, &[]).is_err());
    }

    #[test]
    fn a_play_along_takes_the_students_rating() {
        let item = Item::PlayAlong {
            title: "t".into(),
            key: "C major".into(),
            chords: vec!["C".into()],
            target_bpm: 90,
        };
        assert_eq!(score(&item, "hard").unwrap().rating, Rating::Hard);
        assert!(score(&item, "easy").unwrap().correct);
        assert!(score(&item, "great").is_err());
    }
}
