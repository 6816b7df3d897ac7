//! RomanText: the plain-text format of published harmonic analyses (the When-in-Rome
//! corpus, music21's `romanText`). A file has metadata lines (`Composer: …`,
//! `Time Signature: 3/4`), measure lines (`m1 b1 a: i b2 V6/5 b3 i`), with key changes
//! (`C:`) and beats (`b2.5`), and repeats of earlier measures (`m5-6 = m1-2`).
//!
//! [`read`] spells every chord with the theory engine in RomanText's conventions
//! ([`Style::RomanText`], keys by [`Key::from_romantext`]), or stops at the first line it
//! cannot read and says why.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::pitch::PitchClass;
use crate::roman::{RomanNumeral, Style};
use crate::scale::Key;

/// One chord of an analysis, where it falls and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalysedChord {
    pub measure: u32,
    /// The beat, as written (`1`, `2.5`).
    pub beat: String,
    pub key: Key,
    /// The figure as written (`V6/5`).
    pub figure: String,
    /// The numeral as the engine writes it (`V65`).
    pub numeral: RomanNumeral,
    /// The pitches from the bass up.
    pub notes: Vec<PitchClass>,
}

/// `m1 b2 A minor: V6/5 (G# B D E)`; `{:#}` spells ♭ and ♯.
impl fmt::Display for AnalysedChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unicode = f.alternate();
        let notes: Vec<String> = self
            .notes
            .iter()
            .map(|note| {
                if unicode {
                    format!("{note:#}")
                } else {
                    note.to_string()
                }
            })
            .collect();
        let key = if unicode {
            format!("{:#}", self.key)
        } else {
            self.key.to_string()
        };
        write!(
            f,
            "m{} b{} {key}: {} ({})",
            self.measure,
            self.beat,
            self.figure,
            notes.join(" ")
        )
    }
}

/// A whole analysis: its metadata and its chords in order, repeats written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// `Composer`, `Title`, `Time Signature`… as the file gives them, in order.
    pub metadata: Vec<(String, String)>,
    pub chords: Vec<AnalysedChord>,
}

/// The metadata, then a line per chord.
impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.metadata {
            writeln!(f, "{name}: {value}")?;
        }
        for (index, chord) in self.chords.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            if f.alternate() {
                write!(f, "{chord:#}")?;
            } else {
                write!(f, "{chord}")?;
            }
        }
        Ok(())
    }
}

/// The first line an analysis could not be read past.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: `{text}`: {reason}")]
pub struct RomanTextError {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// Reads a RomanText analysis and spells every chord.
pub fn read(source: &str) -> Result<Analysis, RomanTextError> {
    let mut metadata = Vec::new();
    let mut chords: Vec<AnalysedChord> = Vec::new();
    // Each measure's chords, for repeats of earlier measures.
    let mut measures: BTreeMap<u32, Vec<AnalysedChord>> = BTreeMap::new();
    let mut key: Option<Key> = None;
    for (index, raw) in source.lines().enumerate() {
        let line = raw.trim();
        let error = |reason: String| RomanTextError {
            line: index + 1,
            text: line.to_string(),
            reason,
        };
        if line.is_empty() || line.starts_with("Note:") || line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = metadata_line(line) {
            metadata.push((name.to_string(), value.trim().to_string()));
            continue;
        }
        let (measure_part, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let span = measure_span(measure_part).ok_or_else(|| {
            error(format!(
                "`{measure_part}` is not a measure number; write m1, m2… up to m{MAX_MEASURE} (or m5-6 for a repeat)"
            ))
        })?;
        let rest = rest.trim();
        let too_many = |more: usize| {
            (chords.len() + more > MAX_CHORDS).then(|| {
                error(format!(
                    "the analysis holds more than {MAX_CHORDS} chords with its repeats written out; check the repeats (m5-6 = m1-2)"
                ))
            })
        };
        if let Some(source_part) = rest.strip_prefix('=') {
            let copied = repeat(span, source_part.trim(), &measures).map_err(error)?;
            if let Some(error) = too_many(copied.iter().map(|(_, copy)| copy.len()).sum()) {
                return Err(error);
            }
            for (measure, measure_chords) in copied {
                chords.extend(measure_chords.iter().cloned());
                if let Some(last) = measure_chords.last() {
                    key = Some(last.key);
                }
                measures.insert(measure, measure_chords);
            }
            continue;
        }
        let (first, last) = span;
        if first != last {
            return Err(error(format!(
                "a span of measures (`{measure_part}`) can only repeat others: `{measure_part} = m1-2`"
            )));
        }
        let measure_chords = measure(first, rest, &mut key).map_err(error)?;
        if let Some(error) = too_many(measure_chords.len()) {
            return Err(error);
        }
        chords.extend(measure_chords.iter().cloned());
        measures.insert(first, measure_chords);
    }
    Ok(Analysis { metadata, chords })
}

/// One chord as a RomanText file places it.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement<'a> {
    pub measure: u32,
    /// 1 the downbeat, 2.5 halfway through beat 2.
    pub beat: f64,
    pub key: Key,
    pub figure: &'a str,
}

/// Writes a RomanText analysis: the metadata lines, then a line per measure that names the
/// key where the analysis starts and wherever it changes. [`read`] reads it back to the
/// same chords. The chords must be in order of measure and beat.
pub fn write(metadata: &[(String, String)], chords: &[Placement]) -> String {
    let mut text = String::new();
    for (name, value) in metadata {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    let mut key: Option<Key> = None;
    let mut measure: Option<u32> = None;
    for chord in chords {
        if measure != Some(chord.measure) {
            if measure.is_some() {
                text.push('\n');
            }
            text.push_str(&format!("m{}", chord.measure));
            measure = Some(chord.measure);
        }
        if chord.beat != 1.0 {
            text.push_str(&format!(" b{}", beat_text(chord.beat)));
        }
        if key != Some(chord.key) {
            text.push_str(&format!(" {}:", key_text(&chord.key)));
            key = Some(chord.key);
        }
        text.push(' ');
        text.push_str(chord.figure);
    }
    if measure.is_some() {
        text.push('\n');
    }
    text
}

/// `2.5`, `3`, `1.33`: at most two decimals, no trailing zeros.
fn beat_text(beat: f64) -> String {
    let text = format!("{beat:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `C`, `Bb`, `f#`: the tonic, lower case for a minor key.
fn key_text(key: &Key) -> String {
    let tonic = key.tonic().to_string();
    if key.is_minor() {
        tonic.to_lowercase()
    } else {
        tonic
    }
}

/// `Name: value` with a name of letters and spaces (`Time Signature: 3/4`).
fn metadata_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let first = name.chars().next()?;
    let is_name = first.is_ascii_uppercase()
        && name.chars().count() > 1
        && name.chars().all(|c| c.is_ascii_alphabetic() || c == ' ');
    is_name.then_some((name, value))
}

/// `m12` or `m5-6`: the first and last measure.
fn measure_span(text: &str) -> Option<(u32, u32)> {
    let digits = text.strip_prefix('m')?;
    let (first, last) = match digits.split_once('-') {
        Some((first, last)) => (first.parse().ok()?, last.parse().ok()?),
        None => {
            let measure = digits.parse().ok()?;
            (measure, measure)
        }
    };
    // m0 is a pickup measure; no score runs to ten thousand measures.
    (first <= last && last <= MAX_MEASURE).then_some((first, last))
}

/// The highest measure number a file may use.
pub const MAX_MEASURE: u32 = 9999;

/// The most chords an analysis may hold, its repeats written out: published analyses hold
/// a few thousand at most, and a few lines of repeats could otherwise copy millions.
pub const MAX_CHORDS: usize = 20_000;

/// The chords of earlier measures, renumbered for the measures that repeat them.
fn repeat(
    (first, last): (u32, u32),
    source: &str,
    measures: &BTreeMap<u32, Vec<AnalysedChord>>,
) -> Result<Vec<(u32, Vec<AnalysedChord>)>, String> {
    let (from, to) = measure_span(source)
        .ok_or_else(|| format!("`{source}` is not a measure or a span of measures"))?;
    if to - from != last - first {
        return Err(format!(
            "m{first}-{last} and {source} are not the same number of measures"
        ));
    }
    (from..=to)
        .zip(first..)
        .map(|(original, copy)| {
            let chords = measures.get(&original).ok_or_else(|| {
                format!("m{original} has not been read yet: a repeat copies measures above it")
            })?;
            let renumbered = chords
                .iter()
                .map(|chord| AnalysedChord {
                    measure: copy,
                    ..chord.clone()
                })
                .collect();
            Ok((copy, renumbered))
        })
        .collect()
}

/// The chords of one measure line: beats, key changes and figures, in order.
fn measure(number: u32, text: &str, key: &mut Option<Key>) -> Result<Vec<AnalysedChord>, String> {
    let mut chords = Vec::new();
    let mut beat = "1".to_string();
    for token in text.split_whitespace() {
        if let Some(written) = token.strip_prefix('b').filter(|b| is_beat(b)) {
            beat = written.to_string();
            continue;
        }
        if matches!(token, "||" | "|" | "||:" | ":||" | ":||:") {
            continue;
        }
        if let Some(name) = token.strip_suffix(':') {
            *key = Some(Key::from_romantext(name).map_err(|e| e.to_string())?);
            continue;
        }
        let Some(current) = *key else {
            return Err(format!(
                "`{token}` comes before any key; start the analysis with one, e.g. `C:` or `a:`"
            ));
        };
        let numeral: RomanNumeral = token.parse().map_err(|e| format!("{e}"))?;
        let notes = numeral
            .notes_from_bass(&current, Style::RomanText)
            .map_err(|e| format!("{token} in {current}: {e}"))?;
        chords.push(AnalysedChord {
            measure: number,
            beat: beat.clone(),
            key: current,
            figure: token.to_string(),
            numeral,
            notes,
        });
    }
    Ok(chords)
}

/// `1`, `2.5`, `3.33`: a beat number.
fn is_beat(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHORALE: &str = "Composer: J. S. Bach
Title: A chorale of our own
Time Signature: 4/4

m1 b1 a: i b2 V6/5 b3 i b4 iv6
m2 V b3 i || b4 C: V7
m3 I b2 IV6/4 b3 I
m4-5 = m1-2
Note: the cadence
m6 a: Cad64 b3 V7 b4 i
";

    fn notes(chord: &AnalysedChord) -> String {
        chord
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn an_analysis_reads_with_its_key_changes_beats_and_repeats() {
        let analysis = read(CHORALE).unwrap();
        assert_eq!(
            analysis.metadata[2],
            ("Time Signature".to_string(), "4/4".to_string())
        );
        let first = &analysis.chords[1];
        assert_eq!((first.measure, first.beat.as_str()), (1, "2"));
        assert_eq!(first.figure, "V6/5");
        assert_eq!(first.numeral.to_string(), "V65");
        assert_eq!(notes(first), "G# B D E");
        let modulated = &analysis.chords[6];
        assert_eq!(modulated.key.to_string(), "C major");
        assert_eq!(notes(modulated), "G B D F");
        // m4-5 repeat m1-2, renumbered.
        let repeated: Vec<&AnalysedChord> =
            analysis.chords.iter().filter(|c| c.measure == 4).collect();
        assert_eq!(repeated.len(), 4);
        assert_eq!(notes(repeated[1]), "G# B D E");
        let cadence: Vec<String> = analysis
            .chords
            .iter()
            .filter(|c| c.measure == 6)
            .map(notes)
            .collect();
        assert_eq!(cadence, ["E A C", "E G# B D", "A C E"]);
        assert_eq!(analysis.chords[0].to_string(), "m1 b1 A minor: i (A C E)");
    }

    #[test]
    fn a_written_analysis_reads_back_to_the_same_chords() {
        let source = "Time Signature: 3/4\n\nm1 a: i b2 V6/5 b3 i\nm2 C: V7 b2.5 I\nm3 bb: i\n";
        let analysis = read(source).unwrap();
        let placements: Vec<Placement> = analysis
            .chords
            .iter()
            .map(|chord| Placement {
                measure: chord.measure,
                beat: chord.beat.parse().unwrap(),
                key: chord.key,
                figure: &chord.figure,
            })
            .collect();
        let written = write(&analysis.metadata, &placements);
        assert_eq!(
            written,
            "Time Signature: 3/4\n\nm1 a: i b2 V6/5 b3 i\nm2 C: V7 b2.5 I\nm3 bb: i\n"
        );
        assert_eq!(read(&written).unwrap(), analysis);
    }

    #[test]
    fn the_first_line_that_cannot_be_read_is_named() {
        let error = read("Time Signature: 3/4\nm1 C: I b2 V7[zz] b3 I\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.reason.contains("[zz]"), "{error}");
        let error = read("m1 I V").unwrap_err();
        assert!(error.reason.contains("before any key"), "{error}");
        let error = read("m1 C: I\nm2-3 = m1-3").unwrap_err();
        assert!(error.reason.contains("same number of measures"), "{error}");
        let error = read("m1 C: I\nm3 = m2").unwrap_err();
        assert!(error.reason.contains("m2 has not been read yet"), "{error}");
        assert!(read("measure one C: I").is_err());
        let pickup = read("m0 b3 G: V\nm1 I\nm2\nm3 V7 b3 I").unwrap();
        let measures: Vec<u32> = pickup.chords.iter().map(|c| c.measure).collect();
        assert_eq!(measures, [0, 1, 3, 3]);
    }
}
