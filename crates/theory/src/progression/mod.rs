//! Progressions: common templates in any key, transposition, and simple
//! reharmonisation rules. Templates are written in jazz-style numerals
//! ([`Style::Jazz`]: `I7` is a dominant seventh, as in the blues).
//!
//! Layout: `template` holds the named templates, `reharmonize` the rules.

use std::fmt;

use serde::Serialize;

use crate::chord::Chord;
use crate::error::{Result, TheoryError};
use crate::roman::{RomanNumeral, Style};
use crate::scale::Key;

mod reharmonize;
mod template;

pub use reharmonize::{Reharmonization, tritone_substitute};
pub use template::ProgressionTemplate;

/// One chord of a progression, with its numeral when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressionChord {
    pub numeral: Option<RomanNumeral>,
    pub chord: Chord,
}

/// Chords in bars, in a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progression {
    pub key: Key,
    pub style: Style,
    pub bars: Vec<Vec<ProgressionChord>>,
}

/// A chord symbol or a numeral, as written in a chart.
pub(crate) enum Token {
    Symbol(Chord),
    Numeral(RomanNumeral),
}

/// Reads a token as a chord symbol if it is one, else as a numeral; the
/// error names both readings.
pub(crate) fn read_token(text: &str) -> Result<Token> {
    match text.parse::<Chord>() {
        Ok(chord) => Ok(Token::Symbol(chord)),
        Err(chord_error) => match text.parse::<RomanNumeral>() {
            Ok(numeral) => Ok(Token::Numeral(numeral)),
            Err(numeral_error) => {
                let starts_like_symbol = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase() && c != 'I' && c != 'V');
                Err(if starts_like_symbol {
                    chord_error
                } else {
                    numeral_error
                })
            }
        },
    }
}

/// Splits chart text into bars (by `|`) of whitespace-separated entries; with
/// no `|`, each entry is a bar.
pub(crate) fn split_bars(text: &str) -> Vec<Vec<&str>> {
    if text.contains('|') {
        text.split('|')
            .map(|bar| bar.split_whitespace().collect::<Vec<_>>())
            .filter(|b| !b.is_empty())
            .collect()
    } else {
        text.split_whitespace().map(|entry| vec![entry]).collect()
    }
}

impl Progression {
    /// A template realised in `key` (minor templates use its parallel minor).
    pub fn from_template(template: ProgressionTemplate, key: &Key) -> Result<Self> {
        let key = if template.is_minor() && !key.is_minor() {
            key.parallel()
        } else {
            *key
        };
        Progression::parse(&key, template.numerals(), Style::Jazz)
    }

    /// Reads chart text: numerals and/or chord symbols, bars separated by `|`.
    pub fn parse(key: &Key, text: &str, style: Style) -> Result<Self> {
        let bars = split_bars(text)
            .into_iter()
            .map(|bar| {
                bar.into_iter()
                    .map(|entry| ProgressionChord::read(entry, key, style))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        if bars.is_empty() {
            return Err(TheoryError::Empty {
                what: "progression",
                example: "ii7 | V7 | Imaj7, or Dm7 G7 Cmaj7",
            });
        }
        Ok(Progression {
            key: *key,
            style,
            bars,
        })
    }

    /// All chords in order.
    pub fn chords(&self) -> Vec<Chord> {
        self.bars
            .iter()
            .flatten()
            .map(|c| c.chord.clone())
            .collect()
    }

    /// The same progression in another key, spelled from the numerals.
    pub fn transpose_to(&self, key: &Key) -> Result<Progression> {
        let bars = self
            .bars
            .iter()
            .map(|bar| {
                bar.iter()
                    .map(|entry| {
                        let numeral = match &entry.numeral {
                            Some(n) => n.clone(),
                            None => {
                                RomanNumeral::for_chord(&entry.chord, &self.key, self.style)?
                                    .numeral
                            }
                        };
                        Ok(ProgressionChord {
                            chord: numeral.chord(key, self.style)?,
                            numeral: Some(numeral),
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Progression {
            key: *key,
            style: self.style,
            bars,
        })
    }

    /// Applies a reharmonisation rule.
    pub fn reharmonize(&self, rule: Reharmonization) -> Progression {
        let mut bars: Vec<Vec<ProgressionChord>> = Vec::with_capacity(self.bars.len());
        let chords: Vec<&ProgressionChord> = self.bars.iter().flatten().collect();
        let mut index = 0;
        for bar in &self.bars {
            let mut new_bar = Vec::new();
            for entry in bar {
                let next = chords.get(index + 1).map(|c| &c.chord);
                let previous = index
                    .checked_sub(1)
                    .and_then(|i| chords.get(i))
                    .map(|c| &c.chord);
                for chord in rule.apply(&entry.chord, previous, next) {
                    new_bar.push(self.entry_for(chord, entry));
                }
                index += 1;
            }
            bars.push(new_bar);
        }
        Progression {
            key: self.key,
            style: self.style,
            bars,
        }
    }

    fn entry_for(&self, chord: Chord, original: &ProgressionChord) -> ProgressionChord {
        if chord == original.chord {
            return original.clone();
        }
        let numeral = RomanNumeral::for_chord(&chord, &self.key, self.style)
            .ok()
            .map(|r| r.numeral);
        ProgressionChord { numeral, chord }
    }
}

impl ProgressionChord {
    fn read(entry: &str, key: &Key, style: Style) -> Result<Self> {
        Ok(match read_token(entry)? {
            Token::Symbol(chord) => ProgressionChord {
                numeral: RomanNumeral::for_chord(&chord, key, style)
                    .ok()
                    .map(|r| r.numeral),
                chord,
            },
            Token::Numeral(numeral) => ProgressionChord {
                chord: numeral.chord(key, style)?,
                numeral: Some(numeral),
            },
        })
    }
}

impl fmt::Display for Progression {
    /// `| Dm7 | G7 | Cmaj7 |` with the numerals underneath.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unicode = f.alternate();
        let show = |bar: &Vec<ProgressionChord>, numerals: bool| -> String {
            bar.iter()
                .map(|c| match (numerals, &c.numeral, unicode) {
                    (true, Some(n), true) => format!("{n:#}"),
                    (true, Some(n), false) => n.to_string(),
                    (true, None, _) => "?".into(),
                    (false, _, true) => format!("{:#}", c.chord),
                    (false, _, false) => c.chord.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let symbols: Vec<String> = self.bars.iter().map(|b| show(b, false)).collect();
        let numerals: Vec<String> = self.bars.iter().map(|b| show(b, true)).collect();
        if unicode {
            writeln!(f, "{:#}", self.key)?;
        } else {
            writeln!(f, "{}", self.key)?;
        }
        writeln!(f, "| {} |", symbols.join(" | "))?;
        write!(f, "| {} |", numerals.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `key` and `symbols` are shared with the template and reharmonisation tests.
    pub(super) fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    pub(super) fn symbols(p: &Progression) -> String {
        p.bars
            .iter()
            .map(|bar| {
                bar.iter()
                    .map(|c| c.chord.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    #[test]
    fn transposition_keeps_function_and_spelling() {
        let blues =
            Progression::from_template(ProgressionTemplate::TwelveBarBlues, &key("F")).unwrap();
        let moved = blues.transpose_to(&key("Db")).unwrap();
        assert!(symbols(&moved).starts_with("Db7 | Gb7 | Db7"));
        let back = moved.transpose_to(&key("F")).unwrap();
        assert_eq!(symbols(&back), symbols(&blues));
    }

    #[test]
    fn parses_mixed_charts() {
        let p = Progression::parse(&key("Eb"), "Fm7 V7 | Ebmaj7", Style::Jazz).unwrap();
        assert_eq!(symbols(&p), "Fm7 Bb7 | Ebmaj7");
        assert_eq!(p.bars[0][0].numeral.as_ref().unwrap().to_string(), "ii7");
        assert!(Progression::parse(&key("C"), "", Style::Jazz).is_err());
        assert!(Progression::parse(&key("C"), "Dm7 Qx7", Style::Jazz).is_err());
    }
}
