//! MusicXML 4.0 (partwise) of a document's music, for notation programs: the chord symbols
//! as `<harmony>` and the chords as the instrument sounds them — on a piano's grand staff
//! (the voicing, else the chord stacked from octave 3, as MIDI export plays them), or a
//! guitar's shapes on a notation staff with tablature under it — and the line, when there
//! is one, as a second part. A bass's part is its line under the chord symbols.
//!
//! Layout (where each chord and note falls) is in `layout`, the chord symbols in `harmony`,
//! the instrument's part and staves in `parts`, and note values and the XML itself in
//! `notation`.

mod harmony;
mod layout;
mod notation;
mod parts;

use cadence_theory::{Key, KeyMode};

use crate::ContentError;
use crate::types::{Exercise, Instrument, MusicPayload, Tutorial};
use harmony::harmony;
use layout::{LineNote, Meter, PlacedChord};
use notation::{Voice, Xml};
use parts::{ChordStaff, Clef, GUITAR_STAVES, PIANO_STAVES};

/// Divisions of a quarter note: 960 = 2⁶·3·5 holds sixty-fourths, triplets and quintuplets
/// exactly.
pub const DIVISIONS: u32 = 960;
/// Notes from middle C up go on the treble staff, lower ones on the bass staff.
const MIDDLE_C: i32 = 60;

/// A tutorial's music at `tempo_bpm` (a tutorial has no tempo of its own).
pub fn tutorial_musicxml(tutorial: &Tutorial, tempo_bpm: u32) -> Result<String, ContentError> {
    music_xml(&tutorial.title, &tutorial.music, tempo_bpm)
}

/// An exercise's music at its own tempo.
pub fn exercise_musicxml(exercise: &Exercise) -> Result<String, ContentError> {
    music_xml(&exercise.title, &exercise.music, exercise.tempo_bpm)
}

/// A MusicXML document of `music` titled `title`, at `tempo_bpm` quarter notes a minute.
pub fn music_xml(
    title: &str,
    music: &MusicPayload,
    tempo_bpm: u32,
) -> Result<String, ContentError> {
    Ok(Score::lay_out(music, tempo_bpm)?.write(title))
}

fn error(message: String) -> ContentError {
    ContentError::MusicXml(message)
}

/// How a part writes the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinePart {
    /// The bass's own part: the line under the chord symbols, with the tempo.
    Bass,
    /// The line's part beside the instrument's, in the clef its register asks for.
    Line,
}

struct Score {
    key: Key,
    meter: Meter,
    tempo_bpm: u32,
    bars: u32,
    instrument: Instrument,
    /// The chords of bar `n` at index `n - 1`.
    chords: Vec<Vec<PlacedChord>>,
    line: Vec<LineNote>,
}

impl Score {
    fn lay_out(music: &MusicPayload, tempo_bpm: u32) -> Result<Score, ContentError> {
        let key: Key = music.key.parse().map_err(|e| {
            error(format!(
                "the key `{}` cannot be read ({e}); use a key like Eb major or C minor",
                music.key
            ))
        })?;
        let meter = layout::meter(music)?;
        let chords = layout::place_chords(&music.chords, &meter)?;
        let line = layout::place_line(music, &meter)?;
        let line_bars = line
            .last()
            .map_or(0, |note| note.end.div_ceil(meter.length));
        let bars = (chords.len() as u32).max(line_bars).max(1);
        Ok(Score {
            key,
            meter,
            tempo_bpm: tempo_bpm.clamp(20, 400),
            bars,
            instrument: music.instrument(),
            chords,
            line,
        })
    }

    /// The line has a part of its own unless the instrument's part is the line (the bass).
    fn has_line_part(&self) -> bool {
        !self.line.is_empty() && self.instrument != Instrument::Bass
    }

    fn write(&self, title: &str) -> String {
        let mut xml = Xml::default();
        xml.text.push_str(concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
            "<!DOCTYPE score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\" ",
            "\"http://www.musicxml.org/dtds/partwise.dtd\">\n"
        ));
        xml.open("score-partwise", &[("version", "4.0")]);
        xml.open("work", &[]);
        xml.leaf("work-title", &[], title);
        xml.close("work");
        xml.open("identification", &[]);
        xml.open("encoding", &[]);
        xml.leaf("software", &[], "Cadence");
        xml.close("encoding");
        xml.close("identification");
        xml.open("part-list", &[]);
        parts::score_part(&mut xml, "P1", self.instrument);
        if self.has_line_part() {
            xml.open("score-part", &[("id", "P2")]);
            xml.leaf("part-name", &[], "Line");
            xml.close("score-part");
        }
        xml.close("part-list");
        xml.open("part", &[("id", "P1")]);
        for bar in 1..=self.bars {
            match self.instrument {
                Instrument::Guitar => self.chord_measure(&mut xml, bar, &GUITAR_STAVES),
                Instrument::Bass => self.line_measure(&mut xml, bar, LinePart::Bass),
                Instrument::Piano | Instrument::Voice => {
                    self.chord_measure(&mut xml, bar, &PIANO_STAVES);
                }
            }
        }
        xml.close("part");
        if self.has_line_part() {
            xml.open("part", &[("id", "P2")]);
            for bar in 1..=self.bars {
                self.line_measure(&mut xml, bar, LinePart::Line);
            }
            xml.close("part");
        }
        xml.close("score-partwise");
        xml.text
    }

    fn attributes(&self, xml: &mut Xml, clefs: &[Clef]) {
        xml.open("attributes", &[]);
        xml.leaf("divisions", &[], DIVISIONS);
        xml.open("key", &[]);
        xml.leaf("fifths", &[], self.key.signature().fifths);
        let mode = match self.key.mode() {
            KeyMode::Major => "major",
            KeyMode::Minor => "minor",
        };
        xml.leaf("mode", &[], mode);
        xml.close("key");
        xml.open("time", &[]);
        xml.leaf("beats", &[], self.meter.beats);
        xml.leaf("beat-type", &[], self.meter.beat_type);
        xml.close("time");
        let several = clefs.len() > 1;
        if several {
            xml.leaf("staves", &[], clefs.len());
        }
        for (index, clef) in clefs.iter().enumerate() {
            clef.write(xml, several.then_some(index + 1));
        }
        for (index, clef) in clefs.iter().enumerate() {
            if *clef == Clef::Tab {
                parts::tab_staff_details(xml, index + 1);
            }
        }
        xml.close("attributes");
    }

    fn tempo(&self, xml: &mut Xml) {
        let tempo = self.tempo_bpm.to_string();
        xml.open("direction", &[("placement", "above")]);
        xml.open("direction-type", &[]);
        xml.open("metronome", &[]);
        xml.leaf("beat-unit", &[], "quarter");
        xml.leaf("per-minute", &[], &tempo);
        xml.close("metronome");
        xml.close("direction-type");
        xml.leaf("staff", &[], 1);
        xml.empty("sound", &[("tempo", &tempo)]);
        xml.close("direction");
    }

    fn chords_in(&self, bar: u32) -> &[PlacedChord] {
        self.chords
            .get(bar as usize - 1)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The chords of one bar on the part's staves, each staff its own voice: the symbols
    /// (with a guitar's chord diagrams) above the first, and on each staff the notes it
    /// writes; rests where a staff has none.
    fn chord_measure(&self, xml: &mut Xml, bar: u32, staves: &[ChordStaff]) {
        xml.open("measure", &[("number", &bar.to_string())]);
        if bar == 1 {
            let clefs: Vec<Clef> = staves.iter().map(|staff| staff.clef()).collect();
            self.attributes(xml, &clefs);
            self.tempo(xml);
        }
        let length = self.meter.length;
        let chords = self.chords_in(bar);
        for (number, staff) in (1u8..).zip(staves) {
            let voice = Voice {
                voice: number,
                staff: number,
            };
            if number > 1 {
                xml.open("backup", &[]);
                xml.leaf("duration", &[], length);
                xml.close("backup");
            }
            if chords.is_empty() {
                voice.measure_rest(xml, length);
                continue;
            }
            let mut at = 0;
            for placed in chords {
                if placed.start > at {
                    voice.rest(xml, placed.start - at);
                    at = placed.start;
                }
                if number == 1 {
                    let diagram = placed
                        .shape
                        .as_deref()
                        .filter(|_| self.instrument == Instrument::Guitar);
                    harmony(xml, &placed.chord, diagram, 0);
                }
                if placed.end > at {
                    let (notes, frets) = staff.notes(placed);
                    voice.sound(xml, &notes, frets, placed.end - at, (false, false));
                    at = placed.end;
                }
            }
            if at < length {
                voice.rest(xml, length - at);
            }
        }
        xml.close("measure");
    }

    /// One bar of the line; a note that crosses a barline is tied over it. The bass's part
    /// carries the chord symbols, each at its place within the note or rest it falls in.
    fn line_measure(&self, xml: &mut Xml, bar: u32, part: LinePart) {
        xml.open("measure", &[("number", &bar.to_string())]);
        if bar == 1 {
            let clef = match part {
                LinePart::Bass => Clef::BassOctaveDown,
                LinePart::Line => {
                    let low = self
                        .line
                        .iter()
                        .filter(|n| n.note.midi() < MIDDLE_C)
                        .count();
                    if low * 2 > self.line.len() {
                        Clef::Bass
                    } else {
                        Clef::Treble
                    }
                }
            };
            self.attributes(xml, &[clef]);
            if part == LinePart::Bass {
                self.tempo(xml);
            }
        }
        let voice = Voice { voice: 1, staff: 1 };
        let length = self.meter.length;
        let bar_start = (bar - 1) * length;
        let bar_end = bar * length;
        // The bar as notes and rests, from the barline: (start, end, note).
        let mut pieces: Vec<(u32, u32, Option<&LineNote>)> = Vec::new();
        let first = self.line.partition_point(|note| note.end <= bar_start);
        let mut at = 0;
        for line_note in self.line[first..]
            .iter()
            .take_while(|note| note.start < bar_end)
        {
            let start = line_note.start.max(bar_start) - bar_start;
            let end = line_note.end.min(bar_end) - bar_start;
            if start > at {
                pieces.push((at, start, None));
            }
            pieces.push((start, end, Some(line_note)));
            at = end;
        }
        if at < length {
            pieces.push((at, length, None));
        }
        let chords = match part {
            LinePart::Bass => self.chords_in(bar),
            LinePart::Line => &[],
        };
        let mut next_chord = 0;
        for (start, end, line_note) in pieces {
            while let Some(placed) = chords.get(next_chord)
                && placed.start < end
            {
                harmony(xml, &placed.chord, None, placed.start.saturating_sub(start));
                next_chord += 1;
            }
            match line_note {
                Some(line_note) => {
                    let ties = (line_note.start < bar_start, line_note.end > bar_end);
                    voice.sound(xml, &[line_note.note], &[], end - start, ties);
                }
                None if start == 0 && end == length => voice.measure_rest(xml, length),
                None => voice.rest(xml, end - start),
            }
        }
        xml.close("measure");
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use cadence_theory::Note;

    use super::*;
    use crate::template;
    use crate::test_support::{entry, payload};
    use crate::types::{ExerciseKind, Level, MelodyNote};

    /// The text between the first `open` and the next `close` after it.
    pub(super) fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
        let start = text.find(open).map_or(text.len(), |at| at + open.len());
        let end = text[start..]
            .find(close)
            .map_or(text.len(), |at| start + at);
        &text[start..end]
    }

    /// Each part's measures: (part, measure) → divisions each voice fills, counting each
    /// chord once.
    fn voice_lengths(xml: &str) -> BTreeMap<(String, u32), BTreeMap<String, u32>> {
        let mut lengths = BTreeMap::new();
        for part in xml.split("<part id=\"").skip(1) {
            let id = between(part, "", "\"").to_string();
            for measure in part.split("<measure number=\"").skip(1) {
                let number: u32 = between(measure, "", "\"").parse().unwrap();
                let voices: &mut BTreeMap<String, u32> =
                    lengths.entry((id.clone(), number)).or_default();
                for note in measure.split("<note>").skip(1) {
                    let note = between(note, "", "</note>");
                    if note.contains("<chord/>") {
                        continue;
                    }
                    let voice = between(note, "<voice>", "</voice>").to_string();
                    let duration: u32 = between(note, "<duration>", "</duration>").parse().unwrap();
                    *voices.entry(voice).or_default() += duration;
                }
            }
        }
        lengths
    }

    /// Every bar of every part is `bar` long in each of its voices: one a staff, and the
    /// instrument's part has two staves unless it is the bass's.
    pub(super) fn assert_bars_filled(xml: &str, bar: u32) {
        let lengths = voice_lengths(xml);
        assert!(!lengths.is_empty());
        let staves = if xml.contains("<staves>2</staves>") {
            2
        } else {
            1
        };
        for ((part, measure), voices) in lengths {
            let expected = if part == "P1" { staves } else { 1 };
            assert_eq!(voices.len(), expected, "{part} bar {measure}: {voices:?}");
            for (voice, length) in voices {
                assert_eq!(length, bar, "{part} bar {measure} voice {voice}");
            }
        }
    }

    /// The document on one line, without the indentation, for matching elements.
    pub(super) fn compact(xml: &str) -> String {
        xml.lines().map(str::trim).collect()
    }

    pub(super) fn pitch(step: char, alter: i8, octave: i8) -> String {
        let alter = if alter == 0 {
            String::new()
        } else {
            format!("<alter>{alter}</alter>")
        };
        format!("<pitch><step>{step}</step>{alter}<octave>{octave}</octave></pitch>")
    }

    #[test]
    fn a_tutorial_is_its_key_meter_tempo_chords_and_voicings_with_every_bar_full() {
        let tutorial = template::tutorial("ii-V-I", "Eb", Level::Intermediate).unwrap();
        let xml = compact(&tutorial_musicxml(&tutorial, 96).unwrap());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\""));
        assert!(
            xml.contains("<work-title>The ii-V-I in Eb major</work-title>"),
            "{xml}"
        );
        assert!(xml.contains("<key><fifths>-3</fifths><mode>major</mode></key>"));
        assert!(xml.contains("<time><beats>4</beats><beat-type>4</beat-type></time>"));
        assert!(xml.contains("<per-minute>96</per-minute>"));
        assert!(xml.contains("<sound tempo=\"96\"/>"));
        assert_eq!(
            xml.matches("<harmony>").count(),
            tutorial.music.chords.len()
        );
        assert!(xml.contains(
            "<root><root-step>F</root-step></root><kind text=\"m7\">minor-seventh</kind>"
        ));
        assert!(
            !xml.contains("<part id=\"P2\">"),
            "a tutorial with no line has one part"
        );
        assert_bars_filled(&xml, 4 * DIVISIONS);
        for chord in &tutorial.music.chords {
            for name in &chord.voicing.as_ref().unwrap().notes {
                let note: Note = name.parse().unwrap();
                let spelled = pitch(
                    note.pitch().letter().as_char(),
                    note.pitch().alter(),
                    note.octave(),
                );
                assert!(xml.contains(&spelled), "{name} is not written:\n{spelled}");
            }
        }
    }

    #[test]
    fn a_minor_key_keeps_its_mode_and_a_bar_without_chords_rests() {
        let mut chords = vec![entry(1, "i", "Cm"), entry(3, "V7", "G7")];
        chords[1].notes = vec!["G".into(), "B".into(), "D".into(), "F".into()];
        let xml = compact(&music_xml("Minor", &payload("C minor", chords), 80).unwrap());
        assert!(xml.contains("<key><fifths>-3</fifths><mode>minor</mode></key>"));
        let bar_two = between(&xml, "<measure number=\"2\">", "</measure>");
        assert_eq!(bar_two.matches("<rest measure=\"yes\"/>").count(), 2);
        assert!(!bar_two.contains("<harmony>"));
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn without_a_voicing_the_chord_is_stacked_from_octave_three_across_both_staves() {
        let music = payload("Eb major", vec![entry(1, "V65/IV", "Eb7/G")]);
        let xml = compact(&music_xml("Slash", &music, 80).unwrap());
        let bar = between(&xml, "<measure number=\"1\">", "</measure>");
        let (treble, bass) = bar.split_once("<backup>").unwrap();
        assert!(bass.contains(&pitch('G', 0, 3)));
        for (step, alter, octave) in [('E', -1, 4), ('B', -1, 4), ('D', -1, 5)] {
            assert!(
                treble.contains(&pitch(step, alter, octave)),
                "{step}{alter}{octave}"
            );
        }
        assert!(treble.contains("<bass-step>G</bass-step>"));
        assert!(treble.contains("<kind text=\"7\">dominant</kind>"));
    }

    #[test]
    fn chords_on_beats_last_until_the_next_and_tie_where_no_value_fits() {
        let mut first = entry(1, "I", "C");
        first.beat = Some(1.0);
        let mut second = entry(1, "V", "G");
        second.beat = Some(3.5);
        // Out of order in the document: the bar is read by beat.
        let xml =
            compact(&music_xml("Beats", &payload("C major", vec![second, first]), 80).unwrap());
        let treble = between(&xml, "<measure number=\"1\">", "<backup>");
        let bass = between(&xml, "</backup>", "</measure>");
        let durations: Vec<&str> = treble
            .split("<note>")
            .skip(1)
            .filter(|note| !note.contains("<chord/>"))
            .map(|note| between(note, "<duration>", "</duration>"))
            .collect();
        assert_eq!(durations, ["1920", "480", "1440"]);
        assert!(treble.find("<root-step>C</root-step>") < treble.find("<root-step>G</root-step>"));
        // The chords stacked from octave 3 are on the bass staff: a tied half and eighth.
        assert!(
            treble.contains("<rest/><duration>1920</duration><voice>1</voice><type>half</type>")
        );
        assert!(bass.contains(
            "<duration>1920</duration><tie type=\"start\"/><voice>2</voice><type>half</type>"
        ));
        assert!(bass.contains("<notations><tied type=\"stop\"/></notations>"));
        assert!(
            bass.contains("<duration>1440</duration><voice>2</voice><type>quarter</type><dot/>")
        );
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn the_line_is_a_second_part_tied_over_the_barline() {
        let mut music = payload("G major", vec![entry(1, "I", "G")]);
        music.melody = vec![
            MelodyNote {
                note: "D5".into(),
                beats: 3.0,
            },
            MelodyNote {
                note: "F#4".into(),
                beats: 2.0,
            },
        ];
        let xml = compact(&music_xml("Line", &music, 80).unwrap());
        assert!(xml.contains("<score-part id=\"P2\"><part-name>Line</part-name>"));
        let line = between(&xml, "<part id=\"P2\">", "</part>");
        assert!(line.contains("<fifths>1</fifths>"));
        let bar_one = between(line, "<measure number=\"1\">", "</measure>");
        let bar_two = between(line, "<measure number=\"2\">", "</measure>");
        assert!(bar_one.contains(&pitch('F', 1, 4)) && bar_one.contains("<tie type=\"start\"/>"));
        assert!(bar_two.contains(&pitch('F', 1, 4)) && bar_two.contains("<tie type=\"stop\"/>"));
        assert!(bar_two.contains("<rest/>"));
        let piano_bar_two = between(&xml, "<measure number=\"2\">", "</measure>");
        assert_eq!(piano_bar_two.matches("<rest measure=\"yes\"/>").count(), 2);
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn an_exercise_plays_at_its_tempo_and_its_scale_line_is_written() {
        for exercise in template::exercises("major scale", "D", Level::Beginner).unwrap() {
            let xml = compact(&exercise_musicxml(&exercise).unwrap());
            assert!(xml.contains(&format!("<sound tempo=\"{}\"/>", exercise.tempo_bpm)));
            assert_eq!(
                xml.matches("<harmony>").count(),
                exercise.music.chords.len()
            );
            assert_eq!(
                xml.contains("<part id=\"P2\">"),
                !exercise.music.melody.is_empty()
            );
            if exercise.kind == ExerciseKind::ScalePattern {
                assert!(xml.contains(&pitch('C', 1, 5)), "{xml}");
            }
            assert_bars_filled(&xml, 4 * DIVISIONS);
        }
    }

    #[test]
    fn the_title_is_escaped() {
        let xml = music_xml(
            "Tom & Jerry's <\"Blues\">\u{7}",
            &payload("F major", vec![entry(1, "I7", "F7")]),
            80,
        )
        .unwrap();
        assert!(
            xml.contains(
                "<work-title>Tom &amp; Jerry&apos;s &lt;&quot;Blues&quot;&gt;</work-title>"
            )
        );
    }

    #[test]
    fn what_cannot_be_written_is_refused_with_the_reason() {
        let message = |music: &MusicPayload| music_xml("x", music, 80).unwrap_err().to_string();
        let unknown_key = message(&payload("H major", vec![]));
        assert!(
            unknown_key.contains("the key `H major` cannot be read"),
            "{unknown_key}"
        );
        let mut odd_meter = payload("C major", vec![]);
        odd_meter.meter = Some("4/3".into());
        assert!(message(&odd_meter).contains("the time signature `4/3` cannot be read"));
        let unreadable = message(&payload("C major", vec![entry(2, "I", "Cxyz")]));
        assert!(
            unreadable.starts_with("MusicXML: bar 2: the chord `Cxyz` (I)"),
            "{unreadable}"
        );
        let mut late = entry(1, "V", "G");
        late.beat = Some(5.0);
        let late = message(&payload("C major", vec![late]));
        assert!(
            late.contains("starts on beat 5, outside a 4/4 bar"),
            "{late}"
        );
    }

    #[test]
    fn empty_music_is_one_bar_of_rest() {
        let xml = music_xml("Nothing yet", &payload("D major", vec![]), 80).unwrap();
        assert_eq!(xml.matches("<measure number=").count(), 1);
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }
}
