//! The engine against music21 on Roman numerals as analysts write them.
//!
//! `fixtures/music21_roman.tsv` holds thousands of (key, figure) pairs with the pitches
//! music21's RomanText reader gives them (scripts/music21_roman_table.py writes it). For each
//! pair the engine must give the same pitch names and the same bass. The counts by feature
//! are printed; one pair that is refused or spelled otherwise fails the test.

use std::collections::BTreeMap;

use cadence_theory::{Key, RomanNumeral, Style};

struct Row<'a> {
    feature: &'a str,
    key: &'a str,
    figure: &'a str,
    pitches: Vec<&'a str>,
    bass: &'a str,
}

fn table() -> Vec<Row<'static>> {
    include_str!("fixtures/music21_roman.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "a row has five fields: {line}");
            Row {
                feature: fields[0],
                key: fields[1],
                figure: fields[2],
                pitches: fields[3].split(' ').collect(),
                bass: fields[4],
            }
        })
        .collect()
}

enum Outcome {
    Agrees,
    Refused(String),
    Wrong(String),
}

/// The engine's reading of one pair: its pitch names from the bass up.
fn engine(row: &Row) -> Result<Vec<String>, String> {
    let key = Key::from_romantext(row.key).map_err(|e| e.to_string())?;
    let numeral: RomanNumeral = row.figure.parse().map_err(|e| format!("{e}"))?;
    let notes = numeral
        .notes_from_bass(&key, Style::RomanText)
        .map_err(|e| e.to_string())?;
    Ok(notes.iter().map(ToString::to_string).collect())
}

fn outcome(row: &Row) -> Outcome {
    match engine(row) {
        Err(reason) => Outcome::Refused(reason),
        Ok(notes) => {
            let ours: Vec<&str> = notes.iter().map(String::as_str).collect();
            let bass = ours.first().copied().unwrap_or_default();
            if ours == row.pitches && bass == row.bass {
                Outcome::Agrees
            } else {
                Outcome::Wrong(format!(
                    "{} in {}: music21 {} (bass {}), engine {} (bass {bass})",
                    row.figure,
                    row.key,
                    row.pitches.join(" "),
                    row.bass,
                    notes.join(" ")
                ))
            }
        }
    }
}

#[test]
fn the_engine_spells_every_numeral_as_music21_does() {
    let rows = table();
    assert!(rows.len() >= 1000, "the table has {} pairs", rows.len());
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut missed = Vec::new();
    for row in &rows {
        let count = counts.entry(row.feature).or_default();
        match outcome(row) {
            Outcome::Agrees => count[0] += 1,
            Outcome::Refused(reason) => {
                count[1] += 1;
                missed.push(format!(
                    "{}: refused {} in {}: {reason}",
                    row.feature, row.figure, row.key
                ));
            }
            Outcome::Wrong(message) => {
                count[2] += 1;
                missed.push(format!("{}: {message}", row.feature));
            }
        }
    }
    println!("feature: agree / refused / wrong");
    for (feature, [agree, refused, wrong]) in &counts {
        println!("  {feature}: {agree} / {refused} / {wrong}");
    }
    assert!(
        missed.is_empty(),
        "{} of {} pairs do not agree with music21, e.g. {:#?}",
        missed.len(),
        rows.len(),
        &missed[..missed.len().min(20)]
    );
}

#[test]
fn a_refused_figure_names_what_is_not_understood() {
    let error = "V7[zz]".parse::<RomanNumeral>().unwrap_err().to_string();
    assert!(error.contains("[zz]"), "{error}");
}
