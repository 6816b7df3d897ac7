//! A RomanText analysis of our own, with key changes, repeats and the figures analysts
//! write, read by the engine and by music21 (fixtures/analysis.music21.tsv, written by
//! scripts/music21_roman_table.py): the same chords, chord for chord.

use cadence_theory::romantext;
use cadence_theory::{Key, RomanNumeral};

#[test]
fn the_analysis_reads_as_music21_reads_it() {
    let analysis = romantext::read(include_str!("fixtures/analysis.rntxt")).unwrap();
    let expected: Vec<Vec<&str>> = include_str!("fixtures/analysis.music21.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
        .collect();
    assert_eq!(analysis.chords.len(), expected.len());
    for (chord, row) in analysis.chords.iter().zip(&expected) {
        let place = format!("{chord} against {row:?}");
        assert_eq!(chord.measure.to_string(), row[0], "{place}");
        let beat: f64 = chord.beat.parse().unwrap();
        assert_eq!(beat, row[1].parse::<f64>().unwrap(), "{place}");
        assert_eq!(chord.key, Key::from_romantext(row[2]).unwrap(), "{place}");
        // music21 writes `/o` as `ø`; the figures must name the same numeral.
        let numeral = |figure: &str| figure.parse::<RomanNumeral>().unwrap();
        assert_eq!(numeral(&chord.figure), numeral(row[3]), "{place}");
        let notes: Vec<String> = chord.notes.iter().map(ToString::to_string).collect();
        assert_eq!(notes.join(" "), row[4], "{place}");
    }
    assert_eq!(analysis.chords.iter().map(|c| c.measure).max(), Some(25));
}
