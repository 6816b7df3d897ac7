//! Spelled pitches: letters, pitch classes and notes with octave.
//!
//! A pitch keeps its letter, so B♯, C and D𝄫 stay three different spellings of
//! one sound. Transposition moves the letter by the interval's step count and
//! fixes the accidental from the semitone count, which is what keeps spelling
//! musically correct (E♭ up a major third is G, D♯ up a major third is F𝄪).

use std::fmt;
use std::str::FromStr;

use super::accidental::{accidental_text, read_accidentals};
use super::error::{Result, TheoryError};
use super::interval::Interval;

/// One of the seven note letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Letter {
    C,
    D,
    E,
    F,
    G,
    A,
    B,
}

impl Letter {
    /// The letters from C upwards.
    pub const ALL: [Letter; 7] = [
        Letter::C,
        Letter::D,
        Letter::E,
        Letter::F,
        Letter::G,
        Letter::A,
        Letter::B,
    ];

    /// Position within the octave: C = 0 … B = 6.
    pub fn index(self) -> i32 {
        self as i32
    }

    /// The letter `index` steps above C, wrapping around the octave.
    pub fn from_index(index: i32) -> Letter {
        Letter::ALL[index.rem_euclid(7) as usize]
    }

    /// Semitones above C of the natural (unaltered) note.
    pub fn natural_semitone(self) -> i32 {
        [0, 2, 4, 5, 7, 9, 11][self as usize]
    }

    /// Reads a letter in either case.
    pub fn from_char(c: char) -> Option<Letter> {
        match c.to_ascii_uppercase() {
            'C' => Some(Letter::C),
            'D' => Some(Letter::D),
            'E' => Some(Letter::E),
            'F' => Some(Letter::F),
            'G' => Some(Letter::G),
            'A' => Some(Letter::A),
            'B' => Some(Letter::B),
            _ => None,
        }
    }

    /// The uppercase letter.
    pub fn as_char(self) -> char {
        ['C', 'D', 'E', 'F', 'G', 'A', 'B'][self as usize]
    }

    /// Position on the line of fifths relative to C (F = -1, G = 1, B = 5).
    fn fifths(self) -> i32 {
        [0, 2, 4, -1, 1, 3, 5][self as usize]
    }
}

/// Reads a spelled pitch (letter plus accidentals) at the start of `chars`.
/// Returns `None` when there is no letter; an error when the accidentals are
/// beyond double sharp or double flat.
pub(crate) fn read_pitch(chars: &[char], input: &str) -> Result<Option<(PitchClass, usize)>> {
    let Some(letter) = chars.first().and_then(|&c| Letter::from_char(c)) else {
        return Ok(None);
    };
    let (alter, used) = read_accidentals(&chars[1..]);
    if alter.abs() > 2 {
        return Err(TheoryError::InvalidNote {
            input: input.to_string(),
            reason: "more than a double sharp or double flat".into(),
        });
    }
    Ok(Some((PitchClass::new(letter, alter as i8), used + 1)))
}

/// A spelled pitch class: a letter with an alteration, without octave (e.g. E♭).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PitchClass {
    letter: Letter,
    alter: i8,
}

/// Keeps an alteration in the range -6..=5 so repeated transposition cannot overflow.
fn wrap_alter(alter: i32) -> i8 {
    let wrapped = (alter + 6).rem_euclid(12) - 6;
    wrapped as i8
}

impl PitchClass {
    /// A letter with `alter` semitones (negative = flats).
    pub const fn new(letter: Letter, alter: i8) -> Self {
        PitchClass { letter, alter }
    }

    /// The natural note on `letter`.
    pub const fn natural(letter: Letter) -> Self {
        PitchClass { letter, alter: 0 }
    }

    pub fn letter(self) -> Letter {
        self.letter
    }

    /// Semitones of alteration: -2 = double flat … 2 = double sharp.
    pub fn alter(self) -> i8 {
        self.alter
    }

    /// Semitones above C, 0..=11 (B♯ is 0, C♭ is 11).
    pub fn semitone(self) -> u8 {
        (self.letter.natural_semitone() + i32::from(self.alter)).rem_euclid(12) as u8
    }

    /// Position on the line of fifths (C = 0, G = 1, F = -1, F♯ = 6, B♭ = -2).
    pub fn fifths(self) -> i32 {
        self.letter.fifths() + 7 * i32::from(self.alter)
    }

    /// The pitch class at `fifths` on the line of fifths.
    pub fn from_fifths(fifths: i32) -> Self {
        let letter_fifths = (fifths + 1).rem_euclid(7) - 1;
        let letter = Letter::ALL
            .into_iter()
            .find(|l| l.fifths() == letter_fifths)
            .unwrap_or(Letter::C);
        let alter = (fifths - letter_fifths).div_euclid(7);
        PitchClass::new(letter, alter.clamp(-6, 5) as i8)
    }

    /// Moves by a spelled interval (negative intervals move down).
    pub fn transpose(self, interval: Interval) -> Self {
        let letter = Letter::from_index(self.letter.index() + i32::from(interval.steps()));
        let target = i32::from(self.semitone()) + i32::from(interval.semitones());
        PitchClass::new(letter, wrap_alter(target - letter.natural_semitone()))
    }

    /// The ascending interval (within one octave) from `self` up to `other`.
    pub fn interval_to(self, other: PitchClass) -> Interval {
        let steps = (other.letter.index() - self.letter.index()).rem_euclid(7);
        let reference =
            (other.letter.natural_semitone() - self.letter.natural_semitone()).rem_euclid(12);
        let semitones = (i32::from(other.semitone()) - i32::from(self.semitone())).rem_euclid(12);
        // C up to B♯ is an augmented seventh (12 semitones), not a unison: keep
        // the offset from the natural interval small.
        let offset = (semitones - reference + 6).rem_euclid(12) - 6;
        Interval::from_parts(steps as i8, (reference + offset) as i8)
    }

    /// True when both sound the same (C♯ and D♭).
    pub fn is_enharmonic(self, other: PitchClass) -> bool {
        self.semitone() == other.semitone()
    }

    /// The plainest spelling of the same sound: naturals where possible, single
    /// accidentals in the direction of the original otherwise (F𝄪 → G, C♭ → B,
    /// A♯ stays A♯).
    pub fn simplified(self) -> Self {
        let plain = |p: PitchClass| p.alter == 0 || (p.alter.abs() == 1 && !p.is_odd_spelling());
        if plain(self) {
            return self;
        }
        let semitone = self.semitone();
        let candidates = Letter::ALL.into_iter().flat_map(|letter| {
            [0i8, -1, 1]
                .into_iter()
                .map(move |alter| PitchClass::new(letter, alter))
        });
        let same: Vec<PitchClass> = candidates
            .filter(|p| p.semitone() == semitone && plain(*p))
            .collect();
        same.iter()
            .copied()
            .find(|p| p.alter == 0)
            .or_else(|| {
                same.iter()
                    .copied()
                    .find(|p| p.alter.signum() == self.alter.signum())
            })
            .or_else(|| same.first().copied())
            .unwrap_or(self)
    }

    /// C♭, F♭, B♯ and E♯: correct in context, but not the plainest spelling.
    fn is_odd_spelling(self) -> bool {
        matches!(
            (self.letter, self.alter),
            (Letter::C, -1) | (Letter::F, -1) | (Letter::B, 1) | (Letter::E, 1)
        )
    }

    /// The same spelling at an octave (scientific pitch notation, C4 = middle C).
    pub fn at_octave(self, octave: i8) -> Note {
        Note::new(self, octave)
    }

    /// The pitch class sounding `semitone` above C, spelled with flats or sharps.
    pub fn from_semitone(semitone: i32, prefer_flats: bool) -> Self {
        let natural_at = |s: i32| {
            Letter::ALL
                .into_iter()
                .find(|l| l.natural_semitone() == s.rem_euclid(12))
        };
        if let Some(letter) = natural_at(semitone) {
            return PitchClass::natural(letter);
        }
        // Between two naturals: name it from the neighbour above (flat) or below (sharp).
        let (neighbour, alter) = if prefer_flats {
            (natural_at(semitone + 1), -1)
        } else {
            (natural_at(semitone - 1), 1)
        };
        PitchClass::new(neighbour.unwrap_or(Letter::C), alter)
    }
}

impl fmt::Display for PitchClass {
    /// `Eb`, `F##`; with `{:#}` Unicode `E♭`, `F𝄪`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.letter.as_char(),
            accidental_text(i32::from(self.alter), f.alternate())
        )
    }
}

impl FromStr for PitchClass {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let chars: Vec<char> = s.trim().chars().collect();
        if chars.is_empty() {
            return Err(TheoryError::Empty {
                what: "note name",
                example: "Eb, F#, C",
            });
        }
        match read_pitch(&chars, s)? {
            Some((pitch, used)) if used == chars.len() => Ok(pitch),
            Some(_) => Err(TheoryError::InvalidNote {
                input: s.to_string(),
                reason: "unexpected text after the note name".into(),
            }),
            None => Err(TheoryError::InvalidNote {
                input: s.to_string(),
                reason: "a note starts with a letter A–G".into(),
            }),
        }
    }
}

serde_as_string!(PitchClass);

/// A spelled pitch with octave (scientific pitch notation: C4 is middle C,
/// MIDI 60). The octave belongs to the letter, so B♯3 sounds as C4 and C♭4
/// sounds as B3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Note {
    pitch: PitchClass,
    octave: i8,
}

impl Note {
    pub const fn new(pitch: PitchClass, octave: i8) -> Self {
        Note { pitch, octave }
    }

    pub fn pitch(self) -> PitchClass {
        self.pitch
    }

    pub fn octave(self) -> i8 {
        self.octave
    }

    /// MIDI note number (C4 = 60). May fall outside 0..=127 for extreme notes.
    pub fn midi(self) -> i32 {
        (i32::from(self.octave) + 1) * 12
            + self.pitch.letter.natural_semitone()
            + i32::from(self.pitch.alter)
    }

    /// Diatonic position counted in letters from C-1, used to move letters across octaves.
    fn letter_position(self) -> i32 {
        i32::from(self.octave) * 7 + self.pitch.letter.index()
    }

    /// Moves by a spelled interval; negative intervals move down.
    pub fn transpose(self, interval: Interval) -> Self {
        let position = self.letter_position() + i32::from(interval.steps());
        let letter = Letter::from_index(position);
        let octave = position.div_euclid(7);
        let target = self.midi() + i32::from(interval.semitones());
        let natural = (octave + 1) * 12 + letter.natural_semitone();
        Note::new(
            PitchClass::new(letter, (target - natural).clamp(-12, 12) as i8),
            octave.clamp(-10, 20) as i8,
        )
    }

    /// The same note moved by whole octaves.
    pub fn shift_octaves(self, octaves: i8) -> Self {
        Note::new(self.pitch, self.octave.saturating_add(octaves))
    }

    /// A note sounding at `midi`, spelled with flats or sharps.
    pub fn from_midi(midi: i32, prefer_flats: bool) -> Self {
        let pitch = PitchClass::from_semitone(midi, prefer_flats);
        let octave = midi.div_euclid(12) - 1;
        Note::new(pitch, octave.clamp(-10, 20) as i8)
    }
}

impl PartialOrd for Note {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Note {
    /// By sounding pitch, then by letter so enharmonic spellings stay distinct.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.midi(), self.letter_position(), self.pitch.alter).cmp(&(
            other.midi(),
            other.letter_position(),
            other.pitch.alter,
        ))
    }
}

impl fmt::Display for Note {
    /// `Eb4`; with `{:#}` `E♭4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{:#}{}", self.pitch, self.octave)
        } else {
            write!(f, "{}{}", self.pitch, self.octave)
        }
    }
}

impl FromStr for Note {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let chars: Vec<char> = s.trim().chars().collect();
        let invalid = |reason: &str| TheoryError::InvalidNote {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let Some((pitch, used)) = read_pitch(&chars, s)? else {
            return Err(invalid("a note starts with a letter A–G, e.g. Eb4"));
        };
        let octave_text: String = chars[used..].iter().collect();
        if octave_text.is_empty() {
            return Err(invalid("missing octave number, e.g. Eb4 or C#3"));
        }
        let octave: i8 = octave_text
            .parse()
            .ok()
            .filter(|o| (-1..=9).contains(o))
            .ok_or_else(|| invalid("octave must be a number from -1 to 9"))?;
        Ok(Note::new(pitch, octave))
    }
}

serde_as_string!(Note);

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(s: &str) -> PitchClass {
        s.parse().unwrap()
    }

    #[test]
    fn parses_ascii_and_unicode_accidentals() {
        assert_eq!(pc("Eb"), PitchClass::new(Letter::E, -1));
        assert_eq!(pc("E♭"), pc("Eb"));
        assert_eq!(pc("D𝄪"), PitchClass::new(Letter::D, 2));
        assert_eq!(pc("Dx"), pc("D##"));
        assert!("Cxyz".parse::<PitchClass>().is_err());
        assert_eq!(pc("B𝄫"), pc("Bbb"));
        assert_eq!(pc("bb"), pc("Bb"));
        assert!("H".parse::<PitchClass>().is_err());
        assert!("Cbbb".parse::<PitchClass>().is_err());
        assert!("".parse::<PitchClass>().is_err());
        assert!("C#m".parse::<PitchClass>().is_err());
    }

    #[test]
    fn prints_ascii_by_default_and_unicode_on_request() {
        assert_eq!(pc("F##").to_string(), "F##");
        assert_eq!(format!("{:#}", pc("F##")), "F𝄪");
        assert_eq!(format!("{:#}", pc("Bbb")), "B𝄫");
        assert_eq!(format!("{:#}", pc("Eb")), "E♭");
        assert_eq!("Eb4".parse::<Note>().unwrap().to_string(), "Eb4");
        assert_eq!(format!("{:#}", "C#-1".parse::<Note>().unwrap()), "C♯-1");
    }

    #[test]
    fn transposition_keeps_letters() {
        let m3 = Interval::MINOR_THIRD;
        let maj3 = Interval::MAJOR_THIRD;
        assert_eq!(pc("Eb").transpose(maj3), pc("G"));
        assert_eq!(pc("D#").transpose(maj3), pc("F##"));
        assert_eq!(pc("B").transpose(maj3), pc("D#"));
        assert_eq!(pc("Db").transpose(m3), pc("Fb"));
        assert_eq!(pc("G#").transpose(Interval::AUGMENTED_FIFTH), pc("D##"));
        assert_eq!(pc("C").transpose(Interval::DIMINISHED_SEVENTH), pc("Bbb"));
        assert_eq!(pc("E").transpose(-Interval::PERFECT_FIFTH), pc("A"));
    }

    #[test]
    fn intervals_between_spellings() {
        assert_eq!(pc("C").interval_to(pc("E")).to_string(), "M3");
        assert_eq!(pc("C").interval_to(pc("Fb")).to_string(), "d4");
        assert_eq!(pc("C").interval_to(pc("B#")).to_string(), "A7");
        assert_eq!(pc("E").interval_to(pc("C")).to_string(), "m6");
        assert_eq!(pc("C#").interval_to(pc("Bb")).to_string(), "d7");
    }

    #[test]
    fn midi_numbers_follow_scientific_pitch() {
        let midi = |s: &str| s.parse::<Note>().unwrap().midi();
        assert_eq!(midi("C4"), 60);
        assert_eq!(midi("A4"), 69);
        assert_eq!(midi("B#3"), 60);
        assert_eq!(midi("Cb4"), 59);
        assert_eq!(midi("C-1"), 0);
        assert_eq!(midi("G9"), 127);
        assert!("C10".parse::<Note>().is_err());
        assert!("C".parse::<Note>().is_err());
    }

    #[test]
    fn note_transposition_crosses_octaves() {
        let n = |s: &str| s.parse::<Note>().unwrap();
        assert_eq!(n("B3").transpose(Interval::MINOR_SECOND), n("C4"));
        assert_eq!(n("B#3").transpose(Interval::MAJOR_SECOND), n("C##4"));
        assert_eq!(n("C4").transpose(-Interval::MINOR_SECOND), n("B3"));
        assert_eq!(n("C4").transpose(Interval::MAJOR_NINTH), n("D5"));
    }

    #[test]
    fn simplified_spelling() {
        assert_eq!(pc("F##").simplified(), pc("G"));
        assert_eq!(pc("Cb").simplified(), pc("B"));
        assert_eq!(pc("E#").simplified(), pc("F"));
        assert_eq!(pc("Ebb").simplified(), pc("D"));
        assert_eq!(pc("Bbb").simplified(), pc("A"));
        assert_eq!(pc("A#").simplified(), pc("A#"));
        assert_eq!(pc("Gbb").simplified(), pc("F"));
    }

    #[test]
    fn line_of_fifths() {
        assert_eq!(pc("F#").fifths(), 6);
        assert_eq!(pc("Bb").fifths(), -2);
        for fifths in -15..=15 {
            assert_eq!(PitchClass::from_fifths(fifths).fifths(), fifths);
        }
    }

    #[test]
    fn serde_uses_note_names() {
        let note: Note = "Eb4".parse().unwrap();
        assert_eq!(serde_json::to_string(&note).unwrap(), "\"Eb4\"");
        let back: Note = serde_json::from_str("\"E♭4\"").unwrap();
        assert_eq!(back, note);
        assert!(serde_json::from_str::<PitchClass>("\"Q\"").is_err());
    }
}
