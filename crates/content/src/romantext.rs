//! Theory analyses to and from RomanText, the format of published harmonic analyses, so a
//! teacher can bring one into a lesson and take one out. Reading and spelling the file is
//! the theory engine's ([`cadence_theory::romantext`]); this module maps its measures,
//! beats and key changes onto a [`TheoryAnalysis`] and back.

use std::str::FromStr;

use cadence_theory::romantext::{self, Placement};
use cadence_theory::{Key, RomanNumeral, Style};

use crate::template::{HarmonicNotes, harmonic_notes};
use crate::types::{ChordEntry, MusicPayload, NumeralStyle, SCHEMA_VERSION, TheoryAnalysis};
use crate::{ContentError, ValidationReport, validate};

/// A theory analysis holds at most this many chords and bars (its schema's bounds).
pub const MAX_CHORDS: usize = 64;
const MAX_BARS: u32 = 64;

/// Which measures of a file to bring in: `first..=last` as the file numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measures {
    pub first: u32,
    pub last: u32,
}

impl FromStr for Measures {
    type Err = ContentError;

    /// `5-12`, `5–12` or `7`.
    fn from_str(text: &str) -> Result<Self, ContentError> {
        let bad = || {
            ContentError::RomanText(format!(
                "`{}` is not a range of measures; write the first and last, e.g. 1-16",
                crate::quoted(text)
            ))
        };
        let text = text.trim();
        let (first, last) = text
            .split_once(['-', '–'])
            .map_or((text, text), |(a, b)| (a.trim(), b.trim()));
        let first: u32 = first.trim_start_matches('m').parse().map_err(|_| bad())?;
        let last: u32 = last.trim_start_matches('m').parse().map_err(|_| bad())?;
        if last < first {
            return Err(bad());
        }
        Ok(Measures { first, last })
    }
}

fn metadata<'a>(analysis: &'a romantext::Analysis, name: &str) -> Option<&'a str> {
    analysis
        .metadata
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// A theory analysis of a RomanText file's chords, or of the measures asked for. Bars are
/// counted from the first measure brought in; each chord keeps its key and beat, and the
/// engine computes its notes, function and scales as for any analysis.
pub fn analysis_from_romantext(
    source: &str,
    measures: Option<Measures>,
) -> Result<TheoryAnalysis, ContentError> {
    let analysis =
        romantext::read(source).map_err(|error| ContentError::RomanText(error.to_string()))?;
    let mut chords: Vec<&romantext::AnalysedChord> = analysis
        .chords
        .iter()
        .filter(|chord| measures.is_none_or(|m| (m.first..=m.last).contains(&chord.measure)))
        .collect();
    // A repeat may copy later measures into earlier ones: bars run in measure order.
    chords.sort_by_key(|chord| chord.measure);
    let (Some(first), Some(last)) = (chords.first().copied(), chords.last().copied()) else {
        return Err(ContentError::RomanText(match measures {
            Some(m) => format!(
                "the file has no chords in measures {}–{}; choose measures it analyses",
                m.first, m.last
            ),
            None => "the file has no measure lines (m1 C: I …); it is not an analysis".into(),
        }));
    };
    let span = last.measure - first.measure + 1;
    if chords.len() > MAX_CHORDS || span > MAX_BARS {
        return Err(ContentError::RomanText(format!(
            "measures {}–{} hold {} chords; a theory analysis holds at most {MAX_CHORDS} chords in \
             {MAX_BARS} bars, so choose fewer measures (e.g. {}–{})",
            first.measure,
            last.measure,
            chords.len(),
            first.measure,
            first.measure.saturating_add(15)
        )));
    }
    let home = first.key;
    let entries = chords
        .iter()
        .map(|chord| ChordEntry {
            key: (chord.key != home).then(|| chord.key.to_string()),
            beat: chord.beat.parse().ok(),
            ..ChordEntry::new(chord.measure - first.measure + 1, chord.figure.clone())
        })
        .collect();
    let mut music = MusicPayload {
        key: home.to_string(),
        style: NumeralStyle::RomanText,
        meter: metadata(&analysis, "Time Signature").map(str::to_string),
        instrument: None,
        voicing_kind: None,
        chords: entries,
        scale: None,
        rhythm: None,
        melody: Vec::new(),
    };
    let mut computed = ValidationReport::default();
    validate::music(&mut music, "music", &mut computed);
    if !computed.unrepaired().is_empty() {
        return Err(ContentError::Invalid {
            what: "theory analysis",
            report: computed,
        });
    }
    let HarmonicNotes {
        functions,
        scale_chord,
        substitutions,
    } = harmonic_notes(&music)?;
    let title = match (
        metadata(&analysis, "Title"),
        metadata(&analysis, "Composer"),
    ) {
        (Some(title), Some(composer)) => format!("{composer}: {title}"),
        (Some(title), None) => title.to_string(),
        (None, _) => "An imported analysis".to_string(),
    };
    let keys: Vec<String> = chords.iter().fold(Vec::new(), |mut keys, chord| {
        let name = chord.key.to_string();
        if keys.last() != Some(&name) {
            keys.push(name);
        }
        keys
    });
    let analyst = metadata(&analysis, "Analyst")
        .map(|name| format!(", as analysed by {name}"))
        .unwrap_or_default();
    let summary = format!(
        "Measures {}–{} of a RomanText analysis{analyst}: {} chords, in {}.",
        first.measure,
        last.measure,
        chords.len(),
        keys.join(", then ")
    );
    Ok(TheoryAnalysis {
        schema_version: SCHEMA_VERSION,
        title,
        summary,
        music,
        functions,
        scale_chord,
        voice_leading: Vec::new(),
        substitutions,
    })
}

/// The analysis as a RomanText file. Figures of an analysis in RomanText style are written
/// as they stand; those of a classical or jazz analysis are written as RomanText reads the
/// same chord (a jazz `I7` is `Id7`), and a chord RomanText cannot name is refused by bar.
pub fn analysis_to_romantext(doc: &TheoryAnalysis) -> Result<String, ContentError> {
    let home = Key::from_str(&doc.music.key)?;
    let style = doc.music.style.theory();
    let beats_per_bar = doc.music.meter.as_deref().map_or(4.0, romantext_beats);
    let mut figures = Vec::with_capacity(doc.music.chords.len());
    for entry in &doc.music.chords {
        let key = entry.key_in(&home)?;
        figures.push((key, romantext_figure(entry, &key, style)?));
    }
    let placements: Vec<Placement> = doc
        .music
        .chords
        .iter()
        .zip(&figures)
        .map(|(entry, (key, figure))| {
            let in_bar: Vec<&ChordEntry> = doc
                .music
                .chords
                .iter()
                .filter(|other| other.bar == entry.bar)
                .collect();
            let position = in_bar
                .iter()
                .position(|other| std::ptr::eq(*other, entry))
                .unwrap_or(0);
            let even = 1.0 + beats_per_bar * position as f64 / in_bar.len() as f64;
            Placement {
                measure: entry.bar,
                beat: entry.beat.unwrap_or(even),
                key: *key,
                figure,
            }
        })
        .collect();
    // A title is one line: a line break in it would read as a line of the analysis.
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut metadata = vec![("Title".to_string(), one_line(&doc.title))];
    if let Some(meter) = &doc.music.meter {
        metadata.push(("Time Signature".to_string(), one_line(meter)));
    }
    Ok(romantext::write(&metadata, &placements))
}

/// Beats in a bar as RomanText counts them: the time signature's upper number, or a third
/// of it in compound time (6/8 has two beats).
fn romantext_beats(meter: &str) -> f64 {
    let Some((upper, lower)) = meter.split_once('/') else {
        return 4.0;
    };
    match (upper.trim().parse::<u32>(), lower.trim().parse::<u32>()) {
        (Ok(upper), Ok(8 | 16)) if upper > 3 && upper % 3 == 0 => f64::from(upper / 3),
        (Ok(upper), Ok(_)) if upper > 0 => f64::from(upper),
        _ => 4.0,
    }
}

/// The chord's figure as RomanText reads it, checked to spell the chord the document has.
fn romantext_figure(entry: &ChordEntry, key: &Key, style: Style) -> Result<String, ContentError> {
    let numeral = RomanNumeral::from_str(&entry.numeral)?;
    if style == Style::RomanText {
        return Ok(entry.numeral.clone());
    }
    let same_notes = |written: &RomanNumeral| {
        let mut ours: Vec<String> = numeral
            .notes(key, style)
            .map(|notes| notes.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        let mut theirs: Vec<String> = written
            .notes(key, Style::RomanText)
            .map(|notes| notes.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        ours.sort();
        theirs.sort();
        !ours.is_empty() && ours == theirs
    };
    if same_notes(&numeral) {
        return Ok(entry.numeral.clone());
    }
    let chord = numeral.chord(key, style)?;
    RomanNumeral::for_chord(&chord, key, Style::RomanText)
        .ok()
        .map(|reading| reading.numeral)
        .filter(same_notes)
        .map(|numeral| numeral.to_string())
        .ok_or_else(|| {
            ContentError::RomanText(format!(
                "bar {}: {} ({chord}) has no RomanText figure that spells the same notes in {key}",
                entry.bar, entry.numeral
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANALYSIS: &str = include_str!("../../theory/tests/fixtures/analysis.rntxt");

    #[test]
    fn measures_out_of_order_come_in_in_order() {
        let doc = analysis_from_romantext("m5 C: I\nm6 V\nm1-2 = m5-6\n", None).unwrap();
        let bars: Vec<u32> = doc.music.chords.iter().map(|c| c.bar).collect();
        assert_eq!(bars, [1, 2, 5, 6]);
        let error = analysis_from_romantext("m0 C: I\nm4294967295 V\n", None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("m9999"), "{error}");
        assert_eq!(romantext_beats("6/8"), 2.0);
        assert_eq!(romantext_beats("3/4"), 3.0);
    }

    #[test]
    fn measures_read_as_ranges() {
        let range = |text: &str| text.parse::<Measures>().map(|m| (m.first, m.last));
        assert_eq!(range("5-12").unwrap(), (5, 12));
        assert_eq!(range("m5–m12").unwrap(), (5, 12));
        assert_eq!(range("7").unwrap(), (7, 7));
        for bad in ["", "a-b", "12-5"] {
            let error = range(bad).unwrap_err().to_string();
            assert!(error.contains("1-16"), "{error}");
        }
    }

    #[test]
    fn an_analysis_comes_in_with_its_keys_and_beats_and_goes_out_the_same() {
        let mut doc = analysis_from_romantext(ANALYSIS, Some("8-15".parse().unwrap())).unwrap();
        assert_eq!(doc.music.key, "C major");
        assert_eq!(doc.music.style, NumeralStyle::RomanText);
        assert_eq!(doc.music.meter.as_deref(), Some("3/4"));
        assert_eq!(doc.music.chords.first().unwrap().bar, 1);
        let applied = &doc.music.chords[1];
        assert_eq!(
            (applied.numeral.as_str(), applied.beat),
            ("V6/5/V", Some(2.0))
        );
        assert_eq!(applied.notes, ["F#", "D", "A", "C"]);
        assert!(
            doc.functions.iter().any(
                |f| f.numeral == "V6/5/V" && f.function == crate::types::ChordFunction::Applied
            )
        );
        let report = validate::theory_analysis(&mut doc);
        assert!(report.unrepaired().is_empty(), "{:?}", report.unrepaired());

        let written = analysis_to_romantext(&doc).unwrap();
        let back = romantext::read(&written).unwrap();
        let original = romantext::read(ANALYSIS).unwrap();
        let chosen: Vec<_> = original
            .chords
            .iter()
            .filter(|c| (8..=15).contains(&c.measure))
            .collect();
        assert_eq!(back.chords.len(), chosen.len());
        for (read_back, chord) in back.chords.iter().zip(chosen) {
            assert_eq!(read_back.measure + 7, chord.measure);
            assert_eq!(read_back.beat, chord.beat);
            assert_eq!((read_back.key, &read_back.notes), (chord.key, &chord.notes));
        }
    }

    #[test]
    fn key_changes_inside_the_measures_are_kept_per_chord() {
        let doc = analysis_from_romantext(ANALYSIS, Some("18-21".parse().unwrap())).unwrap();
        assert_eq!(doc.music.key, "Bb major");
        let keys: Vec<Option<&str>> = doc.music.chords.iter().map(|c| c.key.as_deref()).collect();
        assert!(keys.contains(&Some("F# minor")) && keys.contains(&Some("Eb major")));
        assert!(
            doc.summary
                .contains("Bb major, then F# minor, then Eb major"),
            "{}",
            doc.summary
        );
    }

    #[test]
    fn too_long_an_analysis_asks_for_measures() {
        let error = analysis_from_romantext(ANALYSIS, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("choose fewer measures"), "{error}");
        let error = analysis_from_romantext(ANALYSIS, Some("90-99".parse().unwrap()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("no chords in measures 90–99"), "{error}");
        let error = analysis_from_romantext("m1 C: I Vxyz", None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 1") && error.contains("Vxyz"),
            "{error}"
        );
    }

    #[test]
    fn a_jazz_analysis_goes_out_in_figures_romantext_reads_the_same() {
        let mut doc =
            crate::template::theory_analysis("blues", "F", crate::Level::Beginner).unwrap();
        assert_eq!(doc.music.style, NumeralStyle::Jazz);
        validate::theory_analysis(&mut doc);
        let written = analysis_to_romantext(&doc).unwrap();
        let back = romantext::read(&written).unwrap();
        assert_eq!(back.chords.len(), doc.music.chords.len());
        for (chord, entry) in back.chords.iter().zip(&doc.music.chords) {
            let mut ours: Vec<String> = chord.notes.iter().map(ToString::to_string).collect();
            let mut theirs = entry.notes.clone();
            ours.sort();
            theirs.sort();
            assert_eq!(
                ours, theirs,
                "bar {}: {} written as {}",
                entry.bar, entry.numeral, chord.figure
            );
        }
    }
}
