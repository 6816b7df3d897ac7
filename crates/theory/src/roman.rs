//! Roman numerals: reading, writing, numeral + key → chord and chord + key → numeral.
//!
//! Notation (ASCII canonical, `{:#}` for ♭ ♯ °):
//! - Case gives the third: `V` major, `ii` minor; `o` diminished, `ø` half
//!   diminished, `+` augmented: `viio7`, `viiø7`, `III+`.
//! - Figures give inversions: triads `6`, `64`; sevenths `7`, `65`, `43`, `42`.
//! - Any chord suffix may follow instead (`V7b9`, `ii9`, `Imaj7`, `V13#11`,
//!   `Iadd6`, `I69`, `V7sus4`); `6` and `64` are always inversion figures.
//! - Secondary (applied) chords: `V7/V`, `viio7/ii`, nested `V/V/V`.
//! - `N`/`N6` Neapolitan; `It+6`, `Fr+6`, `Ger+6` augmented sixths.
//! - `♭`/`♯` before the numeral alter the root relative to the **major**
//!   scale on the tonic, in major and minor keys alike, so `♭VI` is A♭ in both
//!   C major and C minor. Unmarked numerals in minor use natural minor, except
//!   that lower-case VI and VII (`vi°`, `vii°`, `viiø7`) take the raised sixth
//!   and seventh; `♮VI`/`♮VII` write a raised root under an upper-case numeral.
//!
//! [`Style`] decides what a bare upper-case `7` means: in
//! [`Style::Classical`] (the default) it is the seventh found in the key
//! (`I7` = Cmaj7 and `V7` = G7 in C major; off-key roots take the parallel
//! key's, so `♭VII7` = B♭7), in [`Style::Jazz`] it is always a dominant
//! seventh (`I7` = C7, blues). `maj7` and `dom7` are explicit in both styles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::chord::Chord;
use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::pitch::{PitchClass, accidental_text, read_accidentals};
use super::quality::{ChordQuality, Seventh, Triad};
use super::scale::{Key, KeyMode};

/// How a bare upper-case `7` is read; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// `I7` in major is a major seventh chord: the seventh comes from the key.
    #[default]
    Classical,
    /// `I7` is a dominant seventh, as in jazz and blues charts.
    Jazz,
}

impl FromStr for Style {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().as_str() {
            "classical" => Ok(Style::Classical),
            "jazz" | "blues" | "pop" => Ok(Style::Jazz),
            _ => Err(TheoryError::InvalidNumeral {
                input: s.to_string(),
                reason: "style must be classical or jazz".into(),
            }),
        }
    }
}

/// The three augmented sixth chords, built on ♭6 with ♯4 above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AugmentedSixth {
    Italian,
    French,
    German,
}

/// What a numeral's root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumeralRoot {
    /// Scale degree 1..=7; `accidental` is `None` when unmarked, `Some(0)` for ♮.
    Degree {
        degree: u8,
        accidental: Option<i8>,
    },
    /// ♭II major triad.
    Neapolitan,
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

/// Triad qualities on each degree, used to name the target of applied chords.
const MAJOR_KEY_TRIADS: [Triad; 7] = [
    Triad::Major,
    Triad::Minor,
    Triad::Minor,
    Triad::Major,
    Triad::Major,
    Triad::Minor,
    Triad::Diminished,
];
const MINOR_KEY_TRIADS: [Triad; 7] = [
    Triad::Minor,
    Triad::Diminished,
    Triad::Major,
    Triad::Minor,
    Triad::Major,
    Triad::Major,
    Triad::Major,
];

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

    /// The chord this one is applied to (`V` in `V7/V`).
    pub fn target(&self) -> Option<&RomanNumeral> {
        self.target.as_deref()
    }

    /// The key a secondary numeral is read in: the target's root, major or
    /// minor after the target's third.
    fn local_key(&self, key: &Key, style: Style) -> Result<Key> {
        let Some(target) = &self.target else {
            return Ok(*key);
        };
        let chord = target.chord(key, style)?;
        let mode = match chord.quality().triad() {
            Triad::Minor => KeyMode::Minor,
            Triad::Diminished => {
                return Err(invalid(
                    &self.to_string(),
                    "a diminished chord cannot be tonicized",
                ));
            }
            _ => KeyMode::Major,
        };
        Ok(Key::new(chord.root(), mode))
    }

    /// The chord this numeral names in `key`. Augmented sixths are returned
    /// under their enharmonic chord symbol (Ger+6 in C is `Ab7`); use
    /// [`RomanNumeral::notes`] for their functional spelling (F♯, not G♭).
    pub fn chord(&self, key: &Key, style: Style) -> Result<Chord> {
        let local = self.local_key(key, style)?;
        let root = match self.root {
            NumeralRoot::AugmentedSixth(_) => {
                let notes = self.notes(key, style)?;
                return Chord::identify(&notes);
            }
            NumeralRoot::Neapolitan => flatten(local.major_degree(2)),
            NumeralRoot::Degree { degree, accidental } => match accidental {
                Some(alter) => alter_by(local.major_degree(degree), alter),
                None => default_root(&local, degree, is_lower_case(self.quality.triad())),
            },
        };
        let quality = if self.plain_seventh && style == Style::Classical {
            self.quality
                .with_seventh(Some(diatonic_seventh(&local, root)))
        } else {
            self.quality.clone()
        };
        let chord = Chord::new(root, quality);
        let bass = match self.inversion {
            0 => None,
            n => {
                let tones = chord.tones();
                let pitch = tones
                    .get(usize::from(n))
                    .filter(|(interval, _)| interval.steps() <= 6)
                    .map(|(_, p)| *p)
                    .ok_or_else(|| {
                        invalid(&self.to_string(), "inversion beyond the chord's tones")
                    })?;
                Some(pitch)
            }
        };
        Ok(chord.with_bass(bass))
    }

    /// The spelled notes, bass first. Equal to the chord's notes except for
    /// augmented sixths, which keep their ♯4 (It+6 in C: A♭ C F♯).
    pub fn notes(&self, key: &Key, style: Style) -> Result<Vec<PitchClass>> {
        let NumeralRoot::AugmentedSixth(kind) = self.root else {
            return Ok(self.chord(key, style)?.notes());
        };
        let local = self.local_key(key, style)?;
        let flat_six = flatten(local.major_degree(6));
        let sharp_four = local.major_degree(4).transpose(Interval::from_parts(0, 1));
        let tonic = local.tonic();
        Ok(match kind {
            AugmentedSixth::Italian => vec![flat_six, tonic, sharp_four],
            AugmentedSixth::French => vec![flat_six, tonic, local.major_degree(2), sharp_four],
            AugmentedSixth::German => {
                vec![flat_six, tonic, flatten(local.major_degree(3)), sharp_four]
            }
        })
    }

    /// Writes the numeral, ASCII unless `unicode`.
    fn write(&self, unicode: bool) -> String {
        let mut text = match self.root {
            NumeralRoot::Neapolitan => {
                format!(
                    "N{}",
                    ["", "6", "64"]
                        .get(usize::from(self.inversion))
                        .unwrap_or(&"")
                )
            }
            NumeralRoot::AugmentedSixth(kind) => match kind {
                AugmentedSixth::Italian => "It+6".to_string(),
                AugmentedSixth::French => "Fr+6".to_string(),
                AugmentedSixth::German => "Ger+6".to_string(),
            },
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
                (Triad::Minor, Some(Seventh::Major))
                | (Triad::Diminished, Some(Seventh::Major)) => None,
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

    /// The numeral for `chord` in `key`, choosing the functional reading:
    /// diatonic first, then Neapolitan (classical style), secondary dominant or
    /// leading-tone chord, borrowed from the parallel key, and finally a
    /// chromatic numeral. D–F♯–A–C in C major is `V7/V`.
    pub fn for_chord(chord: &Chord, key: &Key, style: Style) -> Result<NumeralReading> {
        let inversion = inversion_of(chord, key)?;
        let root_chord = Chord::new(chord.root(), chord.quality().clone());
        let all_in = |k: &Key| {
            let pitches = k.diatonic_pitches();
            root_chord.notes().iter().all(|p| pitches.contains(p))
        };
        let mut candidates: Vec<(RomanNumeral, HarmonicFunction)> = Vec::new();
        if all_in(key) {
            candidates.push((
                numeral_on(key, &root_chord, style),
                HarmonicFunction::Diatonic,
            ));
        }
        if style == Style::Classical
            && chord.root() == flatten(key.major_degree(2))
            && *chord.quality() == ChordQuality::major()
        {
            let numeral = RomanNumeral {
                root: NumeralRoot::Neapolitan,
                quality: ChordQuality::major(),
                plain_seventh: false,
                inversion: 0,
                target: None,
            };
            candidates.push((numeral, HarmonicFunction::Neapolitan));
        }
        candidates.extend(applied_readings(&root_chord, key, style));
        if all_in(&key.parallel()) {
            candidates.push((
                numeral_on(key, &root_chord, style),
                HarmonicFunction::Borrowed,
            ));
        }
        candidates.push((
            numeral_on(key, &root_chord, style),
            HarmonicFunction::Chromatic,
        ));
        let (mut numeral, function) = candidates
            .into_iter()
            .find(|(numeral, _)| {
                numeral.chord(key, style).is_ok_and(|c| {
                    c.root() == root_chord.root() && c.quality() == root_chord.quality()
                })
            })
            .ok_or_else(|| TheoryError::NotExpressible {
                chord: chord.to_string(),
                key: key.to_string(),
                reason: "no numeral in this notation names it".into(),
            })?;
        numeral.inversion = inversion;
        Ok(NumeralReading { numeral, function })
    }
}

/// Which chord tone is in the bass: 0 root, 1 third, 2 fifth, 3 seventh.
fn inversion_of(chord: &Chord, key: &Key) -> Result<u8> {
    let Some(bass) = chord.bass() else {
        return Ok(0);
    };
    let not_expressible = |reason: &str| TheoryError::NotExpressible {
        chord: chord.to_string(),
        key: key.to_string(),
        reason: reason.to_string(),
    };
    if !chord.quality().is_triad_or_seventh() {
        return Err(not_expressible(
            "inverted chords with tensions have no figured-bass numeral",
        ));
    }
    let tones = Chord::new(chord.root(), chord.quality().clone()).tones();
    let position = tones
        .iter()
        .position(|(_, p)| *p == bass)
        .ok_or_else(|| not_expressible("the bass is not a chord tone"))?;
    Ok(position as u8)
}

fn flatten(pitch: PitchClass) -> PitchClass {
    alter_by(pitch, -1)
}

fn alter_by(pitch: PitchClass, alter: i8) -> PitchClass {
    PitchClass::new(pitch.letter(), pitch.alter().saturating_add(alter))
}

/// The plain numeral for `chord`'s root and quality in `key` (no target).
fn numeral_on(key: &Key, chord: &Chord, style: Style) -> RomanNumeral {
    let root = chord.root();
    let quality = chord.quality();
    let degree = (root.letter().index() - key.tonic().letter().index()).rem_euclid(7) as u8 + 1;
    let lower = is_lower_case(quality.triad());
    let accidental = if root == default_root(key, degree, lower) {
        None
    } else {
        Some(
            root.alter()
                .saturating_sub(key.major_degree(degree).alter()),
        )
    };
    let upper_with_seventh = !lower && quality.triad() != Triad::Power;
    let plain_seventh = upper_with_seventh
        && match (quality.seventh(), style) {
            (Some(Seventh::Minor), Style::Jazz) => true,
            (Some(seventh), Style::Classical) => {
                seventh != Seventh::Diminished && diatonic_seventh(key, root) == seventh
            }
            _ => false,
        };
    let quality = if plain_seventh {
        quality.with_seventh(Some(Seventh::Minor))
    } else {
        quality.clone()
    };
    RomanNumeral {
        root: NumeralRoot::Degree { degree, accidental },
        quality,
        plain_seventh,
        inversion: 0,
        target: None,
    }
}

/// Secondary dominant and leading-tone readings of `chord` (`V7/x`, `viio7/x`);
/// a target of I gives the plain numeral.
fn applied_readings(
    chord: &Chord,
    key: &Key,
    style: Style,
) -> Vec<(RomanNumeral, HarmonicFunction)> {
    let quality = chord.quality();
    let target_root = match quality.triad() {
        Triad::Major | Triad::Augmented | Triad::Sus4
            if quality.seventh().is_none() || quality.seventh() == Some(Seventh::Minor) =>
        {
            chord.root().transpose(-Interval::PERFECT_FIFTH)
        }
        Triad::Diminished => chord.root().transpose(Interval::MINOR_SECOND),
        _ => return Vec::new(),
    };
    let triads = if key.is_minor() {
        MINOR_KEY_TRIADS
    } else {
        MAJOR_KEY_TRIADS
    };
    let Some(index) = (1..=7u8).position(|d| key.degree(d) == target_root) else {
        return Vec::new();
    };
    let target_triad = triads[index];
    if target_triad == Triad::Diminished {
        return Vec::new();
    }
    let mode = if target_triad == Triad::Minor {
        KeyMode::Minor
    } else {
        KeyMode::Major
    };
    let local = Key::new(target_root, mode);
    let mut numeral = numeral_on(&local, chord, style);
    if index > 0 {
        let target_quality = if target_triad == Triad::Minor {
            ChordQuality::minor()
        } else {
            ChordQuality::major()
        };
        numeral.target = Some(Box::new(RomanNumeral {
            root: NumeralRoot::Degree {
                degree: index as u8 + 1,
                accidental: None,
            },
            quality: target_quality,
            plain_seventh: false,
            inversion: 0,
            target: None,
        }));
    }
    let function = if index > 0 {
        HarmonicFunction::Applied
    } else {
        HarmonicFunction::Chromatic
    };
    vec![(numeral, function)]
}

impl fmt::Display for RomanNumeral {
    /// `V65/V`, `bVII7`, `viiø7`; `{:#}` gives `♭VII7`, `vii°7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.write(f.alternate()))
    }
}

/// Quality sign, optional seventh marker and figure: the classical forms.
struct Figured {
    /// `o`, `ø` or `+`.
    sign: Option<char>,
    /// `maj`/`M`/`Δ` (major seventh) or `dom` (minor seventh).
    marker: Option<Seventh>,
    figure: &'static str,
}

const TRIAD_FIGURES: [&str; 3] = ["", "6", "64"];
const SEVENTH_FIGURES: [&str; 5] = ["7", "65", "43", "42", "2"];

/// Splits `rest` into quality sign, `maj`/`dom` marker and inversion figure,
/// or returns `None` when it is a chord suffix instead.
fn read_figured(rest: &str) -> Option<Figured> {
    let sign = rest.chars().next().filter(|c| matches!(c, 'o' | 'ø' | '+'));
    let rest = sign.map_or(rest, |c| &rest[c.len_utf8()..]);
    let markers = [
        ("maj", Seventh::Major),
        ("M", Seventh::Major),
        ("Δ", Seventh::Major),
        ("dom", Seventh::Minor),
    ];
    let (marker, rest) = markers
        .into_iter()
        .find_map(|(prefix, seventh)| rest.strip_prefix(prefix).map(|r| (Some(seventh), r)))
        .unwrap_or((None, rest));
    let figure = TRIAD_FIGURES
        .into_iter()
        .chain(SEVENTH_FIGURES)
        .find(|f| *f == rest)?;
    let implies_seventh = sign == Some('ø') || marker.is_some();
    if implies_seventh && !(figure.is_empty() || SEVENTH_FIGURES.contains(&figure)) {
        return None;
    }
    Some(Figured {
        sign,
        marker,
        figure,
    })
}

/// Quality, plain-seventh flag and inversion for the classical figured forms.
fn figured_quality(figured: &Figured, upper: bool) -> (ChordQuality, bool, u8) {
    let is_seventh = SEVENTH_FIGURES.contains(&figured.figure)
        || figured.marker.is_some()
        || figured.sign == Some('ø');
    let inversion = match figured.figure {
        "6" | "65" => 1,
        "64" | "43" => 2,
        "42" | "2" => 3,
        _ => 0,
    };
    let triad = match figured.sign {
        Some('o' | 'ø') => Triad::Diminished,
        Some(_) => Triad::Augmented,
        None if upper => Triad::Major,
        None => Triad::Minor,
    };
    let base = ChordQuality::major().with_triad(triad);
    if !is_seventh {
        return (base, false, inversion);
    }
    let (seventh, plain) = match (figured.sign, figured.marker, triad) {
        (_, Some(marker), _) => (marker, false),
        (Some('ø'), None, _) => (Seventh::Minor, false),
        (Some('o'), None, _) => (Seventh::Diminished, false),
        (_, None, Triad::Minor) => (Seventh::Minor, false),
        _ => (Seventh::Minor, true),
    };
    (base.with_seventh(Some(seventh)), plain, inversion)
}

/// Replaces Unicode signs by the ASCII ones the parser reads.
fn normalize_numeral(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '♭' => out.push('b'),
            '♯' => out.push('#'),
            '𝄫' => out.push_str("bb"),
            '𝄪' => out.push_str("##"),
            '°' | 'º' => out.push('o'),
            'Ø' => out.push('ø'),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

impl FromStr for RomanNumeral {
    type Err = TheoryError;

    fn from_str(input: &str) -> Result<Self> {
        let text = normalize_numeral(input);
        if text.is_empty() {
            return Err(TheoryError::Empty {
                what: "Roman numeral",
                example: "ii7, V7/V, bVII",
            });
        }
        let chars: Vec<char> = text.chars().collect();
        // The target follows a slash that starts another numeral (not `6/9`).
        let slash = chars
            .windows(2)
            .position(|w| w[0] == '/' && matches!(w[1], 'b' | '#' | '♮' | 'I' | 'V' | 'i' | 'v'));
        let (main, target) = match slash {
            Some(at) => {
                let main: String = chars[..at].iter().collect();
                let rest: String = chars[at + 1..].iter().collect();
                (main, Some(Box::new(rest.parse::<RomanNumeral>()?)))
            }
            None => (text.clone(), None),
        };
        let mut numeral = parse_single(&main, input)?;
        if target.is_some() && !matches!(numeral.root, NumeralRoot::Degree { .. }) {
            return Err(invalid(
                input,
                "only degree numerals can be applied to another chord",
            ));
        }
        numeral.target = target;
        Ok(numeral)
    }
}

/// Parses one numeral without a `/target`.
fn parse_single(text: &str, input: &str) -> Result<RomanNumeral> {
    if let Some(special) = parse_special(text) {
        return Ok(special);
    }
    let chars: Vec<char> = text.chars().collect();
    let (natural_sign, start) = if chars.first() == Some(&'♮') {
        (true, 1)
    } else {
        (false, 0)
    };
    let (alter, used) = if natural_sign {
        (0, 0)
    } else {
        read_accidentals(&chars)
    };
    if alter.abs() > 2 {
        return Err(invalid(input, "at most a double flat or sharp"));
    }
    let letters_start = start + used;
    let letters: String = chars[letters_start..]
        .iter()
        .take_while(|c| matches!(c, 'I' | 'V' | 'i' | 'v'))
        .collect();
    let upper = letters.chars().all(|c| c.is_ascii_uppercase());
    let lower = letters.chars().all(|c| c.is_ascii_lowercase());
    if letters.is_empty() || !(upper || lower) {
        return Err(invalid(
            input,
            "expected a Roman numeral I–VII (upper case major, lower case minor)",
        ));
    }
    let degree = ROMAN
        .iter()
        .position(|r| r.eq_ignore_ascii_case(&letters))
        .ok_or_else(|| invalid(input, "the numeral must be I to VII"))? as u8
        + 1;
    let rest: String = chars[letters_start + letters.chars().count()..]
        .iter()
        .collect();
    let accidental = if natural_sign || used > 0 {
        Some(alter as i8)
    } else {
        None
    };
    let (quality, plain_seventh, inversion) = match read_figured(&rest) {
        Some(figured) => figured_quality(&figured, upper),
        None => suffix_quality(&rest, upper, input)?,
    };
    Ok(RomanNumeral {
        root: NumeralRoot::Degree { degree, accidental },
        quality,
        plain_seventh,
        inversion,
        target: None,
    })
}

/// Quality for a numeral followed by a chord suffix (`V7b9`, `ii9`, `Imaj7`).
fn suffix_quality(rest: &str, upper: bool, input: &str) -> Result<(ChordQuality, bool, u8)> {
    let mut quality = ChordQuality::parse(rest, input).map_err(|e| match e {
        TheoryError::UnknownChordQuality { .. } => invalid(
            input,
            &format!("unknown quality `{rest}`; expected a figure (6, 64, 7, 65, 43, 42) or a chord suffix (maj7, 9, 7b9, sus4)"),
        ),
        other => other,
    })?;
    if !upper && quality.triad() == Triad::Major {
        quality = quality.with_triad(Triad::Minor);
    }
    let plain = !is_lower_case(quality.triad())
        && quality.seventh() == Some(Seventh::Minor)
        && !rest.contains("dom");
    Ok((quality, plain, 0))
}

/// `N`, `N6`, `It+6`, `Fr+6`, `Ger+6` and their common variants.
fn parse_special(text: &str) -> Option<RomanNumeral> {
    let special = |root: NumeralRoot, inversion: u8| RomanNumeral {
        root,
        quality: ChordQuality::major(),
        plain_seventh: false,
        inversion,
        target: None,
    };
    match text {
        "N" => return Some(special(NumeralRoot::Neapolitan, 0)),
        "N6" => return Some(special(NumeralRoot::Neapolitan, 1)),
        _ => {}
    }
    let kinds = [
        ("It", AugmentedSixth::Italian),
        ("Fr", AugmentedSixth::French),
        ("Ger", AugmentedSixth::German),
        ("Gr", AugmentedSixth::German),
    ];
    kinds.into_iter().find_map(|(name, kind)| {
        let figure = text.strip_prefix(name)?;
        matches!(figure, "" | "+6" | "6" | "+" | "43" | "+43" | "65" | "+65")
            .then(|| special(NumeralRoot::AugmentedSixth(kind), 0))
    })
}

serde_as_string!(RomanNumeral);

/// Reads a whitespace- or bar-separated list of numerals (`ii7 V7 | Imaj7`).
pub fn parse_numerals(text: &str) -> Result<Vec<RomanNumeral>> {
    let numerals: Vec<RomanNumeral> = text
        .split(|c: char| c.is_whitespace() || c == '|' || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect::<Result<_>>()?;
    if numerals.is_empty() {
        return Err(TheoryError::Empty {
            what: "list of Roman numerals",
            example: "ii7 V7 Imaj7",
        });
    }
    Ok(numerals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    fn realize(numeral: &str, key_name: &str, style: Style) -> String {
        let numeral: RomanNumeral = numeral.parse().unwrap_or_else(|e| panic!("{numeral}: {e}"));
        numeral
            .chord(&key(key_name), style)
            .unwrap_or_else(|e| panic!("{numeral} in {key_name}: {e}"))
            .to_string()
    }

    fn read(chord: &str, key_name: &str, style: Style) -> String {
        let chord: Chord = chord.parse().unwrap();
        RomanNumeral::for_chord(&chord, &key(key_name), style)
            .unwrap_or_else(|e| panic!("{chord} in {key_name}: {e}"))
            .numeral
            .to_string()
    }

    #[test]
    fn numerals_to_chords() {
        use Style::{Classical, Jazz};
        let table = [
            ("I", "C", Classical, "C"),
            ("ii7", "Eb", Classical, "Fm7"),
            ("V7", "Eb", Classical, "Bb7"),
            ("Imaj7", "Eb", Classical, "Ebmaj7"),
            ("I7", "C", Classical, "Cmaj7"),
            ("I7", "C", Jazz, "C7"),
            ("IV7", "F", Jazz, "Bb7"),
            ("V65", "C", Classical, "G7/B"),
            ("V43", "C", Classical, "G7/D"),
            ("V42", "C", Classical, "G7/F"),
            ("I6", "A", Classical, "A/C#"),
            ("I64", "A", Classical, "A/E"),
            ("viiø7", "C", Classical, "Bm7b5"),
            ("viio7", "C", Classical, "Bdim7"),
            ("viio7", "C minor", Classical, "Bdim7"),
            ("bVII", "C", Classical, "Bb"),
            ("bVII7", "C", Classical, "Bb7"),
            ("bVI", "C minor", Classical, "Ab"),
            ("VI", "C minor", Classical, "Ab"),
            ("VII", "A minor", Classical, "G"),
            ("iv", "C", Classical, "Fm"),
            ("V7/V", "C", Classical, "D7"),
            ("V7/V", "C minor", Classical, "D7"),
            ("viio7/ii", "C", Classical, "C#dim7"),
            ("viiø7/V", "C", Classical, "F#m7b5"),
            ("V7/IV", "Bb", Classical, "Bb7"),
            ("V/V/V", "C", Classical, "A"),
            ("N6", "C minor", Classical, "Db/F"),
            ("N", "E", Classical, "F"),
            ("Ger+6", "C", Classical, "Ab7"),
            ("It+6", "C", Classical, "Ab7(omit5)"),
            ("Fr+6", "C", Classical, "D7b5/Ab"),
            ("V7b9", "F#", Classical, "C#7b9"),
            ("V13", "Db", Jazz, "Ab13"),
            ("ii9", "G", Jazz, "Am9"),
            ("III+", "A minor", Classical, "Caug"),
            ("V", "G# minor", Classical, "D#"),
            ("vii°7", "G# minor", Classical, "F##dim7"),
            ("V7/iv", "Eb minor", Classical, "Eb7"),
            ("i(maj7)", "D minor", Classical, "Dm(maj7)"),
            ("bII7", "C", Classical, "Db7"),
            ("♭VImaj7", "C", Jazz, "Abmaj7"),
            ("Iadd6", "C", Classical, "C6"),
            ("I69", "C", Classical, "C6/9"),
        ];
        for (numeral, key_name, style, expected) in table {
            assert_eq!(
                realize(numeral, key_name, style),
                expected,
                "{numeral} in {key_name}"
            );
        }
    }

    #[test]
    fn augmented_sixths_keep_their_sharp_four() {
        let notes = |n: &str, k: &str| {
            n.parse::<RomanNumeral>()
                .unwrap()
                .notes(&key(k), Style::Classical)
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(notes("It+6", "C"), "Ab C F#");
        assert_eq!(notes("Fr+6", "A minor"), "F A B D#");
        assert_eq!(notes("Ger+6", "Eb"), "Cb Eb Gb A");
    }

    #[test]
    fn chords_to_numerals_choose_the_functional_reading() {
        use Style::{Classical, Jazz};
        let table = [
            ("D7", "C", Classical, "V7/V"),
            ("Dm7", "C", Classical, "ii7"),
            ("Cmaj7", "C", Classical, "I7"),
            ("Cmaj7", "C", Jazz, "Imaj7"),
            ("G7/B", "C", Classical, "V65"),
            ("F#m7b5", "C", Classical, "viiø7/V"),
            ("C#dim7", "C", Classical, "viio7/ii"),
            ("Bb", "C", Classical, "bVII"),
            ("Fm", "C", Classical, "iv"),
            ("Ab", "C", Classical, "bVI"),
            ("Db/F", "C", Classical, "N6"),
            ("Db", "C", Jazz, "bII"),
            ("E7", "A minor", Classical, "V7"),
            ("G7b9", "C", Classical, "V7b9"),
            ("C7", "Eb", Classical, "V7/ii"),
            ("Ab7", "Eb", Classical, "IVdom7"),
            ("Bb7", "Eb", Classical, "V7"),
            ("A7", "Eb", Classical, "#IV7"),
            ("C7", "C", Jazz, "V7/IV"),
            ("F7", "C", Classical, "IVdom7"),
            ("F7", "C", Jazz, "IV7"),
            ("Bdim7", "C", Classical, "viio7"),
            ("Am", "C minor", Classical, "vi"),
        ];
        for (chord, key_name, style, expected) in table {
            assert_eq!(
                read(chord, key_name, style),
                expected,
                "{chord} in {key_name}"
            );
        }
        let c9_over_e: Chord = "C9/E".parse().unwrap();
        assert!(RomanNumeral::for_chord(&c9_over_e, &key("C"), Style::Classical).is_err());
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
        for style in [Style::Classical, Style::Jazz] {
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

    #[test]
    fn unicode_and_ascii_forms_agree() {
        let a: RomanNumeral = "♭VII7".parse().unwrap();
        let b: RomanNumeral = "bVII7".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(format!("{:#}", a), "♭VII7");
        let d: RomanNumeral = "vii°7/ii".parse().unwrap();
        assert_eq!(d.to_string(), "viio7/ii");
        assert_eq!(format!("{d:#}"), "vii°7/ii");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"viio7/ii\"");
    }

    #[test]
    fn bad_numerals_are_errors() {
        for bad in [
            "", "X", "IIII", "Iv", "V7/", "V/X", "Vxyz", "bbbII", "It/V", "VIII",
        ] {
            assert!(bad.parse::<RomanNumeral>().is_err(), "`{bad}` should fail");
        }
        let message = "Vxyz".parse::<RomanNumeral>().unwrap_err().to_string();
        assert!(
            message.contains("Vxyz") && message.contains("figure"),
            "{message}"
        );
    }

    #[test]
    fn parses_lists() {
        let list = parse_numerals("ii7 V7 | Imaj7").unwrap();
        assert_eq!(list.len(), 3);
        assert!(parse_numerals("  ").is_err());
    }
}
