//! The instrument's part and how its staves are set: a piano's grand staff, a guitar's
//! notation staff with tablature under it, a bass's one staff; their clefs, the tablature's
//! tuning, and the MIDI program a notation program plays the part on.

use cadence_theory::{Fretboard, Note};

use super::MIDDLE_C;
use super::layout::PlacedChord;
use super::notation::Xml;
use crate::export::midi_program;
use crate::types::Instrument;

/// A staff's clef. The guitar and the bass sound an octave below where they are written,
/// so their clefs carry the octave down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Clef {
    Treble,
    Bass,
    TrebleOctaveDown,
    BassOctaveDown,
    Tab,
}

impl Clef {
    /// The clef's sign, its line (none for tablature) and its octave change.
    fn parts(self) -> (&'static str, Option<u8>, i8) {
        match self {
            Clef::Treble => ("G", Some(2), 0),
            Clef::Bass => ("F", Some(4), 0),
            Clef::TrebleOctaveDown => ("G", Some(2), -1),
            Clef::BassOctaveDown => ("F", Some(4), -1),
            Clef::Tab => ("TAB", None, 0),
        }
    }

    /// The `<clef>` of staff `number`, or of the part's only staff.
    pub(super) fn write(self, xml: &mut Xml, number: Option<usize>) {
        let number = number.map(|n| n.to_string());
        let attributes: Vec<(&str, &str)> = number
            .as_deref()
            .map(|n| vec![("number", n)])
            .unwrap_or_default();
        let (sign, line, octave_change) = self.parts();
        xml.open("clef", &attributes);
        xml.leaf("sign", &[], sign);
        if let Some(line) = line {
            xml.leaf("line", &[], line);
        }
        if octave_change != 0 {
            xml.leaf("clef-octave-change", &[], octave_change);
        }
        xml.close("clef");
    }
}

/// A tablature staff's `<staff-details>`: a line for each of the guitar's strings, tuned as
/// its open strings, the lowest line the lowest string.
pub(super) fn tab_staff_details(xml: &mut Xml, number: usize) {
    let guitar = Fretboard::guitar();
    xml.open("staff-details", &[("number", &number.to_string())]);
    xml.leaf("staff-lines", &[], guitar.strings().len());
    for (line, string) in guitar.strings().iter().enumerate() {
        xml.open("staff-tuning", &[("line", &(line + 1).to_string())]);
        xml.leaf("tuning-step", &[], string.pitch().letter().as_char());
        if string.pitch().alter() != 0 {
            xml.leaf("tuning-alter", &[], string.pitch().alter());
        }
        xml.leaf("tuning-octave", &[], string.octave());
        xml.close("staff-tuning");
    }
    xml.close("staff-details");
}

/// A staff of a part that plays chords, and which of a chord's notes it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChordStaff {
    /// The piano's upper staff: the notes from middle C up.
    PianoUpper,
    /// The piano's lower staff: the notes below middle C.
    PianoLower,
    /// The guitar's notation staff: every note the shape sounds.
    GuitarNotation,
    /// The guitar's tablature: the shape's notes with their strings and frets. A chord with
    /// no shape rests here, as tablature has nowhere to put notes no shape frets.
    GuitarTab,
}

/// The piano's grand staff.
pub(super) const PIANO_STAVES: [ChordStaff; 2] = [ChordStaff::PianoUpper, ChordStaff::PianoLower];
/// The guitar's staves: notation, and tablature under it.
pub(super) const GUITAR_STAVES: [ChordStaff; 2] =
    [ChordStaff::GuitarNotation, ChordStaff::GuitarTab];

impl ChordStaff {
    pub(super) fn clef(self) -> Clef {
        match self {
            ChordStaff::PianoUpper => Clef::Treble,
            ChordStaff::PianoLower => Clef::Bass,
            ChordStaff::GuitarNotation => Clef::TrebleOctaveDown,
            ChordStaff::GuitarTab => Clef::Tab,
        }
    }

    /// The notes of `placed` on this staff, with their strings and frets on tablature.
    pub(super) fn notes(self, placed: &PlacedChord) -> (Vec<Note>, &[(u8, u8)]) {
        let from_middle_c = |upper: bool| {
            placed
                .notes
                .iter()
                .copied()
                .filter(|note| (note.midi() >= MIDDLE_C) == upper)
                .collect()
        };
        match self {
            ChordStaff::PianoUpper => (from_middle_c(true), &[]),
            ChordStaff::PianoLower => (from_middle_c(false), &[]),
            ChordStaff::GuitarNotation => (placed.notes.clone(), &[]),
            ChordStaff::GuitarTab if placed.strings.is_empty() => (Vec::new(), &[]),
            ChordStaff::GuitarTab => (placed.notes.clone(), &placed.strings),
        }
    }
}

/// The instrument's part in the part list: "Piano" as before; a guitar or a bass by name,
/// with the General MIDI program (counted from 1 here) it sounds on.
pub(super) fn score_part(xml: &mut Xml, id: &str, instrument: Instrument) {
    let (name, sound) = match instrument {
        Instrument::Guitar => ("Guitar", Some("pluck.guitar.nylon-string")),
        Instrument::Bass => ("Bass", Some("pluck.bass.electric")),
        Instrument::Piano | Instrument::Voice => ("Piano", None),
    };
    xml.open("score-part", &[("id", id)]);
    xml.leaf("part-name", &[], name);
    if let Some(sound) = sound {
        let instrument_id = format!("{id}-I1");
        xml.open("score-instrument", &[("id", &instrument_id)]);
        xml.leaf("instrument-name", &[], name);
        xml.leaf("instrument-sound", &[], sound);
        xml.close("score-instrument");
        xml.open("midi-instrument", &[("id", &instrument_id)]);
        xml.leaf("midi-channel", &[], 1);
        xml.leaf("midi-program", &[], u16::from(midi_program(instrument)) + 1);
        xml.close("midi-instrument");
    }
    xml.close("score-part");
}

#[cfg(test)]
mod tests {
    use cadence_theory::Chord;

    use super::super::tests::{assert_bars_filled, between, compact, pitch};
    use super::super::{DIVISIONS, music_xml};
    use super::*;
    use crate::template;
    use crate::test_support::{entry, payload};
    use crate::types::{ChordEntry, GuitarShape, Level, MelodyNote, MusicPayload};

    fn shaped(bar: u32, numeral: &str, symbol: &str, frets: [Option<u8>; 6]) -> ChordEntry {
        let chord = Chord::parse(symbol).unwrap();
        let shape = Fretboard::guitar()
            .shape_from_frets(&chord, &frets)
            .unwrap();
        ChordEntry {
            guitar: Some(GuitarShape::from(&shape)),
            ..entry(bar, numeral, symbol)
        }
    }

    fn for_instrument(instrument: Instrument, mut music: MusicPayload) -> String {
        music.instrument = Some(instrument);
        compact(&music_xml("Part", &music, 80).unwrap())
    }

    /// Each note of `staff` (a run of compacted notes) as its pitch and, on tablature, its
    /// string and fret.
    fn notes_of(staff: &str) -> Vec<(String, Option<(u8, u8)>)> {
        staff
            .split("<note>")
            .skip(1)
            .filter(|note| note.contains("<pitch>"))
            .map(|note| {
                let written = format!("<pitch>{}</pitch>", between(note, "<pitch>", "</pitch>"));
                let fret = note.contains("<technical>").then(|| {
                    (
                        between(note, "<string>", "</string>").parse().unwrap(),
                        between(note, "<fret>", "</fret>").parse().unwrap(),
                    )
                });
                (written, fret)
            })
            .collect()
    }

    const G_MAJOR: [Option<u8>; 6] = [Some(3), Some(2), Some(0), Some(0), Some(0), Some(3)];

    #[test]
    fn a_guitar_shape_is_written_on_a_notation_staff_and_in_tablature() {
        let xml = for_instrument(
            Instrument::Guitar,
            payload("G major", vec![shaped(1, "I", "G", G_MAJOR)]),
        );
        assert!(xml.contains(
            "<score-part id=\"P1\"><part-name>Guitar</part-name>\
             <score-instrument id=\"P1-I1\"><instrument-name>Guitar</instrument-name>\
             <instrument-sound>pluck.guitar.nylon-string</instrument-sound></score-instrument>\
             <midi-instrument id=\"P1-I1\"><midi-channel>1</midi-channel>\
             <midi-program>25</midi-program></midi-instrument></score-part>"
        ));
        assert!(xml.contains(
            "<staves>2</staves>\
             <clef number=\"1\"><sign>G</sign><line>2</line>\
             <clef-octave-change>-1</clef-octave-change></clef>\
             <clef number=\"2\"><sign>TAB</sign></clef>\
             <staff-details number=\"2\"><staff-lines>6</staff-lines>"
        ));
        let tuning: Vec<String> = xml
            .split("<staff-tuning ")
            .skip(1)
            .map(|string| {
                let line = between(string, "line=\"", "\"");
                let step = between(string, "<tuning-step>", "</tuning-step>");
                let octave = between(string, "<tuning-octave>", "</tuning-octave>");
                format!("{line}:{step}{octave}")
            })
            .collect();
        assert_eq!(tuning, ["1:E2", "2:A2", "3:D3", "4:G3", "5:B3", "6:E4"]);

        let bar = between(&xml, "<measure number=\"1\">", "</measure>");
        let (notation, tab) = bar.split_once("<backup>").unwrap();
        let sounding: Vec<String> = [('G', 2), ('B', 2), ('D', 3), ('G', 3), ('B', 3), ('G', 4)]
            .into_iter()
            .map(|(step, octave)| pitch(step, 0, octave))
            .collect();
        let written = notes_of(notation);
        assert_eq!(
            written.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            sounding
        );
        assert!(written.iter().all(|(_, fret)| fret.is_none()));
        let fretted = notes_of(tab);
        assert_eq!(
            fretted.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            sounding
        );
        let frets: Vec<(u8, u8)> = fretted.iter().filter_map(|(_, fret)| *fret).collect();
        assert_eq!(frets, [(6, 3), (5, 2), (4, 0), (3, 0), (2, 0), (1, 3)]);
        assert!(tab.contains("<voice>2</voice>") && tab.contains("<staff>2</staff>"));

        // The chord symbol carries the shape's diagram.
        let symbol = between(&xml, "<harmony>", "</harmony>");
        assert!(
            symbol.contains("<frame-strings>6</frame-strings>"),
            "{symbol}"
        );
        assert_eq!(symbol.matches("<frame-note>").count(), 6);
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn a_guitar_chord_without_a_shape_rests_in_the_tablature() {
        let mut unreadable = shaped(2, "I", "G", G_MAJOR);
        if let Some(shape) = &mut unreadable.guitar {
            // Notes the frets do not sound: no string and fret can be said for them.
            shape.notes = vec!["C3".into(), "E3".into(), "G3".into()];
        }
        let xml = for_instrument(
            Instrument::Guitar,
            payload("C major", vec![entry(1, "I", "C"), unreadable]),
        );
        for bar in ["1", "2"] {
            let measure = between(&xml, &format!("<measure number=\"{bar}\">"), "</measure>");
            let (notation, tab) = measure.split_once("<backup>").unwrap();
            assert_eq!(notes_of(notation).len(), 3, "bar {bar}: {notation}");
            assert!(notes_of(tab).is_empty(), "bar {bar}: {tab}");
            assert!(tab.contains("<rest/><duration>3840</duration><voice>2</voice>"));
        }
        assert!(
            !xml.contains("<frame"),
            "no diagram without a shape's notes"
        );
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn a_guitar_tutorial_tabs_every_string_its_shapes_sound() {
        let tutorial =
            template::tutorial_for(Instrument::Guitar, "ii-V-I", "C", Level::Beginner).unwrap();
        let xml = compact(&super::super::tutorial_musicxml(&tutorial, 90).unwrap());
        let shapes: Vec<&GuitarShape> = tutorial
            .music
            .chords
            .iter()
            .map(|chord| chord.guitar.as_ref().unwrap())
            .collect();
        let strings: usize = shapes
            .iter()
            .map(|shape| shape.frets.iter().flatten().count())
            .sum();
        assert_eq!(xml.matches("<technical>").count(), strings);
        assert_eq!(xml.matches("<frame ").count(), shapes.len());
        assert!(!xml.contains("<part id=\"P2\">"));
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }

    #[test]
    fn a_bass_part_is_its_line_in_the_bass_clef_under_the_chord_symbols() {
        let mut second = entry(1, "IV", "F");
        second.beat = Some(2.0);
        let mut music = payload(
            "C major",
            vec![entry(1, "I", "C"), second, entry(2, "V", "G")],
        );
        music.melody = ["C2", "G1"]
            .into_iter()
            .zip([6.0, 2.0])
            .map(|(note, beats)| MelodyNote {
                note: note.into(),
                beats,
            })
            .collect();
        let xml = for_instrument(Instrument::Bass, music);
        assert!(xml.contains(
            "<score-part id=\"P1\"><part-name>Bass</part-name>\
             <score-instrument id=\"P1-I1\"><instrument-name>Bass</instrument-name>"
        ));
        assert!(xml.contains("<midi-program>34</midi-program>"));
        assert!(xml.contains(
            "<clef><sign>F</sign><line>4</line><clef-octave-change>-1</clef-octave-change></clef>"
        ));
        assert!(!xml.contains("<staves>"), "one staff");
        assert!(
            !xml.contains("<part id=\"P2\">"),
            "the line is the bass's part"
        );
        assert!(xml.contains("<sound tempo=\"80\"/>"));
        assert_eq!(xml.matches("<harmony>").count(), 3);
        // F falls on beat 2 of the held C: a beat into the note.
        let bar_one = between(&xml, "<measure number=\"1\">", "</measure>");
        assert!(bar_one.contains("<offset>960</offset>"), "{bar_one}");
        let notes: Vec<String> = notes_of(&xml).into_iter().map(|(p, _)| p).collect();
        // C2 held over the barline (tied), then G1: the line alone, no chords.
        assert_eq!(
            notes,
            [pitch('C', 0, 2), pitch('C', 0, 2), pitch('G', 0, 1)]
        );
        assert!(!xml.contains("<chord/>"));
        assert_bars_filled(&xml, 4 * DIVISIONS);
    }
}
