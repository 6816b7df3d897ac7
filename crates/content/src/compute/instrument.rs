//! What a payload's instrument adds to its chords: a guitar's shapes, and the root
//! movement a bass or a voice plays instead of piano voicings.

use super::beats_per_bar;
use crate::report::{Severity, ValidationReport};
use crate::types::{ChordEntry, GuitarShape, Instrument, MelodyNote, MusicPayload};
use cadence_theory::fretboard::line_in_range;
use cadence_theory::{Chord, Fretboard};

/// The range a sung root movement keeps to (C3 to G4, as MIDI notes), low in most voices.
const VOICE_LOWEST: i32 = 48;
const VOICE_HIGHEST: i32 = 67;

/// A bass or a voice plays one note at a time: piano voicings written for it are removed.
pub(super) fn drop_voicings_of_single_notes(
    payload: &mut MusicPayload,
    path: &str,
    report: &mut ValidationReport,
) {
    let instrument = payload.instrument();
    if !instrument.plays_single_notes() {
        return;
    }
    let Some(kind) = payload.voicing_kind.take() else {
        return;
    };
    for entry in &mut payload.chords {
        entry.voicing = None;
    }
    report.push(
        format!("{path}.voicing_kind"),
        Severity::Repaired,
        format!(
            "a {instrument} plays one note at a time: its line is the chords' root movement, \
             not {kind} voicings; removed"
        ),
    );
}

/// Fills in what the instrument plays once the chords are computed (`chords`, None where a
/// numeral could not be read): a guitar's shapes, or a bass's or a voice's root movement
/// where the payload has no line of its own.
pub(super) fn instrument_music(
    payload: &mut MusicPayload,
    chords: &[Option<Chord>],
    path: &str,
    report: &mut ValidationReport,
) {
    let instrument = payload.instrument();
    if instrument == Instrument::Guitar {
        guitar_shapes(&mut payload.chords, chords, path, report);
    } else {
        drop_guitar_shapes(&mut payload.chords, instrument, path, report);
    }
    if instrument.plays_single_notes()
        && payload.melody.is_empty()
        && let Some(line) = root_movement(payload, chords)
    {
        payload.melody = line;
    }
}

/// Keeps a written guitar shape when it plays its chord (its notes spelled again from its
/// frets); otherwise, or where none is written, fingers the chord afresh.
fn guitar_shapes(
    entries: &mut [ChordEntry],
    chords: &[Option<Chord>],
    path: &str,
    report: &mut ValidationReport,
) {
    let guitar = Fretboard::guitar();
    for (index, (entry, chord)) in entries.iter_mut().zip(chords).enumerate() {
        let Some(chord) = chord else {
            continue; // unreadable numerals are already errors
        };
        let shape_path = format!("{path}.chords[{index}].guitar");
        if let Some(written) = &entry.guitar {
            report.checked += 1;
            match guitar.shape_from_frets(chord, &written.frets) {
                Ok(shape) => {
                    let shape = GuitarShape::from(&shape);
                    if shape.notes != written.notes {
                        report.push(
                            format!("{shape_path}.notes"),
                            Severity::Repaired,
                            format!(
                                "bar {}: {} are not the notes those frets sound; they are {}",
                                entry.bar,
                                written.notes.join(" "),
                                shape.notes.join(" ")
                            ),
                        );
                    }
                    entry.guitar = Some(shape);
                    continue;
                }
                Err(error) => report.push(
                    shape_path.clone(),
                    Severity::Repaired,
                    format!("bar {}: {error}; fingered again", entry.bar),
                ),
            }
        }
        match guitar.chord_shape(chord) {
            Ok(shape) => entry.guitar = Some(GuitarShape::from(&shape)),
            Err(error) => {
                entry.guitar = None;
                report.push(
                    shape_path,
                    Severity::Warning,
                    format!("bar {}: {error}", entry.bar),
                );
            }
        }
    }
}

/// Guitar shapes belong to guitar music only.
fn drop_guitar_shapes(
    entries: &mut [ChordEntry],
    instrument: Instrument,
    path: &str,
    report: &mut ValidationReport,
) {
    for (index, entry) in entries.iter_mut().enumerate() {
        if entry.guitar.take().is_some() {
            report.push(
                format!("{path}.chords[{index}].guitar"),
                Severity::Repaired,
                format!(
                    "bar {}: music for the {instrument} carries no guitar shape; removed",
                    entry.bar
                ),
            );
        }
    }
}

/// The chords' root movement as a line: each chord's bass (its root, or an inversion's
/// bass) in the instrument's low register, struck at the chord and again at each bar line
/// it is held across. None while a chord or the bar order is unreadable (already errors).
fn root_movement(payload: &MusicPayload, chords: &[Option<Chord>]) -> Option<Vec<MelodyNote>> {
    let chords: Vec<&Chord> = chords.iter().map(Option::as_ref).collect::<Option<_>>()?;
    let basses: Vec<_> = chords
        .iter()
        .map(|chord| chord.notes().first().copied().unwrap_or(chord.root()))
        .collect();
    let notes = match payload.instrument() {
        Instrument::Bass => Fretboard::bass().line(&basses),
        _ => line_in_range(&basses, VOICE_LOWEST, VOICE_HIGHEST),
    };
    let meter = payload
        .meter
        .as_deref()
        .or(payload.rhythm.as_ref().map(|rhythm| rhythm.meter.as_str()))
        .unwrap_or("4/4");
    let bar_beats = beats_per_bar(meter)?;
    let entries = &payload.chords;
    let starts: Vec<f64> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let same_bar = |c: &&ChordEntry| c.bar == entry.bar;
            let before = entries[..index].iter().filter(same_bar).count();
            let in_bar = entries.iter().filter(same_bar).count();
            f64::from(entry.bar.saturating_sub(1)) * bar_beats
                + bar_beats * before as f64 / in_bar as f64
        })
        .collect();
    let mut line = Vec::new();
    for (index, note) in notes.iter().enumerate() {
        let start = starts[index];
        let end = match starts.get(index + 1) {
            Some(&next) => next,
            None => (start / bar_beats).floor() * bar_beats + bar_beats,
        };
        if end <= start {
            return None;
        }
        let mut at = start;
        while at < end - 1e-9 {
            let bar_end = ((at / bar_beats).floor() + 1.0) * bar_beats;
            let until = bar_end.min(end);
            line.push(MelodyNote {
                note: note.to_string(),
                beats: until - at,
            });
            at = until;
        }
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{entry, payload};

    fn guitar_payload() -> MusicPayload {
        let mut music = payload(
            "C",
            vec![entry(1, "I", ""), entry(2, "vi", ""), entry(3, "V7", "")],
        );
        music.instrument = Some(Instrument::Guitar);
        music
    }

    fn check(payload: &mut MusicPayload) -> ValidationReport {
        let mut report = ValidationReport::default();
        crate::compute::music(payload, "music", &mut report);
        report
    }

    #[test]
    fn guitar_chords_get_the_shapes_that_sound_them() {
        let mut music = guitar_payload();
        let report = check(&mut music);
        assert!(report.issues.is_empty(), "{report}");
        let diagrams: Vec<String> = music
            .chords
            .iter()
            .map(|c| c.guitar.as_ref().unwrap().diagram())
            .collect();
        assert_eq!(diagrams, ["x32010", "x02210", "320001"]);
        assert_eq!(
            music.chords[0].guitar.as_ref().unwrap().notes,
            ["C3", "E3", "G3", "C4", "E4"]
        );
        // Computed shapes are kept as they are when checked again.
        let again = music.clone();
        assert!(check(&mut music).issues.is_empty());
        assert_eq!(music, again);
    }

    #[test]
    fn a_shape_that_does_not_sound_its_chord_is_fingered_again() {
        let mut music = guitar_payload();
        check(&mut music);
        let computed = music.clone();
        // An A minor shape written for C, and a C shape whose notes were misspelt.
        music.chords[0].guitar = computed.chords[1].guitar.clone();
        if let Some(shape) = music.chords[1].guitar.as_mut() {
            shape.notes = vec!["A2".into()];
        }
        let report = check(&mut music);
        assert_eq!(report.repaired(), 2, "{report}");
        assert_eq!(report.issues[0].path, "music.chords[0].guitar");
        assert!(
            report.issues[0].message.contains("x02210")
                && report.issues[0].message.contains("fingered again"),
            "{report}"
        );
        assert_eq!(report.issues[1].path, "music.chords[1].guitar.notes");
        assert_eq!(music, computed);
        // Another playable shape of the chord is the writer's choice and stays.
        music.chords[0].guitar = Some(GuitarShape {
            frets: vec![Some(8), Some(10), Some(10), Some(9), Some(8), Some(8)],
            notes: Vec::new(),
        });
        let report = check(&mut music);
        assert_eq!(report.repaired(), 1, "{report}");
        assert_eq!(
            music.chords[0].guitar.as_ref().unwrap().notes,
            ["C3", "G3", "C4", "E4", "G4", "C5"]
        );
    }

    #[test]
    fn a_chord_with_no_shape_is_a_warning_not_an_error() {
        let mut music = payload("C", vec![entry(1, "V7alt", "")]);
        music.instrument = Some(Instrument::Guitar);
        let report = check(&mut music);
        assert!(report.is_acceptable(), "{report}");
        assert_eq!(report.issues.len(), 1, "{report}");
        assert!(report.issues[0].message.contains("6 strings"), "{report}");
        assert_eq!(music.chords[0].guitar, None);
    }

    #[test]
    fn a_bass_plays_the_root_movement_on_the_chords_rhythm() {
        let mut music = payload(
            "Eb",
            vec![
                entry(1, "ii7", ""),
                entry(1, "V7", ""),
                entry(2, "I6", ""),
                entry(4, "IV", ""),
            ],
        );
        music.instrument = Some(Instrument::Bass);
        music.voicing_kind = Some("shell".into());
        let report = check(&mut music);
        assert_eq!(report.repaired(), 1, "{report}");
        assert!(
            report.issues[0].message.contains("one note at a time"),
            "{report}"
        );
        assert!(music.voicing_kind.is_none());
        assert!(music.chords.iter().all(|c| c.voicing.is_none()));
        let line: Vec<(&str, f64)> = music
            .melody
            .iter()
            .map(|m| (m.note.as_str(), m.beats))
            .collect();
        // I6 is first inversion: its bass is G. It is held through bar 3, struck again there.
        assert_eq!(
            line,
            [
                ("F1", 2.0),
                ("Bb1", 2.0),
                ("G1", 4.0),
                ("G1", 4.0),
                ("Ab1", 4.0)
            ]
        );
        let mut sung = music.clone();
        sung.instrument = Some(Instrument::Voice);
        sung.melody.clear();
        check(&mut sung);
        assert_eq!(sung.melody[0].note, "F3");
    }

    #[test]
    fn guitar_shapes_belong_to_guitar_music() {
        let mut music = guitar_payload();
        check(&mut music);
        music.instrument = None;
        let report = check(&mut music);
        assert_eq!(report.repaired(), 3, "{report}");
        assert!(music.chords.iter().all(|c| c.guitar.is_none()));
    }

    #[test]
    fn music_written_before_instruments_reads_as_the_piano() {
        let old = r#"{"key": "C major", "chords": [{"bar": 1, "numeral": "I"}]}"#;
        let mut music: MusicPayload = serde_json::from_str(old).unwrap();
        assert_eq!(music.instrument(), Instrument::Piano);
        assert!(check(&mut music).issues.is_empty());
        let written = serde_json::to_value(&music).unwrap();
        assert!(written.get("instrument").is_none());
        assert!(written["chords"][0].get("guitar").is_none());
    }
}
