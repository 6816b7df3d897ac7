//! Chord qualities: the part of a chord symbol after the root.
//!
//! A quality is stored structurally (triad, seventh, sixth, extension,
//! alterations, added and omitted tones) and always kept in one normal form,
//! so two spellings of the same symbol (`m7b5`, `ø7`, `-7b5`) compare equal and
//! print back as the same canonical suffix.
//!
//! Canonical suffixes (ASCII; `{:#}` prints ♭/♯ instead of b/#):
//! `""`, `m`, `dim`, `aug`, `sus2`, `sus4`, `5`, `6`, `m6`, `6/9`, `m6/9`,
//! `7`, `maj7`, `m7`, `m(maj7)`, `dim7`, `m7b5`, `7#5`, `maj7#5`, `7sus4`,
//! `9`, `maj9`, `m9`, `11`, `13`, `maj13`, `m(maj9)`, `7alt`; one modifier is
//! appended directly (`7b9`, `13#11`, `add9`), several go in parentheses
//! (`7(b9,#11)`), omissions always do (`7(omit3)`).

use std::collections::BTreeSet;
use std::fmt;

use super::error::{Result, TheoryError};
use super::interval::Interval;

/// The basic three-note shape of a chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Triad {
    Major,
    Minor,
    Diminished,
    Augmented,
    /// Major second instead of a third.
    Sus2,
    /// Perfect fourth instead of a third.
    Sus4,
    /// Root and fifth only (`C5`).
    Power,
}

/// The seventh above the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seventh {
    /// Diminished seventh (B𝄫 over C), only on a diminished triad.
    Diminished,
    /// Minor seventh (B♭ over C): dominant, minor and half-diminished sevenths.
    Minor,
    /// Major seventh (B over C).
    Major,
}

/// The highest stacked extension; each includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Extension {
    Ninth,
    Eleventh,
    Thirteenth,
}

/// Chromatic alterations of the fifth and of the tensions, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Alteration {
    FlatFive,
    SharpFive,
    FlatNine,
    SharpNine,
    SharpEleven,
    FlatThirteen,
}

impl Alteration {
    pub const ALL: [Alteration; 6] = [
        Alteration::FlatFive,
        Alteration::SharpFive,
        Alteration::FlatNine,
        Alteration::SharpNine,
        Alteration::SharpEleven,
        Alteration::FlatThirteen,
    ];

    fn text(self) -> &'static str {
        match self {
            Alteration::FlatFive => "b5",
            Alteration::SharpFive => "#5",
            Alteration::FlatNine => "b9",
            Alteration::SharpNine => "#9",
            Alteration::SharpEleven => "#11",
            Alteration::FlatThirteen => "b13",
        }
    }
}

/// Tensions added without implying a seventh (`add9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddedTone {
    Ninth,
    Eleventh,
    Thirteenth,
}

impl AddedTone {
    pub const ALL: [AddedTone; 3] = [AddedTone::Ninth, AddedTone::Eleventh, AddedTone::Thirteenth];

    fn text(self) -> &'static str {
        match self {
            AddedTone::Ninth => "add9",
            AddedTone::Eleventh => "add11",
            AddedTone::Thirteenth => "add13",
        }
    }
}

/// Chord tones left out (`C7(omit3)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OmittedTone {
    Root,
    Third,
    Fifth,
}

impl OmittedTone {
    fn number(self) -> u8 {
        match self {
            OmittedTone::Root => 1,
            OmittedTone::Third => 3,
            OmittedTone::Fifth => 5,
        }
    }
}

/// A chord quality in normal form. Build one with [`ChordQuality::parse`] or
/// the named constructors; the fields stay consistent because they are private.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChordQuality {
    triad: Triad,
    seventh: Option<Seventh>,
    sixth: bool,
    extension: Option<Extension>,
    alterations: BTreeSet<Alteration>,
    added: BTreeSet<AddedTone>,
    omitted: BTreeSet<OmittedTone>,
    altered: bool,
}

/// Separator that parentheses, commas and spaces become while parsing.
const SEP: char = '|';

impl ChordQuality {
    fn plain(triad: Triad, seventh: Option<Seventh>) -> Self {
        ChordQuality {
            triad,
            seventh,
            sixth: false,
            extension: None,
            alterations: BTreeSet::new(),
            added: BTreeSet::new(),
            omitted: BTreeSet::new(),
            altered: false,
        }
    }

    pub fn major() -> Self {
        Self::plain(Triad::Major, None)
    }

    pub fn minor() -> Self {
        Self::plain(Triad::Minor, None)
    }

    pub fn diminished() -> Self {
        Self::plain(Triad::Diminished, None)
    }

    pub fn augmented() -> Self {
        Self::plain(Triad::Augmented, None)
    }

    pub fn dominant_seventh() -> Self {
        Self::plain(Triad::Major, Some(Seventh::Minor))
    }

    pub fn major_seventh() -> Self {
        Self::plain(Triad::Major, Some(Seventh::Major))
    }

    pub fn minor_seventh() -> Self {
        Self::plain(Triad::Minor, Some(Seventh::Minor))
    }

    pub fn half_diminished() -> Self {
        Self::plain(Triad::Diminished, Some(Seventh::Minor))
    }

    pub fn diminished_seventh() -> Self {
        Self::plain(Triad::Diminished, Some(Seventh::Diminished))
    }

    pub fn triad(&self) -> Triad {
        self.triad
    }

    pub fn seventh(&self) -> Option<Seventh> {
        self.seventh
    }

    pub fn has_sixth(&self) -> bool {
        self.sixth
    }

    pub fn extension(&self) -> Option<Extension> {
        self.extension
    }

    pub fn alterations(&self) -> &BTreeSet<Alteration> {
        &self.alterations
    }

    pub fn added(&self) -> &BTreeSet<AddedTone> {
        &self.added
    }

    pub fn omitted(&self) -> &BTreeSet<OmittedTone> {
        &self.omitted
    }

    /// True for `7alt`.
    pub fn is_altered_dominant(&self) -> bool {
        self.altered
    }

    /// Major (or augmented/suspended) triad with a minor seventh: the dominant family.
    pub fn is_dominant(&self) -> bool {
        self.seventh == Some(Seventh::Minor)
            && matches!(
                self.triad,
                Triad::Major | Triad::Augmented | Triad::Sus4 | Triad::Sus2
            )
    }

    /// True when nothing but a triad (or triad plus seventh) is present: the
    /// shapes classical figured numerals describe.
    pub fn is_triad_or_seventh(&self) -> bool {
        !self.sixth
            && self.extension.is_none()
            && self.alterations.is_empty()
            && self.added.is_empty()
            && self.omitted.is_empty()
            && !self.altered
            && self.triad != Triad::Power
    }

    /// The same quality with another triad, normalised again.
    pub(crate) fn with_triad(&self, triad: Triad) -> Self {
        let mut quality = self.clone();
        quality.triad = triad;
        quality.normalize();
        quality
    }

    /// The same quality with another seventh, normalised again.
    pub(crate) fn with_seventh(&self, seventh: Option<Seventh>) -> Self {
        let mut quality = self.clone();
        quality.seventh = seventh;
        if seventh.is_none() {
            quality.extension = None;
            quality.altered = false;
        }
        quality.normalize();
        quality
    }

    /// The same quality without alterations, `alt` or added tones: what a
    /// tritone substitute or a simplified chart keeps.
    pub(crate) fn without_alterations(&self) -> Self {
        let mut quality = self.clone();
        quality.alterations.clear();
        quality.altered = false;
        if quality.triad == Triad::Augmented && quality.seventh.is_some() {
            quality.triad = Triad::Major;
        }
        quality.normalize();
        quality
    }

    /// Intervals above the root, lowest degree first (root, third, fifth, sixth,
    /// seventh, ninth, eleventh, thirteenth).
    pub fn intervals(&self) -> Vec<Interval> {
        let mut tones = Vec::new();
        let omits = |t: OmittedTone| self.omitted.contains(&t);
        let alters = |a: Alteration| self.alterations.contains(&a);
        if !omits(OmittedTone::Root) {
            tones.push(Interval::UNISON);
        }
        if !omits(OmittedTone::Third) {
            match self.triad {
                Triad::Major | Triad::Augmented => tones.push(Interval::MAJOR_THIRD),
                Triad::Minor | Triad::Diminished => tones.push(Interval::MINOR_THIRD),
                Triad::Sus2 => tones.push(Interval::MAJOR_SECOND),
                Triad::Sus4 => tones.push(Interval::PERFECT_FOURTH),
                Triad::Power => {}
            }
        }
        if !omits(OmittedTone::Fifth) {
            let flat_five = self.altered || alters(Alteration::FlatFive);
            match self.triad {
                Triad::Diminished => tones.push(Interval::DIMINISHED_FIFTH),
                Triad::Augmented => tones.push(Interval::AUGMENTED_FIFTH),
                _ if flat_five || alters(Alteration::SharpFive) => {
                    if flat_five {
                        tones.push(Interval::DIMINISHED_FIFTH);
                    }
                    if alters(Alteration::SharpFive) {
                        tones.push(Interval::AUGMENTED_FIFTH);
                    }
                }
                _ => tones.push(Interval::PERFECT_FIFTH),
            }
        }
        if self.sixth {
            tones.push(Interval::MAJOR_SIXTH);
        }
        match self.seventh {
            Some(Seventh::Diminished) => tones.push(Interval::DIMINISHED_SEVENTH),
            Some(Seventh::Minor) => tones.push(Interval::MINOR_SEVENTH),
            Some(Seventh::Major) => tones.push(Interval::MAJOR_SEVENTH),
            None => {}
        }
        let extension = self.extension;
        let has_added = |t: AddedTone| self.added.contains(&t);
        let flat_nine = self.altered || alters(Alteration::FlatNine);
        let sharp_nine = self.altered || alters(Alteration::SharpNine);
        if flat_nine || sharp_nine {
            if flat_nine {
                tones.push(Interval::MINOR_NINTH);
            }
            if sharp_nine {
                tones.push(Interval::AUGMENTED_NINTH);
            }
        } else if extension.is_some() || has_added(AddedTone::Ninth) {
            tones.push(Interval::MAJOR_NINTH);
        }
        // A natural 11 clashes with a major third, so a major or dominant 13th
        // chord leaves it out; an explicit 11th chord keeps it.
        let major_third = matches!(self.triad, Triad::Major | Triad::Augmented);
        let stacked_eleventh = extension == Some(Extension::Eleventh)
            || (extension == Some(Extension::Thirteenth) && !major_third);
        if alters(Alteration::SharpEleven) {
            tones.push(Interval::AUGMENTED_ELEVENTH);
        } else if stacked_eleventh || has_added(AddedTone::Eleventh) {
            tones.push(Interval::PERFECT_ELEVENTH);
        }
        if self.altered || alters(Alteration::FlatThirteen) {
            tones.push(Interval::MINOR_THIRTEENTH);
        } else if extension == Some(Extension::Thirteenth) || has_added(AddedTone::Thirteenth) {
            tones.push(Interval::MAJOR_THIRTEENTH);
        }
        tones.sort();
        tones.dedup();
        tones
    }

    /// Puts the quality in normal form: alterations that are really a triad
    /// become the triad (`m7b5` is a diminished triad with minor seventh), and
    /// added tones already present disappear.
    fn normalize(&mut self) {
        if self.triad == Triad::Major && self.alterations.contains(&Alteration::SharpFive) {
            self.triad = Triad::Augmented;
        }
        if self.triad == Triad::Minor && self.alterations.contains(&Alteration::FlatFive) {
            self.triad = Triad::Diminished;
        }
        match self.triad {
            Triad::Augmented => {
                self.alterations.remove(&Alteration::SharpFive);
            }
            Triad::Diminished => {
                self.alterations.remove(&Alteration::FlatFive);
            }
            _ => {}
        }
        if self.altered {
            self.alterations.clear();
            self.extension = None;
            self.seventh = Some(Seventh::Minor);
        }
        if let Some(extension) = self.extension {
            self.added.remove(&AddedTone::Ninth);
            if extension >= Extension::Eleventh {
                self.added.remove(&AddedTone::Eleventh);
            }
            if extension == Extension::Thirteenth {
                self.added.remove(&AddedTone::Thirteenth);
            }
        }
        if matches!(self.triad, Triad::Sus2 | Triad::Sus4 | Triad::Power) {
            self.omitted.remove(&OmittedTone::Third);
        }
        if self.triad == Triad::Power {
            self.omitted.remove(&OmittedTone::Fifth);
        }
    }

    /// A rough measure of how much a symbol says beyond a triad; used to pick
    /// the plainest name when several fit the same notes.
    pub(crate) fn complexity(&self) -> u32 {
        let count = |n: usize| n as u32;
        // Alterations and unusual added tones on a bare triad are rare in
        // charts, so they cost more than the same notes read as a seventh
        // chord over another bass.
        let bare_triad = self.seventh.is_none() && !self.sixth;
        let per_alteration = if bare_triad { 4 } else { 2 };
        let added: u32 = self
            .added
            .iter()
            .map(|&t| if t == AddedTone::Ninth { 2 } else { 4 })
            .sum();
        u32::from(self.seventh.is_some())
            + u32::from(self.sixth)
            + u32::from(self.extension.is_some())
            + u32::from(matches!(
                self.triad,
                Triad::Sus2 | Triad::Sus4 | Triad::Power | Triad::Augmented
            ))
            + per_alteration * count(self.alterations.len())
            + added
            + 3 * count(self.omitted.len())
            + 2 * u32::from(self.altered)
    }

    /// Reads a chord suffix such as `m7b5`, `7(b9,#11)`, `Δ7`, `-7`, `6/9`.
    /// `symbol` is only used in error messages.
    pub fn parse(suffix: &str, symbol: &str) -> Result<Self> {
        SuffixParser::new(suffix, symbol).parse()
    }

    /// The canonical suffix; ♭/♯ instead of b/# when `unicode`.
    pub fn suffix(&self, unicode: bool) -> String {
        let text = self.ascii_suffix();
        if unicode {
            text.replace('b', "♭").replace('#', "♯")
        } else {
            text
        }
    }

    fn ascii_suffix(&self) -> String {
        let number = match self.extension {
            None => "7",
            Some(Extension::Ninth) => "9",
            Some(Extension::Eleventh) => "11",
            Some(Extension::Thirteenth) => "13",
        };
        let six_nine = self.sixth && self.added.contains(&AddedTone::Ninth);
        let sixth = if six_nine { "6/9" } else { "6" };
        let base = match (self.triad, self.seventh) {
            (Triad::Power, _) => "5".to_string(),
            (Triad::Major, None) if self.sixth => sixth.to_string(),
            (Triad::Minor, None) if self.sixth => format!("m{sixth}"),
            (Triad::Major, None) => String::new(),
            (Triad::Minor, None) => "m".into(),
            (Triad::Diminished, None) => "dim".into(),
            (Triad::Augmented, None) => "aug".into(),
            (Triad::Sus2, None) => "sus2".into(),
            (Triad::Sus4, None) => "sus4".into(),
            (_, Some(Seventh::Diminished)) => "dim7".into(),
            (Triad::Major, Some(Seventh::Minor)) if self.altered => "7alt".into(),
            (Triad::Major, Some(Seventh::Minor)) => number.into(),
            (Triad::Major, Some(Seventh::Major)) => format!("maj{number}"),
            (Triad::Minor, Some(Seventh::Minor)) => format!("m{number}"),
            (Triad::Minor, Some(Seventh::Major)) => format!("m(maj{number})"),
            (Triad::Diminished, Some(Seventh::Minor)) => format!("m{number}b5"),
            (Triad::Diminished, Some(Seventh::Major)) => format!("dim(maj{number})"),
            (Triad::Augmented, Some(Seventh::Minor)) => format!("{number}#5"),
            (Triad::Augmented, Some(Seventh::Major)) => format!("maj{number}#5"),
            (Triad::Sus2, Some(Seventh::Minor)) => format!("{number}sus2"),
            (Triad::Sus4, Some(Seventh::Minor)) => format!("{number}sus4"),
            (Triad::Sus2, Some(Seventh::Major)) => format!("maj{number}sus2"),
            (Triad::Sus4, Some(Seventh::Major)) => format!("maj{number}sus4"),
        };
        let mut modifiers: Vec<&str> = self.alterations.iter().map(|a| a.text()).collect();
        modifiers.extend(
            self.added
                .iter()
                .filter(|&&t| !(six_nine && t == AddedTone::Ninth))
                .map(|t| t.text()),
        );
        let base_ends_altered = base.ends_with("b5") || base.ends_with("#5");
        let starts_with_accidental = modifiers.first().is_some_and(|m| m.starts_with(['b', '#']));
        // `Cb5` would read as C-flat power chord, so a bare alteration on a
        // plain triad goes in parentheses.
        let parenthesize = !modifiers.is_empty()
            && (modifiers.len() > 1
                || base_ends_altered
                || (base.is_empty() && starts_with_accidental)
                || base.ends_with(')'));
        let mut text = base;
        if parenthesize {
            text.push('(');
            text.push_str(&modifiers.join(","));
            text.push(')');
        } else if let Some(modifier) = modifiers.first() {
            text.push_str(modifier);
        }
        for omitted in &self.omitted {
            text.push_str(&format!("(omit{})", omitted.number()));
        }
        text
    }

    /// Every quality the engine names from notes: all parseable combinations
    /// of triad, seventh, sixth, extension, up to two alterations, one added
    /// and one omitted tone. Each is in normal form and prints canonically.
    pub(crate) fn catalog() -> Vec<ChordQuality> {
        let mut all = Vec::new();
        let triads = [
            Triad::Major,
            Triad::Minor,
            Triad::Diminished,
            Triad::Augmented,
            Triad::Sus2,
            Triad::Sus4,
        ];
        let mut alteration_sets: Vec<Vec<Alteration>> = vec![vec![]];
        for (i, &a) in Alteration::ALL.iter().enumerate() {
            alteration_sets.push(vec![a]);
            for &b in &Alteration::ALL[i + 1..] {
                alteration_sets.push(vec![a, b]);
            }
        }
        for triad in triads {
            let sevenths: &[Option<Seventh>] = if triad == Triad::Diminished {
                &[
                    None,
                    Some(Seventh::Diminished),
                    Some(Seventh::Minor),
                    Some(Seventh::Major),
                ]
            } else {
                &[None, Some(Seventh::Minor), Some(Seventh::Major)]
            };
            for &seventh in sevenths {
                let extensions: &[Option<Extension>] = match seventh {
                    Some(Seventh::Minor | Seventh::Major) => &[
                        None,
                        Some(Extension::Ninth),
                        Some(Extension::Eleventh),
                        Some(Extension::Thirteenth),
                    ],
                    _ => &[None],
                };
                let sixths: &[bool] =
                    if seventh.is_none() && matches!(triad, Triad::Major | Triad::Minor) {
                        &[false, true]
                    } else {
                        &[false]
                    };
                for &extension in extensions {
                    for &sixth in sixths {
                        for alterations in &alteration_sets {
                            for added in [
                                None,
                                Some(AddedTone::Ninth),
                                Some(AddedTone::Eleventh),
                                Some(AddedTone::Thirteenth),
                            ] {
                                for omitted in
                                    [None, Some(OmittedTone::Third), Some(OmittedTone::Fifth)]
                                {
                                    let mut quality = ChordQuality::plain(triad, seventh);
                                    quality.extension = extension;
                                    quality.sixth = sixth;
                                    quality.alterations.extend(alterations.iter().copied());
                                    quality.added.extend(added);
                                    quality.omitted.extend(omitted);
                                    if quality.is_catalog_worthy() {
                                        all.push(quality);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut altered = ChordQuality::dominant_seventh();
        altered.altered = true;
        all.push(altered);
        all.push(ChordQuality::plain(Triad::Power, None));
        all
    }

    /// Filters out combinations that repeat or contradict themselves.
    fn is_catalog_worthy(&self) -> bool {
        let alters = |a: Alteration| self.alterations.contains(&a);
        let fifth_altered = alters(Alteration::FlatFive) || alters(Alteration::SharpFive);
        let contradictory = match self.triad {
            Triad::Major => alters(Alteration::SharpFive),
            Triad::Minor => alters(Alteration::FlatFive),
            Triad::Diminished | Triad::Augmented => fifth_altered,
            _ => false,
        };
        let added_twice = self.added.iter().any(|&t| match (t, self.extension) {
            (_, None) => false,
            (AddedTone::Ninth, Some(_)) => true,
            (AddedTone::Eleventh, Some(e)) => e >= Extension::Eleventh,
            (AddedTone::Thirteenth, Some(e)) => e == Extension::Thirteenth,
        });
        let omits_third_of_sus = self.omitted.contains(&OmittedTone::Third)
            && matches!(self.triad, Triad::Sus2 | Triad::Sus4);
        let omits_altered_fifth = self.omitted.contains(&OmittedTone::Fifth)
            && (fifth_altered || matches!(self.triad, Triad::Diminished | Triad::Augmented));
        let too_busy = (!self.omitted.is_empty() && self.alterations.len() > 1)
            || (self.omitted.contains(&OmittedTone::Third) && !self.alterations.is_empty());
        // A ninth over sus2 doubles the second, so such names only shadow the sus4 ones.
        let doubled_second = self.triad == Triad::Sus2
            && (self.extension.is_some() || self.added.contains(&AddedTone::Ninth));
        !(contradictory
            || added_twice
            || omits_third_of_sus
            || omits_altered_fifth
            || too_busy
            || doubled_second)
    }
}

impl fmt::Display for ChordQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.suffix(f.alternate()))
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
    tokens: usize,
}

impl<'a> SuffixParser<'a> {
    fn new(suffix: &'a str, symbol: &'a str) -> Self {
        SuffixParser {
            chars: normalize_suffix(suffix),
            pos: 0,
            suffix,
            symbol,
            quality: ChordQuality::major(),
            triad: None,
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
        let triad = self.triad.unwrap_or(Triad::Major);
        if self.quality.altered && triad != Triad::Major {
            return Err(self.invalid("alt is a dominant chord; write 7alt"));
        }
        if self.quality.sixth {
            if !matches!(triad, Triad::Major | Triad::Minor) {
                return Err(self.invalid("a 6 chord needs a major or minor third"));
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
    fn intervals_of_common_qualities() {
        let degrees = |text: &str| {
            ChordQuality::parse(text, text)
                .unwrap()
                .intervals()
                .iter()
                .map(|i| i.degree_label())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(degrees("maj7"), "1 3 5 7");
        assert_eq!(degrees("dim7"), "1 b3 b5 bb7");
        assert_eq!(degrees("m7b5"), "1 b3 b5 b7");
        assert_eq!(degrees("13"), "1 3 5 b7 9 13");
        assert_eq!(degrees("m13"), "1 b3 5 b7 9 11 13");
        assert_eq!(degrees("11"), "1 3 5 b7 9 11");
        assert_eq!(degrees("7alt"), "1 3 b5 b7 b9 #9 b13");
        assert_eq!(degrees("6/9"), "1 3 5 6 9");
        assert_eq!(degrees("7(omit3)"), "1 5 b7");
        assert_eq!(degrees("13#11"), "1 3 5 b7 9 #11 13");
        assert_eq!(degrees("7b13"), "1 3 5 b7 b13");
        assert_eq!(degrees("9sus4"), "1 4 5 b7 9");
        assert_eq!(degrees("5"), "1 5");
        assert_eq!(degrees("madd9"), "1 b3 5 9");
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

    #[test]
    fn every_catalog_quality_prints_and_parses_back() {
        let catalog = ChordQuality::catalog();
        assert!(catalog.len() > 1000);
        for quality in catalog {
            let text = quality.to_string();
            let parsed = ChordQuality::parse(&text, &text)
                .unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"));
            assert_eq!(parsed, quality, "`{text}`");
            let unicode = quality.suffix(true);
            assert_eq!(ChordQuality::parse(&unicode, &unicode).unwrap(), quality);
        }
    }
}
