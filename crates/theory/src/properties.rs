//! Property tests over the whole engine.

use proptest::prelude::*;

use super::*;

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
