//! Roman numerals in a key: the first line is the key (`Eb`, `C# minor`), the rest a list
//! of numerals (`ii7 V7/V | Imaj7`). Each numeral prints and reads back to itself, is
//! realised as a chord in every style, and a chord's functional reading names that chord
//! again.

#![no_main]

use cadence_theory::{Key, RomanNumeral, Style, roman::parse_numerals, roman_report_with_style};
use libfuzzer_sys::fuzz_target;

const STYLES: [Style; 3] = [Style::Classical, Style::Jazz, Style::RomanText];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (key_text, numerals) = text.split_once('\n').unwrap_or(("C", text));
    let Ok(key) = key_text.parse::<Key>() else {
        return;
    };
    for style in STYLES {
        // `cadence theory roman`: the whole list against the key, as the user typed it.
        if let Err(error) = roman_report_with_style(key_text, numerals, style) {
            assert!(!error.to_string().is_empty());
        }
    }
    let Ok(numerals) = parse_numerals(numerals) else {
        return;
    };
    for numeral in numerals {
        for printed in [numeral.to_string(), format!("{numeral:#}")] {
            let reparsed = RomanNumeral::parse(&printed)
                .unwrap_or_else(|error| panic!("{numeral:?} printed as {printed:?}: {error}"));
            assert_eq!(reparsed, numeral, "printed as {printed:?}");
        }
        for style in STYLES {
            let Ok(chord) = numeral.chord(&key, style) else {
                continue;
            };
            let _ = numeral.notes(&key, style);
            let _ = numeral.notes_from_bass(&key, style);
            let Ok(reading) = RomanNumeral::for_chord(&chord, &key, style) else {
                continue;
            };
            // RomanText reads figures its own way; the engine writes classical or jazz.
            if style != Style::RomanText {
                let back = reading.numeral.chord(&key, style).unwrap_or_else(|error| {
                    panic!(
                        "{numeral} in {key} is {chord}, read as {}: {error}",
                        reading.numeral
                    )
                });
                assert_eq!(
                    back, chord,
                    "{numeral} in {key} ({style:?}) is {chord}, read back as {}",
                    reading.numeral
                );
            }
        }
    }
});
