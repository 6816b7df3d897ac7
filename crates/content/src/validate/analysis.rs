//! Theory analyses: each chord's function, the scales said to fit it, and the
//! substitutions' chords.

use std::str::FromStr;

use super::check_version;
use crate::compute::music;
use crate::report::{Severity, ValidationReport};
use crate::types::TheoryAnalysis;
use cadence_theory::{Chord, Key, RomanNumeral, Scale};

pub fn theory_analysis(doc: &mut TheoryAnalysis) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    music(&mut doc.music, "music", &mut report);
    let Ok(key) = Key::from_str(&doc.music.key) else {
        return report;
    };
    let style = doc.music.style.theory();
    for (index, note) in doc.functions.iter_mut().enumerate() {
        report.checked += 1;
        let path = format!("functions[{index}]");
        // A chord in a key of its own (after a modulation) has its function there.
        let chord = doc
            .music
            .chords
            .iter()
            .find(|c| c.bar == note.bar && c.numeral == note.numeral)
            .and_then(|c| Some((Chord::from_str(&c.symbol).ok()?, c.key_in(&key).ok()?)));
        let Some((chord, key)) = chord else {
            report.push(
                path,
                Severity::Error,
                format!(
                    "bar {}: {} is not among the analysed chords",
                    note.bar, note.numeral
                ),
            );
            continue;
        };
        if let Ok(reading) = RomanNumeral::for_chord(&chord, &key, style) {
            let function = reading.function.into();
            if note.function != function {
                report.push(
                    format!("{path}.function"),
                    Severity::Repaired,
                    format!(
                        "bar {}: {chord} in {key} is {function:?}, not {:?}",
                        note.bar, note.function
                    ),
                );
                note.function = function;
            }
        }
    }
    for (index, relation) in doc.scale_chord.iter_mut().enumerate() {
        let path = format!("scale_chord[{index}]");
        let Ok(chord) = Chord::from_str(&relation.symbol) else {
            report.push(
                format!("{path}.symbol"),
                Severity::Error,
                format!("`{}` is not a chord symbol", relation.symbol),
            );
            continue;
        };
        let mut kept = Vec::with_capacity(relation.scales.len());
        for name in relation.scales.drain(..) {
            report.checked += 1;
            match name.parse::<Scale>() {
                Ok(scale) if chord.notes().iter().all(|p| scale.contains(*p)) => kept.push(name),
                Ok(scale) => report.push(
                    format!("{path}.scales"),
                    Severity::Repaired,
                    format!("{scale} does not contain every note of {chord}; removed"),
                ),
                Err(error) => report.push(
                    format!("{path}.scales"),
                    Severity::Repaired,
                    format!("`{name}` is not a scale ({error}); removed"),
                ),
            }
        }
        relation.scales = kept;
    }
    for (index, substitution) in doc.substitutions.iter().enumerate() {
        report.checked += 1;
        for (field, symbol) in [
            ("original", &substitution.original),
            ("substitute", &substitution.substitute),
        ] {
            if let Err(error) = Chord::from_str(symbol) {
                report.push(
                    format!("substitutions[{index}].{field}"),
                    Severity::Error,
                    format!("`{symbol}` is not a chord symbol: {error}"),
                );
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::types::{ChordFunction, FunctionNote, Level, ScaleChordRelation};

    #[test]
    fn analysis_functions_and_scale_choices_are_checked() {
        let mut analysis = template::theory_analysis("ii-V-I", "C", Level::Beginner).unwrap();
        analysis.functions[1] = FunctionNote {
            function: ChordFunction::Borrowed,
            ..analysis.functions[1].clone()
        };
        analysis.scale_chord.push(ScaleChordRelation {
            symbol: "G7".into(),
            scales: vec!["G major".into(), "G mixolydian".into(), "G zither".into()],
        });
        let report = theory_analysis(&mut analysis);
        assert_eq!(analysis.functions[1].function, ChordFunction::Diatonic);
        assert_eq!(
            analysis.scale_chord.last().unwrap().scales,
            ["G mixolydian"]
        );
        assert_eq!(report.repaired(), 3, "{report}");
        assert!(report.is_acceptable());
    }
}
