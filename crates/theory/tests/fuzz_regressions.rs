//! Inputs on which the fuzz targets in `fuzz/` found a bug, each kept there as a seed too:
//! what each now reads as, or the message that refuses it.

use cadence_theory::roman::parse_numerals;
use cadence_theory::{Chord, Key, RomanNumeral, Style, romantext};

/// A crashing input the fuzz target `target` keeps among its seeds.
macro_rules! seed {
    ($target:literal, $name:literal) => {
        include_str!(concat!("../fuzz/seeds/", $target, "/", $name))
    };
}

/// The key on the first line and the numerals after it, as the `roman_numeral` target reads.
fn key_and_numerals(input: &str) -> (Key, Result<Vec<RomanNumeral>, String>) {
    let (key, numerals) = input.split_once('\n').unwrap_or(("C", input));
    let numerals = parse_numerals(numerals).map_err(|error| error.to_string());
    (key.parse().unwrap(), numerals)
}

fn assert_reads_back(numeral: &RomanNumeral) {
    for printed in [numeral.to_string(), format!("{numeral:#}")] {
        assert_eq!(
            &RomanNumeral::parse(&printed).unwrap(),
            numeral,
            "{printed}"
        );
    }
}

#[test]
fn a_sixth_on_a_triad_that_five_alters_is_refused() {
    // `#5` made these augmented triads with a sixth, printed as `Bbaug` and `Gaug#11`.
    for input in [
        seed!("chord_symbol", "crash-augmented-sixth"),
        seed!("chord_symbol", "crash-sharp-five-sixth"),
        "Cm6b5",
    ] {
        let error = Chord::parse(input).unwrap_err().to_string();
        assert!(
            error.contains("a 6 chord needs a major or minor triad"),
            "{error}"
        );
    }
    // On a lower-case numeral the suffix's `b5` makes the minor triad diminished.
    let (_, numerals) = key_and_numerals(seed!("roman_numeral", "crash-minor-flat-five-sixth"));
    let error = numerals.unwrap_err();
    assert!(
        error.contains("a 6 chord needs a major or minor triad"),
        "{error}"
    );
}

#[test]
fn alt_holds_a_raised_fifth_without_becoming_augmented() {
    let chord = Chord::parse(seed!("chord_symbol", "crash-alt-sharp-five")).unwrap();
    assert_eq!(chord, Chord::parse("C7alt").unwrap());
    assert_eq!(Chord::parse(&chord.to_string()).unwrap(), chord);
}

#[test]
fn a_chord_that_omits_every_note_is_refused() {
    let error = Chord::parse(seed!("chord_symbol", "crash-every-note-omitted")).unwrap_err();
    assert!(error.to_string().contains("omits every note"), "{error}");
}

#[test]
fn a_root_position_neapolitan_keeps_its_figure() {
    let (key, numerals) =
        key_and_numerals(seed!("roman_numeral", "crash-neapolitan-root-position"));
    let numerals = numerals.unwrap();
    numerals.iter().for_each(assert_reads_back);
    let written: Vec<String> = numerals.iter().map(ToString::to_string).collect();
    assert!(written.contains(&"N53".to_string()), "{written:?}");
    assert_eq!(RomanNumeral::parse("N").unwrap().to_string(), "N");
    // The reading of D♭ in C: `N` classically, `N53` in RomanText, where `N` is N6.
    let d_flat = Chord::parse("Db").unwrap();
    for (style, numeral) in [(Style::Classical, "N"), (Style::RomanText, "N53")] {
        let reading = RomanNumeral::for_chord(&d_flat, &key, style).unwrap();
        assert_eq!(reading.numeral.to_string(), numeral);
        let again = RomanNumeral::parse(numeral).unwrap();
        assert_eq!(again.chord(&key, style).unwrap(), d_flat, "{style:?}");
    }
}

#[test]
fn a_lower_case_numeral_with_a_raised_fifth_stays_minor() {
    // `Vm+5` is G B♭ D♯, written `v#5`, which once read back as an augmented triad.
    let (key, numerals) = key_and_numerals(seed!("roman_numeral", "crash-minor-sharp-five"));
    let numeral = numerals.unwrap().remove(0);
    assert_eq!(numeral.to_string(), "v#5");
    assert_reads_back(&numeral);
    let notes = numeral.notes(&key, Style::Classical).unwrap();
    let names: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["G", "Bb", "D#"]);
}

#[test]
fn an_inverted_minor_major_seventh_keeps_its_inversion() {
    let (key, numerals) =
        key_and_numerals(seed!("roman_numeral", "crash-inverted-minor-major-seventh"));
    let numeral = numerals.unwrap().remove(0);
    assert_eq!(numeral.to_string(), "iimaj42");
    assert_reads_back(&numeral);
    assert_eq!(numeral.inversion(), 3);
    let chord = numeral.chord(&key, Style::Classical).unwrap();
    assert_eq!(chord, Chord::parse("Dm(maj7)/C#").unwrap());
}

#[test]
fn repeats_cannot_copy_an_analysis_past_its_bound() {
    // Three kilobytes of doubling repeats once wrote out twelve million chords.
    let error = romantext::read(seed!("romantext", "crash-repeats-copy-millions")).unwrap_err();
    assert!(error.reason.contains("more than 20000 chords"), "{error}");
    assert!(error.line > 1, "{error}");
}
