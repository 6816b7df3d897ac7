//! Scales, modes, keys and key signatures.

use std::fmt;
use std::str::FromStr;

use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::pitch::{PitchClass, read_pitch};

/// A scale or mode, defined by spelled intervals above its tonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScaleKind {
    Major,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
    NaturalMinor,
    Locrian,
    HarmonicMinor,
    /// Ascending (jazz) melodic minor.
    MelodicMinor,
    MajorPentatonic,
    MinorPentatonic,
    /// Minor blues: 1 b3 4 b5 5 b7.
    Blues,
    /// Major blues: 1 2 b3 3 5 6.
    MajorBlues,
    /// Mixolydian with a passing major seventh.
    BebopDominant,
    /// Major with a passing augmented fifth.
    BebopMajor,
    /// Dorian with a passing major third.
    BebopDorian,
    /// Melodic minor with a passing augmented fifth.
    BebopMelodicMinor,
    /// Seventh mode of melodic minor, for altered dominants.
    Altered,
    LydianDominant,
    WholeTone,
    /// Whole-half diminished, for diminished seventh chords.
    Diminished,
    /// Half-whole diminished, for dominant 7(b9) chords.
    DominantDiminished,
}

impl ScaleKind {
    pub const ALL: [ScaleKind; 22] = [
        ScaleKind::Major,
        ScaleKind::Dorian,
        ScaleKind::Phrygian,
        ScaleKind::Lydian,
        ScaleKind::Mixolydian,
        ScaleKind::NaturalMinor,
        ScaleKind::Locrian,
        ScaleKind::HarmonicMinor,
        ScaleKind::MelodicMinor,
        ScaleKind::MajorPentatonic,
        ScaleKind::MinorPentatonic,
        ScaleKind::Blues,
        ScaleKind::MajorBlues,
        ScaleKind::BebopDominant,
        ScaleKind::BebopMajor,
        ScaleKind::BebopDorian,
        ScaleKind::BebopMelodicMinor,
        ScaleKind::Altered,
        ScaleKind::LydianDominant,
        ScaleKind::WholeTone,
        ScaleKind::Diminished,
        ScaleKind::DominantDiminished,
    ];

    /// The name used in text and JSON, and accepted by `parse`.
    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The canonical name first, then accepted aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            ScaleKind::Major => &["major", "ionian"],
            ScaleKind::Dorian => &["dorian"],
            ScaleKind::Phrygian => &["phrygian"],
            ScaleKind::Lydian => &["lydian"],
            ScaleKind::Mixolydian => &["mixolydian"],
            ScaleKind::NaturalMinor => &["natural minor", "minor", "aeolian"],
            ScaleKind::Locrian => &["locrian"],
            ScaleKind::HarmonicMinor => &["harmonic minor"],
            ScaleKind::MelodicMinor => &["melodic minor", "jazz minor"],
            ScaleKind::MajorPentatonic => &["major pentatonic", "pentatonic"],
            ScaleKind::MinorPentatonic => &["minor pentatonic"],
            ScaleKind::Blues => &["blues", "minor blues"],
            ScaleKind::MajorBlues => &["major blues"],
            ScaleKind::BebopDominant => &["bebop dominant", "bebop"],
            ScaleKind::BebopMajor => &["bebop major"],
            ScaleKind::BebopDorian => &["bebop dorian", "bebop minor"],
            ScaleKind::BebopMelodicMinor => &["bebop melodic minor"],
            ScaleKind::Altered => &["altered", "super locrian"],
            ScaleKind::LydianDominant => &["lydian dominant", "lydian b7"],
            ScaleKind::WholeTone => &["whole tone"],
            ScaleKind::Diminished => &["diminished", "whole half diminished"],
            ScaleKind::DominantDiminished => &["dominant diminished", "half whole diminished"],
        }
    }

    /// Intervals above the tonic, ascending.
    pub fn intervals(self) -> &'static [Interval] {
        use Interval as I;
        const P1: I = I::UNISON;
        const M2: I = I::MAJOR_SECOND;
        const M3: I = I::MAJOR_THIRD;
        const P4: I = I::PERFECT_FOURTH;
        const P5: I = I::PERFECT_FIFTH;
        const M6: I = I::MAJOR_SIXTH;
        const M7: I = I::MAJOR_SEVENTH;
        const M2B: I = I::MINOR_SECOND;
        const M3B: I = I::MINOR_THIRD;
        const M6B: I = I::MINOR_SIXTH;
        const M7B: I = I::MINOR_SEVENTH;
        const A4: I = I::AUGMENTED_FOURTH;
        const D5: I = I::DIMINISHED_FIFTH;
        const A5: I = I::AUGMENTED_FIFTH;
        const D4: I = I::DIMINISHED_FOURTH;
        match self {
            ScaleKind::Major => &[P1, M2, M3, P4, P5, M6, M7],
            ScaleKind::Dorian => &[P1, M2, M3B, P4, P5, M6, M7B],
            ScaleKind::Phrygian => &[P1, M2B, M3B, P4, P5, M6B, M7B],
            ScaleKind::Lydian => &[P1, M2, M3, A4, P5, M6, M7],
            ScaleKind::Mixolydian => &[P1, M2, M3, P4, P5, M6, M7B],
            ScaleKind::NaturalMinor => &[P1, M2, M3B, P4, P5, M6B, M7B],
            ScaleKind::Locrian => &[P1, M2B, M3B, P4, D5, M6B, M7B],
            ScaleKind::HarmonicMinor => &[P1, M2, M3B, P4, P5, M6B, M7],
            ScaleKind::MelodicMinor => &[P1, M2, M3B, P4, P5, M6, M7],
            ScaleKind::MajorPentatonic => &[P1, M2, M3, P5, M6],
            ScaleKind::MinorPentatonic => &[P1, M3B, P4, P5, M7B],
            ScaleKind::Blues => &[P1, M3B, P4, D5, P5, M7B],
            ScaleKind::MajorBlues => &[P1, M2, M3B, M3, P5, M6],
            ScaleKind::BebopDominant => &[P1, M2, M3, P4, P5, M6, M7B, M7],
            ScaleKind::BebopMajor => &[P1, M2, M3, P4, P5, A5, M6, M7],
            ScaleKind::BebopDorian => &[P1, M2, M3B, M3, P4, P5, M6, M7B],
            ScaleKind::BebopMelodicMinor => &[P1, M2, M3B, P4, P5, A5, M6, M7],
            ScaleKind::Altered => &[P1, M2B, M3B, D4, D5, M6B, M7B],
            ScaleKind::LydianDominant => &[P1, M2, M3, A4, P5, M6, M7B],
            ScaleKind::WholeTone => &[P1, M2, M3, A4, A5, I::AUGMENTED_SIXTH],
            ScaleKind::Diminished => &[P1, M2, M3B, P4, D5, M6B, M6, M7],
            ScaleKind::DominantDiminished => &[P1, M2B, M3B, M3, A4, P5, M6, M7B],
        }
    }
}

/// Lower-cases and turns `-`/`_` and runs of spaces into single spaces.
fn normalize_name(text: &str) -> String {
    text.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for ScaleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScaleKind {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = normalize_name(s);
        ScaleKind::ALL
            .into_iter()
            .find(|kind| kind.names().contains(&wanted.as_str()))
            .ok_or_else(|| TheoryError::UnknownScale {
                input: s.to_string(),
                expected: ScaleKind::ALL.map(|k| k.name()).join(", "),
            })
    }
}

serde_as_string!(ScaleKind);

/// A scale on a tonic, e.g. D dorian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scale {
    pub tonic: PitchClass,
    pub kind: ScaleKind,
}

impl Scale {
    pub fn new(tonic: PitchClass, kind: ScaleKind) -> Self {
        Scale { tonic, kind }
    }

    /// The spelled notes, tonic first.
    pub fn notes(&self) -> Vec<PitchClass> {
        self.kind
            .intervals()
            .iter()
            .map(|&i| self.tonic.transpose(i))
            .collect()
    }

    /// True when the scale contains exactly this spelling.
    pub fn contains(&self, pitch: PitchClass) -> bool {
        self.notes().contains(&pitch)
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{:#} {}", self.tonic, self.kind)
        } else {
            write!(f, "{} {}", self.tonic, self.kind)
        }
    }
}

impl FromStr for Scale {
    type Err = TheoryError;

    /// `D dorian`, `Bb bebop dominant`, `F# harmonic minor`.
    fn from_str(s: &str) -> Result<Self> {
        let chars: Vec<char> = s.trim().chars().collect();
        let Some((tonic, used)) = read_pitch(&chars, s)? else {
            return Err(TheoryError::UnknownScale {
                input: s.to_string(),
                expected: "a tonic then a scale name, e.g. D dorian".into(),
            });
        };
        let kind: String = chars[used..].iter().collect();
        Ok(Scale::new(tonic, kind.parse()?))
    }
}

serde_as_string!(Scale);

/// Major or minor, the two modes a key signature and Roman numerals refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    Major,
    Minor,
}

/// A tonal key: tonic plus mode (E♭ major, C♯ minor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    tonic: PitchClass,
    mode: KeyMode,
}

impl Key {
    pub fn new(tonic: PitchClass, mode: KeyMode) -> Self {
        Key { tonic, mode }
    }

    pub fn major(tonic: PitchClass) -> Self {
        Key::new(tonic, KeyMode::Major)
    }

    pub fn minor(tonic: PitchClass) -> Self {
        Key::new(tonic, KeyMode::Minor)
    }

    pub fn tonic(&self) -> PitchClass {
        self.tonic
    }

    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    pub fn is_minor(&self) -> bool {
        self.mode == KeyMode::Minor
    }

    /// The key's own scale: major, or natural minor.
    pub fn scale(&self) -> Scale {
        let kind = match self.mode {
            KeyMode::Major => ScaleKind::Major,
            KeyMode::Minor => ScaleKind::NaturalMinor,
        };
        Scale::new(self.tonic, kind)
    }

    /// Scale degree 1..=7 of the key's own scale (natural minor in minor keys).
    pub fn degree(&self, degree: u8) -> PitchClass {
        let notes = self.scale().notes();
        notes[usize::from(degree.clamp(1, 7) - 1)]
    }

    /// Degree 1..=7 of the major scale on the tonic: the reference for ♭/♯ in numerals.
    pub fn major_degree(&self, degree: u8) -> PitchClass {
        Key::major(self.tonic).degree(degree)
    }

    /// Every spelling that belongs to the key: the scale, plus in minor the
    /// raised sixth and seventh of melodic and harmonic minor.
    pub fn diatonic_pitches(&self) -> Vec<PitchClass> {
        let mut pitches = self.scale().notes();
        if self.is_minor() {
            pitches.push(self.major_degree(6));
            pitches.push(self.major_degree(7));
        }
        pitches
    }

    /// The same tonic in the other mode (C major ↔ C minor).
    pub fn parallel(&self) -> Key {
        match self.mode {
            KeyMode::Major => Key::minor(self.tonic),
            KeyMode::Minor => Key::major(self.tonic),
        }
    }

    /// The key sharing this signature in the other mode (C major ↔ A minor).
    pub fn relative(&self) -> Key {
        match self.mode {
            KeyMode::Major => Key::minor(self.tonic.transpose(Interval::MAJOR_SIXTH)),
            KeyMode::Minor => Key::major(self.tonic.transpose(Interval::MINOR_THIRD)),
        }
    }

    pub fn signature(&self) -> KeySignature {
        let offset = match self.mode {
            KeyMode::Major => 0,
            KeyMode::Minor => -3,
        };
        KeySignature {
            fifths: self.tonic.fifths() + offset,
        }
    }

    /// The key moved by a spelled interval (may give theoretical keys like G♯ major).
    pub fn transpose(&self, interval: Interval) -> Key {
        Key::new(self.tonic.transpose(interval), self.mode)
    }

    /// The enharmonic key with the fewest accidentals (G♯ major → A♭ major);
    /// with six either way the given spelling stays.
    pub fn simplest_spelling(&self) -> Key {
        let fifths = self.signature().fifths;
        if fifths.abs() <= 6 {
            return *self;
        }
        let better = if fifths > 0 { fifths - 12 } else { fifths + 12 };
        let offset = if self.is_minor() { 3 } else { 0 };
        Key::new(PitchClass::from_fifths(better + offset), self.mode)
    }
}

impl fmt::Display for Key {
    /// `Eb major`; `{:#}` gives `E♭ major`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            KeyMode::Major => "major",
            KeyMode::Minor => "minor",
        };
        if f.alternate() {
            write!(f, "{:#} {mode}", self.tonic)
        } else {
            write!(f, "{} {mode}", self.tonic)
        }
    }
}

impl FromStr for Key {
    type Err = TheoryError;

    /// `Eb`, `Eb major`, `Ebmaj`, `C minor`, `Cm`, `c#m`, `F# min`, `A-`.
    fn from_str(s: &str) -> Result<Self> {
        let trimmed = s.trim();
        let chars: Vec<char> = trimmed.chars().collect();
        let invalid = |reason: &str| TheoryError::InvalidKey {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        if chars.is_empty() {
            return Err(invalid("no key given"));
        }
        let Some((tonic, used)) = read_pitch(&chars, s)? else {
            return Err(invalid("a key starts with its tonic, a letter A–G"));
        };
        let rest: String = chars[used..].iter().collect();
        let rest = rest.trim();
        let mode = match rest {
            "M" => KeyMode::Major,
            "-" => KeyMode::Minor,
            _ => match normalize_name(rest).as_str() {
                "" | "major" | "maj" | "ionian" => KeyMode::Major,
                "m" | "min" | "minor" | "aeolian" => KeyMode::Minor,
                _ => return Err(invalid("the mode must be major or minor")),
            },
        };
        Ok(Key::new(tonic, mode))
    }
}

impl Key {
    /// A key as RomanText analyses write it: the tonic's case gives the mode (`a` is A minor,
    /// `Bb` B♭ major), `-` is a flat (`E-`, `b-`), and a mode word may follow and decide
    /// (`E- major`, `f# minor`).
    pub fn from_romantext(text: &str) -> Result<Key> {
        let invalid = |reason: &str| TheoryError::InvalidKey {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim().trim_end_matches(':');
        let mut chars = trimmed.chars();
        let letter = chars
            .next()
            .filter(|c| c.is_ascii_alphabetic() && ('a'..='g').contains(&c.to_ascii_lowercase()))
            .ok_or_else(|| invalid("a key starts with its tonic, a letter A–G"))?;
        let rest = chars.as_str();
        let accidentals: String = rest
            .chars()
            .take_while(|c| matches!(c, '-' | 'b' | '#'))
            .map(|c| if c == '-' { 'b' } else { c })
            .collect();
        let mode_word = rest[accidentals.len()..].trim();
        let mode = match normalize_name(mode_word).as_str() {
            "" if letter.is_ascii_lowercase() => "minor",
            "" => "major",
            "major" => "major",
            "minor" => "minor",
            _ => return Err(invalid("the mode must be major or minor")),
        };
        format!("{}{accidentals} {mode}", letter.to_ascii_uppercase()).parse()
    }
}

serde_as_string!(Key);

/// A key signature as a position on the line of fifths: +3 = three sharps, -2 = two flats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct KeySignature {
    pub fifths: i32,
}

impl KeySignature {
    pub fn sharps(&self) -> u32 {
        self.fifths.max(0).unsigned_abs()
    }

    pub fn flats(&self) -> u32 {
        self.fifths.min(0).unsigned_abs()
    }

    /// The altered notes in signature order (F♯ C♯ G♯ …, or B♭ E♭ A♭ …);
    /// beyond seven come double sharps or flats.
    pub fn accidentals(&self) -> Vec<PitchClass> {
        let count = self.fifths.unsigned_abs() as i32;
        (0..count)
            .map(|i| {
                if self.fifths > 0 {
                    PitchClass::from_fifths(6 + i)
                } else {
                    PitchClass::from_fifths(-2 - i)
                }
            })
            .collect()
    }
}

impl fmt::Display for KeySignature {
    /// `3 flats (Bb Eb Ab)`, `no sharps or flats`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.fifths.unsigned_abs();
        if count == 0 {
            return f.write_str("no sharps or flats");
        }
        let word = match (self.fifths > 0, count == 1) {
            (true, true) => "sharp",
            (true, false) => "sharps",
            (false, true) => "flat",
            (false, false) => "flats",
        };
        let names: Vec<String> = self
            .accidentals()
            .iter()
            .map(|p| {
                if f.alternate() {
                    format!("{p:#}")
                } else {
                    p.to_string()
                }
            })
            .collect();
        write!(f, "{count} {word} ({})", names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    fn notes(scale: &str) -> String {
        let scale: Scale = scale.parse().unwrap();
        scale
            .notes()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn scales_are_spelled_with_one_letter_per_degree() {
        let table = [
            ("C major", "C D E F G A B"),
            ("F# major", "F# G# A# B C# D# E#"),
            ("Cb major", "Cb Db Eb Fb Gb Ab Bb"),
            ("G# harmonic minor", "G# A# B C# D# E F##"),
            ("Eb melodic minor", "Eb F Gb Ab Bb C D"),
            ("D dorian", "D E F G A B C"),
            ("E phrygian", "E F G A B C D"),
            ("F lydian", "F G A B C D E"),
            ("G mixolydian", "G A B C D E F"),
            ("A aeolian", "A B C D E F G"),
            ("B locrian", "B C D E F G A"),
            ("Bb dorian", "Bb C Db Eb F G Ab"),
            ("A minor pentatonic", "A C D E G"),
            ("Eb major pentatonic", "Eb F G Bb C"),
            ("C blues", "C Eb F Gb G Bb"),
            ("A major blues", "A B C C# E F#"),
            ("G bebop dominant", "G A B C D E F F#"),
            ("C bebop major", "C D E F G G# A B"),
            ("D bebop dorian", "D E F F# G A B C"),
            ("G altered", "G Ab Bb Cb Db Eb F"),
            ("C whole tone", "C D E F# G# A#"),
            ("C diminished", "C D Eb F Gb Ab A B"),
            ("C dominant diminished", "C Db Eb E F# G A Bb"),
        ];
        for (scale, expected) in table {
            assert_eq!(notes(scale), expected, "{scale}");
        }
        assert!("C klingon".parse::<Scale>().is_err());
        for kind in ScaleKind::ALL {
            assert_eq!(kind.name().parse::<ScaleKind>().unwrap(), kind);
        }
    }

    #[test]
    fn keys_parse_in_common_forms() {
        assert_eq!(key("Eb"), Key::major("Eb".parse().unwrap()));
        assert_eq!(key("Eb major"), key("Ebmaj"));
        assert_eq!(key("C minor"), Key::minor("C".parse().unwrap()));
        assert_eq!(key("Cm"), key("c minor"));
        assert_eq!(key("F#m"), key("F♯ min"));
        assert_eq!(key("A-"), key("Am"));
        let romantext = |text: &str| Key::from_romantext(text).unwrap().to_string();
        assert_eq!(romantext("a"), "A minor");
        assert_eq!(romantext("Bb"), "Bb major");
        assert_eq!(romantext("E-"), "Eb major");
        assert_eq!(romantext("b-"), "Bb minor");
        assert_eq!(romantext("f#"), "F# minor");
        assert_eq!(romantext("E- major"), "Eb major");
        assert!(Key::from_romantext("h").is_err());
        assert_eq!(key("BbM"), key("Bb major"));
        assert!("H".parse::<Key>().is_err());
        assert!("C lydian".parse::<Key>().is_err());
        assert!("".parse::<Key>().is_err());
        assert_eq!(key("Eb").to_string(), "Eb major");
        assert_eq!(format!("{:#}", key("c#m")), "C♯ minor");
    }

    #[test]
    fn key_signatures() {
        let signature = |k: &str| key(k).signature().to_string();
        assert_eq!(signature("C"), "no sharps or flats");
        assert_eq!(signature("Eb"), "3 flats (Bb Eb Ab)");
        assert_eq!(signature("C minor"), "3 flats (Bb Eb Ab)");
        assert_eq!(signature("E"), "4 sharps (F# C# G# D#)");
        assert_eq!(signature("C#"), "7 sharps (F# C# G# D# A# E# B#)");
        assert_eq!(signature("G#"), "8 sharps (F# C# G# D# A# E# B# F##)");
        assert_eq!(signature("F"), "1 flat (Bb)");
        assert_eq!(signature("Fb"), "8 flats (Bb Eb Ab Db Gb Cb Fb Bbb)");
        assert_eq!(signature("D# minor"), "6 sharps (F# C# G# D# A# E#)");
    }

    #[test]
    fn relative_parallel_and_enharmonic_keys() {
        assert_eq!(key("C").relative(), key("Am"));
        assert_eq!(key("Bbm").relative(), key("Db"));
        assert_eq!(key("Eb").parallel(), key("Ebm"));
        assert_eq!(key("G#").simplest_spelling(), key("Ab"));
        assert_eq!(key("A#m").simplest_spelling(), key("Bbm"));
        assert_eq!(key("D#m").simplest_spelling(), key("D#m"));
        assert_eq!(key("Fb").simplest_spelling(), key("E"));
        assert_eq!(key("F#").simplest_spelling(), key("F#"));
        assert_eq!(key("D#").simplest_spelling(), key("Eb"));
    }
}
