//! A teacher's edit of a stored document's music, read against what was stored: a chord may
//! be changed by its numeral or by its symbol, and the key may change. What the teacher
//! changed decides; the theory engine computes the rest, and a chord whose new symbol is
//! not its new numeral is a contradiction, refused with the field it is in.

use std::str::FromStr;

use serde::Serialize;
use ts_rs::TS;

use crate::types::{ChordEntry, MusicPayload};
use cadence_theory::{Chord, Key, RomanNumeral};

/// One thing wrong with an edit, on the field it is in (`music.chords[2].symbol`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EditProblem {
    pub field: String,
    pub message: String,
}

impl EditProblem {
    pub fn new(field: String, message: String) -> Self {
        EditProblem { field, message }
    }
}

/// A JSON pointer (`/music/chords/2/symbol`) as the field paths of edits and validation
/// reports write it (`music.chords[2].symbol`).
pub fn field_of_pointer(pointer: &str) -> String {
    let mut field = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.bytes().all(|b| b.is_ascii_digit()) && !part.is_empty() {
            field.push_str(&format!("[{part}]"));
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(&part);
        }
    }
    field
}

/// Makes the edited music consistent with what the teacher changed, against `stored`:
/// - a chord whose symbol changed takes its numeral from the symbol (read in its key);
/// - a chord whose numeral changed has its symbol recomputed;
/// - a chord whose numeral and symbol both changed must be the same chord, or it is refused;
/// - after a change of key, the numerals stay and the chords move with the key.
///
/// Notes, voicings and shapes are cleared for the engine to compute again. `path` names
/// the payload in problems ("music").
pub fn reconcile_music(
    stored: &MusicPayload,
    edited: &mut MusicPayload,
    path: &str,
) -> Result<(), Vec<EditProblem>> {
    let home = Key::from_str(&edited.key).map_err(|error| {
        vec![EditProblem::new(
            format!("{path}.key"),
            format!(
                "“{}” is not a key: {error}; write it as “Eb major” or “C minor”",
                edited.key
            ),
        )]
    })?;
    let style = edited.style.theory();
    let mut problems = Vec::new();
    for (index, chord) in edited.chords.iter_mut().enumerate() {
        let before = stored.chords.get(index);
        let field = format!("{path}.chords[{index}]");
        if let Err(problem) = reconcile_chord(chord, before, &home, style, &field) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn reconcile_chord(
    chord: &mut ChordEntry,
    before: Option<&ChordEntry>,
    home: &Key,
    style: cadence_theory::Style,
    field: &str,
) -> Result<(), EditProblem> {
    chord.numeral = chord.numeral.trim().to_string();
    chord.symbol = chord.symbol.trim().to_string();
    let numeral_changed = before.is_none_or(|b| b.numeral != chord.numeral);
    let symbol_changed = before.is_none_or(|b| b.symbol != chord.symbol);
    chord.notes.clear();
    chord.voicing = None;
    chord.guitar = None;
    let key = chord
        .key_in(home)
        .map_err(|error| EditProblem::new(format!("{field}.key"), format!("not a key: {error}")))?;
    if !symbol_changed || chord.symbol.is_empty() {
        // The numeral decides; the symbol is computed from it.
        chord.symbol.clear();
        return Ok(());
    }
    let written = Chord::from_str(&chord.symbol).map_err(|error| {
        EditProblem::new(
            format!("{field}.symbol"),
            format!("“{}” is not a chord symbol: {error}", chord.symbol),
        )
    })?;
    if numeral_changed && !chord.numeral.is_empty() {
        let numeral = RomanNumeral::from_str(&chord.numeral).map_err(|error| {
            EditProblem::new(
                format!("{field}.numeral"),
                format!("“{}” is not a roman numeral: {error}", chord.numeral),
            )
        })?;
        let meant = numeral.chord(&key, style).map_err(|error| {
            EditProblem::new(
                format!("{field}.numeral"),
                format!("{} has no chord in {key}: {error}", chord.numeral),
            )
        })?;
        if !meant.same_sound(&written) {
            return Err(EditProblem::new(
                field.to_string(),
                format!(
                    "{} is not {} in {key}: {} is {meant}; change the symbol or the numeral so \
                     that they name the same chord",
                    chord.symbol, chord.numeral, chord.numeral
                ),
            ));
        }
        chord.symbol.clear();
        return Ok(());
    }
    let reading = RomanNumeral::for_chord(&written, &key, style).map_err(|error| {
        EditProblem::new(
            format!("{field}.symbol"),
            format!(
                "{} cannot be read as a numeral in {key}: {error}",
                chord.symbol
            ),
        )
    })?;
    chord.numeral = reading.numeral.to_string();
    chord.symbol.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::NumeralStyle;

    fn payload(key: &str, chords: &[(&str, &str)]) -> MusicPayload {
        MusicPayload {
            key: key.into(),
            style: NumeralStyle::Jazz,
            meter: None,
            instrument: None,
            voicing_kind: None,
            chords: chords
                .iter()
                .enumerate()
                .map(|(index, (numeral, symbol))| ChordEntry {
                    symbol: (*symbol).into(),
                    ..ChordEntry::new(index as u32 + 1, *numeral)
                })
                .collect(),
            scale: None,
            rhythm: None,
            melody: Vec::new(),
        }
    }

    fn numerals(music: &MusicPayload) -> Vec<&str> {
        music.chords.iter().map(|c| c.numeral.as_str()).collect()
    }

    #[test]
    fn a_changed_symbol_gives_the_numeral_and_a_changed_numeral_the_symbol() {
        let stored = payload(
            "Eb major",
            &[("ii7", "Fm7"), ("V7", "Bb7"), ("Imaj7", "Ebmaj7")],
        );
        let mut edited = payload(
            "Eb major",
            &[("ii7", "Cm7"), ("V7/V", "Bb7"), ("Imaj7", "Ebmaj7")],
        );
        reconcile_music(&stored, &mut edited, "music").unwrap();
        assert_eq!(numerals(&edited), ["vi7", "V7/V", "Imaj7"]);
        assert!(edited.chords.iter().all(|c| c.symbol.is_empty()));
    }

    #[test]
    fn a_symbol_that_is_not_its_numeral_is_refused_on_its_chord() {
        let stored = payload("Eb major", &[("ii7", "Fm7"), ("V7", "Bb7")]);
        let mut edited = payload("Eb major", &[("IV", "Dm7"), ("V7", "Bb7")]);
        let problems = reconcile_music(&stored, &mut edited, "music").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "music.chords[0]");
        assert!(
            problems[0]
                .message
                .starts_with("Dm7 is not IV in Eb major: IV is Ab"),
            "{}",
            problems[0].message
        );
        let mut enharmonic = payload("Eb major", &[("ii7", "Fm7"), ("V7", "Bb7")]);
        enharmonic.chords[1] = ChordEntry {
            symbol: "A#7".into(),
            ..ChordEntry::new(2, "V7")
        };
        let mut stored_other = stored.clone();
        stored_other.chords[1].numeral = "I".into();
        reconcile_music(&stored_other, &mut enharmonic, "music").unwrap();
    }

    #[test]
    fn an_unreadable_symbol_or_key_is_refused_with_its_field() {
        let stored = payload("C major", &[("I", "C")]);
        let mut edited = payload("C major", &[("I", "Hm7")]);
        let problems = reconcile_music(&stored, &mut edited, "music").unwrap_err();
        assert_eq!(problems[0].field, "music.chords[0].symbol");
        let mut edited = payload("Q major", &[("I", "C")]);
        let problems = reconcile_music(&stored, &mut edited, "music").unwrap_err();
        assert_eq!(problems[0].field, "music.key");
    }

    #[test]
    fn pointers_read_as_field_paths() {
        assert_eq!(
            field_of_pointer("/music/chords/2/symbol"),
            "music.chords[2].symbol"
        );
        assert_eq!(field_of_pointer("/title"), "title");
        assert_eq!(field_of_pointer("/"), "");
    }

    #[test]
    fn after_a_change_of_key_the_numerals_stay() {
        let stored = payload("C major", &[("ii7", "Dm7"), ("V7", "G7")]);
        let mut edited = payload("F major", &[("ii7", "Dm7"), ("V7", "G7")]);
        reconcile_music(&stored, &mut edited, "music").unwrap();
        assert_eq!(numerals(&edited), ["ii7", "V7"]);
        assert!(edited.chords.iter().all(|c| c.symbol.is_empty()));
    }
}
