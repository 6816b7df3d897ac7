//! Property tests over the whole engine: transposition commutes with spelling, numerals
//! read back, enharmonic keys spell alike, and no text makes a parser panic.

use proptest::prelude::*;

use super::*;

mod read_back;
mod readers;

const INTERVALS: [Interval; 26] = [
    Interval::UNISON,
    Interval::MINOR_SECOND,
    Interval::MAJOR_SECOND,
    Interval::AUGMENTED_SECOND,
    Interval::MINOR_THIRD,
    Interval::MAJOR_THIRD,
    Interval::DIMINISHED_FOURTH,
    Interval::PERFECT_FOURTH,
    Interval::AUGMENTED_FOURTH,
    Interval::DIMINISHED_FIFTH,
    Interval::PERFECT_FIFTH,
    Interval::AUGMENTED_FIFTH,
    Interval::MINOR_SIXTH,
    Interval::MAJOR_SIXTH,
    Interval::AUGMENTED_SIXTH,
    Interval::DIMINISHED_SEVENTH,
    Interval::MINOR_SEVENTH,
    Interval::MAJOR_SEVENTH,
    Interval::OCTAVE,
    Interval::MINOR_NINTH,
    Interval::MAJOR_NINTH,
    Interval::AUGMENTED_NINTH,
    Interval::PERFECT_ELEVENTH,
    Interval::AUGMENTED_ELEVENTH,
    Interval::MINOR_THIRTEENTH,
    Interval::MAJOR_THIRTEENTH,
];

/// Suffixes covering every chord family the voicings handle.
const SUFFIXES: [&str; 36] = [
    "",
    "m",
    "dim",
    "aug",
    "sus2",
    "sus4",
    "6",
    "m6",
    "6/9",
    "7",
    "maj7",
    "m7",
    "m(maj7)",
    "m7b5",
    "dim7",
    "7sus4",
    "9",
    "m9",
    "maj9",
    "11",
    "m11",
    "13",
    "maj13",
    "7b9",
    "7#9",
    "7(b9,#11)",
    "7#11",
    "13#11",
    "7alt",
    "7#5",
    "7b5",
    "7b13",
    "maj7#11",
    "add9",
    "madd9",
    "9sus4",
];

fn pitch_class() -> impl Strategy<Value = PitchClass> {
    (0..7i32, -2..=2i8)
        .prop_map(|(letter, alter)| PitchClass::new(Letter::from_index(letter), alter))
}

fn interval() -> impl Strategy<Value = Interval> {
    prop::sample::select(INTERVALS.to_vec())
}

fn chord() -> impl Strategy<Value = Chord> {
    (0..7i32, -1..=1i8, prop::sample::select(SUFFIXES.to_vec())).prop_map(
        |(letter, alter, suffix)| {
            let root = PitchClass::new(Letter::from_index(letter), alter);
            format!("{root}{suffix}")
                .parse()
                .expect("table suffixes parse")
        },
    )
}

proptest! {
    #[test]
    fn transposing_up_then_down_is_identity(pitch in pitch_class(), octave in 1..7i8, step in interval()) {
        prop_assert_eq!(pitch.transpose(step).transpose(-step), pitch);
        let note = Note::new(pitch, octave);
        let moved = note.transpose(step);
        prop_assert_eq!(moved.midi() - note.midi(), i32::from(step.semitones()));
        prop_assert_eq!(moved.transpose(-step), note);
    }

    #[test]
    fn chords_transpose_and_keep_their_quality(chord in chord(), step in interval()) {
        let moved = chord.transpose(step);
        prop_assert_eq!(moved.quality(), chord.quality());
        prop_assert_eq!(moved.transpose(-step), chord);
    }

    #[test]
    fn every_voicing_names_back_to_its_chord(chord in chord(), kind in prop::sample::select(VoicingKind::ALL.to_vec())) {
        let voicing = voicing::voice(&chord, kind).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(voicing.named.root(), chord.root());
        prop_assert_eq!(voicing.named.family(), chord.family());
        if kind.is_rootless() {
            prop_assert!(voicing.notes.iter().all(|n| n.pitch() != chord.root()));
        }
        let pitches: Vec<PitchClass> = voicing.notes.iter().map(|n| n.pitch()).collect();
        let tones = chord.notes();
        let mut tensions = vec![Interval::MAJOR_NINTH, Interval::PERFECT_ELEVENTH, Interval::MAJOR_THIRTEENTH];
        if chord.quality().is_dominant() {
            tensions.extend([Interval::MINOR_NINTH, Interval::AUGMENTED_NINTH, Interval::AUGMENTED_ELEVENTH, Interval::MINOR_THIRTEENTH]);
        }
        let tension_or_tone = pitches.iter().all(|p| {
            tones.contains(p) || tensions.iter().any(|&i| chord.root().transpose(i) == *p)
        });
        prop_assert!(tension_or_tone, "{} voiced as {:?}", chord, voicing.notes);
    }

    #[test]
    fn progressions_voice_with_named_back_chords(chords in prop::collection::vec(chord(), 1..6), kind in prop::sample::select(VoicingKind::ALL.to_vec())) {
        let voiced = voicing::voice_progression(&chords, kind, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(voiced.voicings.len(), chords.len());
        prop_assert_eq!(voiced.total_motion, voiced.motion.iter().sum::<i32>());
        for (voicing, chord) in voiced.voicings.iter().zip(&chords) {
            prop_assert_eq!(voicing.named.family(), chord.family());
        }
    }

    #[test]
    fn parsing_never_panics(text in "\\PC{0,24}") {
        for result in [
            text.parse::<Chord>().map(|c| c.to_string()),
            text.parse::<RomanNumeral>().map(|n| n.to_string()),
            text.parse::<Key>().map(|k| k.to_string()),
            text.parse::<Note>().map(|n| n.to_string()),
            text.parse::<Scale>().map(|s| s.to_string()),
            text.parse::<Interval>().map(|i| i.to_string()),
        ] {
            if let Err(error) = result {
                prop_assert!(!error.to_string().is_empty());
            }
        }
        let _ = report::chord_report(&text);
        let _ = report::roman_report("C", &text);
        let _ = validate::validate_text(&"C".parse::<Key>().unwrap(), Style::Jazz, &text);
    }

    #[test]
    fn chord_like_strings_parse_or_fail_cleanly(text in "[A-G][b#x♭♯𝄫𝄪]{0,2}(m|M|maj|min|-|\\+|o|°|ø|Δ|dim|aug|sus|add|alt|omit|no)?[0-9#b+\\-()/,ø°Δ ]{0,10}(/[A-G][b#]?)?") {
        match text.parse::<Chord>() {
            Ok(chord) => {
                let canonical = chord.to_string();
                let reparsed: Chord = canonical.parse().map_err(|e: TheoryError| TestCaseError::fail(format!("{canonical}: {e}")))?;
                prop_assert_eq!(&reparsed, &chord, "{} printed as {}", text, canonical);
                let unicode: Chord = format!("{chord:#}").parse().map_err(|e: TheoryError| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(unicode, chord);
            }
            Err(error) => prop_assert!(error.to_string().contains(text.trim()) || error.to_string().contains("note")),
        }
    }

    #[test]
    fn numeral_like_strings_round_trip(text in "[b#]?(I|II|III|IV|V|VI|VII|i|ii|iii|iv|v|vi|vii)(o|ø|\\+)?(7|65|43|42|6|64|maj7|9|13|7b9)?(/(ii|iii|IV|V|vi))?", key in prop::sample::select(vec!["C", "Eb", "F#", "A minor", "Bb minor", "C# minor"])) {
        let key: Key = key.parse().unwrap();
        if let Ok(numeral) = text.parse::<RomanNumeral>() {
            let again: RomanNumeral = numeral.to_string().parse().map_err(|e: TheoryError| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&again, &numeral);
            for style in [Style::Classical, Style::Jazz] {
                if let Ok(chord) = numeral.chord(&key, style)
                    && let Ok(reading) = RomanNumeral::for_chord(&chord, &key, style)
                {
                    let back = reading.numeral.chord(&key, style).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(back, chord, "{} in {}", text, key);
                }
            }
        }
    }
}

/// A failed engine call as a failed case, with what was asked.
fn failed(context: impl std::fmt::Display, error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{context}: {error}"))
}

fn transposed(pitches: &[PitchClass], step: Interval) -> Vec<PitchClass> {
    pitches.iter().map(|p| p.transpose(step)).collect()
}

/// Spellings past a double sharp or flat, which no symbol or key name can write.
fn beyond_double_accidentals(pitches: &[PitchClass]) -> bool {
    pitches.iter().any(|p| p.alter().abs() > 2)
}

/// One letter up at the same pitch: F♯ to G♭, B to C♭.
const DIMINISHED_SECOND: Interval = Interval::from_parts(1, 0);

const STYLES: [Style; 3] = [Style::Classical, Style::Jazz, Style::RomanText];
const NUMERALS: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "VII"];
const TRIAD_FIGURES: [&str; 3] = ["", "6", "64"];
const SEVENTH_FIGURES: [&str; 4] = ["7", "65", "43", "42"];

/// Keys on every tonic with at most one accidental, in both modes: the keys of up to
/// seven sharps or flats and the theoretical ones beside them (G♯ major, F♭ major).
fn key() -> impl Strategy<Value = Key> {
    (0..7i32, -1..=1i8, any::<bool>()).prop_map(|(letter, alter, minor)| {
        let tonic = PitchClass::new(Letter::from_index(letter), alter);
        if minor {
            Key::minor(tonic)
        } else {
            Key::major(tonic)
        }
    })
}

fn style() -> impl Strategy<Value = Style> {
    prop::sample::select(STYLES.to_vec())
}

/// Chords with no bass, one of their own tones in the bass, or another note.
fn slash_chord() -> impl Strategy<Value = Chord> {
    (chord(), 0..3u8, any::<prop::sample::Index>(), pitch_class()).prop_map(
        |(chord, bass, tone, other)| {
            let bass = match bass {
                0 => None,
                1 => Some(*tone.get(&chord.notes())),
                _ => Some(other),
            };
            chord.with_bass(bass)
        },
    )
}

/// Numeral text from the notation's parts, canonical or not: an accidental, a degree in
/// either case, a quality sign, a figure or a chord suffix, bracketed changes and a target;
/// and the special chords.
fn numeral_text() -> impl Strategy<Value = String> {
    let select = |items: &[&'static str]| prop::sample::select(items.to_vec());
    let degree = (
        select(&["", "", "", "b", "#", "♮", "bb"]),
        0..7usize,
        any::<bool>(),
        select(&["", "", "o", "ø", "+"]),
        select(&[
            "", "6", "64", "7", "65", "43", "42", "maj7", "maj65", "dom7", "9", "7b9", "13",
            "add9", "sus4", "add6", "69", "7#11", "11",
        ]),
        select(&[
            "",
            "",
            "",
            "[no5]",
            "[add9]",
            "[b9]",
            "[no1][add2]",
            "[#5]",
            "[no3]",
        ]),
        select(&[
            "", "", "", "/ii", "/iii", "/IV", "/V", "/vi", "/iv", "/III", "/VI", "/VII", "/bVI",
            "/V/V",
        ]),
    )
        .prop_map(
            |(accidental, degree, lower, sign, figure, brackets, target)| {
                let numeral = if lower {
                    NUMERALS[degree].to_lowercase()
                } else {
                    NUMERALS[degree].to_string()
                };
                format!("{accidental}{numeral}{sign}{figure}{brackets}{target}")
            },
        );
    let special = select(&[
        "N",
        "N6",
        "N64",
        "Cad64",
        "It+6",
        "Fr+6",
        "Ger+6",
        "Sw+6",
        "It53",
        "Fr7",
        "Ger42",
        "Fr43",
        "Ger65",
        "N6[no5]",
        "Ger+6[no1]",
    ])
    .prop_map(String::from);
    prop_oneof![6 => degree, 1 => special]
}

/// The numeral's notes, or why it has none.
type Spelled = std::result::Result<Vec<PitchClass>, TheoryError>;

/// Spellings that should differ by `step` alone: equal when moved, or one refused because
/// moving the other would pass a double sharp or flat (brackets refuse such notes).
fn assert_moved_by(
    here: &Spelled,
    there: &Spelled,
    step: Interval,
    context: &str,
) -> std::result::Result<(), TestCaseError> {
    match (here, there) {
        (Ok(here), Ok(there)) => prop_assert_eq!(there, &transposed(here, step), "{}", context),
        (Err(_), Err(_)) => {}
        (Ok(here), Err(error)) => prop_assert!(
            beyond_double_accidentals(&transposed(here, step)),
            "{context}: {here:?} here, but moved: {error}"
        ),
        (Err(error), Ok(there)) => prop_assert!(
            beyond_double_accidentals(&transposed(there, -step)),
            "{context}: {there:?} moved, but here: {error}"
        ),
    }
    Ok(())
}

/// The numeral's chords in two keys `step` apart: moved alike, both named or both not where
/// both keys spell its notes, and in each the same sounds as its notes.
fn assert_chords_moved_by(
    numeral: &RomanNumeral,
    key: &Key,
    moved_key: &Key,
    step: Interval,
    style: Style,
    context: &str,
) -> std::result::Result<(), TestCaseError> {
    let sounds = |pitches: &[PitchClass]| {
        let mut semitones: Vec<u8> = pitches.iter().map(|p| p.semitone()).collect();
        semitones.sort_unstable();
        semitones.dedup();
        semitones
    };
    for key in [key, moved_key] {
        let Ok(chord) = numeral.chord(key, style) else {
            continue;
        };
        if let Ok(notes) = numeral.notes(key, style) {
            let (named, sounding) = (sounds(&chord.notes()), sounds(&notes));
            // A RomanText stack no symbol names whole is named by its lower tones.
            let stack = style == Style::RomanText
                && numeral.brackets().is_empty()
                && numeral.quality().extension().is_some();
            if stack {
                let within = named.iter().all(|s| sounding.contains(s));
                prop_assert!(within, "{} in {}: {}", context, key, chord);
            } else {
                prop_assert_eq!(named, sounding, "{} in {}: {}", context, key, chord);
            }
        }
        let named: Vec<PitchClass> = std::iter::once(chord.root()).chain(chord.bass()).collect();
        if !beyond_double_accidentals(&named) {
            let symbol = chord.to_string();
            let reread: Chord = symbol
                .parse()
                .map_err(|e| failed(format!("{context} in {key}: {symbol}"), e))?;
            prop_assert_eq!(
                reread.notes(),
                chord.notes(),
                "{} in {}: {}",
                context,
                key,
                symbol
            );
        }
    }
    let both_spelled = numeral.notes(key, style).is_ok() && numeral.notes(moved_key, style).is_ok();
    match (numeral.chord(key, style), numeral.chord(moved_key, style)) {
        (Ok(here), Ok(there)) => prop_assert_eq!(there, here.transpose(step), "{}", context),
        (here, there) if both_spelled => {
            prop_assert_eq!(here.is_ok(), there.is_ok(), "{}", context)
        }
        _ => {}
    }
    Ok(())
}

proptest! {
    /// A chord symbol's notes moved by an interval are the notes of the moved symbol, and
    /// that symbol, printed and read again, spells them the same.
    #[test]
    fn chord_spelling_commutes_with_transposition(chord in slash_chord(), step in interval()) {
        let moved = chord.transpose(step);
        prop_assert_eq!(moved.notes(), transposed(&chord.notes(), step));
        let named: Vec<PitchClass> = std::iter::once(moved.root()).chain(moved.bass()).collect();
        if !beyond_double_accidentals(&named) {
            let symbol = moved.to_string();
            let reread: Chord = symbol.parse().map_err(|e| failed(&symbol, e))?;
            prop_assert_eq!(reread.notes(), moved.notes());
            let report = report::chord_report(&symbol).map_err(|e| failed(&symbol, e))?;
            prop_assert_eq!(report.notes, moved.notes());
        }
    }

    /// A scale's spelled notes moved by an interval are the moved scale's notes, and a key's
    /// degrees (as pitch classes and as notes), signature and relative key move with its
    /// tonic.
    #[test]
    fn scale_and_key_spelling_commute_with_transposition(
        tonic in pitch_class(),
        kind in prop::sample::select(ScaleKind::ALL.to_vec()),
        key in key(),
        step in interval(),
    ) {
        let scale = Scale::new(tonic, kind);
        let moved = Scale::new(tonic.transpose(step), kind);
        prop_assert_eq!(moved.notes(), transposed(&scale.notes(), step));
        if moved.tonic.alter().abs() <= 2 {
            let name = moved.to_string();
            let report = report::scale_report(&name).map_err(|e| failed(&name, e))?;
            prop_assert_eq!(report.notes, moved.notes());
        }
        let moved_key = key.transpose(step);
        prop_assert_eq!(moved_key.diatonic_pitches(), transposed(&key.diatonic_pitches(), step));
        let shift = moved_key.tonic().fifths() - key.tonic().fifths();
        prop_assert_eq!(moved_key.signature().fifths, key.signature().fifths + shift);
        prop_assert_eq!(moved_key.relative(), key.relative().transpose(step));
        // The key's notes at a pitch move by the interval's semitones to the moved key's.
        for degree in 1..=7 {
            let note = key.degree(degree).at_octave(4);
            let moved_note = note.transpose(step);
            prop_assert_eq!(moved_note.pitch(), moved_key.degree(degree));
            prop_assert_eq!(moved_note.midi() - note.midi(), i32::from(step.semitones()));
        }
    }

    /// A numeral spelled in a key, then moved by an interval, is the numeral spelled in the
    /// moved key: its chord and its notes (augmented sixths and brackets included).
    #[test]
    fn numeral_spelling_commutes_with_transposition(
        text in numeral_text(),
        key in key(),
        step in interval(),
        style in style(),
    ) {
        let Ok(numeral) = text.parse::<RomanNumeral>() else {
            return Ok(());
        };
        let moved_key = key.transpose(step);
        let context = format!("{text} in {key} and {moved_key} ({style:?})");
        assert_moved_by(
            &numeral.notes(&key, style),
            &numeral.notes(&moved_key, style),
            step,
            &context,
        )?;
        assert_chords_moved_by(&numeral, &key, &moved_key, step, style, &context)?;
    }

    /// A chart of chord symbols in a key, moved to another key through its numerals, is
    /// the same chart with every chord moved.
    #[test]
    fn progressions_move_to_another_key_as_their_chords(
        chords in prop::collection::vec(chord(), 1..5),
        key in key(),
        step in interval(),
        style in style(),
    ) {
        let text = chords.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
        let progression = Progression::parse(&key, &text, style).map_err(|e| failed(&text, e))?;
        let moved_key = key.transpose(step);
        // A chord no numeral of this notation names in the key cannot be moved by numeral.
        if let Ok(moved) = progression.transpose_to(&moved_key) {
            let expected: Vec<Chord> = chords.iter().map(|c| c.transpose(step)).collect();
            prop_assert_eq!(moved.chords(), expected, "{} from {} to {}", text, key, moved_key);
        }
    }

    /// Enharmonic keys (F♯ and G♭ major, C♯ and D♭ minor, B and C♭ major) give every
    /// numeral and scale the same sounds, each spelled in its own key: one letter apart
    /// throughout, and a degree's root on its key's degree letter.
    #[test]
    fn enharmonic_keys_spell_the_same_sounds(
        key in key(),
        up in any::<bool>(),
        text in numeral_text(),
        style in style(),
        kind in prop::sample::select(ScaleKind::ALL.to_vec()),
    ) {
        let respell = if up { DIMINISHED_SECOND } else { -DIMINISHED_SECOND };
        let other = key.transpose(respell);
        prop_assert!(key.tonic().is_enharmonic(other.tonic()));
        prop_assert_ne!(key.tonic(), other.tonic());
        let scale = Scale::new(key.tonic(), kind).notes();
        let other_scale = Scale::new(other.tonic(), kind).notes();
        prop_assert!(scale.iter().zip(&other_scale).all(|(a, b)| a.is_enharmonic(*b)));
        prop_assert_eq!(other_scale, transposed(&scale, respell));
        let Ok(numeral) = text.parse::<RomanNumeral>() else {
            return Ok(());
        };
        let context = format!("{text} in {key} and {other} ({style:?})");
        let here = numeral.notes(&key, style);
        let there = numeral.notes(&other, style);
        if let (Ok(here), Ok(there)) = (&here, &there) {
            prop_assert!(here.iter().zip(there).all(|(a, b)| a.is_enharmonic(*b)), "{}", context);
        }
        assert_moved_by(&here, &there, respell, &context)?;
        // Named from their notes, bracketed chords may take another root (`[no1]`).
        if let (roman::NumeralRoot::Degree { degree, accidental: None }, None, []) = (numeral.root(), numeral.target(), numeral.brackets())
            && let Ok(chord) = numeral.chord(&other, style)
        {
            prop_assert_eq!(chord.root().letter(), other.degree(degree).letter(), "{}", context);
        }
    }
}
