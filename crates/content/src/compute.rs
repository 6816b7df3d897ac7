//! What the theory engine computes for a document: a music payload's chord symbols, notes,
//! voicings, guitar shapes, root movement and ABC rhythm, and a question's answer key.
//!
//! The template generator builds its documents with these, and check-and-repair holds a
//! model's answer to them, so they sit below both.

use std::str::FromStr;

use crate::report::{Severity, ValidationReport};
use crate::types::{ChordEntry, MusicPayload, QuestionSpec, Rhythm, ScaleEntry, VoicingEntry};
use cadence_theory::{Chord, Key, Note, RomanNumeral, Scale, Style, VoicingKind, voicing};

mod instrument;

pub(crate) fn names<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Checks and completes a music payload in place.
pub fn music(payload: &mut MusicPayload, path: &str, report: &mut ValidationReport) {
    let key = match Key::from_str(&payload.key) {
        Ok(key) => key,
        Err(error) => {
            report.push(
                format!("{path}.key"),
                Severity::Error,
                format!("`{}` is not a key: {error}", payload.key),
            );
            return;
        }
    };
    let canonical_key = key.to_string();
    if payload.key != canonical_key {
        // A spelling variant ("Eb", "Ebmaj") of the same key: normalise quietly.
        payload.key = canonical_key;
    }
    let style = payload.style.theory();
    instrument::drop_voicings_of_single_notes(payload, path, report);
    let voicing_kind = match payload.voicing_kind.as_deref().map(VoicingKind::from_str) {
        None => None,
        Some(Ok(kind)) => {
            payload.voicing_kind = Some(kind.name().to_string());
            Some(kind)
        }
        Some(Err(error)) => {
            report.push(
                format!("{path}.voicing_kind"),
                Severity::Error,
                error.to_string(),
            );
            None
        }
    };
    let chords = chords(&mut payload.chords, &key, style, path, report);
    if let Some(kind) = voicing_kind {
        voicings(&mut payload.chords, &chords, kind, path, report);
    }
    instrument::instrument_music(payload, &chords, path, report);
    if let Some(scale) = payload.scale.as_mut() {
        scale_entry(scale, &format!("{path}.scale"), report);
    }
    if let Some(rhythm) = payload.rhythm.as_mut() {
        rhythm_entry(rhythm, &format!("{path}.rhythm"), report);
    }
    for (index, note) in payload.melody.iter().enumerate() {
        report.checked += 1;
        let note_path = format!("{path}.melody[{index}]");
        if let Err(error) = Note::from_str(&note.note) {
            report.push(
                format!("{note_path}.note"),
                Severity::Error,
                format!("`{}` is not a note with an octave: {error}", note.note),
            );
        }
        if !(note.beats.is_finite() && note.beats > 0.0 && note.beats <= 16.0) {
            report.push(
                format!("{note_path}.beats"),
                Severity::Error,
                format!("{} beats is not a length between 0 and 16", note.beats),
            );
        }
    }
}

/// Recomputes each chord from its numeral, in its own key where it has one; returns the
/// chords that could be read (None where the numeral or key could not).
fn chords(
    entries: &mut [ChordEntry],
    key: &Key,
    style: Style,
    path: &str,
    report: &mut ValidationReport,
) -> Vec<Option<Chord>> {
    let mut computed = Vec::with_capacity(entries.len());
    let mut last_bar = 0;
    for (index, entry) in entries.iter_mut().enumerate() {
        report.checked += 1;
        let entry_path = format!("{path}.chords[{index}]");
        if entry.bar == 0 || entry.bar < last_bar {
            report.push(
                format!("{entry_path}.bar"),
                Severity::Error,
                format!(
                    "bar {} comes after bar {last_bar}; bars start at 1 and run forwards",
                    entry.bar
                ),
            );
        }
        last_bar = last_bar.max(entry.bar);
        let key = match entry.key_in(key) {
            Ok(key) => key,
            Err(error) => {
                report.push(
                    format!("{entry_path}.key"),
                    Severity::Error,
                    format!(
                        "bar {}: `{}` is not a key: {error}",
                        entry.bar,
                        entry.key.as_deref().unwrap_or_default()
                    ),
                );
                computed.push(None);
                continue;
            }
        };
        let key = &key;
        if let Some(beat) = entry.beat.filter(|beat| !(1.0..=16.0).contains(beat)) {
            report.push(
                format!("{entry_path}.beat"),
                Severity::Error,
                format!("bar {}: beat {beat} is not between 1 and 16", entry.bar),
            );
        }
        let numeral = match RomanNumeral::from_str(&entry.numeral) {
            Ok(numeral) => numeral,
            Err(error) => {
                report.push(
                    format!("{entry_path}.numeral"),
                    Severity::Error,
                    format!(
                        "bar {}: `{}` is not a roman numeral: {error}",
                        entry.bar, entry.numeral
                    ),
                );
                computed.push(None);
                continue;
            }
        };
        let (chord, notes) = match numeral
            .chord(key, style)
            .and_then(|chord| Ok((chord, numeral.notes(key, style)?)))
        {
            Ok(found) => found,
            Err(error) => {
                report.push(
                    format!("{entry_path}.numeral"),
                    Severity::Error,
                    format!(
                        "bar {}: {} has no chord in {key}: {error}",
                        entry.bar, entry.numeral
                    ),
                );
                computed.push(None);
                continue;
            }
        };
        let symbol = chord.to_string();
        if !entry.symbol.is_empty() && entry.symbol != symbol {
            let same = Chord::from_str(&entry.symbol).is_ok_and(|given| given == chord);
            if !same {
                report.push(
                    format!("{entry_path}.symbol"),
                    Severity::Repaired,
                    format!(
                        "bar {}: {} is not {numeral} in {key}; {numeral} is {symbol}",
                        entry.bar, entry.symbol
                    ),
                );
            }
        }
        entry.symbol = symbol;
        let notes = names(&notes);
        if !entry.notes.is_empty() && entry.notes != notes {
            report.push(
                format!("{entry_path}.notes"),
                Severity::Repaired,
                format!(
                    "bar {}: {} are not the notes of {}; they are {}",
                    entry.bar,
                    entry.notes.join(" "),
                    entry.symbol,
                    notes.join(" ")
                ),
            );
        }
        entry.notes = notes;
        computed.push(Some(chord));
    }
    computed
}

/// Keeps a written voicing when it spells its chord; otherwise voices the whole
/// progression again so the voice leading stays smooth.
fn voicings(
    entries: &mut [ChordEntry],
    chords: &[Option<Chord>],
    kind: VoicingKind,
    path: &str,
    report: &mut ValidationReport,
) {
    let Some(chords) = chords.iter().cloned().collect::<Option<Vec<Chord>>>() else {
        return; // unreadable numerals are already errors
    };
    let mut all_fine = true;
    for (index, (entry, chord)) in entries.iter().zip(&chords).enumerate() {
        let Some(written) = &entry.voicing else {
            all_fine = false;
            continue;
        };
        report.checked += 1;
        let voicing_path = format!("{path}.chords[{index}].voicing");
        let notes: Result<Vec<Note>, _> = written.notes.iter().map(|n| Note::from_str(n)).collect();
        let problems = match (&notes, VoicingKind::from_str(&written.kind)) {
            (Ok(notes), Ok(written_kind)) if written_kind == kind => {
                voicing::check_voicing(chord, kind, notes)
            }
            (Ok(_), Ok(other)) => {
                vec![format!("is a {other} voicing, the payload asks for {kind}")]
            }
            (Ok(_), Err(error)) => vec![error.to_string()],
            (Err(error), _) => vec![format!("unreadable note: {error}")],
        };
        if !problems.is_empty() {
            all_fine = false;
            report.push(
                voicing_path,
                Severity::Repaired,
                format!(
                    "bar {}: {} {} for {chord}: {}; revoiced",
                    entry.bar,
                    written.notes.join(" "),
                    kind,
                    problems.join("; ")
                ),
            );
        }
    }
    if all_fine {
        return;
    }
    match voicing::voice_progression(&chords, kind, None) {
        Ok(voiced) => {
            for (entry, voiced) in entries.iter_mut().zip(voiced.voicings) {
                entry.voicing = Some(VoicingEntry {
                    kind: kind.name().to_string(),
                    notes: names(&voiced.notes),
                });
            }
        }
        Err(error) => report.push(
            format!("{path}.voicing_kind"),
            Severity::Error,
            format!("these chords cannot all be voiced as {kind}: {error}; choose another kind"),
        ),
    }
}

fn scale_entry(scale: &mut ScaleEntry, path: &str, report: &mut ValidationReport) {
    report.checked += 1;
    let parsed = format!("{} {}", scale.tonic, scale.kind).parse::<Scale>();
    let scale_value = match parsed {
        Ok(value) => value,
        Err(error) => {
            report.push(
                path,
                Severity::Error,
                format!("`{} {}` is not a scale: {error}", scale.tonic, scale.kind),
            );
            return;
        }
    };
    scale.tonic = scale_value.tonic.to_string();
    scale.kind = scale_value.kind.name().to_string();
    let notes = names(&scale_value.notes());
    if !scale.notes.is_empty() && scale.notes != notes {
        report.push(
            format!("{path}.notes"),
            Severity::Repaired,
            format!(
                "{} are not the notes of {scale_value}; they are {}",
                scale.notes.join(" "),
                notes.join(" ")
            ),
        );
    }
    scale.notes = notes;
}

/// Quarter-note beats in one bar of `meter` ("4/4", "6/8", "3/4").
pub fn beats_per_bar(meter: &str) -> Option<f64> {
    let (top, bottom) = meter.trim().split_once('/')?;
    let top: u32 = top.trim().parse().ok()?;
    let bottom: u32 = bottom.trim().parse().ok()?;
    if top == 0 || top > 32 || !matches!(bottom, 1 | 2 | 4 | 8 | 16) {
        return None;
    }
    Some(f64::from(top) * 4.0 / f64::from(bottom))
}

/// The pattern as a one-bar ABC tune on one pitch, or None when a duration is not a
/// whole number of sixteenths.
pub fn rhythm_abc(meter: &str, pattern: &[f64]) -> Option<String> {
    let sixteenths: Vec<u32> = pattern
        .iter()
        .map(|&beats| {
            let units = beats * 4.0;
            (units.is_finite() && units >= 1.0 && (units - units.round()).abs() < 1e-9)
                .then(|| units.round() as u32)
        })
        .collect::<Option<_>>()?;
    let eighths = sixteenths.iter().all(|units| units % 2 == 0);
    let (unit, divisor) = if eighths { ("1/8", 2) } else { ("1/16", 1) };
    let body: Vec<String> = sixteenths
        .iter()
        .map(|units| match units / divisor {
            1 => "c".to_string(),
            length => format!("c{length}"),
        })
        .collect();
    Some(format!(
        "X:1\nM:{}\nL:{unit}\nK:C\n|{}|]\n",
        meter.trim(),
        body.join(" ")
    ))
}

fn rhythm_entry(rhythm: &mut Rhythm, path: &str, report: &mut ValidationReport) {
    report.checked += 1;
    let Some(bar) = beats_per_bar(&rhythm.meter) else {
        report.push(
            format!("{path}.meter"),
            Severity::Error,
            format!("`{}` is not a time signature like 4/4 or 6/8", rhythm.meter),
        );
        return;
    };
    let total: f64 = rhythm.pattern.iter().sum();
    if rhythm.pattern.is_empty() || (total - bar).abs() > 1e-6 {
        report.push(
            format!("{path}.pattern"),
            Severity::Error,
            format!(
                "the durations add up to {total} beats but a bar of {} has {bar}",
                rhythm.meter
            ),
        );
        return;
    }
    let Some(abc) = rhythm_abc(&rhythm.meter, &rhythm.pattern) else {
        report.push(
            format!("{path}.pattern"),
            Severity::Error,
            "every duration must be a whole number of sixteenth notes (0.25 beats)",
        );
        return;
    };
    if !rhythm.abc.trim().is_empty() && rhythm.abc.trim() != abc.trim() {
        report.push(
            format!("{path}.abc"),
            Severity::Repaired,
            "the ABC did not match the pattern; rewritten from the pattern",
        );
    }
    rhythm.abc = abc;
}

/// The answer key of a question, computed by the theory engine.
pub fn answer_key(spec: &QuestionSpec) -> Result<Vec<String>, cadence_theory::TheoryError> {
    Ok(match spec {
        QuestionSpec::ChordForNumeral {
            key,
            numeral,
            style,
        } => {
            let key: Key = key.parse()?;
            vec![
                RomanNumeral::from_str(numeral)?
                    .chord(&key, style.theory())?
                    .to_string(),
            ]
        }
        QuestionSpec::NumeralForChord { key, symbol, style } => {
            let key: Key = key.parse()?;
            let chord: Chord = symbol.parse()?;
            vec![
                RomanNumeral::for_chord(&chord, &key, style.theory())?
                    .numeral
                    .to_string(),
            ]
        }
        QuestionSpec::ChordNotes { symbol } => names(&Chord::from_str(symbol)?.notes()),
        QuestionSpec::ScaleNotes { tonic, scale } => {
            names(&format!("{tonic} {scale}").parse::<Scale>()?.notes())
        }
        QuestionSpec::KeySignature { key } => {
            vec![key.parse::<Key>()?.signature().to_string()]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::test_support::{entry, messages, payload};
    use crate::types::{Level, MelodyNote};

    #[test]
    fn wrong_chord_for_its_numeral_is_named_and_recomputed() {
        let mut music = payload(
            "Eb",
            vec![
                entry(1, "ii7", "Fm7"),
                entry(2, "V7", "Ab7"),
                entry(3, "Imaj7", ""),
            ],
        );
        music.chords[0].notes = vec!["F".into(), "A".into(), "C".into(), "Eb".into()];
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert_eq!(music.key, "Eb major");
        assert_eq!(music.chords[1].symbol, "Bb7");
        assert_eq!(music.chords[2].symbol, "Ebmaj7");
        assert_eq!(music.chords[0].notes, ["F", "Ab", "C", "Eb"]);
        let text = messages(&report);
        assert!(
            text.contains(
                &"music.chords[1].symbol: bar 2: Ab7 is not V7 in Eb major; V7 is Bb7 (repaired)"
                    .to_string()
            ),
            "{text:?}"
        );
        assert!(
            text.iter().any(|m| m
                .starts_with("music.chords[0].notes: bar 1: F A C Eb are not the notes of Fm7")),
            "{text:?}"
        );
        assert!(report.is_acceptable());
        assert_eq!(report.repaired(), 2);
    }

    fn music_check(music: &mut MusicPayload, report: &mut ValidationReport) {
        super::music(music, "music", report);
    }

    #[test]
    fn unreadable_facts_are_errors_with_their_path() {
        let mut music = payload("Eb", vec![entry(1, "ii7", ""), entry(2, "XIV7", "")]);
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(!report.is_acceptable());
        assert!(
            report.unrepaired()[0]
                .starts_with("music.chords[1].numeral: bar 2: `XIV7` is not a roman numeral"),
            "{report}"
        );

        let mut music = payload("H major", vec![entry(1, "I", "")]);
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(
            report.unrepaired()[0].starts_with("music.key: `H major` is not a key"),
            "{report}"
        );

        let mut music = payload("C", Vec::new());
        music.rhythm = Some(Rhythm {
            meter: "4/4".into(),
            pattern: vec![1.0, 1.0],
            abc: String::new(),
        });
        music.melody = vec![MelodyNote {
            note: "C".into(),
            beats: 1.0,
        }];
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        let errors = report.unrepaired();
        assert!(
            errors.iter().any(|e| e.contains(
                "music.rhythm.pattern: the durations add up to 2 beats but a bar of 4/4 has 4"
            )),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("music.melody[0].note")),
            "{errors:?}"
        );
    }

    #[test]
    fn wrong_voicings_are_revoiced_and_correct_ones_kept() {
        let tutorial = template::tutorial("ii-V-I", "C", Level::Intermediate).unwrap();
        let mut music = tutorial.music.clone();
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(report.issues.is_empty(), "{report}");
        if let Some(voicing) = music.chords[1].voicing.as_mut() {
            voicing.notes = vec!["G3".into(), "C4".into(), "E4".into()];
        }
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert_eq!(report.repaired(), 1, "{report}");
        assert!(report.issues[0].path == "music.chords[1].voicing");
        assert_eq!(music, tutorial.music);
    }

    #[test]
    fn rhythm_abc_is_written_from_the_pattern() {
        assert_eq!(
            rhythm_abc("4/4", &[1.0, 1.0, 2.0]).unwrap(),
            "X:1\nM:4/4\nL:1/8\nK:C\n|c2 c2 c4|]\n"
        );
        assert_eq!(
            rhythm_abc("3/4", &[0.25, 0.75, 2.0]).unwrap(),
            "X:1\nM:3/4\nL:1/16\nK:C\n|c c3 c8|]\n"
        );
        assert!(rhythm_abc("4/4", &[1.1, 2.9]).is_none());
        assert_eq!(beats_per_bar("6/8"), Some(3.0));
        assert_eq!(beats_per_bar("4/5"), None);
    }
}
