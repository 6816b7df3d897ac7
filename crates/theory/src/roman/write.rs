//! Writing numerals back in their canonical form, ASCII or Unicode.

use std::fmt;

use super::{NumeralRoot, ROMAN, RomanNumeral, is_lower_case};
use crate::accidental::accidental_text;
use crate::quality::{Seventh, Triad};

impl RomanNumeral {
    /// Writes the numeral, ASCII unless `unicode`.
    fn write(&self, unicode: bool) -> String {
        let mut text = match self.root {
            // `N53` keeps root position where a bare `N` would not: RomanText reads `N` as `N6`.
            NumeralRoot::Neapolitan { bare } => {
                let figure = match self.inversion {
                    0 if bare => "",
                    0 => "53",
                    1 => "6",
                    _ => "64",
                };
                format!("N{figure}")
            }
            NumeralRoot::CadentialSixFour => "Cad64".to_string(),
            NumeralRoot::AugmentedSixth(kind) if self.inversion == kind.usual_inversion() => {
                format!("{}+6", kind.name())
            }
            NumeralRoot::AugmentedSixth(kind) => format!(
                "{}{}",
                kind.name(),
                kind.figures()
                    .get(usize::from(self.inversion))
                    .unwrap_or(&"")
            ),
            NumeralRoot::Degree { degree, accidental } => {
                let accidental = match accidental {
                    None => String::new(),
                    Some(0) => "♮".to_string(),
                    Some(alter) => accidental_text(i32::from(alter), unicode),
                };
                let numeral = ROMAN[usize::from(degree.clamp(1, 7) - 1)];
                let numeral = if is_lower_case(self.quality.triad()) {
                    numeral.to_lowercase()
                } else {
                    numeral.to_string()
                };
                format!("{accidental}{numeral}{}", self.body(unicode))
            }
        };
        for bracket in &self.brackets {
            text.push_str(&bracket.to_string());
        }
        if let Some(target) = &self.target {
            text.push('/');
            text.push_str(&target.write(unicode));
        }
        text
    }

    /// Everything after the numeral letters: quality signs, figures or a chord suffix.
    fn body(&self, unicode: bool) -> String {
        let quality = &self.quality;
        let triad = quality.triad();
        let figured = quality.is_triad_or_seventh()
            && matches!(
                triad,
                Triad::Major | Triad::Minor | Triad::Diminished | Triad::Augmented
            );
        let inversion = usize::from(self.inversion);
        if figured {
            let sign = match (triad, quality.seventh()) {
                (Triad::Diminished, Some(Seventh::Minor)) => "ø",
                (Triad::Diminished, _) if unicode => "°",
                (Triad::Diminished, _) => "o",
                (Triad::Augmented, _) => "+",
                _ => "",
            };
            let marker = match (triad, quality.seventh()) {
                (Triad::Major | Triad::Augmented, Some(Seventh::Major)) if !self.plain_seventh => {
                    Some("maj")
                }
                (Triad::Major | Triad::Augmented, Some(Seventh::Minor)) if !self.plain_seventh => {
                    Some("dom")
                }
                // A suffix in root position (`i(maj7)`); inverted, only a figure says it (`imaj65`).
                (Triad::Minor | Triad::Diminished, Some(Seventh::Major)) if inversion == 0 => None,
                (Triad::Minor | Triad::Diminished, Some(Seventh::Major)) => Some("maj"),
                _ => Some(""),
            };
            if let Some(marker) = marker {
                let figure = match quality.seventh() {
                    None => ["", "6", "64"].get(inversion),
                    Some(_) => ["7", "65", "43", "42"].get(inversion),
                };
                return format!("{sign}{marker}{}", figure.unwrap_or(&""));
            }
        }
        let suffix_quality = if self.plain_seventh {
            quality.with_seventh(Some(Seventh::Minor))
        } else {
            quality.clone()
        };
        let suffix = suffix_quality.suffix(unicode);
        let dominant_marker =
            if !self.plain_seventh && suffix_quality.is_dominant() && !is_lower_case(triad) {
                "dom"
            } else {
                ""
            };
        let suffix = match triad {
            Triad::Minor => suffix.strip_prefix('m').unwrap_or(&suffix).to_string(),
            Triad::Diminished => match suffix.strip_prefix("dim") {
                Some(rest) => format!("{}{rest}", if unicode { "°" } else { "o" }),
                None => suffix.strip_prefix('m').unwrap_or(&suffix).to_string(),
            },
            _ => suffix,
        };
        // A bare 6 after a numeral is an inversion figure, so sixth chords say add6.
        let suffix = if let Some(rest) = suffix.strip_prefix("6/9") {
            format!("69{rest}")
        } else if let Some(rest) = suffix.strip_prefix('6') {
            format!("add6{rest}")
        } else {
            suffix
        };
        format!("{dominant_marker}{suffix}")
    }
}

impl fmt::Display for RomanNumeral {
    /// `V65/V`, `bVII7`, `viiø7`; `{:#}` gives `♭VII7`, `vii°7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.write(f.alternate()))
    }
}
