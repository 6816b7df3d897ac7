//! The music payloads the documents carry, built from numerals, scales and rhythms and
//! completed by the engine, and the sentences that describe them.

use std::str::FromStr;

use super::plan;
use crate::ContentError;
use crate::compute;
use crate::report::ValidationReport;
use crate::types::{
    ChordEntry, Instrument, Level, MelodyNote, MusicPayload, NumeralStyle, Rhythm, ScaleEntry,
};
use cadence_theory::{
    Chord, Key, KeyMode, Note, PitchClass, Progression, ProgressionTemplate, Scale, ScaleKind,
    VoicingKind, voicing,
};

/// Fills a payload's computed fields and refuses it if anything is left wrong.
pub(super) fn complete(mut payload: MusicPayload) -> Result<MusicPayload, ContentError> {
    let mut report = ValidationReport::default();
    compute::music(&mut payload, "music", &mut report);
    if report.is_acceptable() {
        Ok(payload)
    } else {
        Err(ContentError::Invalid {
            what: "template payload",
            report,
        })
    }
}

fn empty_payload(key: &Key, instrument: Instrument) -> MusicPayload {
    MusicPayload {
        key: key.to_string(),
        style: NumeralStyle::Jazz,
        meter: None,
        // The piano is the payload's default, left unwritten as in documents made before
        // other instruments.
        instrument: (instrument != Instrument::Piano).then_some(instrument),
        voicing_kind: None,
        chords: Vec::new(),
        scale: None,
        rhythm: None,
        melody: Vec::new(),
    }
}

/// A template's chords in `key` (minor templates in its parallel minor) for `instrument`:
/// on the piano voiced with the first of `kinds` that fits every chord; on the guitar with
/// its shapes; on the bass or the voice as their root movement.
pub(super) fn progression_payload(
    template: ProgressionTemplate,
    key: &Key,
    kinds: &[VoicingKind],
    instrument: Instrument,
) -> Result<MusicPayload, ContentError> {
    let progression = Progression::from_template(template, key)?;
    let mut payload = empty_payload(&progression.key, instrument);
    let kinds = if instrument == Instrument::Piano {
        kinds
    } else {
        &[]
    };
    payload.chords = progression
        .bars
        .iter()
        .enumerate()
        .flat_map(|(bar, chords)| {
            chords.iter().filter_map(move |chord| {
                chord
                    .numeral
                    .as_ref()
                    .map(|numeral| ChordEntry::new(bar as u32 + 1, numeral.to_string()))
            })
        })
        .collect();
    let chords = progression.chords();
    payload.voicing_kind = kinds
        .iter()
        .find(|kind| voicing::voice_progression(&chords, **kind, None).is_ok())
        .map(|kind| kind.name().to_string());
    complete(payload)
}

/// The key a scale is taught in: minor for the minor-sounding scales.
fn scale_key(kind: ScaleKind, key: &Key) -> Key {
    let minor = matches!(
        kind,
        ScaleKind::NaturalMinor
            | ScaleKind::HarmonicMinor
            | ScaleKind::MelodicMinor
            | ScaleKind::MinorPentatonic
            | ScaleKind::Dorian
            | ScaleKind::Phrygian
    );
    let mode = if minor {
        KeyMode::Minor
    } else {
        KeyMode::Major
    };
    Key::new(key.tonic(), mode)
}

/// The chords the scale harmonises (triads on each degree), or the blues changes.
fn scale_numerals(kind: ScaleKind) -> &'static [&'static str] {
    match kind {
        ScaleKind::Major => &["I", "ii", "iii", "IV", "V", "vi", "viio"],
        ScaleKind::NaturalMinor => &["i", "iio", "III", "iv", "v", "VI", "VII"],
        ScaleKind::HarmonicMinor => &["i", "iio", "III+", "iv", "V", "VI", "viio"],
        ScaleKind::MelodicMinor => &["i", "ii", "III+", "IV", "V", "vio", "viio"],
        ScaleKind::MinorPentatonic => &["i7", "iv7", "v7"],
        _ => &["I7", "IV7", "V7"],
    }
}

pub(super) fn scale_payload(
    kind: ScaleKind,
    key: &Key,
    level: Level,
    instrument: Instrument,
) -> Result<MusicPayload, ContentError> {
    let key = scale_key(kind, key);
    let mut payload = empty_payload(&key, instrument);
    payload.chords = scale_numerals(kind)
        .iter()
        .enumerate()
        .map(|(index, numeral)| ChordEntry::new(index as u32 + 1, *numeral))
        .collect();
    if instrument == Instrument::Piano {
        payload.voicing_kind = Some(VoicingKind::Close.name().to_string());
    }
    let scale = Scale::new(key.tonic(), kind);
    payload.scale = Some(ScaleEntry {
        tonic: key.tonic().to_string(),
        kind: kind.name().to_string(),
        notes: Vec::new(),
    });
    payload.melody = scale_run(&scale, level, instrument);
    complete(payload)
}

/// The lowest MIDI note a scale may start on: the start falls in the octave above it.
fn scale_start(instrument: Instrument) -> i32 {
    match instrument {
        // G3 to F#4, around middle C.
        Instrument::Piano => 55,
        // G2 to F#3, the guitar's middle strings (it sounds an octave below its written notes).
        Instrument::Guitar => 43,
        // E1 to D#2, from the open low string, so two octaves stay on the neck.
        Instrument::Bass => 28,
        // F3 to E4, where most voices are comfortable.
        Instrument::Voice => 53,
    }
}

/// The lowest note of `pitch` above `previous` (or, when there is none, the first at or
/// above `lowest`).
fn above(pitch: PitchClass, previous: Option<Note>, lowest: i32) -> Note {
    let Some(previous) = previous else {
        let octave = (lowest + 1).div_euclid(12) - 2;
        return (octave..=octave.saturating_add(2))
            .map(|octave| Note::new(pitch, octave as i8))
            .find(|note| note.midi() >= lowest)
            .unwrap_or_else(|| pitch.at_octave(4));
    };
    (previous.octave()..=previous.octave().saturating_add(1))
        .map(|octave| Note::new(pitch, octave))
        .find(|note| note.midi() > previous.midi())
        .unwrap_or_else(|| Note::new(pitch, previous.octave().saturating_add(1)))
}

/// The note of `pitch` nearest `previous` (ties go towards E4), within octaves 3 to 5.
fn nearest(pitch: PitchClass, previous: i32) -> Note {
    (3..=5)
        .map(|octave| Note::new(pitch, octave))
        .min_by_key(|note| ((note.midi() - previous).abs(), (note.midi() - 64).abs()))
        .unwrap_or_else(|| pitch.at_octave(4))
}

/// Up and down the scale over the level's range, in the instrument's register; advanced
/// students play it in thirds.
fn scale_run(scale: &Scale, level: Level, instrument: Instrument) -> Vec<MelodyNote> {
    let plan = plan(level);
    let pitches = scale.notes();
    let count = pitches.len() * plan.scale_octaves + 1;
    let mut ascending: Vec<Note> = Vec::with_capacity(count);
    for index in 0..count {
        let pitch = pitches[index % pitches.len()];
        let note = above(pitch, ascending.last().copied(), scale_start(instrument));
        ascending.push(note);
    }
    let path: Vec<Note> = if level == Level::Advanced {
        // Diatonic thirds: 1-3, 2-4, 3-5 … up, then the same down.
        let up: Vec<Note> = (0..ascending.len().saturating_sub(2))
            .flat_map(|i| [ascending[i], ascending[i + 2]])
            .collect();
        let down: Vec<Note> = (2..ascending.len())
            .rev()
            .flat_map(|i| [ascending[i], ascending[i - 2]])
            .collect();
        up.into_iter().chain(down).collect()
    } else {
        let down = ascending.iter().rev().skip(1).copied();
        ascending.clone().into_iter().chain(down).collect()
    };
    path.into_iter()
        .map(|note| MelodyNote {
            note: note.to_string(),
            beats: plan.beat,
        })
        .collect()
}

/// A guide-tone line: each chord's third then its seventh (fifth for triads),
/// each placed nearest the note before.
pub(super) fn guide_tones(payload: &MusicPayload) -> Vec<MelodyNote> {
    let mut line = Vec::new();
    let mut previous = 64;
    for entry in &payload.chords {
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        let in_bar = payload.chords.iter().filter(|c| c.bar == entry.bar).count();
        let beats = 4.0 / in_bar.max(1) as f64 / 2.0;
        let tones = chord.tones();
        let degree = |steps: i8| {
            tones
                .iter()
                .find(|(interval, _)| interval.steps() == steps)
                .map(|(_, p)| *p)
        };
        let third = degree(2).unwrap_or(chord.root());
        let upper = degree(6).or_else(|| degree(4)).unwrap_or(chord.root());
        for pitch in [third, upper] {
            let note = nearest(pitch, previous);
            previous = note.midi();
            line.push(MelodyNote {
                note: note.to_string(),
                beats,
            });
        }
    }
    line
}

pub(super) fn comping_rhythm(level: Level) -> Rhythm {
    Rhythm {
        meter: "4/4".to_string(),
        pattern: plan(level).comping.to_vec(),
        abc: String::new(),
    }
}

/// `ii7 = Fm7 (F Ab C Eb)` for each distinct numeral of the payload.
pub(super) fn chord_facts(payload: &MusicPayload) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    payload
        .chords
        .iter()
        .filter(|entry| {
            let new = !seen.contains(&entry.numeral.as_str());
            seen.push(&entry.numeral);
            new
        })
        .map(|entry| {
            format!(
                "{} in {} is {} ({})",
                entry.numeral,
                payload.key,
                entry.symbol,
                entry.notes.join(" ")
            )
        })
        .collect()
}

pub(super) fn chart(payload: &MusicPayload) -> String {
    let bars = payload.chords.last().map_or(0, |c| c.bar);
    let cells: Vec<String> = (1..=bars)
        .map(|bar| {
            payload
                .chords
                .iter()
                .filter(|c| c.bar == bar)
                .map(|c| c.symbol.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!("| {} |", cells.join(" | "))
}

/// The payload's chords, each symbol once, in the order they first come.
fn distinct_chords(payload: &MusicPayload) -> impl Iterator<Item = &ChordEntry> {
    let mut seen: Vec<&str> = Vec::new();
    payload.chords.iter().filter(move |entry| {
        let new = !seen.contains(&entry.symbol.as_str());
        seen.push(&entry.symbol);
        new
    })
}

pub(super) fn voicing_examples(payload: &MusicPayload, count: usize) -> Vec<String> {
    let kind = payload.voicing_kind.as_deref().unwrap_or("close");
    distinct_chords(payload)
        .filter_map(|entry| {
            entry.voicing.as_ref().map(|voicing| {
                format!(
                    "{} as a {kind} voicing: {}",
                    entry.symbol,
                    voicing.notes.join(" ")
                )
            })
        })
        .take(count)
        .collect()
}

/// What the instrument plays, as examples: the piano's voicings, the guitar's shapes, or the
/// root movement a bass or a voice plays.
pub(super) fn instrument_examples(payload: &MusicPayload, count: usize) -> Vec<String> {
    let instrument = payload.instrument();
    match instrument {
        Instrument::Piano => voicing_examples(payload, count),
        Instrument::Guitar => distinct_chords(payload)
            .filter_map(|entry| {
                entry.guitar.as_ref().map(|shape| {
                    format!(
                        "{} on the guitar: {} ({})",
                        entry.symbol,
                        shape.diagram(),
                        shape.notes.join(" ")
                    )
                })
            })
            .take(count)
            .collect(),
        Instrument::Bass | Instrument::Voice => {
            let mut roots: Vec<&str> = payload.melody.iter().map(|m| m.note.as_str()).collect();
            roots.dedup();
            if roots.is_empty() {
                return Vec::new();
            }
            vec![format!(
                "The root movement on the {instrument}: {}",
                roots.join(" ")
            )]
        }
    }
}
