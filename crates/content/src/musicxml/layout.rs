//! Where each chord and each note of the line falls: bars, and positions in divisions.

use std::str::FromStr;

use cadence_theory::{Chord, Fretboard, Note};

use super::{DIVISIONS, error};
use crate::ContentError;
use crate::export::chord_sounding_notes;
use crate::types::{ChordEntry, MusicPayload};
use crate::validate::beats_per_bar;

/// Chords stop at bar 64, but a line may run on; one past this many bars is no lesson's.
const MAX_BARS: u32 = 1000;

/// A bar's time signature and its length.
#[derive(Debug)]
pub(super) struct Meter {
    pub(super) beats: u32,
    pub(super) beat_type: u32,
    /// One bar in divisions.
    pub(super) length: u32,
}

/// A chord in its bar: from `start` to `end` in divisions from the barline.
#[derive(Debug)]
pub(super) struct PlacedChord {
    pub(super) chord: Chord,
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) notes: Vec<Note>,
    /// The guitar shape's frets, lowest string first (None muted), when the chord has one
    /// and `notes` are the notes it sounds.
    pub(super) shape: Option<Vec<Option<u8>>>,
    /// Each of `notes`' string (1 the highest) and fret, with `shape`; empty without it.
    pub(super) strings: Vec<(u8, u8)>,
}

/// A note of the line, from `start` to `end` in divisions from the first barline.
#[derive(Debug)]
pub(super) struct LineNote {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) note: Note,
}

pub(super) fn meter(music: &MusicPayload) -> Result<Meter, ContentError> {
    let text = music
        .meter
        .as_deref()
        .or(music.rhythm.as_ref().map(|rhythm| rhythm.meter.as_str()))
        .unwrap_or("4/4");
    let invalid = || {
        error(format!(
            "the time signature `{text}` cannot be read; write it like 4/4, 3/4 or 6/8"
        ))
    };
    let quarters = beats_per_bar(text).ok_or_else(invalid)?;
    let (beats, beat_type) = text.split_once('/').ok_or_else(invalid)?;
    Ok(Meter {
        beats: beats.trim().parse().map_err(|_| invalid())?,
        beat_type: beat_type.trim().parse().map_err(|_| invalid())?,
        length: (quarters * f64::from(DIVISIONS)).round() as u32,
    })
}

/// Every chord in its bar: on its beat, or sharing the bar evenly with the others there
/// when it names none; each lasts until the next one starts.
pub(super) fn place_chords(
    entries: &[ChordEntry],
    meter: &Meter,
) -> Result<Vec<Vec<PlacedChord>>, ContentError> {
    let last_bar = entries.iter().map(|entry| entry.bar).max().unwrap_or(0);
    if entries.iter().any(|entry| entry.bar == 0) {
        return Err(error(
            "a chord is in bar 0; bars are numbered from 1".to_string(),
        ));
    }
    if last_bar > MAX_BARS {
        return Err(error(format!(
            "a chord is in bar {last_bar}; MusicXML export writes at most {MAX_BARS} bars"
        )));
    }
    let mut counts = vec![0u32; last_bar as usize];
    for entry in entries {
        counts[entry.bar as usize - 1] += 1;
    }
    let mut bars: Vec<Vec<PlacedChord>> = counts
        .iter()
        .map(|&count| Vec::with_capacity(count as usize))
        .collect();
    for entry in entries {
        let index = entry.bar as usize - 1;
        let start = match entry.beat {
            Some(beat) => beat_position(beat, entry, meter)?,
            None => {
                let position =
                    u64::from(meter.length) * bars[index].len() as u64 / u64::from(counts[index]);
                position as u32
            }
        };
        let chord = Chord::from_str(&entry.symbol).map_err(|e| {
            error(format!(
                "bar {}: the chord `{}` ({}) cannot be read: {e}",
                entry.bar, entry.symbol, entry.numeral
            ))
        })?;
        let notes = chord_sounding_notes(entry);
        if let Some(note) = notes.iter().find(|note| !(0..=9).contains(&note.octave())) {
            return Err(error(format!(
                "bar {}: the note {note} of `{}` is outside octaves 0 to 9, the range MusicXML writes",
                entry.bar, entry.symbol
            )));
        }
        let strings = entry
            .guitar
            .as_ref()
            .map(|shape| strings_and_frets(&shape.frets, &notes))
            .unwrap_or_default();
        let shape = entry
            .guitar
            .as_ref()
            .filter(|_| !strings.is_empty())
            .map(|shape| shape.frets.clone());
        bars[index].push(PlacedChord {
            chord,
            start,
            end: meter.length,
            notes,
            shape,
            strings,
        });
    }
    for placed in &mut bars {
        placed.sort_by_key(|chord| chord.start);
        for next in 1..placed.len() {
            placed[next - 1].end = placed[next].start;
        }
    }
    Ok(bars)
}

/// The string (1 the highest) and fret of each of `notes`, the sounding strings of `frets`
/// (lowest first) in order; empty when the notes are not the strings' (a shape whose notes
/// could not all be read), or the strings' notes do not sound as written.
fn strings_and_frets(frets: &[Option<u8>], notes: &[Note]) -> Vec<(u8, u8)> {
    let tuning = Fretboard::guitar();
    let sounding: Vec<(u8, u8)> = frets
        .iter()
        .enumerate()
        .filter_map(|(index, fret)| {
            let string = u8::try_from(frets.len() - index).ok()?;
            fret.map(|fret| (string, fret))
        })
        .collect();
    let open = tuning.strings();
    let sounds_as_written = sounding.len() == notes.len()
        && frets.len() == open.len()
        && sounding.iter().zip(notes).all(|(&(string, fret), note)| {
            let open_string = open[open.len() - usize::from(string)];
            open_string.midi() + i32::from(fret) == note.midi()
        });
    if sounds_as_written {
        sounding
    } else {
        Vec::new()
    }
}

fn beat_position(beat: f64, entry: &ChordEntry, meter: &Meter) -> Result<u32, ContentError> {
    let position = (beat - 1.0) * f64::from(DIVISIONS);
    if !position.is_finite() || position < 0.0 || position.round() >= f64::from(meter.length) {
        let last = f64::from(meter.length) / f64::from(DIVISIONS) + 1.0;
        return Err(error(format!(
            "bar {}: `{}` starts on beat {beat}, outside a {}/{} bar (beats 1 to before {last})",
            entry.bar, entry.symbol, meter.beats, meter.beat_type
        )));
    }
    Ok(position.round() as u32)
}

/// The line's notes one after another from the first barline.
pub(super) fn place_line(
    music: &MusicPayload,
    meter: &Meter,
) -> Result<Vec<LineNote>, ContentError> {
    let longest = f64::from(MAX_BARS) * f64::from(meter.length);
    let mut line = Vec::with_capacity(music.melody.len());
    let mut at = 0.0;
    for (index, item) in music.melody.iter().enumerate() {
        let number = index + 1;
        if !(item.beats.is_finite() && item.beats > 0.0) {
            return Err(error(format!(
                "note {number} of the line lasts {} beats; a note lasts more than 0",
                item.beats
            )));
        }
        let note = Note::from_str(&item.note).map_err(|e| {
            error(format!(
                "note {number} of the line, `{}`, cannot be read: {e}",
                item.note
            ))
        })?;
        if !(0..=9).contains(&note.octave()) {
            return Err(error(format!(
                "note {number} of the line, {note}, is outside octaves 0 to 9, the range MusicXML writes"
            )));
        }
        let start = at;
        at += item.beats * f64::from(DIVISIONS);
        if at > longest {
            return Err(error(format!(
                "the line is longer than {MAX_BARS} bars, the most MusicXML export writes"
            )));
        }
        let (start, end) = (start.round() as u32, at.round() as u32);
        if end > start {
            line.push(LineNote { start, end, note });
        }
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{entry, payload};
    use crate::types::{MelodyNote, Rhythm};

    fn starts_and_ends(bar: &[PlacedChord]) -> Vec<(u32, u32)> {
        bar.iter().map(|chord| (chord.start, chord.end)).collect()
    }

    #[test]
    fn the_meter_is_the_payload_s_else_the_rhythm_s_else_four_four() {
        let mut music = payload("C major", vec![]);
        let read = |music: &MusicPayload| {
            let meter = meter(music).unwrap();
            (meter.beats, meter.beat_type, meter.length)
        };
        assert_eq!(read(&music), (4, 4, 3840));
        music.rhythm = Some(Rhythm {
            meter: "3/4".into(),
            pattern: vec![3.0],
            abc: String::new(),
        });
        assert_eq!(read(&music), (3, 4, 2880));
        music.meter = Some("6/8".into());
        assert_eq!(read(&music), (6, 8, 2880));
        music.meter = Some("six-eight".into());
        assert!(meter(&music).is_err());
    }

    #[test]
    fn chords_share_their_bar_evenly_unless_they_name_a_beat() {
        let meter = meter(&payload("C major", vec![])).unwrap();
        let three = [entry(1, "I", "C"), entry(1, "IV", "F"), entry(1, "V", "G")];
        let bars = place_chords(&three, &meter).unwrap();
        assert_eq!(
            starts_and_ends(&bars[0]),
            [(0, 1280), (1280, 2560), (2560, 3840)]
        );

        let mut late = entry(2, "V", "G");
        late.beat = Some(3.0);
        let mut early = entry(2, "I", "C");
        early.beat = Some(1.0);
        let bars = place_chords(&[late, early], &meter).unwrap();
        assert!(bars[0].is_empty());
        assert_eq!(starts_and_ends(&bars[1]), [(0, 1920), (1920, 3840)]);
        assert_eq!(bars[1][1].chord.to_string(), "G");

        let error = place_chords(&[entry(0, "I", "C")], &meter).unwrap_err();
        assert!(
            error.to_string().contains("bars are numbered from 1"),
            "{error}"
        );
        let error = place_chords(&[entry(5000, "I", "C")], &meter).unwrap_err();
        assert!(error.to_string().contains("at most 1000 bars"), "{error}");
    }

    #[test]
    fn the_line_runs_note_after_note_and_refuses_what_it_cannot_read() {
        let meter = meter(&payload("C major", vec![])).unwrap();
        let mut music = payload("C major", vec![]);
        music.melody = vec![
            MelodyNote {
                note: "E4".into(),
                beats: 1.5,
            },
            MelodyNote {
                note: "Bb3".into(),
                beats: 0.5,
            },
        ];
        let line = place_line(&music, &meter).unwrap();
        let placed: Vec<(u32, u32, String)> = line
            .iter()
            .map(|n| (n.start, n.end, n.note.to_string()))
            .collect();
        assert_eq!(
            placed,
            [(0, 1440, "E4".to_string()), (1440, 1920, "Bb3".to_string())]
        );
        music.melody[1].beats = f64::NAN;
        let error = place_line(&music, &meter).unwrap_err().to_string();
        assert!(
            error.contains("note 2 of the line lasts NaN beats"),
            "{error}"
        );
        music.melody[1] = MelodyNote {
            note: "Q4".into(),
            beats: 1.0,
        };
        let error = place_line(&music, &meter).unwrap_err().to_string();
        assert!(
            error.contains("note 2 of the line, `Q4`, cannot be read"),
            "{error}"
        );
    }
}
