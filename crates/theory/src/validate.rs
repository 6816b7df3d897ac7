//! Checking progressions written elsewhere (e.g. by a language model).
//!
//! Each entry may give a numeral, a chord symbol, spelled notes, or any mix;
//! every fact given is checked against the others and against the key, and
//! each mismatch is reported with its bar and the correct answer:
//! `bar 3: Ab7 is not V7 in Eb major; V7 is Bb7`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::chord::Chord;
use super::pitch::PitchClass;
use super::progression::{Token, read_token, split_bars};
use super::roman::{RomanNumeral, Style};
use super::scale::Key;

/// One chord as proposed: any of numeral, symbol and notes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedChord {
    /// 1-based bar number used in messages.
    pub bar: usize,
    #[serde(default)]
    pub numeral: Option<String>,
    #[serde(default)]
    pub symbol: Option<String>,
    /// Spelled note names (`Bb`, `D`, `F`, `Ab`), octaves optional.
    #[serde(default)]
    pub notes: Option<Vec<String>>,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub bar: usize,
    /// The full sentence, starting with `bar N:`.
    pub message: String,
    /// What should have been written, when there is one answer.
    pub expected: Option<String>,
}

/// The outcome of a check: the chords understood and the problems found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    pub key: Key,
    pub style: Style,
    pub checked: usize,
    pub mismatches: Vec<Mismatch>,
}

impl ValidationReport {
    pub fn is_valid(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} chords checked in {}: ", self.checked, self.key)?;
        if self.is_valid() {
            return f.write_str("all correct");
        }
        write!(f, "{} problem(s)", self.mismatches.len())?;
        for mismatch in &self.mismatches {
            write!(f, "\n  {}", mismatch.message)?;
        }
        Ok(())
    }
}

/// Checks each proposed chord against the key and against itself.
pub fn validate(key: &Key, style: Style, proposed: &[ProposedChord]) -> ValidationReport {
    let mut mismatches = Vec::new();
    for entry in proposed {
        check_entry(key, style, entry, &mut mismatches);
    }
    ValidationReport {
        key: *key,
        style,
        checked: proposed.len(),
        mismatches,
    }
}

/// Checks chart text: bars separated by `|` (or one entry per bar without
/// `|`); an entry is a numeral, a symbol, or `numeral=symbol` (either order).
pub fn validate_text(key: &Key, style: Style, text: &str) -> ValidationReport {
    let mut proposed = Vec::new();
    for (index, bar) in split_bars(text).into_iter().enumerate() {
        for entry in bar {
            let mut chord = ProposedChord {
                bar: index + 1,
                ..ProposedChord::default()
            };
            for part in entry.split('=').filter(|p| !p.is_empty()) {
                match read_token(part) {
                    Ok(Token::Numeral(_)) => chord.numeral = Some(part.to_string()),
                    _ if looks_like_numeral(part) => chord.numeral = Some(part.to_string()),
                    _ => chord.symbol = Some(part.to_string()),
                }
            }
            proposed.push(chord);
        }
    }
    validate(key, style, &proposed)
}

/// True for text that starts like a Roman numeral rather than a note name.
fn looks_like_numeral(text: &str) -> bool {
    let trimmed = text.trim_start_matches(['b', '#', '♭', '♯']);
    trimmed.starts_with(['I', 'V', 'i', 'v', 'N'])
        || trimmed.starts_with("It")
        || trimmed.starts_with("Ger")
}

fn check_entry(key: &Key, style: Style, entry: &ProposedChord, out: &mut Vec<Mismatch>) {
    let bar = entry.bar;
    let mut report = |message: String, expected: Option<String>| {
        out.push(Mismatch {
            bar,
            message: format!("bar {bar}: {message}"),
            expected,
        });
    };
    let numeral = match entry.numeral.as_deref().map(str::parse::<RomanNumeral>) {
        Some(Ok(numeral)) => Some(numeral),
        Some(Err(error)) => {
            report(format!("cannot read numeral: {error}"), None);
            None
        }
        None => None,
    };
    let symbol = match entry.symbol.as_deref().map(str::parse::<Chord>) {
        Some(Ok(chord)) => Some(chord),
        Some(Err(error)) => {
            report(format!("cannot read chord: {error}"), None);
            None
        }
        None => None,
    };
    let from_numeral = match &numeral {
        Some(n) => match n.chord(key, style) {
            Ok(chord) => Some(chord),
            Err(error) => {
                report(format!("{n} has no chord in {key}: {error}"), None);
                None
            }
        },
        None => None,
    };
    if let (Some(numeral), Some(expected), Some(written)) = (&numeral, &from_numeral, &symbol)
        && expected != written
    {
        let message = if expected.same_sound(written) {
            format!("{written} is misspelled for {numeral} in {key}; write {expected}")
        } else {
            let reading = RomanNumeral::for_chord(written, key, style)
                .map(|r| format!(" ({written} is {} here)", r.numeral))
                .unwrap_or_default();
            format!("{written} is not {numeral} in {key}; {numeral} is {expected}{reading}")
        };
        report(message, Some(expected.to_string()));
    }
    let Some(notes) = &entry.notes else {
        return;
    };
    let Some(reference) = symbol.as_ref().or(from_numeral.as_ref()) else {
        return;
    };
    let mut given = Vec::new();
    for text in notes {
        let name = text.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        match name.parse::<PitchClass>() {
            Ok(pitch) => given.push(pitch),
            Err(error) => report(format!("cannot read note: {error}"), None),
        }
    }
    let expected = reference.notes();
    let missing: Vec<String> = expected
        .iter()
        .filter(|p| !given.contains(p))
        .map(|p| p.to_string())
        .collect();
    let extra: Vec<String> = given
        .iter()
        .filter(|p| !expected.contains(p))
        .map(|p| p.to_string())
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let spelled: Vec<String> = expected.iter().map(|p| p.to_string()).collect();
        let mut message = format!("the notes of {reference} are {}", spelled.join(" "));
        if !missing.is_empty() {
            message.push_str(&format!("; missing {}", missing.join(" ")));
        }
        if !extra.is_empty() {
            message.push_str(&format!("; not in the chord: {}", extra.join(" ")));
        }
        report(message, Some(spelled.join(" ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    #[test]
    fn reports_a_wrong_chord_for_its_numeral() {
        let report = validate_text(
            &key("Eb"),
            Style::Jazz,
            "ii7=Fm7 | V7=Bb7 | V7=Ab7 | Imaj7=Ebmaj7",
        );
        assert_eq!(report.checked, 4);
        assert_eq!(report.mismatches.len(), 1);
        let mismatch = &report.mismatches[0];
        assert_eq!(mismatch.bar, 3);
        assert!(
            mismatch
                .message
                .starts_with("bar 3: Ab7 is not V7 in Eb major; V7 is Bb7"),
            "{}",
            mismatch.message
        );
        assert_eq!(mismatch.expected.as_deref(), Some("Bb7"));
    }

    #[test]
    fn reports_misspellings_and_unreadable_entries() {
        let report = validate_text(
            &key("E"),
            Style::Jazz,
            "V7/vi=G#7 V7/vi=Ab7 | Qq7=V7 | V7/=B7",
        );
        let messages: Vec<&str> = report
            .mismatches
            .iter()
            .map(|m| m.message.as_str())
            .collect();
        assert!(
            messages[0].contains("Ab7 is misspelled for V7/vi in E major; write G#7"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("bar 2: cannot read chord")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("bar 3: cannot read numeral")),
            "{messages:?}"
        );
    }

    #[test]
    fn checks_spelled_notes() {
        let proposed = [ProposedChord {
            bar: 1,
            numeral: Some("V7".into()),
            symbol: Some("Bb7".into()),
            notes: Some(vec!["Bb".into(), "D".into(), "F".into(), "G#".into()]),
        }];
        let report = validate(&key("Eb"), Style::Jazz, &proposed);
        assert_eq!(report.mismatches.len(), 1);
        assert_eq!(
            report.mismatches[0].message,
            "bar 1: the notes of Bb7 are Bb D F Ab; missing Ab; not in the chord: G#"
        );
        let correct = [ProposedChord {
            bar: 1,
            numeral: Some("V7".into()),
            symbol: Some("Bb7".into()),
            notes: Some(vec!["Bb3".into(), "D4".into(), "F4".into(), "Ab4".into()]),
        }];
        assert!(validate(&key("Eb"), Style::Jazz, &correct).is_valid());
    }

    #[test]
    fn deserialises_model_json() {
        let json = r#"[{"bar": 1, "numeral": "ii7", "symbol": "Dm7"}, {"bar": 2, "symbol": "G7"}]"#;
        let proposed: Vec<ProposedChord> = serde_json::from_str(json).unwrap();
        let report = validate(&key("C"), Style::Classical, &proposed);
        assert!(report.is_valid(), "{report}");
    }
}
