//! No text makes a reader panic: every public parser and report, on arbitrary Unicode and
//! on near misses of what they accept, and the RomanText reader on whole documents.

use proptest::prelude::*;

use super::{key, numeral_text, style};
use crate::roman::parse_numerals;
use crate::*;

/// RomanText-like documents: metadata, measures with keys, beats and numerals, repeats,
/// and stray text, so the reader gets past its first line.
fn romantext_document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("Time Signature: 3/4".to_string()),
        "[A-Za-z ]{0,12}: \\PC{0,12}",
        (
            1..300u32,
            prop::option::of("[a-gA-G][#b-]?(:| major:| minor:)"),
            prop::collection::vec(("( b[1-4](\\.5)?)?", numeral_text()), 0..4)
        )
            .prop_map(|(measure, key, chords)| {
                let chords: String = chords
                    .into_iter()
                    .map(|(beat, numeral)| format!("{beat} {numeral}"))
                    .collect();
                format!("m{measure} {}{chords}", key.unwrap_or_default())
            },),
        (1..40u32, 0..4u32, 1..40u32, 0..4u32).prop_map(|(a, span, b, other)| format!(
            "m{a}-{} = m{b}-{}",
            a + span,
            b + other
        )),
        "\\PC{0,30}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n"))
}

/// Calls every public reader of text with `text`, and each reading's spelling in `key`;
/// an error must say something.
fn read_everything(text: &str, key: &Key, style: Style) -> std::result::Result<(), TestCaseError> {
    let errors: Vec<Option<String>> = vec![
        text.parse::<Chord>().err().map(|e| e.to_string()),
        text.parse::<RomanNumeral>().err().map(|e| e.to_string()),
        text.parse::<Key>().err().map(|e| e.to_string()),
        Key::from_romantext(text).err().map(|e| e.to_string()),
        text.parse::<Note>().err().map(|e| e.to_string()),
        text.parse::<PitchClass>().err().map(|e| e.to_string()),
        text.parse::<Scale>().err().map(|e| e.to_string()),
        text.parse::<ScaleKind>().err().map(|e| e.to_string()),
        text.parse::<Interval>().err().map(|e| e.to_string()),
        text.parse::<Style>().err().map(|e| e.to_string()),
        text.parse::<VoicingKind>().err().map(|e| e.to_string()),
        text.parse::<ProgressionTemplate>()
            .err()
            .map(|e| e.to_string()),
        text.parse::<Reharmonization>().err().map(|e| e.to_string()),
        ChordQuality::parse(text, text).err().map(|e| e.to_string()),
        parse_numerals(text).err().map(|e| e.to_string()),
        Progression::parse(key, text, style)
            .err()
            .map(|e| e.to_string()),
        romantext::read(text).err().map(|e| e.to_string()),
        report::chord_report(text).err().map(|e| e.to_string()),
        report::roman_report_with_style(&key.to_string(), text, style)
            .err()
            .map(|e| e.to_string()),
        report::roman_report_with_style(text, "ii7 V7 I", style)
            .err()
            .map(|e| e.to_string()),
        report::voicing_report(text, "C", "Dm7 G7")
            .err()
            .map(|e| e.to_string()),
        report::voicing_report("rootless-a", &key.to_string(), text)
            .err()
            .map(|e| e.to_string()),
        report::scale_report(text).err().map(|e| e.to_string()),
        report::progression_report(text, "C", None)
            .err()
            .map(|e| e.to_string()),
        report::progression_report("ii-v-i", text, Some(text))
            .err()
            .map(|e| e.to_string()),
        report::validation_report(text, "ii7=Dm7", style)
            .err()
            .map(|e| e.to_string()),
        report::validation_report(&key.to_string(), text, style)
            .err()
            .map(|e| e.to_string()),
    ];
    for error in errors.into_iter().flatten() {
        prop_assert!(!error.trim().is_empty(), "an empty error for {:?}", text);
    }
    let _ = validate::validate_text(key, style, text);
    if let Ok(numeral) = text.parse::<RomanNumeral>() {
        let _ = numeral.notes(key, style);
        let _ = numeral.notes_from_bass(key, style);
        if let Ok(chord) = numeral.chord(key, style) {
            let _ = RomanNumeral::for_chord(&chord, key, style);
        }
    }
    if let Ok(chord) = text.parse::<Chord>() {
        let _ = RomanNumeral::for_chord(&chord, key, style);
        let _ = Fretboard::guitar().chord_shape(&chord);
        let _ = voicing::voice(&chord, VoicingKind::Drop2);
    }
    Ok(())
}

proptest! {
    /// No string makes any reader panic: arbitrary Unicode, control characters included.
    #[test]
    fn no_string_makes_a_reader_panic(text in any::<String>(), key in key(), style in style()) {
        read_everything(&text, &key, style)?;
    }

    /// Nor does text close to what the readers accept, which gets past their first checks.
    #[test]
    fn no_near_miss_makes_a_reader_panic(
        text in prop_oneof![
            numeral_text(),
            "[A-Ga-g][b#x♭♯𝄫𝄪-]{0,3}[0-9]{0,2}",
            "[A-Ga-g][b#]? ?(major|minor|m|M|-|dorian|bebop|altered|harmonic minor)?",
            "[PMmAd]{1,3}-?[0-9]{1,3}",
            "[A-G][b#]?(m|maj|7|9|13|sus|add|alt|dim|ø|°|\\+|/|\\(|\\)|,|b|#|[0-9]){0,12}",
            "((ii7|V7|Imaj7|[A-G][b#]?m?7?)(=[A-G][b#]?m?7?)? ?\\|? ?){0,6}",
        ],
        key in key(),
        style in style(),
    ) {
        read_everything(&text, &key, style)?;
    }

    /// RomanText analyses of any shape are read or refused with the line that stopped them.
    #[test]
    fn romantext_documents_are_read_or_refused_by_line(document in romantext_document()) {
        if let Err(error) = romantext::read(&document) {
            prop_assert!(error.line >= 1 && error.line <= document.lines().count(), "{}", error);
            prop_assert!(!error.reason.is_empty());
        }
    }
}
