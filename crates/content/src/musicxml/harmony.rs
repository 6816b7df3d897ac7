//! A chord symbol as a `<harmony>`: root, the nearest MusicXML kind, bass, and the degrees
//! that make the kind exactly the chord's tones.

use cadence_theory::{Chord, ChordQuality, Extension, Seventh, Triad};

use super::notation::Xml;

/// One `<degree>` of a harmony: a tone added, altered or taken away from its kind.
#[derive(Debug, PartialEq, Eq)]
struct Degree {
    value: u8,
    alter: i8,
    kind: &'static str,
}

/// The MusicXML kind nearest the chord's quality, with the tones (degree, semitones above
/// the root) that kind means.
fn harmony_kind(quality: &ChordQuality) -> (&'static str, Vec<(u8, i8)>) {
    let triad = |third: i8, fifth: i8| vec![(1, 0), (3, third), (5, fifth)];
    let with = |mut tones: Vec<(u8, i8)>, more: &[(u8, i8)]| {
        tones.extend_from_slice(more);
        tones
    };
    let extended = |names: [&'static str; 4], seventh: Vec<(u8, i8)>| match quality.extension() {
        None => (names[0], seventh),
        Some(Extension::Ninth) => (names[1], with(seventh, &[(9, 14)])),
        Some(Extension::Eleventh) => (names[2], with(seventh, &[(9, 14), (11, 17)])),
        Some(Extension::Thirteenth) => (names[3], with(seventh, &[(9, 14), (11, 17), (13, 21)])),
    };
    match (quality.triad(), quality.seventh()) {
        (_, Some(Seventh::Diminished)) => ("diminished-seventh", with(triad(3, 6), &[(7, 9)])),
        (Triad::Minor, Some(Seventh::Minor)) => extended(
            ["minor-seventh", "minor-ninth", "minor-11th", "minor-13th"],
            with(triad(3, 7), &[(7, 10)]),
        ),
        (Triad::Diminished, Some(Seventh::Minor)) => {
            ("half-diminished", with(triad(3, 6), &[(7, 10)]))
        }
        (Triad::Augmented, Some(Seventh::Minor)) => {
            ("augmented-seventh", with(triad(4, 8), &[(7, 10)]))
        }
        // Suspended and power chords with a seventh: a dominant with its third replaced.
        (_, Some(Seventh::Minor)) => extended(
            [
                "dominant",
                "dominant-ninth",
                "dominant-11th",
                "dominant-13th",
            ],
            with(triad(4, 7), &[(7, 10)]),
        ),
        (Triad::Minor | Triad::Diminished, Some(Seventh::Major)) => {
            ("major-minor", with(triad(3, 7), &[(7, 11)]))
        }
        (_, Some(Seventh::Major)) => extended(
            ["major-seventh", "major-ninth", "major-11th", "major-13th"],
            with(triad(4, 7), &[(7, 11)]),
        ),
        (Triad::Major, None) if quality.has_sixth() => {
            ("major-sixth", with(triad(4, 7), &[(6, 9)]))
        }
        (Triad::Minor, None) if quality.has_sixth() => {
            ("minor-sixth", with(triad(3, 7), &[(6, 9)]))
        }
        (Triad::Major, None) => ("major", triad(4, 7)),
        (Triad::Minor, None) => ("minor", triad(3, 7)),
        (Triad::Diminished, None) => ("diminished", triad(3, 6)),
        (Triad::Augmented, None) => ("augmented", triad(4, 8)),
        (Triad::Sus2, None) => ("suspended-second", vec![(1, 0), (2, 2), (5, 7)]),
        (Triad::Sus4, None) => ("suspended-fourth", vec![(1, 0), (4, 5), (5, 7)]),
        (Triad::Power, None) => ("power", vec![(1, 0), (5, 7)]),
    }
}

/// Semitones of a degree in a dominant chord (major and perfect, the seventh minor): what
/// an added degree's alteration is measured from.
fn dominant_semitones(degree: u8) -> i8 {
    const MAJOR: [i8; 7] = [0, 2, 4, 5, 7, 9, 11];
    let step = usize::from(degree.max(1) - 1);
    let semitones = MAJOR[step % 7] + 12 * (step / 7) as i8;
    if step % 7 == 6 {
        semitones - 1
    } else {
        semitones
    }
}

/// The kind and the degrees that turn it into exactly the chord's tones. The seventh always
/// comes from the kind, so no seventh is ever added (readers disagree on what one means).
fn harmony_degrees(quality: &ChordQuality) -> (&'static str, Vec<Degree>) {
    let (kind, kind_tones) = harmony_kind(quality);
    let tones: Vec<(u8, i8)> = quality
        .intervals()
        .into_iter()
        .map(|interval| ((interval.steps() + 1) as u8, interval.semitones()))
        .collect();
    let mut degrees = Vec::new();
    let mut to_add: Vec<(u8, i8)> = Vec::new();
    for &(value, semitones) in &kind_tones {
        let ours: Vec<i8> = tones
            .iter()
            .filter(|(degree, _)| *degree == value)
            .map(|(_, s)| *s)
            .collect();
        match ours.as_slice() {
            [only] if *only == semitones => {}
            [only] => degrees.push(Degree {
                value,
                alter: only - semitones,
                kind: "alter",
            }),
            _ => {
                degrees.push(Degree {
                    value,
                    alter: 0,
                    kind: "subtract",
                });
                to_add.extend(ours.iter().map(|&s| (value, s)));
            }
        }
    }
    to_add.extend(
        tones
            .iter()
            .filter(|(degree, _)| !kind_tones.iter().any(|(value, _)| value == degree)),
    );
    to_add.sort_unstable();
    degrees.extend(to_add.into_iter().map(|(value, semitones)| Degree {
        value,
        alter: semitones - dominant_semitones(value),
        kind: "add",
    }));
    (kind, degrees)
}

/// A chord symbol `offset` divisions after the current position, with the chord diagram of
/// `frets` (a guitar shape, lowest string first) when there is one.
pub(super) fn harmony(xml: &mut Xml, chord: &Chord, frets: Option<&[Option<u8>]>, offset: u32) {
    let (kind, degrees) = harmony_degrees(chord.quality());
    xml.open("harmony", &[]);
    xml.open("root", &[]);
    xml.leaf("root-step", &[], chord.root().letter().as_char());
    if chord.root().alter() != 0 {
        xml.leaf("root-alter", &[], chord.root().alter());
    }
    xml.close("root");
    // The suffix includes every degree, so the degrees themselves are not printed again.
    xml.leaf("kind", &[("text", &chord.quality().suffix(false))], kind);
    if let Some(bass) = chord.bass() {
        xml.open("bass", &[]);
        xml.leaf("bass-step", &[], bass.letter().as_char());
        if bass.alter() != 0 {
            xml.leaf("bass-alter", &[], bass.alter());
        }
        xml.close("bass");
    }
    for degree in degrees {
        xml.open("degree", &[("print-object", "no")]);
        xml.leaf("degree-value", &[], degree.value);
        xml.leaf("degree-alter", &[], degree.alter);
        xml.leaf("degree-type", &[], degree.kind);
        xml.close("degree");
    }
    if let Some(frets) = frets {
        frame(xml, frets);
    }
    if offset > 0 {
        xml.leaf("offset", &[], offset);
    }
    xml.leaf("staff", &[], 1);
    xml.close("harmony");
}

/// Frets a chord diagram shows at least.
const FRAME_FRETS: u8 = 4;

/// A chord diagram of `frets` (lowest string first, None muted): a shape that reaches above
/// the diagram's frets is shown from its lowest fretted fret. Frets are absolute, as
/// MusicXML counts them; a diagram of only muted strings is not written.
fn frame(xml: &mut Xml, frets: &[Option<u8>]) {
    let fretted = || frets.iter().flatten().copied().filter(|&fret| fret > 0);
    let (first, shown) = match (fretted().min(), fretted().max()) {
        (Some(lowest), Some(highest)) if highest > FRAME_FRETS => {
            (Some(lowest), (highest - lowest + 1).max(FRAME_FRETS))
        }
        _ => (None, FRAME_FRETS),
    };
    if frets.iter().all(Option::is_none) {
        return;
    }
    xml.open("frame", &[("unplayed", "x")]);
    xml.leaf("frame-strings", &[], frets.len());
    xml.leaf("frame-frets", &[], shown);
    if let Some(first) = first {
        xml.leaf("first-fret", &[], first);
    }
    for (index, fret) in frets.iter().enumerate() {
        if let Some(fret) = fret {
            xml.open("frame-note", &[]);
            xml.leaf("string", &[], frets.len() - index);
            xml.leaf("fret", &[], fret);
            xml.close("frame-note");
        }
    }
    xml.close("frame");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_and_degrees(symbol: &str) -> (&'static str, Vec<(u8, i8, &'static str)>) {
        let chord = Chord::parse(symbol).unwrap();
        let (kind, degrees) = harmony_degrees(chord.quality());
        let degrees = degrees
            .into_iter()
            .map(|d| (d.value, d.alter, d.kind))
            .collect();
        (kind, degrees)
    }

    #[test]
    fn each_chord_takes_the_nearest_kind_and_the_degrees_that_differ() {
        /// (degree, alteration, how it changes the kind)
        type Degrees = &'static [(u8, i8, &'static str)];
        let cases: [(&str, &str, Degrees); 12] = [
            ("Fm7", "minor-seventh", &[]),
            ("G7b9", "dominant", &[(9, -1, "add")]),
            ("B13", "dominant-13th", &[(11, 0, "subtract")]),
            ("C7sus4", "dominant", &[(3, 0, "subtract"), (4, 0, "add")]),
            (
                "C7alt",
                "dominant",
                &[
                    (5, -1, "alter"),
                    (9, -1, "add"),
                    (9, 1, "add"),
                    (13, -1, "add"),
                ],
            ),
            ("C6/9", "major-sixth", &[(9, 0, "add")]),
            ("Cm(maj7)", "major-minor", &[]),
            ("Adim7", "diminished-seventh", &[]),
            ("Cmaj7#5", "major-seventh", &[(5, 1, "alter")]),
            ("Dm7b5", "half-diminished", &[]),
            ("Csus2", "suspended-second", &[]),
            ("C5", "power", &[]),
        ];
        for (symbol, kind, degrees) in cases {
            assert_eq!(
                kind_and_degrees(symbol),
                (kind, degrees.to_vec()),
                "{symbol}"
            );
        }
    }

    /// Read as MusicXML defines degrees (an alteration or removal acts on the kind's tone,
    /// an addition is measured from a dominant chord), every quality a chart may name comes
    /// back as exactly its own tones, and no seventh is ever added.
    #[test]
    fn the_kind_and_its_degrees_spell_exactly_the_chords_tones() {
        let bases = [
            "", "m", "dim", "aug", "sus2", "sus4", "5", "6", "m6", "6/9", "m6/9", "7", "maj7",
            "m7", "m(maj7)", "dim7", "m7b5", "7#5", "maj7#5", "7sus4", "9", "maj9", "m9", "11",
            "m11", "13", "maj13", "m13", "m(maj9)", "7alt",
        ];
        let modifiers = [
            "", "b5", "#5", "b9", "#9", "#11", "b13", "add9", "add11", "add13", "(omit3)",
            "(omit5)", "(b9,#11)", "(#9,b13)", "(b5,#5)",
        ];
        let mut checked = 0;
        for base in bases {
            for modifier in modifiers {
                let Ok(chord) = Chord::parse(&format!("C{base}{modifier}")) else {
                    continue;
                };
                let (_, mut tones) = harmony_kind(chord.quality());
                let (_, degrees) = harmony_degrees(chord.quality());
                for degree in degrees {
                    match degree.kind {
                        "alter" => {
                            let tone = tones.iter_mut().find(|(value, _)| *value == degree.value);
                            tone.unwrap().1 += degree.alter;
                        }
                        "subtract" => tones.retain(|(value, _)| *value != degree.value),
                        _ => {
                            assert_ne!(degree.value, 7, "{chord} adds a seventh");
                            let semitones = dominant_semitones(degree.value) + degree.alter;
                            tones.push((degree.value, semitones));
                        }
                    }
                }
                tones.sort_unstable();
                let mut expected: Vec<(u8, i8)> = chord
                    .quality()
                    .intervals()
                    .into_iter()
                    .map(|interval| ((interval.steps() + 1) as u8, interval.semitones()))
                    .collect();
                expected.sort_unstable();
                assert_eq!(tones, expected, "{chord}");
                checked += 1;
            }
        }
        assert!(checked > 200, "only {checked} symbols were read");
    }

    #[test]
    fn a_shape_is_a_diagram_from_the_nut_or_from_its_lowest_fret() {
        let diagram = |frets: &[Option<u8>]| {
            let mut xml = Xml::default();
            harmony(&mut xml, &Chord::parse("G").unwrap(), Some(frets), 480);
            let text: String = xml.text.lines().map(str::trim).collect();
            let start = text.find("<frame").unwrap_or(text.len());
            text[start..].to_string()
        };
        assert_eq!(
            diagram(&[Some(3), Some(2), Some(0), Some(0), Some(0), Some(3)]),
            "<frame unplayed=\"x\"><frame-strings>6</frame-strings><frame-frets>4</frame-frets>\
             <frame-note><string>6</string><fret>3</fret></frame-note>\
             <frame-note><string>5</string><fret>2</fret></frame-note>\
             <frame-note><string>4</string><fret>0</fret></frame-note>\
             <frame-note><string>3</string><fret>0</fret></frame-note>\
             <frame-note><string>2</string><fret>0</fret></frame-note>\
             <frame-note><string>1</string><fret>3</fret></frame-note></frame>\
             <offset>480</offset><staff>1</staff></harmony>"
        );
        let high = diagram(&[None, Some(10), Some(12), Some(12), Some(12), Some(10)]);
        assert!(
            high.starts_with(
                "<frame unplayed=\"x\"><frame-strings>6</frame-strings>\
                 <frame-frets>4</frame-frets><first-fret>10</first-fret>\
                 <frame-note><string>5</string><fret>10</fret></frame-note>"
            ),
            "{high}"
        );
        assert!(!diagram(&[None; 6]).contains("<frame"));
    }

    #[test]
    fn the_root_the_suffix_and_the_bass_are_spelled() {
        let written = |symbol: &str| {
            let mut xml = Xml::default();
            harmony(&mut xml, &Chord::parse(symbol).unwrap(), None, 0);
            xml.text.lines().map(str::trim).collect::<String>()
        };
        assert_eq!(
            written("Cdim7/Bbb"),
            "<harmony><root><root-step>C</root-step></root>\
             <kind text=\"dim7\">diminished-seventh</kind>\
             <bass><bass-step>B</bass-step><bass-alter>-2</bass-alter></bass>\
             <staff>1</staff></harmony>"
        );
        assert_eq!(
            written("Db7b9"),
            "<harmony><root><root-step>D</root-step><root-alter>-1</root-alter></root>\
             <kind text=\"7b9\">dominant</kind>\
             <degree print-object=\"no\"><degree-value>9</degree-value>\
             <degree-alter>-1</degree-alter><degree-type>add</degree-type></degree>\
             <staff>1</staff></harmony>"
        );
    }
}
