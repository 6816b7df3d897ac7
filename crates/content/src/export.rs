//! Export and import: schema-valid JSON with its schema version, and MIDI for exercises.

use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ContentError;
use super::schema::DocumentKind;
use super::types::{
    Assessment, ChordEntry, Curriculum, Exercise, ExerciseKind, Instrument, LessonPlanDocument,
    MusicPayload, SCHEMA_VERSION, TheoryAnalysis, Tutorial,
};
use super::validate::{self, ValidationReport};
use crate::structured::schema_problems;
use cadence_theory::{Chord, Note};

/// Pretty JSON for any document; documents carry their `schema_version`.
pub fn to_json<T: Serialize>(document: &T) -> String {
    // Documents are plain data (strings, numbers, vectors): serialisation cannot fail.
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

pub fn tutorial_json(tutorial: &Tutorial) -> String {
    to_json(tutorial)
}

pub fn curriculum_json(curriculum: &Curriculum) -> String {
    to_json(curriculum)
}

pub fn exercise_json(exercise: &Exercise) -> String {
    to_json(exercise)
}

/// Checks a JSON value against the document's schema; each problem names its JSON pointer.
pub fn check_schema(kind: DocumentKind, value: &serde_json::Value) -> Result<(), ContentError> {
    let violation = |problems: Vec<String>| ContentError::SchemaViolation {
        what: kind.name(),
        problems,
    };
    let problems = schema_problems(&kind.schema(), value)
        .map_err(|error| violation(vec![error.to_string()]))?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(violation(
            problems.iter().map(ToString::to_string).collect(),
        ))
    }
}

/// Reads one of our own JSON documents: version, schema, types, then musical validation
/// (which repairs computed fields). Refuses documents with unrepairable errors.
fn import<T: DeserializeOwned>(
    kind: DocumentKind,
    text: &str,
    check: fn(&mut T) -> ValidationReport,
) -> Result<(T, ValidationReport), ContentError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| ContentError::Malformed {
            what: kind.name(),
            message: error.to_string(),
        })?;
    import_value(kind, value, check)
}

/// Checks a parsed document like an imported file: version, schema, types, then musical
/// validation (which repairs computed fields).
pub fn import_value<T: DeserializeOwned>(
    kind: DocumentKind,
    value: serde_json::Value,
    check: fn(&mut T) -> ValidationReport,
) -> Result<(T, ValidationReport), ContentError> {
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(found) if found != u64::from(SCHEMA_VERSION) => {
            return Err(ContentError::UnsupportedVersion {
                what: kind.name(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        _ => {}
    }
    check_schema(kind, &value)?;
    let mut document: T =
        serde_json::from_value(value).map_err(|error| ContentError::Malformed {
            what: kind.name(),
            message: error.to_string(),
        })?;
    let report = check(&mut document);
    if !report.is_acceptable() {
        return Err(ContentError::Invalid {
            what: kind.name(),
            report,
        });
    }
    Ok((document, report))
}

/// Checks a document of any kind like an imported file and returns it as the engine
/// completed it (computed fields recomputed), with the report.
pub fn check_document(
    kind: DocumentKind,
    value: serde_json::Value,
) -> Result<(serde_json::Value, ValidationReport), ContentError> {
    fn completed<T: DeserializeOwned + Serialize>(
        kind: DocumentKind,
        value: serde_json::Value,
        check: fn(&mut T) -> ValidationReport,
    ) -> Result<(serde_json::Value, ValidationReport), ContentError> {
        let (document, report) = import_value(kind, value, check)?;
        let value = serde_json::to_value(&document).map_err(|error| ContentError::Malformed {
            what: kind.name(),
            message: error.to_string(),
        })?;
        Ok((value, report))
    }
    match kind {
        DocumentKind::Tutorial => completed::<Tutorial>(kind, value, validate::tutorial),
        // A curriculum's exercises are computed from its lessons' topics: it may name only
        // topics the engine knows.
        DocumentKind::Curriculum => {
            completed::<Curriculum>(kind, value, validate::curriculum_with_known_topics)
        }
        DocumentKind::Exercise => completed::<Exercise>(kind, value, validate::exercise),
        DocumentKind::TheoryAnalysis => {
            completed::<TheoryAnalysis>(kind, value, validate::theory_analysis)
        }
        DocumentKind::Assessment => completed::<Assessment>(kind, value, validate::assessment),
        DocumentKind::LessonPlan => {
            completed::<LessonPlanDocument>(kind, value, validate::lesson_plan)
        }
    }
}

pub fn import_tutorial(text: &str) -> Result<(Tutorial, ValidationReport), ContentError> {
    import(DocumentKind::Tutorial, text, validate::tutorial)
}

/// A tutorial from a stored document (the store's `document` column), checked like an
/// imported file; for `cadence export tutorial <id>`.
pub fn tutorial_from_value(
    value: serde_json::Value,
) -> Result<(Tutorial, ValidationReport), ContentError> {
    import_value(DocumentKind::Tutorial, value, validate::tutorial)
}

pub fn import_curriculum(text: &str) -> Result<(Curriculum, ValidationReport), ContentError> {
    import(DocumentKind::Curriculum, text, validate::curriculum)
}

pub fn import_exercise(text: &str) -> Result<(Exercise, ValidationReport), ContentError> {
    import(DocumentKind::Exercise, text, validate::exercise)
}

pub fn import_assessment(text: &str) -> Result<(Assessment, ValidationReport), ContentError> {
    import(DocumentKind::Assessment, text, validate::assessment)
}

pub fn import_theory_analysis(
    text: &str,
) -> Result<(TheoryAnalysis, ValidationReport), ContentError> {
    import(
        DocumentKind::TheoryAnalysis,
        text,
        validate::theory_analysis,
    )
}

pub fn import_lesson_plan(
    text: &str,
) -> Result<(LessonPlanDocument, ValidationReport), ContentError> {
    import(DocumentKind::LessonPlan, text, validate::lesson_plan)
}

/// MIDI ticks per quarter note.
pub const TICKS_PER_BEAT: u32 = 480;
const CHORD_CHANNEL: u8 = 0;
const MELODY_CHANNEL: u8 = 1;

/// One note to write: start and length in ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sounding {
    start: u32,
    length: u32,
    key: u8,
    channel: u8,
    velocity: u8,
}

fn ticks(beats: f64) -> u32 {
    (beats * f64::from(TICKS_PER_BEAT))
        .round()
        .clamp(0.0, f64::from(u32::MAX / 4)) as u32
}

fn midi_key(note: Note) -> Option<u8> {
    u8::try_from(note.midi()).ok().filter(|key| *key < 128)
}

/// The General MIDI program (counted from 0) an instrument's music plays on: a nylon-string
/// guitar, a fingered electric bass, else the piano (a voice's chords are accompaniment).
pub(crate) fn midi_program(instrument: Instrument) -> u8 {
    match instrument {
        Instrument::Guitar => 24,
        Instrument::Bass => 33,
        Instrument::Piano | Instrument::Voice => 0,
    }
}

/// The notes a chord entry sounds: its guitar shape's, else its voicing, else its notes
/// stacked upwards from octave 3 (bass first). MIDI and MusicXML export both play these.
pub(crate) fn chord_sounding_notes(entry: &ChordEntry) -> Vec<Note> {
    if let Some(shape) = &entry.guitar {
        let notes: Vec<Note> = shape
            .notes
            .iter()
            .filter_map(|n| Note::from_str(n).ok())
            .collect();
        if !notes.is_empty() {
            return notes;
        }
    }
    if let Some(voicing) = &entry.voicing {
        return voicing
            .notes
            .iter()
            .filter_map(|n| Note::from_str(n).ok())
            .collect();
    }
    let pitches = match Chord::from_str(&entry.symbol) {
        Ok(chord) => chord.notes(),
        Err(_) => entry
            .notes
            .iter()
            .filter_map(|n| cadence_theory::PitchClass::from_str(n).ok())
            .collect(),
    };
    let mut notes: Vec<Note> = Vec::with_capacity(pitches.len());
    for pitch in pitches {
        let mut note = pitch.at_octave(3);
        while let Some(last) = notes.last()
            && note.midi() <= last.midi()
            && note.octave() < 8
        {
            note = note.shift_octaves(1);
        }
        notes.push(note);
    }
    notes
}

fn chord_keys(entry: &ChordEntry) -> Vec<u8> {
    chord_sounding_notes(entry)
        .into_iter()
        .filter_map(midi_key)
        .collect()
}

/// Beats in one bar of the payload's rhythm meter, 4 when there is none.
fn bar_beats(payload: &MusicPayload) -> f64 {
    payload
        .rhythm
        .as_ref()
        .and_then(|r| validate::beats_per_bar(&r.meter))
        .unwrap_or(4.0)
}

fn chord_notes(payload: &MusicPayload) -> Vec<Sounding> {
    let beats = bar_beats(payload);
    let bar_ticks = ticks(beats);
    let pattern: Vec<f64> = payload
        .rhythm
        .as_ref()
        .map(|r| r.pattern.clone())
        .filter(|p| (p.iter().sum::<f64>() - beats).abs() < 1e-6)
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut bars: Vec<u32> = payload.chords.iter().map(|c| c.bar).collect();
    bars.sort_unstable();
    bars.dedup();
    for bar in bars {
        let in_bar: Vec<_> = payload.chords.iter().filter(|c| c.bar == bar).collect();
        let bar_start = bar.saturating_sub(1).saturating_mul(bar_ticks);
        let share = bar_ticks / in_bar.len().max(1) as u32;
        for (index, entry) in in_bar.iter().enumerate() {
            let chord_start = bar_start.saturating_add(share.saturating_mul(index as u32));
            // Hits: the rhythm pattern when the chord fills the bar, else one hit.
            let hits: Vec<(u32, u32)> = if in_bar.len() == 1 && !pattern.is_empty() {
                let mut at = 0.0;
                pattern
                    .iter()
                    .map(|&length| {
                        let hit = (chord_start.saturating_add(ticks(at)), ticks(length));
                        at += length;
                        hit
                    })
                    .collect()
            } else {
                vec![(chord_start, share)]
            };
            for (start, length) in hits {
                for key in chord_keys(entry) {
                    notes.push(Sounding {
                        start,
                        length: length.saturating_sub(10).max(1),
                        key,
                        channel: CHORD_CHANNEL,
                        velocity: 72,
                    });
                }
            }
        }
    }
    notes
}

fn melody_notes(payload: &MusicPayload) -> Vec<Sounding> {
    let mut at = 0;
    let mut notes = Vec::new();
    for entry in &payload.melody {
        let length = ticks(entry.beats);
        if let Some(key) = Note::from_str(&entry.note).ok().and_then(midi_key) {
            notes.push(Sounding {
                start: at,
                length: length.saturating_sub(10).max(1),
                key,
                channel: MELODY_CHANNEL,
                velocity: 90,
            });
        }
        at = at.saturating_add(length);
    }
    notes
}

/// A standard MIDI file (format 0) of an exercise, on its instrument's program: its chords
/// (a guitar's shapes, else voiced, on the rhythm pattern when there is one) on channel 1
/// and its line on channel 2. A scale pattern plays its line alone, and so does the bass,
/// whose line is its part.
pub fn exercise_midi(exercise: &Exercise) -> Result<Vec<u8>, ContentError> {
    use midly::num::{u4, u7, u15, u24, u28};
    use midly::{
        Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
    };

    let instrument = exercise.music.instrument();
    let mut sounding = melody_notes(&exercise.music);
    if exercise.kind != ExerciseKind::ScalePattern && instrument != Instrument::Bass {
        sounding.extend(chord_notes(&exercise.music));
    }
    // (tick, note-offs before note-ons at the same tick, message)
    let mut timeline: Vec<(u32, u8, u8, MidiMessage)> = Vec::with_capacity(sounding.len() * 2);
    for note in &sounding {
        timeline.push((
            note.start,
            1,
            note.channel,
            MidiMessage::NoteOn {
                key: u7::new(note.key),
                vel: u7::new(note.velocity),
            },
        ));
        timeline.push((
            note.start.saturating_add(note.length),
            0,
            note.channel,
            MidiMessage::NoteOff {
                key: u7::new(note.key),
                vel: u7::new(0),
            },
        ));
    }
    timeline.sort_by_key(|(tick, order, channel, _)| (*tick, *order, *channel));
    let tempo = 60_000_000 / exercise.tempo_bpm.clamp(20, 400);
    let name = exercise.title.as_bytes();
    let mut track: Vec<TrackEvent<'_>> = vec![
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::TrackName(name)),
        },
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::Tempo(u24::new(tempo))),
        },
    ];
    for channel in [CHORD_CHANNEL, MELODY_CHANNEL] {
        track.push(TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Midi {
                channel: u4::new(channel),
                message: MidiMessage::ProgramChange {
                    program: u7::new(midi_program(instrument)),
                },
            },
        });
    }
    let mut previous = 0;
    for (tick, _, channel, message) in timeline {
        track.push(TrackEvent {
            // Deltas beyond 28 bits only arise from absurd input lengths; clamp, never wrap.
            delta: u28::new((tick - previous).min(0x0FFF_FFFF)),
            kind: TrackEventKind::Midi {
                channel: u4::new(channel),
                message,
            },
        });
        previous = tick;
    }
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    let mut smf = Smf::new(Header::new(
        Format::SingleTrack,
        Timing::Metrical(u15::new(TICKS_PER_BEAT as u16)),
    ));
    smf.tracks.push(track);
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes)
        .map_err(|error| ContentError::Midi(format!("could not encode the file: {error}")))?;
    Ok(bytes)
}

/// The notes a MIDI file starts, in order, as (channel, key): for players and checks.
pub fn read_midi_notes(bytes: &[u8]) -> Result<Vec<(u8, u8)>, ContentError> {
    let smf = midly::Smf::parse(bytes)
        .map_err(|error| ContentError::Midi(format!("not a readable MIDI file: {error}")))?;
    Ok(smf
        .tracks
        .iter()
        .flatten()
        .filter_map(|event| match event.kind {
            midly::TrackEventKind::Midi {
                channel,
                message: midly::MidiMessage::NoteOn { key, vel },
            } if vel > 0 => Some((channel.as_int(), key.as_int())),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::types::Level;

    fn sounded_keys(bytes: &[u8]) -> Vec<(u8, u8)> {
        read_midi_notes(bytes).unwrap()
    }

    #[test]
    fn midi_holds_the_computed_voicings_on_the_rhythm() {
        let rhythm = template::exercises("ii-V-I", "Eb", Level::Intermediate)
            .unwrap()
            .into_iter()
            .find(|e| e.kind == ExerciseKind::Rhythm)
            .unwrap();
        let bytes = exercise_midi(&rhythm).unwrap();
        let keys = sounded_keys(&bytes);
        let first: Vec<u8> = rhythm.music.chords[0]
            .voicing
            .as_ref()
            .unwrap()
            .notes
            .iter()
            .map(|n| n.parse::<Note>().unwrap().midi() as u8)
            .collect();
        // Two hits (the pattern 1.5 + 2.5) of each of the four chords.
        assert_eq!(keys.len(), first.len() * 2 * 4);
        let played: Vec<u8> = keys.iter().take(first.len()).map(|(_, k)| *k).collect();
        let mut expected = first.clone();
        expected.sort();
        let mut played_sorted = played;
        played_sorted.sort();
        assert_eq!(played_sorted, expected);
        assert!(keys.iter().all(|(channel, _)| *channel == 0));
    }

    /// The program each channel is set to, in order.
    fn programs(bytes: &[u8]) -> Vec<(u8, u8)> {
        let smf = midly::Smf::parse(bytes).unwrap();
        smf.tracks
            .iter()
            .flatten()
            .filter_map(|event| match event.kind {
                midly::TrackEventKind::Midi {
                    channel,
                    message: midly::MidiMessage::ProgramChange { program },
                } => Some((channel.as_int(), program.as_int())),
                _ => None,
            })
            .collect()
    }

    fn progression_for(instrument: Instrument) -> Exercise {
        template::exercises_for(instrument, "ii-V-I", "C", Level::Beginner)
            .unwrap()
            .into_iter()
            .find(|e| e.kind == ExerciseKind::Progression)
            .unwrap()
    }

    #[test]
    fn a_guitar_plays_its_shapes_on_a_guitar() {
        let exercise = progression_for(Instrument::Guitar);
        let bytes = exercise_midi(&exercise).unwrap();
        assert_eq!(programs(&bytes), [(0, 24), (1, 24)]);
        let expected: Vec<(u8, u8)> = exercise
            .music
            .chords
            .iter()
            .flat_map(|chord| &chord.guitar.as_ref().unwrap().notes)
            .map(|n| (0, n.parse::<Note>().unwrap().midi() as u8))
            .collect();
        assert_eq!(sounded_keys(&bytes), expected);
    }

    #[test]
    fn a_bass_plays_its_line_alone_on_a_bass() {
        let exercise = progression_for(Instrument::Bass);
        assert!(!exercise.music.melody.is_empty());
        let bytes = exercise_midi(&exercise).unwrap();
        assert_eq!(programs(&bytes), [(0, 33), (1, 33)]);
        let expected: Vec<(u8, u8)> = exercise
            .music
            .melody
            .iter()
            .map(|n| (1, n.note.parse::<Note>().unwrap().midi() as u8))
            .collect();
        assert_eq!(sounded_keys(&bytes), expected);
        let piano = exercise_midi(&progression_for(Instrument::Piano)).unwrap();
        assert_eq!(programs(&piano), [(0, 0), (1, 0)]);
    }

    #[test]
    fn scale_pattern_midi_is_the_line_alone() {
        let exercise = template::exercises("major scale", "D", Level::Beginner)
            .unwrap()
            .remove(0);
        let bytes = exercise_midi(&exercise).unwrap();
        let keys: Vec<u8> = sounded_keys(&bytes).into_iter().map(|(_, k)| k).collect();
        assert_eq!(
            keys,
            [62, 64, 66, 67, 69, 71, 73, 74, 73, 71, 69, 67, 66, 64, 62]
        );
    }

    #[test]
    fn tutorial_json_round_trips_and_matches_the_schema() {
        let tutorial = template::tutorial("blues", "Bb", Level::Advanced).unwrap();
        let text = tutorial_json(&tutorial);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
        check_schema(DocumentKind::Tutorial, &value).unwrap();
        let (back, report) = import_tutorial(&text).unwrap();
        assert_eq!(back, tutorial);
        assert!(report.issues.is_empty(), "{report}");
    }

    #[test]
    fn import_refuses_other_versions_and_names_schema_problems() {
        let tutorial = template::tutorial("ii-V-I", "C", Level::Beginner).unwrap();
        let mut value = serde_json::to_value(&tutorial).unwrap();
        value["schema_version"] = 2.into();
        let error = import_tutorial(&value.to_string()).unwrap_err();
        assert!(
            matches!(error, ContentError::UnsupportedVersion { found: 2, .. }),
            "{error}"
        );
        value["schema_version"] = 1.into();
        value["overview"]["duration_minutes"] = "an hour".into();
        let error = import_tutorial(&value.to_string()).unwrap_err();
        assert!(
            error.to_string().contains("/overview/duration_minutes"),
            "{error}"
        );
        assert!(matches!(
            import_tutorial("{"),
            Err(ContentError::Malformed { .. })
        ));
    }
}
