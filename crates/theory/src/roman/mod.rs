//! Roman numerals: reading, writing, numeral + key → chord and chord + key → numeral.
//!
//! Notation (ASCII canonical, `{:#}` for ♭ ♯ °):
//! - Case gives the third: `V` major, `ii` minor; `o` diminished, `ø` half
//!   diminished, `+` augmented: `viio7`, `viiø7`, `III+`.
//! - Figures give inversions: triads `6`, `64`; sevenths `7`, `65`, `43`, `42`.
//! - Any chord suffix may follow instead (`V7b9`, `ii9`, `Imaj7`, `V13#11`,
//!   `Iadd6`, `I69`, `V7sus4`); `6` and `64` are always inversion figures.
//! - Secondary (applied) chords: `V7/V`, `viio7/ii`, nested `V/V/V`.
//! - `N`/`N53` and `N6`/`N64` Neapolitan; `Cad64` the cadential six-four; `It+6`,
//!   `Fr+6`, `Ger+6` and `Sw` augmented sixths, in their usual position over ♭6, or in
//!   an inversion counted from the chord's root (`Ger7`, `Fr65`, `It53`).
//! - Figures may be written with slashes (`V6/5`, `V4/3`, `I6/4`, `V4/2`), `/o` and `%`
//!   are `ø`, `M7` is `maj7`, and `d7` marks a dominant seventh (`Vd7`).
//! - Brackets after the figure change its chord (`IV6[no1][add2]`, `V7[no5]`, `V9[b9]`);
//!   see `brackets`.
//! - `♭`/`♯` before the numeral alter the root relative to the **major**
//!   scale on the tonic, in major and minor keys alike, so `♭VI` is A♭ in both
//!   C major and C minor. Unmarked numerals in minor use natural minor, except
//!   that lower-case VI and VII (`vi°`, `vii°`, `viiø7`) take the raised sixth
//!   and seventh; `♮VI`/`♮VII` write a raised root under an upper-case numeral.
//!   `-` may stand for `♭` (`-VI`). [`Style::RomanText`] reads accidentals as
//!   RomanText files mean them.
//!
//! [`Style`] decides what a bare upper-case `7` means: in
//! [`Style::Classical`] (the default) it is the seventh found in the key
//! (`I7` = Cmaj7 and `V7` = G7 in C major; off-key roots take the parallel
//! key's, so `♭VII7` = B♭7), in [`Style::Jazz`] it is always a dominant
//! seventh (`I7` = C7, blues), in [`Style::RomanText`] it is the key's scale
//! seventh above any root (`♭VII7` = B♭maj7), and so are a ninth and above (`V9` in A
//! minor has F♮; a thirteenth keeps its eleventh). `maj7` and `dom7` are explicit in
//! every style.
//!
//! Layout: `parse` reads numerals, `write` prints them, `realize` turns a
//! numeral and a key into a chord, `brackets` applies bracketed changes, `analyze` finds
//! the numeral for a chord.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Result, TheoryError};
use crate::interval::Interval;
use crate::pitch::PitchClass;
use crate::quality::{ChordQuality, Seventh, Triad};
use crate::scale::Key;

mod analyze;
mod brackets;
mod parse;
mod realize;
mod write;

pub use brackets::Bracket;
pub use parse::parse_numerals;

/// How a bare upper-case `7` is read; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// `I7` in major is a major seventh chord: the seventh comes from the key.
    #[default]
    Classical,
    /// `I7` is a dominant seventh, as in jazz and blues charts.
    Jazz,
    /// As RomanText analyses mean their figures (music21's reading of them): classical, but
    /// a plain `7` is the key's scale seventh above any root (`♭VII7` in C is B♭maj7), an
    /// accidental before III in minor alters the minor third (`♭III` in A minor is C♭), a
    /// sharp before the sixth or seventh in minor only confirms the raised degree (`♯vii°`
    /// in A minor is G♯ B D), a bare `N` is in first inversion, ninths and above come from
    /// the scale, and an alteration in brackets of a tone the chord lacks is dropped.
    #[serde(rename = "romantext")]
    RomanText,
}

impl Style {
    /// Classical and RomanText: sevenths come from the key.
    fn sevenths_from_key(self) -> bool {
        matches!(self, Style::Classical | Style::RomanText)
    }
}

impl FromStr for Style {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().as_str() {
            "classical" => Ok(Style::Classical),
            "jazz" | "blues" | "pop" => Ok(Style::Jazz),
            "romantext" | "rntxt" => Ok(Style::RomanText),
            _ => Err(TheoryError::InvalidNumeral {
                input: s.to_string(),
                reason: "style must be classical, jazz or romantext".into(),
            }),
        }
    }
}

/// The augmented sixth chords, built on ♭6 with ♯4 above. Their figures count from the root
/// RomanText gives each (♯4 for the Italian and German, 2 for the French, ♯2 for the Swiss),
/// so `Ger65` and `Fr43` are the usual positions, over ♭6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AugmentedSixth {
    Italian,
    French,
    German,
    /// The German with ♯2 for ♭3: the doubly augmented fourth.
    Swiss,
}

impl AugmentedSixth {
    /// The name a figure follows: `It`, `Fr`, `Ger`, `Sw`.
    fn name(self) -> &'static str {
        match self {
            AugmentedSixth::Italian => "It",
            AugmentedSixth::French => "Fr",
            AugmentedSixth::German => "Ger",
            AugmentedSixth::Swiss => "Sw",
        }
    }

    /// The inversion that puts ♭6 in the bass.
    fn usual_inversion(self) -> u8 {
        match self {
            AugmentedSixth::Italian | AugmentedSixth::German => 1,
            AugmentedSixth::French | AugmentedSixth::Swiss => 2,
        }
    }

    /// The figures of its inversions, from the root.
    fn figures(self) -> &'static [&'static str] {
        match self {
            AugmentedSixth::Italian => &["53", "6", "64"],
            _ => &["7", "65", "43", "42"],
        }
    }
}

/// What a numeral's root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumeralRoot {
    /// Scale degree 1..=7; `accidental` is `None` when unmarked, `Some(0)` for ♮.
    Degree {
        degree: u8,
        accidental: Option<i8>,
    },
    /// ♭II major triad. `bare` when written `N` alone, which RomanText reads as `N6`.
    Neapolitan {
        bare: bool,
    },
    /// `Cad64`: the tonic triad of the key, major or minor, over its fifth.
    CadentialSixFour,
    AugmentedSixth(AugmentedSixth),
}

/// A parsed Roman numeral. Its meaning depends on a key and a [`Style`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RomanNumeral {
    root: NumeralRoot,
    quality: ChordQuality,
    /// Written as a bare `7`/`9`/… on an upper-case numeral: the seventh is
    /// chosen by style and key when realised.
    plain_seventh: bool,
    /// 0 = root position, 1 = third in the bass, 2 = fifth, 3 = seventh.
    inversion: u8,
    /// RomanText's bracketed changes, in the order written (`[no1][add2]`).
    brackets: Vec<Bracket>,
    target: Option<Box<RomanNumeral>>,
}

/// Why a chord has the numeral it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HarmonicFunction {
    /// All notes belong to the key.
    Diatonic,
    /// A secondary dominant or leading-tone chord (`V7/V`, `viio7/ii`).
    Applied,
    /// Taken from the parallel key (`iv`, `♭VI`, `♭VII` in major).
    Borrowed,
    Neapolitan,
    /// Anything else, such as an altered dominant (`V7b9`) or `♭II7`.
    Chromatic,
}

/// A chord's numeral in a key, with the reason for that reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumeralReading {
    pub numeral: RomanNumeral,
    pub function: HarmonicFunction,
}

const ROMAN: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "VII"];
fn is_lower_case(triad: Triad) -> bool {
    matches!(triad, Triad::Minor | Triad::Diminished)
}

/// The root an unmarked numeral on `degree` names in `key`.
fn default_root(key: &Key, degree: u8, lower: bool) -> PitchClass {
    if key.is_minor() && lower && matches!(degree, 6 | 7) {
        key.major_degree(degree)
    } else {
        key.degree(degree)
    }
}

/// The seventh the key itself puts above `root`: from the key's scale, else
/// from the parallel key's scale, else a minor seventh.
fn diatonic_seventh(key: &Key, root: PitchClass) -> Seventh {
    for candidate in [*key, key.parallel()] {
        let notes = candidate.scale().notes();
        if let Some(index) = notes.iter().position(|&p| p == root) {
            let seventh = notes[(index + 6) % 7];
            return match root.interval_to(seventh).semitones() {
                11 => Seventh::Major,
                _ => Seventh::Minor,
            };
        }
    }
    Seventh::Minor
}

/// The seventh a plain `7` means in RomanText: the key's own scale note a seventh above
/// any root (`♭VII7` in C takes the scale's A). None when that note makes no seventh the
/// engine spells.
fn scale_seventh(key: &Key, root: PitchClass) -> Option<Seventh> {
    let letter = root.transpose(Interval::from_parts(6, 10)).letter();
    let seventh = key
        .scale()
        .notes()
        .into_iter()
        .find(|p| p.letter() == letter)?;
    match root.interval_to(seventh).semitones() {
        11 => Some(Seventh::Major),
        10 => Some(Seventh::Minor),
        9 => Some(Seventh::Diminished),
        _ => None,
    }
}

/// The seventh a plain `7` means in a style that takes it from the key.
fn key_seventh(key: &Key, root: PitchClass, style: Style) -> Option<Seventh> {
    match style {
        Style::RomanText => scale_seventh(key, root),
        _ => Some(diatonic_seventh(key, root)),
    }
}

/// The scale degree an accidental before a numeral alters: the major scale's, except that
/// RomanText reads III in minor against the minor scale (`♭III` in A minor is C♭) and a
/// sharp before the minor sixth or seventh as confirming the raised degree.
fn altered_root(key: &Key, degree: u8, alter: i8, style: Style) -> PitchClass {
    if style == Style::RomanText && key.is_minor() {
        match degree {
            3 => return alter_by(key.degree(3), alter),
            6 | 7 if alter > 0 => return alter_by(key.major_degree(degree), alter - 1),
            _ => {}
        }
    }
    alter_by(key.major_degree(degree), alter)
}

/// The accidental [`altered_root`] needs to reach `root` on `degree`.
fn accidental_to(key: &Key, degree: u8, root: PitchClass, style: Style) -> i8 {
    let against = |base: PitchClass| root.alter().saturating_sub(base.alter());
    if style == Style::RomanText && key.is_minor() {
        match degree {
            3 => return against(key.degree(3)),
            6 | 7 if against(key.major_degree(degree)) >= 0 => {
                return against(key.major_degree(degree)).saturating_add(1);
            }
            _ => {}
        }
    }
    against(key.major_degree(degree))
}

fn invalid(input: &str, reason: &str) -> TheoryError {
    TheoryError::InvalidNumeral {
        input: input.to_string(),
        reason: reason.to_string(),
    }
}

impl RomanNumeral {
    /// Reads a numeral such as `V65`, `viio7/ii`, `bVII`, `Ger+6`.
    pub fn parse(text: &str) -> Result<Self> {
        text.parse()
    }

    pub fn root(&self) -> NumeralRoot {
        self.root
    }

    pub fn quality(&self) -> &ChordQuality {
        &self.quality
    }

    pub fn inversion(&self) -> u8 {
        self.inversion
    }

    /// The bracketed changes after the figure (`[no5]`, `[add9]`, `[b9]`).
    pub fn brackets(&self) -> &[Bracket] {
        &self.brackets
    }

    /// The chord this one is applied to (`V` in `V7/V`).
    pub fn target(&self) -> Option<&RomanNumeral> {
        self.target.as_deref()
    }
}

fn flatten(pitch: PitchClass) -> PitchClass {
    alter_by(pitch, -1)
}

fn alter_by(pitch: PitchClass, alter: i8) -> PitchClass {
    PitchClass::new(pitch.letter(), pitch.alter().saturating_add(alter))
}

serde_as_string!(RomanNumeral);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::KeyMode;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    /// Canonical numerals that must survive numeral → chord → numeral in every key.
    fn round_trip_numerals(mode: KeyMode, style: Style) -> Vec<&'static str> {
        let common_major = [
            // diatonic triads, sevenths and inversions
            "I",
            "ii",
            "iii",
            "IV",
            "V",
            "vi",
            "viio",
            "I6",
            "I64",
            "ii6",
            "IV6",
            "V6",
            "V64",
            "viio6",
            "ii7",
            "iii7",
            "V7",
            "vi7",
            "viiø7",
            "V65",
            "V43",
            "V42",
            "ii65",
            "ii42",
            "viiø65",
            // secondary dominants and leading-tone chords
            "V/ii",
            "V/iii",
            "V/V",
            "V/vi",
            "V7/ii",
            "V7/iii",
            "V7/IV",
            "V7/V",
            "V7/vi",
            "V65/V",
            "V43/ii",
            "viio/ii",
            "viio/iii",
            "viio/IV",
            "viio/V",
            "viio/vi",
            "viio7/ii",
            "viio7/iii",
            "viio7/IV",
            "viio7/V",
            "viio7/vi",
            "viiø7/IV",
            "viiø7/V",
            "viio65/V",
            // borrowed from the parallel minor
            "i",
            "iio",
            "iiø7",
            "bIII",
            "iv",
            "iv7",
            "iv6",
            "v",
            "bVI",
            "bVII",
            "viio7",
            "bVII7",
            "bIII6",
        ];
        let classical_major = ["I7", "IV7", "I65", "IV42", "bVI7", "bIII7", "N", "N6"];
        let jazz_major = [
            "Imaj7", "IVmaj7", "bVImaj7", "bIImaj7", "bII", "V9", "ii9", "V7b9/ii", "V13", "Imaj9",
        ];
        let common_minor = [
            "i",
            "iio",
            "III",
            "iv",
            "v",
            "V",
            "VI",
            "VII",
            "viio",
            "III+",
            "i6",
            "iv6",
            "V6",
            "V64",
            "i7",
            "iiø7",
            "iv7",
            "V7",
            "viio7",
            "V65",
            "V43",
            "V42",
            "viio65",
            "iiø65",
            "V/V",
            "V7/V",
            "V7/iv",
            "V/iv",
            "V7/VI",
            "viio7/V",
            "viio7/iv",
            "viio/V",
            "viio7/III",
            "IV",
            "ii",
            "IV7",
        ];
        let classical_minor = ["III7", "VI7", "VII7", "N", "N6"];
        let jazz_minor = ["IIImaj7", "VImaj7", "VII7", "bII", "V7b9"];
        let mut all: Vec<&'static str> = Vec::new();
        match (mode, style) {
            (KeyMode::Major, Style::Classical) => {
                all.extend(common_major);
                all.extend(classical_major);
            }
            (KeyMode::Major, Style::Jazz) => {
                all.extend(common_major);
                all.extend(jazz_major);
            }
            (KeyMode::Minor, Style::Classical) => {
                all.extend(common_minor);
                all.extend(classical_minor);
            }
            (KeyMode::Minor, Style::Jazz) => {
                all.extend(common_minor);
                all.extend(jazz_minor);
            }
            // RomanText reads a bare `N` as `N6`, which is written so.
            (KeyMode::Major, Style::RomanText) => {
                all.extend(common_major);
                all.extend(classical_major.iter().filter(|n| **n != "N"));
            }
            (KeyMode::Minor, Style::RomanText) => {
                all.extend(common_minor);
                all.extend(classical_minor.iter().filter(|n| **n != "N"));
            }
        }
        all
    }

    /// The 24 keys, spelled as in common practice (Db, not C#, for five flats).
    fn all_keys() -> Vec<Key> {
        let majors = [
            "C", "G", "D", "A", "E", "B", "F#", "Gb", "Db", "Ab", "Eb", "Bb", "F",
        ];
        let minors = [
            "A", "E", "B", "F#", "C#", "G#", "D#", "Eb", "Bb", "F", "C", "G", "D",
        ];
        let mut keys: Vec<Key> = majors.iter().map(|k| key(k)).collect();
        keys.extend(minors.iter().map(|k| key(&format!("{k} minor"))));
        keys.dedup();
        keys
    }

    #[test]
    fn round_trip_in_all_keys() {
        let keys = all_keys();
        assert_eq!(keys.iter().filter(|k| !k.is_minor()).count(), 13);
        assert_eq!(keys.iter().filter(|k| k.is_minor()).count(), 13);
        for style in [Style::Classical, Style::Jazz, Style::RomanText] {
            for key in &keys {
                for text in round_trip_numerals(key.mode(), style) {
                    let numeral: RomanNumeral = text.parse().unwrap();
                    assert_eq!(numeral.to_string(), text, "canonical form of {text}");
                    let chord = numeral
                        .chord(key, style)
                        .unwrap_or_else(|e| panic!("{text} in {key}: {e}"));
                    let back = RomanNumeral::for_chord(&chord, key, style)
                        .unwrap_or_else(|e| panic!("{chord} ({text}) in {key}: {e}"));
                    assert_eq!(
                        back.numeral.to_string(),
                        text,
                        "{text} → {chord} → {} in {key} ({style:?})",
                        back.numeral
                    );
                }
            }
        }
    }
}
