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
//!
//! Layout: `parse` reads suffixes, `write` prints the canonical one, and
//! `catalog` lists every quality the engine names from notes.

use std::collections::BTreeSet;

use crate::interval::Interval;

mod catalog;
mod parse;
mod write;

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
        // First, so that an alteration `alt` already holds (`Calt#5`) makes no augmented triad.
        if self.altered {
            self.alterations.clear();
            self.extension = None;
            self.seventh = Some(Seventh::Minor);
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
