//! Readable answers for the command line: each function returns a struct
//! that serialises to JSON (`--json`) and prints as multi-line text with
//! `Display` (ASCII accidentals; `{:#}` for ♭ ♯).

use std::fmt;

use serde::Serialize;

use super::chord::Chord;
use super::error::{Result, TheoryError};
use super::pitch::{Note, PitchClass};
use super::progression::{Progression, ProgressionTemplate, Reharmonization};
use super::roman::{HarmonicFunction, RomanNumeral, Style};
use super::scale::{Key, Scale};
use super::validate::{ValidationReport, validate_text};
use super::voicing::{Register, VoicingKind, voice_progression};

/// Writes a pitch, note, chord or numeral in ASCII or Unicode.
fn show<T: fmt::Display>(value: &T, unicode: bool) -> String {
    if unicode {
        format!("{value:#}")
    } else {
        value.to_string()
    }
}

fn show_all<T: fmt::Display>(values: &[T], unicode: bool) -> String {
    values
        .iter()
        .map(|v| show(v, unicode))
        .collect::<Vec<_>>()
        .join(" ")
}

fn midi_list(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| n.midi().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pads each column to its widest cell.
fn table(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let pad = widths[c].saturating_sub(cell.chars().count());
                    format!("{cell}{}", " ".repeat(pad))
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

/// A chord tone with its degree label (`b7`) and interval name (`m7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChordTone {
    pub degree: String,
    pub interval: String,
    pub note: PitchClass,
}

/// `cadence theory chord`: a symbol spelled out, or notes named as a chord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChordReport {
    pub input: String,
    pub chord: Chord,
    pub root: PitchClass,
    pub bass: Option<PitchClass>,
    pub tones: Vec<ChordTone>,
    /// Spelled notes, bass first for slash chords.
    pub notes: Vec<PitchClass>,
    /// The chord stacked from the root at octave 4 (bass an octave lower).
    pub piano: Vec<Note>,
    pub midi: Vec<i32>,
}

/// Reads a chord symbol (`C7(b9,#11)`) or, when given two or more note names
/// (`C E G Bb`), names the chord they form.
pub fn chord_report(input: &str) -> Result<ChordReport> {
    let tokens: Vec<&str> = input.split_whitespace().collect();
    let as_notes: Option<Vec<PitchClass>> = (tokens.len() >= 2)
        .then(|| {
            tokens
                .iter()
                .map(|t| {
                    t.parse::<PitchClass>()
                        .ok()
                        .or_else(|| t.parse::<Note>().ok().map(|n| n.pitch()))
                })
                .collect()
        })
        .flatten();
    let chord = match as_notes {
        Some(pitches) => Chord::identify(&pitches)?,
        None => input.parse::<Chord>()?,
    };
    let tones: Vec<ChordTone> = chord
        .tones()
        .into_iter()
        .map(|(interval, note)| ChordTone {
            degree: interval.degree_label(),
            interval: interval.to_string(),
            note,
        })
        .collect();
    let root = Note::new(chord.root(), 4);
    let mut piano: Vec<Note> = chord.bass().map(|b| Note::new(b, 3)).into_iter().collect();
    piano.extend(
        chord
            .tones()
            .into_iter()
            .map(|(interval, _)| root.transpose(interval)),
    );
    Ok(ChordReport {
        input: input.trim().to_string(),
        root: chord.root(),
        bass: chord.bass(),
        notes: chord.notes(),
        midi: piano.iter().map(|n| n.midi()).collect(),
        piano,
        tones,
        chord,
    })
}

impl fmt::Display for ChordReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = f.alternate();
        writeln!(f, "{}", show(&self.chord, u))?;
        writeln!(f, "  notes:     {}", show_all(&self.notes, u))?;
        let degrees: Vec<&str> = self.tones.iter().map(|t| t.degree.as_str()).collect();
        writeln!(f, "  degrees:   {}", degrees.join(" "))?;
        let intervals: Vec<&str> = self.tones.iter().map(|t| t.interval.as_str()).collect();
        writeln!(f, "  intervals: {}", intervals.join(" "))?;
        write!(
            f,
            "  piano:     {} (MIDI {})",
            show_all(&self.piano, u),
            midi_list(&self.piano)
        )
    }
}

/// One numeral with its chord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RomanRow {
    pub input: String,
    pub numeral: RomanNumeral,
    pub chord: Chord,
    pub notes: Vec<PitchClass>,
    pub function: Option<HarmonicFunction>,
}

/// `cadence theory roman`: numerals realised in a key (chord symbols in the
/// input are read the other way, into numerals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RomanReport {
    pub key: Key,
    pub style: Style,
    pub signature: String,
    pub rows: Vec<RomanRow>,
}

/// `roman_report_with_style` in the default (classical) style.
pub fn roman_report(key: &str, numerals: &str) -> Result<RomanReport> {
    roman_report_with_style(key, numerals, Style::default())
}

/// Realises numerals (`ii7 V7 Imaj7`) in `key`; chord symbols among them
/// (`Dm7`) get their numeral instead. Bars (`|`) are allowed and ignored.
pub fn roman_report_with_style(key: &str, numerals: &str, style: Style) -> Result<RomanReport> {
    let key: Key = key.parse()?;
    let progression = Progression::parse(&key, numerals, style)?;
    let inputs: Vec<&str> = numerals
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|t| !t.is_empty())
        .collect();
    let rows = progression
        .bars
        .iter()
        .flatten()
        .zip(inputs)
        .map(|(entry, input)| {
            let reading = RomanNumeral::for_chord(&entry.chord, &key, style).ok();
            let numeral = match (&entry.numeral, &reading) {
                (Some(numeral), _) => numeral.clone(),
                (None, Some(reading)) => reading.numeral.clone(),
                (None, None) => {
                    return Err(TheoryError::NotExpressible {
                        chord: entry.chord.to_string(),
                        key: key.to_string(),
                        reason: "no numeral fits".into(),
                    });
                }
            };
            Ok(RomanRow {
                input: input.to_string(),
                notes: numeral.notes(&key, style)?,
                function: reading.map(|r| r.function),
                numeral,
                chord: entry.chord.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RomanReport {
        signature: key.signature().to_string(),
        key,
        style,
        rows,
    })
}

fn function_name(function: Option<HarmonicFunction>) -> &'static str {
    match function {
        Some(HarmonicFunction::Diatonic) => "diatonic",
        Some(HarmonicFunction::Applied) => "applied (secondary)",
        Some(HarmonicFunction::Borrowed) => "borrowed",
        Some(HarmonicFunction::Neapolitan) => "Neapolitan",
        Some(HarmonicFunction::Chromatic) => "chromatic",
        None => "",
    }
}

impl fmt::Display for RomanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = f.alternate();
        let style = match self.style {
            Style::Classical => "classical",
            Style::Jazz => "jazz",
            Style::RomanText => "RomanText",
        };
        write!(
            f,
            "{} ({}), {style} numerals",
            show(&self.key, u),
            self.signature
        )?;
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    show(&row.numeral, u),
                    show(&row.chord, u),
                    show_all(&row.notes, u),
                    function_name(row.function).to_string(),
                ]
            })
            .collect();
        for line in table(&rows) {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// One voiced chord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoicingRow {
    pub chord: Chord,
    pub numeral: Option<RomanNumeral>,
    pub notes: Vec<Note>,
    pub midi: Vec<i32>,
    /// The chord named back from the voicing's notes.
    pub named: Chord,
    /// Semitones moved from the previous voicing.
    pub motion: i32,
}

/// `cadence theory voicing`: a progression voiced with smooth voice leading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoicingReport {
    pub kind: VoicingKind,
    pub key: Key,
    pub register: Register,
    pub rows: Vec<VoicingRow>,
    pub total_motion: i32,
}

/// Voices `chords` (symbols and/or numerals in `key`; numerals are read and
/// shown in jazz style, `Imaj7`, `V7`) with the voicing type `kind`
/// (`rootless-a`, `drop-2`, …).
pub fn voicing_report(kind: &str, key: &str, chords: &str) -> Result<VoicingReport> {
    let kind: VoicingKind = kind.parse()?;
    let key: Key = key.parse()?;
    let progression = Progression::parse(&key, chords, Style::Jazz)?;
    let entries: Vec<_> = progression.bars.iter().flatten().collect();
    let voiced = voice_progression(&progression.chords(), kind, None)?;
    let rows = voiced
        .voicings
        .iter()
        .zip(entries)
        .zip(&voiced.motion)
        .map(|((voicing, entry), &motion)| VoicingRow {
            chord: voicing.chord.clone(),
            numeral: entry.numeral.clone(),
            midi: voicing.midi(),
            notes: voicing.notes.clone(),
            named: voicing.named.clone(),
            motion,
        })
        .collect();
    Ok(VoicingReport {
        kind,
        key,
        register: voiced.register,
        rows,
        total_motion: voiced.total_motion,
    })
}

impl fmt::Display for VoicingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = f.alternate();
        write!(
            f,
            "{} voicings in {} ({})",
            self.kind,
            show(&self.key, u),
            self.register
        )?;
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                vec![
                    show(&row.chord, u),
                    row.numeral.as_ref().map(|n| show(n, u)).unwrap_or_default(),
                    show_all(&row.notes, u),
                    format!("(MIDI {})", midi_list(&row.notes)),
                    format!("= {}", show(&row.named, u)),
                    if i == 0 {
                        String::new()
                    } else {
                        format!("moves {}", row.motion)
                    },
                ]
            })
            .collect();
        for line in table(&rows) {
            write!(f, "\n  {line}")?;
        }
        write!(f, "\n  total motion: {} semitones", self.total_motion)
    }
}

/// A scale spelled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleReport {
    pub scale: Scale,
    pub notes: Vec<PitchClass>,
    pub intervals: Vec<String>,
}

/// Spells a scale such as `D dorian` or `Bb bebop dominant`.
pub fn scale_report(scale: &str) -> Result<ScaleReport> {
    let scale: Scale = scale.parse()?;
    Ok(ScaleReport {
        notes: scale.notes(),
        intervals: scale
            .kind
            .intervals()
            .iter()
            .map(|i| i.to_string())
            .collect(),
        scale,
    })
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = f.alternate();
        writeln!(f, "{}", show(&self.scale, u))?;
        writeln!(f, "  notes:     {}", show_all(&self.notes, u))?;
        write!(f, "  intervals: {}", self.intervals.join(" "))
    }
}

/// A template progression, optionally reharmonised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressionReport {
    pub template: ProgressionTemplate,
    pub reharmonization: Option<Reharmonization>,
    pub progression: Progression,
}

/// Realises a template (`ii-v-i`, `blues`, `gospel-2-5-1`, …) in `key`,
/// optionally applying a reharmonisation (`tritone`, `related-ii`, …).
pub fn progression_report(
    template: &str,
    key: &str,
    reharmonization: Option<&str>,
) -> Result<ProgressionReport> {
    let template: ProgressionTemplate = template.parse()?;
    let key: Key = key.parse()?;
    let rule = reharmonization
        .map(str::parse::<Reharmonization>)
        .transpose()?;
    let base = Progression::from_template(template, &key)?;
    let progression = match rule {
        Some(rule) => base.reharmonize(rule),
        None => base,
    };
    Ok(ProgressionReport {
        template,
        reharmonization: rule,
        progression,
    })
}

impl fmt::Display for ProgressionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.template)?;
        if let Some(rule) = self.reharmonization {
            write!(f, " with {rule}")?;
        }
        if f.alternate() {
            write!(f, " in {:#}", self.progression)
        } else {
            write!(f, " in {}", self.progression)
        }
    }
}

/// Checks chart text from elsewhere (`ii7=Fm7 | V7=Ab7 | Imaj7`) in `key`.
pub fn validation_report(key: &str, chart: &str, style: Style) -> Result<ValidationReport> {
    let key: Key = key.parse()?;
    Ok(validate_text(&key, style, chart))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_report_spells_and_prints() {
        let report = chord_report("C7(b9,#11)").unwrap();
        let text = report.to_string();
        assert_eq!(
            text,
            "C7(b9,#11)\n  notes:     C E G Bb Db F#\n  degrees:   1 3 5 b7 b9 #11\n  intervals: P1 M3 P5 m7 m9 A11\n  piano:     C4 E4 G4 Bb4 Db5 F#5 (MIDI 60 64 67 70 73 78)"
        );
        assert!(format!("{report:#}").starts_with("C7(♭9,♯11)\n  notes:     C E G B♭ D♭ F♯"));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["chord"], "C7(b9,#11)");
        assert_eq!(json["notes"][3], "Bb");
        assert_eq!(json["midi"][0], 60);
    }

    #[test]
    fn chord_report_names_notes() {
        let report = chord_report("E G Bb C").unwrap();
        assert_eq!(report.chord.to_string(), "C7/E");
        assert!(chord_report("Cxyz").is_err());
    }

    #[test]
    fn roman_report_in_e_flat() {
        let report = roman_report("Eb", "ii7 V7 Imaj7").unwrap();
        let chords: Vec<String> = report.rows.iter().map(|r| r.chord.to_string()).collect();
        assert_eq!(chords, ["Fm7", "Bb7", "Ebmaj7"]);
        let text = report.to_string();
        assert!(
            text.starts_with("Eb major (3 flats (Bb Eb Ab)), classical numerals"),
            "{text}"
        );
        assert!(
            text.contains("V7     Bb7     Bb D F Ab  diatonic"),
            "{text}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["rows"][1]["numeral"], "V7");
        assert_eq!(json["key"], "Eb major");
        let symbols = roman_report("C", "Dm7 D7 G7").unwrap();
        let numerals: Vec<String> = symbols.rows.iter().map(|r| r.numeral.to_string()).collect();
        assert_eq!(numerals, ["ii7", "V7/V", "V7"]);
        assert!(roman_report("H", "I").is_err());
        assert!(roman_report("C", "I Q7").is_err());
    }

    #[test]
    fn voicing_report_rootless_a_in_f() {
        let report = voicing_report("rootless-a", "F", "Gm7 C7 Fmaj7").unwrap();
        let text = report.to_string();
        assert!(text.starts_with("rootless-a voicings in F major"), "{text}");
        assert!(
            text.contains("C7     V7     Bb3 D4 E4 A4  (MIDI 58 62 64 69)  = C13    moves 1"),
            "{text}"
        );
        assert!(text.contains("total motion:"), "{text}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["rows"][0]["notes"][0], "Bb3");
        assert_eq!(json["kind"], "rootless-a");
        assert!(voicing_report("cluster", "F", "F").is_err());
    }

    #[test]
    fn scale_progression_and_validation_reports() {
        assert_eq!(
            scale_report("D dorian").unwrap().to_string(),
            "D dorian\n  notes:     D E F G A B C\n  intervals: P1 M2 m3 P4 P5 M6 m7"
        );
        let text = progression_report("ii-v-i", "Bb", Some("tritone"))
            .unwrap()
            .to_string();
        assert!(text.contains("| Cm7 | B7 | Bbmaj7 | Bbmaj7 |"), "{text}");
        let report = validation_report("Eb", "ii7=Fm7 | V7=Ab7", Style::Jazz).unwrap();
        assert!(
            report
                .to_string()
                .contains("bar 2: Ab7 is not V7 in Eb major; V7 is Bb7")
        );
    }
}
