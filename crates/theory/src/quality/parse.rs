//! Reading chord suffixes: every accepted spelling (`m7b5`, `ø7`, `-7b5`,
//! `Δ7`, `7(b9,#11)`) is read into one normal form.

use super::{AddedTone, Alteration, ChordQuality, Extension, OmittedTone, Seventh, Triad};
use crate::error::{Result, TheoryError};

/// Separator that parentheses, commas and spaces become while parsing.
const SEP: char = '|';

impl ChordQuality {
    /// Reads a chord suffix such as `m7b5`, `7(b9,#11)`, `Δ7`, `-7`, `6/9`.
    /// `symbol` is only used in error messages.
    pub fn parse(suffix: &str, symbol: &str) -> Result<Self> {
        SuffixParser::new(suffix, symbol, Triad::Major).parse()
    }

    /// Reads a suffix whose triad is `triad` unless it names one: a lower-case numeral's
    /// suffix is on a minor triad (`v#5` is minor with a raised fifth, not augmented).
    pub(crate) fn parse_on(triad: Triad, suffix: &str, symbol: &str) -> Result<Self> {
        SuffixParser::new(suffix, symbol, triad).parse()
    }
}

/// Replaces Unicode symbols with the ASCII forms the parser reads, and turns
/// parentheses, commas and spaces into separators.
fn normalize_suffix(suffix: &str) -> Vec<char> {
    let mut chars = Vec::with_capacity(suffix.len());
    for c in suffix.chars() {
        match c {
            '♭' => chars.push('b'),
            '♯' => chars.push('#'),
            '𝄫' => chars.extend(['b', 'b']),
            '𝄪' => chars.extend(['#', '#']),
            '∆' | '△' => chars.push('Δ'),
            '°' | 'º' | '˚' => chars.push('o'),
            'Ø' => chars.push('ø'),
            '−' | '–' => chars.push('-'),
            '(' | ')' | '[' | ']' | ',' => chars.push(SEP),
            c if c.is_whitespace() => chars.push(SEP),
            c => chars.push(c),
        }
    }
    chars
}

/// Reads a chord suffix token by token, longest keyword first.
struct SuffixParser<'a> {
    chars: Vec<char>,
    pos: usize,
    suffix: &'a str,
    symbol: &'a str,
    quality: ChordQuality,
    triad: Option<Triad>,
    /// The triad when the suffix names none.
    unnamed_triad: Triad,
    tokens: usize,
}

impl<'a> SuffixParser<'a> {
    fn new(suffix: &'a str, symbol: &'a str, unnamed_triad: Triad) -> Self {
        SuffixParser {
            chars: normalize_suffix(suffix),
            pos: 0,
            suffix,
            symbol,
            quality: ChordQuality::major(),
            triad: None,
            unnamed_triad,
            tokens: 0,
        }
    }

    fn unknown(&self) -> TheoryError {
        TheoryError::UnknownChordQuality {
            symbol: self.symbol.to_string(),
            quality: self.suffix.to_string(),
        }
    }

    fn invalid(&self, reason: &str) -> TheoryError {
        TheoryError::InvalidChord {
            symbol: self.symbol.to_string(),
            reason: reason.to_string(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// Consumes `word` if the input continues with it.
    fn eat(&mut self, word: &str) -> bool {
        let mut end = self.pos;
        for expected in word.chars() {
            if self.chars.get(end) != Some(&expected) {
                return false;
            }
            end += 1;
        }
        self.pos = end;
        true
    }

    fn eat_any(&mut self, words: &[&str]) -> bool {
        words.iter().any(|w| self.eat(w))
    }

    /// `maj`, `M`, `Δ`, or `ma` when a number follows (`Cma7`, but not `Cmadd9`).
    fn eat_major_marker(&mut self) -> bool {
        let number_after_two = self
            .chars
            .get(self.pos + 2)
            .is_some_and(|c| c.is_ascii_digit());
        if number_after_two && (self.eat("ma") || self.eat("Ma")) {
            return true;
        }
        self.eat_any(&["maj", "Maj", "MAJ", "M", "Δ"])
    }

    /// Reads a chord number: 11 and 13 as two digits, anything else one digit
    /// (so `69` is 6 then 9 and `7913` is 7, 9, 13).
    fn number(&mut self) -> Option<u32> {
        let digit = |c: Option<&char>| c.and_then(|c| c.to_digit(10));
        let first = digit(self.chars.get(self.pos))?;
        if first == 1
            && let Some(second @ (1 | 3)) = digit(self.chars.get(self.pos + 1))
        {
            self.pos += 2;
            return Some(10 + second);
        }
        self.pos += 1;
        Some(first)
    }

    fn set_triad(&mut self, triad: Triad) -> Result<()> {
        match self.triad {
            Some(existing) if existing != triad => {
                let clash =
                    matches!(existing, Triad::Minor) && matches!(triad, Triad::Sus2 | Triad::Sus4);
                Err(self.invalid(if clash {
                    "a sus chord has no third, so it cannot also be minor"
                } else {
                    "it names two different triads"
                }))
            }
            _ => {
                self.triad = Some(triad);
                Ok(())
            }
        }
    }

    fn set_seventh(&mut self, seventh: Seventh) -> Result<()> {
        match self.quality.seventh {
            Some(existing) if existing != seventh => {
                Err(self.invalid("it names two different sevenths"))
            }
            _ => {
                self.quality.seventh = Some(seventh);
                Ok(())
            }
        }
    }

    fn extend_to(&mut self, number: u32) -> Result<()> {
        let extension = match number {
            9 => Extension::Ninth,
            11 => Extension::Eleventh,
            13 => Extension::Thirteenth,
            _ => return Err(self.unknown()),
        };
        self.quality.extension = Some(
            self.quality
                .extension
                .map_or(extension, |e| e.max(extension)),
        );
        Ok(())
    }

    fn alteration(&mut self, sharp: bool, number: u32) -> Result<()> {
        let alteration = match (sharp, number) {
            (false, 5) => Alteration::FlatFive,
            (true, 5) => Alteration::SharpFive,
            (false, 9) => Alteration::FlatNine,
            (true, 9) => Alteration::SharpNine,
            (true, 11 | 4) => Alteration::SharpEleven,
            (false, 13 | 6) => Alteration::FlatThirteen,
            _ => {
                return Err(self.invalid("supported alterations are b5, #5, b9, #9, #11 and b13"));
            }
        };
        self.quality.alterations.insert(alteration);
        Ok(())
    }

    /// A bare number after the root: 5, 6, 6/9, 7, 9, 11, 13, 2 (= add9), 4 (= sus4).
    fn bare_number(&mut self, number: u32, first: bool) -> Result<()> {
        match number {
            5 if first && self.pos == self.chars.len() => self.set_triad(Triad::Power),
            6 => {
                self.quality.sixth = true;
                if self.eat("/9") || self.eat("9") || self.eat("add9") {
                    self.quality.added.insert(AddedTone::Ninth);
                }
                Ok(())
            }
            7 => {
                let seventh =
                    if self.triad == Some(Triad::Diminished) && self.quality.seventh.is_none() {
                        Seventh::Diminished
                    } else {
                        self.quality.seventh.unwrap_or(Seventh::Minor)
                    };
                self.set_seventh(seventh)
            }
            9 if self.quality.sixth => {
                self.quality.added.insert(AddedTone::Ninth);
                Ok(())
            }
            9 | 11 | 13 => {
                if self.quality.seventh.is_none() {
                    self.set_seventh(Seventh::Minor)?;
                }
                self.extend_to(number)
            }
            2 => {
                self.quality.added.insert(AddedTone::Ninth);
                Ok(())
            }
            4 => self.set_triad(Triad::Sus4),
            _ => Err(self.unknown()),
        }
    }

    fn parse(mut self) -> Result<ChordQuality> {
        while let Some(c) = self.peek() {
            if c == SEP {
                self.pos += 1;
                continue;
            }
            let first = self.tokens == 0;
            self.tokens += 1;
            self.token(c, first)?;
        }
        self.finish()
    }

    fn token(&mut self, c: char, first: bool) -> Result<()> {
        if self.eat_major_marker() {
            let triangle = self.chars.get(self.pos.wrapping_sub(1)) == Some(&'Δ');
            return match self.number() {
                Some(7) => self.set_seventh(Seventh::Major),
                Some(n @ (9 | 11 | 13)) => {
                    self.set_seventh(Seventh::Major)?;
                    self.extend_to(n)
                }
                None if triangle => self.set_seventh(Seventh::Major),
                None => Ok(()),
                Some(_) => Err(self.unknown()),
            };
        }
        if self.eat("omit") || self.eat("no") {
            let omitted = match self.number() {
                Some(1) => OmittedTone::Root,
                Some(3) => OmittedTone::Third,
                Some(5) => OmittedTone::Fifth,
                _ => {
                    return Err(
                        self.invalid("only the root (1), third (3) or fifth (5) can be omitted")
                    );
                }
            };
            self.quality.omitted.insert(omitted);
            return Ok(());
        }
        if first && self.eat_any(&["min", "mi", "m", "-"]) {
            return self.set_triad(Triad::Minor);
        }
        if self.eat_any(&["dim", "o"]) {
            self.set_triad(Triad::Diminished)?;
            if self.eat("7") {
                self.set_seventh(Seventh::Diminished)?;
            }
            return Ok(());
        }
        if self.eat("ø") {
            self.set_triad(Triad::Diminished)?;
            self.set_seventh(Seventh::Minor)?;
            return match self.number() {
                None | Some(7) => Ok(()),
                Some(n) => self.extend_to(n),
            };
        }
        if self.eat("aug") || (first && self.eat("+")) {
            return self.set_triad(Triad::Augmented);
        }
        if self.eat("sus") {
            let triad = match self.number() {
                None | Some(4) => Triad::Sus4,
                Some(2) => Triad::Sus2,
                Some(_) => return Err(self.invalid("write sus2 or sus4")),
            };
            return self.set_triad(triad);
        }
        if self.eat("add") {
            let sharp = match self.peek() {
                Some('b' | '-') => Some(false),
                Some('#' | '+') => Some(true),
                _ => None,
            };
            if sharp.is_some() {
                self.pos += 1;
            }
            let number = self
                .number()
                .ok_or_else(|| self.invalid("add needs a number, e.g. add9"))?;
            if let Some(sharp) = sharp {
                return self.alteration(sharp, number);
            }
            let added = match number {
                2 | 9 => AddedTone::Ninth,
                4 | 11 => AddedTone::Eleventh,
                13 => AddedTone::Thirteenth,
                6 => {
                    self.quality.sixth = true;
                    return Ok(());
                }
                _ => return Err(self.invalid("add takes 2, 4, 6, 9, 11 or 13")),
            };
            self.quality.added.insert(added);
            return Ok(());
        }
        if self.eat("alt") {
            self.eat(".");
            self.quality.altered = true;
            return Ok(());
        }
        if self.eat("dom") {
            return self.set_seventh(Seventh::Minor);
        }
        if matches!(c, 'b' | '#' | '+' | '-')
            && self
                .chars
                .get(self.pos + 1)
                .is_some_and(|d| d.is_ascii_digit())
        {
            self.pos += 1;
            let number = self.number().ok_or_else(|| self.unknown())?;
            return self.alteration(matches!(c, '#' | '+'), number);
        }
        if c.is_ascii_digit() {
            let number = self.number().ok_or_else(|| self.unknown())?;
            return self.bare_number(number, first);
        }
        Err(self.unknown())
    }

    fn finish(mut self) -> Result<ChordQuality> {
        let triad = self.triad.unwrap_or(self.unnamed_triad);
        if self.quality.altered && triad != Triad::Major {
            return Err(self.invalid("alt is a dominant chord; write 7alt"));
        }
        if self.quality.sixth {
            // As normalised: `#5` makes the triad augmented, and `b5` a minor one diminished.
            let normalized = self.quality.with_triad(triad).triad;
            if !matches!(normalized, Triad::Major | Triad::Minor) {
                return Err(self.invalid(
                    "a 6 chord needs a major or minor triad, not a sus, power, augmented (#5) or diminished one",
                ));
            }
            if self.quality.seventh.is_some() {
                return Err(self.invalid("6 and 7 together; write 13 for a dominant with a sixth"));
            }
            if self.quality.altered {
                return Err(self.invalid("6 and alt together; alt already carries a b13"));
            }
        }
        if self.quality.seventh == Some(Seventh::Diminished) && self.quality.extension.is_some() {
            return Err(
                self.invalid("extensions on a diminished seventh are not supported; use add9")
            );
        }
        if triad == Triad::Power
            && (self.quality.seventh.is_some() || !self.quality.alterations.is_empty())
        {
            return Err(self.invalid("a power chord (5) has only root and fifth"));
        }
        self.quality.triad = triad;
        self.quality.normalize();
        if self.quality.intervals().is_empty() {
            return Err(self.invalid("it omits every note of the chord"));
        }
        Ok(self.quality)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suffix_of(text: &str) -> String {
        ChordQuality::parse(text, text).unwrap().to_string()
    }

    #[test]
    fn spellings_of_one_quality_share_a_canonical_suffix() {
        let groups: &[(&str, &[&str])] = &[
            ("", &["", "M", "maj"]),
            ("m", &["m", "min", "mi", "-"]),
            ("dim", &["dim", "o", "°"]),
            ("aug", &["aug", "+", "(#5)"]),
            ("dim7", &["dim7", "o7", "°7"]),
            (
                "m7b5",
                &["m7b5", "m7♭5", "ø", "ø7", "Ø7", "-7b5", "min7(b5)"],
            ),
            ("maj7", &["maj7", "Δ", "Δ7", "M7", "Ma7", "∆7"]),
            ("m7", &["m7", "-7", "min7", "mi7"]),
            ("m(maj7)", &["mMaj7", "m(maj7)", "mM7", "-Δ7", "minmaj7"]),
            ("sus4", &["sus4", "sus"]),
            ("6/9", &["6/9", "69", "6add9", "6(9)"]),
            (
                "7(b9,#11)",
                &["7(b9,#11)", "7b9#11", "7(♭9,♯11)", "7(#11,b9)"],
            ),
            ("7#5", &["7#5", "+7", "aug7", "7+5"]),
            ("13#11", &["13#11", "13(#11)"]),
            ("m(maj9)", &["m(maj9)", "mMaj9"]),
            ("add9", &["add9", "2", "add2", "(add9)"]),
            ("7(omit3)", &["7(omit3)", "7no3"]),
            ("7alt", &["7alt", "alt", "7alt."]),
        ];
        for (canonical, inputs) in groups {
            for input in *inputs {
                assert_eq!(&suffix_of(input), canonical, "suffix `{input}`");
            }
        }
    }

    #[test]
    fn rejects_nonsense_with_a_clear_message() {
        for bad in [
            "xyz", "m7q", "msus4", "6/7", "7b11", "add", "omit7", "7#13", "alt6", "7alt6",
        ] {
            let error = ChordQuality::parse(bad, &format!("C{bad}")).unwrap_err();
            assert!(error.to_string().contains(&format!("C{bad}")), "{error}");
        }
        let message = ChordQuality::parse("xyz", "Cxyz").unwrap_err().to_string();
        assert_eq!(
            message,
            "unknown chord quality `xyz` in `Cxyz`; expected e.g. m7, maj7, 7, dim7, m7b5, sus4, 9, 13, 7(b9,#11)"
        );
    }
}
