//! A numeral's chord, analysed in the key it was spelled in, is named by the same numeral.

use proptest::prelude::*;

use super::{SEVENTH_FIGURES, TRIAD_FIGURES, failed, key};
use crate::*;

/// The numerals the analysis writes for chords of the key itself and of its parallel key
/// (triad stems take triad figures, seventh stems seventh figures), by mode and style.
/// Left out because they legitimately read back as another numeral: `I` in minor (the
/// dominant of iv, `V/iv`, since applied readings come before borrowed ones), `Cad64` (the
/// tonic six-four, `I64`) and the augmented sixths (named by their enharmonic symbol).
fn canonical_stems(
    mode: KeyMode,
    style: Style,
) -> (&'static [&'static str], &'static [&'static str]) {
    match (mode, style) {
        (KeyMode::Major, Style::Jazz) => (
            &[
                "I", "ii", "iii", "IV", "V", "vi", "viio", "i", "iio", "bIII", "iv", "v", "bVI",
                "bVII", "bII",
            ],
            &[
                "Imaj", "ii", "iii", "IVmaj", "V", "vi", "viiø", "iiø", "iv", "bVII", "bIIImaj",
                "bVImaj", "viio", "i", "v",
            ],
        ),
        (KeyMode::Major, _) => (
            &[
                "I", "ii", "iii", "IV", "V", "vi", "viio", "i", "iio", "bIII", "iv", "v", "bVI",
                "bVII", "N",
            ],
            &[
                "I", "ii", "iii", "IV", "V", "vi", "viiø", "iiø", "iv", "bVII", "bIII", "bVI",
                "viio", "i", "v",
            ],
        ),
        (KeyMode::Minor, Style::Jazz) => (
            &[
                "i", "iio", "III", "iv", "v", "V", "VI", "VII", "viio", "III+", "IV", "ii", "vio",
                "vi", "bII",
            ],
            &[
                "i", "iiø", "IIImaj", "iv", "v", "V", "VImaj", "VII", "viio", "viiø", "IV", "ii",
            ],
        ),
        (KeyMode::Minor, _) => (
            &[
                "i", "iio", "III", "iv", "v", "V", "VI", "VII", "viio", "III+", "IV", "ii", "vio",
                "vi", "N",
            ],
            &[
                "i", "iiø", "III", "iv", "v", "V", "VI", "VII", "viio", "viiø", "IV", "ii",
            ],
        ),
    }
}

/// A key, a style (classical or jazz: RomanText's plain sevenths are checked by the
/// roman module's own table) and a numeral the analysis should name back as written: one
/// from [`canonical_stems`] in any inversion, or a secondary dominant or leading-tone chord
/// applied to a degree whose triad is major or minor in the key.
fn canonical_numeral() -> impl Strategy<Value = (Key, Style, String)> {
    let select = |items: &[&'static str]| prop::sample::select(items.to_vec());
    (
        key(),
        prop::sample::select(vec![Style::Classical, Style::Jazz]),
    )
        .prop_flat_map(move |(key, style)| {
            let (triads, sevenths) = canonical_stems(key.mode(), style);
            let targets: &[&str] = match key.mode() {
                KeyMode::Major => &["ii", "iii", "IV", "V", "vi"],
                KeyMode::Minor => &["III", "iv", "V", "VI", "VII"],
            };
            let figured = |stems: &[&'static str], figures: &[&'static str]| {
                (select(stems), select(figures))
                    .prop_map(|(stem, figure)| format!("{stem}{figure}"))
            };
            let applied = (
                prop_oneof![
                    figured(&["V", "viio"], &TRIAD_FIGURES),
                    figured(&["V", "viio", "viiø"], &SEVENTH_FIGURES),
                ],
                select(targets),
            )
                .prop_map(|(numeral, target)| format!("{numeral}/{target}"));
            let numeral = prop_oneof![
                figured(triads, &TRIAD_FIGURES),
                figured(sevenths, &SEVENTH_FIGURES),
                applied,
            ];
            (Just(key), Just(style), numeral)
        })
}

proptest! {
    /// A numeral's chord, analysed in the same key, is named by the same numeral. Applied
    /// chords whose notes all belong to the key are the exception the analysis documents
    /// (diatonic readings come first: `V/IV` in major is `I`); those must read as diatonic
    /// and name the same chord.
    #[test]
    fn a_numerals_chord_reads_back_as_the_numeral((key, style, text) in canonical_numeral()) {
        let numeral: RomanNumeral = text.parse().map_err(|e| failed(&text, e))?;
        prop_assert_eq!(numeral.to_string(), text.clone(), "the generator writes canonical numerals");
        let context = format!("{text} in {key} ({style:?})");
        let chord = numeral.chord(&key, style).map_err(|e| failed(&context, e))?;
        let reading = RomanNumeral::for_chord(&chord, &key, style).map_err(|e| failed(format!("{context} = {chord}"), e))?;
        let root_position = Chord::new(chord.root(), chord.quality().clone());
        let diatonic = key.diatonic_pitches();
        if numeral.target().is_some() && root_position.notes().iter().all(|p| diatonic.contains(p)) {
            prop_assert_eq!(reading.function, HarmonicFunction::Diatonic, "{} = {}", context, chord);
            let again = reading.numeral.chord(&key, style).map_err(|e| failed(&context, e))?;
            prop_assert_eq!(again, chord, "{}", context);
        } else {
            prop_assert_eq!(reading.numeral.to_string(), text, "{} = {}", context, chord);
        }
    }
}
