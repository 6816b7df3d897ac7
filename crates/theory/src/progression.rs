//! Progressions: common templates in any key, transposition, and simple
//! reharmonisation rules. Templates are written in jazz-style numerals
//! ([`Style::Jazz`]: `I7` is a dominant seventh, as in the blues).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::chord::Chord;
use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::quality::{ChordQuality, Seventh, Triad};
use super::roman::{RomanNumeral, Style};
use super::scale::Key;

/// A named progression template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressionTemplate {
    TwoFiveOne,
    MinorTwoFiveOne,
    OneSixTwoFive,
    ThreeSixTwoFive,
    GospelOneFourFive,
    GospelPlagal,
    GospelWalkUp,
    GospelTwoFiveOne,
    GospelThreeSixTwoFiveOne,
    TwelveBarBlues,
    JazzBlues,
    MinorBlues,
    TaddDameron,
    Backdoor,
    PopAxis,
}

impl ProgressionTemplate {
    pub const ALL: [ProgressionTemplate; 15] = [
        ProgressionTemplate::TwoFiveOne,
        ProgressionTemplate::MinorTwoFiveOne,
        ProgressionTemplate::OneSixTwoFive,
        ProgressionTemplate::ThreeSixTwoFive,
        ProgressionTemplate::GospelOneFourFive,
        ProgressionTemplate::GospelPlagal,
        ProgressionTemplate::GospelWalkUp,
        ProgressionTemplate::GospelTwoFiveOne,
        ProgressionTemplate::GospelThreeSixTwoFiveOne,
        ProgressionTemplate::TwelveBarBlues,
        ProgressionTemplate::JazzBlues,
        ProgressionTemplate::MinorBlues,
        ProgressionTemplate::TaddDameron,
        ProgressionTemplate::Backdoor,
        ProgressionTemplate::PopAxis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProgressionTemplate::TwoFiveOne => "ii-v-i",
            ProgressionTemplate::MinorTwoFiveOne => "minor-ii-v-i",
            ProgressionTemplate::OneSixTwoFive => "i-vi-ii-v",
            ProgressionTemplate::ThreeSixTwoFive => "iii-vi-ii-v",
            ProgressionTemplate::GospelOneFourFive => "gospel-1-4-5",
            ProgressionTemplate::GospelPlagal => "gospel-plagal",
            ProgressionTemplate::GospelWalkUp => "gospel-walk-up",
            ProgressionTemplate::GospelTwoFiveOne => "gospel-2-5-1",
            ProgressionTemplate::GospelThreeSixTwoFiveOne => "gospel-3-6-2-5-1",
            ProgressionTemplate::TwelveBarBlues => "blues",
            ProgressionTemplate::JazzBlues => "jazz-blues",
            ProgressionTemplate::MinorBlues => "minor-blues",
            ProgressionTemplate::TaddDameron => "tadd-dameron",
            ProgressionTemplate::Backdoor => "backdoor",
            ProgressionTemplate::PopAxis => "pop-axis",
        }
    }

    /// Jazz-style numerals; `|` separates bars.
    pub fn numerals(self) -> &'static str {
        match self {
            ProgressionTemplate::TwoFiveOne => "ii7 | V7 | Imaj7 | Imaj7",
            ProgressionTemplate::MinorTwoFiveOne => "iiø7 | V7b9 | i7 | i7",
            ProgressionTemplate::OneSixTwoFive => "Imaj7 vi7 | ii7 V7",
            ProgressionTemplate::ThreeSixTwoFive => "iii7 VI7 | ii7 V7",
            ProgressionTemplate::GospelOneFourFive => "I | IV64 | I | V | IV | I",
            ProgressionTemplate::GospelPlagal => "I | I7 | IV | ivadd6 | I",
            ProgressionTemplate::GospelWalkUp => "I | V65/IV | IV | #ivo7 | I64 | V7 | I",
            ProgressionTemplate::GospelTwoFiveOne => "ii9 | V13 | Imaj9 | Imaj9",
            ProgressionTemplate::GospelThreeSixTwoFiveOne => "iii7 | VI7b9 | ii9 | V13 | Imaj9",
            ProgressionTemplate::TwelveBarBlues => {
                "I7 | IV7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7"
            }
            ProgressionTemplate::JazzBlues => {
                "I7 | IV7 | I7 | v7 I7 | IV7 | #ivo7 | I7 | VI7 | ii7 | V7 | I7 VI7 | ii7 V7"
            }
            ProgressionTemplate::MinorBlues => {
                "i7 | i7 | i7 | i7 | iv7 | iv7 | i7 | i7 | bVI7 | V7 | i7 | V7"
            }
            ProgressionTemplate::TaddDameron => "Imaj7 bIII7 | bVI7 bII7 | Imaj7",
            ProgressionTemplate::Backdoor => "iv7 | bVII7 | Imaj7 | Imaj7",
            ProgressionTemplate::PopAxis => "I | V | vi | IV",
        }
    }

    /// Minor-key templates are realised in the parallel minor of the key given.
    pub fn is_minor(self) -> bool {
        matches!(
            self,
            ProgressionTemplate::MinorTwoFiveOne | ProgressionTemplate::MinorBlues
        )
    }
}

impl fmt::Display for ProgressionTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_as_string!(ProgressionTemplate);

impl FromStr for ProgressionTemplate {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_lowercase().replace(['_', ' ', '–'], "-");
        ProgressionTemplate::ALL
            .into_iter()
            .find(|t| t.name() == wanted)
            .ok_or_else(|| TheoryError::UnknownProgression {
                input: s.to_string(),
                expected: ProgressionTemplate::ALL.map(|t| t.name()).join(", "),
            })
    }
}

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

/// The tritone substitute of a dominant chord: same quality (alterations
/// dropped, since the sub's plain tensions are the original's altered ones),
/// root a diminished fifth away, respelled plainly (B♭7 → E7, not F♭7).
pub fn tritone_substitute(chord: &Chord) -> Option<Chord> {
    if !chord.quality().is_dominant() {
        return None;
    }
    let root = chord.root().transpose(Interval::DIMINISHED_FIFTH);
    let sub = Chord::new(root, chord.quality().without_alterations());
    Some(if root.alter().abs() > 1 || root.simplified() != root {
        sub.simplified()
    } else {
        sub
    })
}

/// Simple reharmonisation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reharmonization {
    /// Replace each dominant seventh chord by its tritone substitute.
    TritoneSubstitution,
    /// Precede each dominant chord by its related ii (iiø7 before a ♭9 dominant).
    RelatedTwo,
    /// Precede each non-dominant chord by its own dominant seventh.
    SecondaryDominants,
    /// Replace a dominant resolving up a fourth by iv7–♭VII7 of the target.
    Backdoor,
}

impl Reharmonization {
    pub const ALL: [Reharmonization; 4] = [
        Reharmonization::TritoneSubstitution,
        Reharmonization::RelatedTwo,
        Reharmonization::SecondaryDominants,
        Reharmonization::Backdoor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reharmonization::TritoneSubstitution => "tritone",
            Reharmonization::RelatedTwo => "related-ii",
            Reharmonization::SecondaryDominants => "secondary-dominants",
            Reharmonization::Backdoor => "backdoor",
        }
    }

    /// The chords replacing `chord`, given its neighbours.
    fn apply(self, chord: &Chord, previous: Option<&Chord>, next: Option<&Chord>) -> Vec<Chord> {
        let resolves_to_next =
            next.is_some_and(|n| chord.root().transpose(Interval::PERFECT_FOURTH) == n.root());
        match self {
            Reharmonization::TritoneSubstitution => {
                vec![tritone_substitute(chord).unwrap_or_else(|| chord.clone())]
            }
            Reharmonization::RelatedTwo if chord.quality().is_dominant() => {
                let two_root = chord.root().transpose(Interval::PERFECT_FIFTH);
                let flat_nine = chord
                    .quality()
                    .alterations()
                    .contains(&super::quality::Alteration::FlatNine);
                let quality = if flat_nine {
                    ChordQuality::half_diminished()
                } else {
                    ChordQuality::minor_seventh()
                };
                let two = Chord::new(two_root, quality);
                let already_there = previous.is_some_and(|p| {
                    p.root() == two_root
                        && matches!(p.quality().triad(), Triad::Minor | Triad::Diminished)
                });
                if already_there {
                    vec![chord.clone()]
                } else {
                    vec![two, chord.clone()]
                }
            }
            Reharmonization::SecondaryDominants
                if previous.is_some()
                    && !chord.quality().is_dominant()
                    && chord.quality().triad() != Triad::Diminished =>
            {
                let dominant = Chord::new(
                    chord.root().transpose(Interval::PERFECT_FIFTH),
                    ChordQuality::dominant_seventh(),
                );
                if previous.is_some_and(|p| p.root() == dominant.root()) {
                    vec![chord.clone()]
                } else {
                    vec![dominant, chord.clone()]
                }
            }
            Reharmonization::Backdoor
                if chord.quality().seventh() == Some(Seventh::Minor)
                    && chord.quality().is_dominant()
                    && resolves_to_next =>
            {
                let target = next.map_or(chord.root(), |n| n.root());
                let four = Chord::new(
                    target.transpose(Interval::PERFECT_FOURTH),
                    ChordQuality::minor_seventh(),
                );
                let flat_seven = Chord::new(
                    target.transpose(Interval::MINOR_SEVENTH),
                    ChordQuality::dominant_seventh(),
                );
                vec![four, flat_seven]
            }
            _ => vec![chord.clone()],
        }
    }
}

impl fmt::Display for Reharmonization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_as_string!(Reharmonization);

impl FromStr for Reharmonization {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_lowercase().replace(['_', ' '], "-");
        Reharmonization::ALL
            .into_iter()
            .find(|r| {
                r.name() == wanted
                    || (wanted == "tritone-substitution"
                        && *r == Reharmonization::TritoneSubstitution)
            })
            .ok_or_else(|| TheoryError::UnknownReharmonization {
                input: s.to_string(),
                expected: Reharmonization::ALL.map(|r| r.name()).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    fn symbols(p: &Progression) -> String {
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
    fn templates_in_several_keys() {
        let table = [
            (
                ProgressionTemplate::TwoFiveOne,
                "Eb",
                "Fm7 | Bb7 | Ebmaj7 | Ebmaj7",
            ),
            (
                ProgressionTemplate::TwoFiveOne,
                "F#",
                "G#m7 | C#7 | F#maj7 | F#maj7",
            ),
            (
                ProgressionTemplate::MinorTwoFiveOne,
                "C",
                "Dm7b5 | G7b9 | Cm7 | Cm7",
            ),
            (
                ProgressionTemplate::OneSixTwoFive,
                "Bb",
                "Bbmaj7 Gm7 | Cm7 F7",
            ),
            (
                ProgressionTemplate::GospelWalkUp,
                "C",
                "C | C7/E | F | F#dim7 | C/G | G7 | C",
            ),
            (
                ProgressionTemplate::GospelPlagal,
                "Ab",
                "Ab | Ab7 | Db | Dbm6 | Ab",
            ),
            (
                ProgressionTemplate::GospelOneFourFive,
                "G",
                "G | C/G | G | D | C | G",
            ),
            (
                ProgressionTemplate::JazzBlues,
                "F",
                "F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7",
            ),
            (
                ProgressionTemplate::MinorBlues,
                "A minor",
                "Am7 | Am7 | Am7 | Am7 | Dm7 | Dm7 | Am7 | Am7 | F7 | E7 | Am7 | E7",
            ),
            (
                ProgressionTemplate::TaddDameron,
                "C",
                "Cmaj7 Eb7 | Ab7 Db7 | Cmaj7",
            ),
            (
                ProgressionTemplate::GospelThreeSixTwoFiveOne,
                "Db",
                "Fm7 | Bb7b9 | Ebm9 | Ab13 | Dbmaj9",
            ),
        ];
        for (template, k, expected) in table {
            let progression = Progression::from_template(template, &key(k)).unwrap();
            assert_eq!(symbols(&progression), expected, "{template} in {k}");
        }
        for template in ProgressionTemplate::ALL {
            for k in ["C", "Gb", "B", "C#", "D minor"] {
                assert!(
                    Progression::from_template(template, &key(k)).is_ok(),
                    "{template} in {k}"
                );
            }
            assert_eq!(
                template.name().parse::<ProgressionTemplate>().unwrap(),
                template
            );
        }
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
    fn tritone_substitution() {
        let sub = |s: &str| tritone_substitute(&s.parse().unwrap()).map(|c| c.to_string());
        assert_eq!(sub("G7").as_deref(), Some("Db7"));
        assert_eq!(sub("Bb7").as_deref(), Some("E7"));
        assert_eq!(sub("F7").as_deref(), Some("B7"));
        assert_eq!(sub("D9").as_deref(), Some("Ab9"));
        assert_eq!(sub("G7b9").as_deref(), Some("Db7"));
        assert_eq!(sub("Cmaj7"), None);
        let two_five =
            Progression::from_template(ProgressionTemplate::TwoFiveOne, &key("C")).unwrap();
        let subbed = two_five.reharmonize(Reharmonization::TritoneSubstitution);
        assert_eq!(symbols(&subbed), "Dm7 | Db7 | Cmaj7 | Cmaj7");
        assert_eq!(
            subbed.bars[1][0]
                .numeral
                .as_ref()
                .map(|n| n.to_string())
                .as_deref(),
            Some("bII7")
        );
    }

    #[test]
    fn other_reharmonisations() {
        let axis = Progression::from_template(ProgressionTemplate::PopAxis, &key("C")).unwrap();
        let dominants = axis.reharmonize(Reharmonization::SecondaryDominants);
        assert_eq!(symbols(&dominants), "C | D7 G | E7 Am | C7 F");
        let blues = Progression::parse(&key("C"), "C7 | F7 | G7 | C7", Style::Jazz).unwrap();
        let twos = blues.reharmonize(Reharmonization::RelatedTwo);
        assert_eq!(symbols(&twos), "Gm7 C7 | Cm7 F7 | Dm7 G7 | Gm7 C7");
        let cadence = Progression::parse(&key("C"), "Dm7 | G7 | Cmaj7", Style::Jazz).unwrap();
        let backdoor = cadence.reharmonize(Reharmonization::Backdoor);
        assert_eq!(symbols(&backdoor), "Dm7 | Fm7 Bb7 | Cmaj7");
        assert!("retro".parse::<Reharmonization>().is_err());
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
