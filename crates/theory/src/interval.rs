//! Spelled intervals: a number of letter steps plus a number of semitones.
//!
//! Keeping both is what distinguishes an augmented second (C–D♯) from a minor
//! third (C–E♭). Intervals may be compound (a ninth is 8 steps, 14 semitones)
//! and negative (descending).

use std::fmt;
use std::ops::Neg;
use std::str::FromStr;

use super::accidental::accidental_text;
use super::error::{Result, TheoryError};

/// A spelled interval. `steps` counts letters (0 = unison, 2 = third, 8 = ninth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    steps: i8,
    semitones: i8,
}

/// Semitones of the major or perfect interval with `steps` letter steps (any sign).
fn reference_semitones(steps: i32) -> i32 {
    const SIMPLE: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
    let octaves = steps.div_euclid(7);
    octaves * 12 + SIMPLE[steps.rem_euclid(7) as usize]
}

/// Unisons, fourths and fifths (and their compounds) are perfect; the rest major/minor.
fn is_perfect_class(steps: i32) -> bool {
    matches!(steps.rem_euclid(7), 0 | 3 | 4)
}

impl Interval {
    pub const UNISON: Interval = Interval::from_parts(0, 0);
    pub const MINOR_SECOND: Interval = Interval::from_parts(1, 1);
    pub const MAJOR_SECOND: Interval = Interval::from_parts(1, 2);
    pub const AUGMENTED_SECOND: Interval = Interval::from_parts(1, 3);
    pub const MINOR_THIRD: Interval = Interval::from_parts(2, 3);
    pub const MAJOR_THIRD: Interval = Interval::from_parts(2, 4);
    pub const DIMINISHED_FOURTH: Interval = Interval::from_parts(3, 4);
    pub const PERFECT_FOURTH: Interval = Interval::from_parts(3, 5);
    pub const AUGMENTED_FOURTH: Interval = Interval::from_parts(3, 6);
    pub const DIMINISHED_FIFTH: Interval = Interval::from_parts(4, 6);
    pub const PERFECT_FIFTH: Interval = Interval::from_parts(4, 7);
    pub const AUGMENTED_FIFTH: Interval = Interval::from_parts(4, 8);
    pub const MINOR_SIXTH: Interval = Interval::from_parts(5, 8);
    pub const MAJOR_SIXTH: Interval = Interval::from_parts(5, 9);
    pub const AUGMENTED_SIXTH: Interval = Interval::from_parts(5, 10);
    pub const DIMINISHED_SEVENTH: Interval = Interval::from_parts(6, 9);
    pub const MINOR_SEVENTH: Interval = Interval::from_parts(6, 10);
    pub const MAJOR_SEVENTH: Interval = Interval::from_parts(6, 11);
    pub const OCTAVE: Interval = Interval::from_parts(7, 12);
    pub const MINOR_NINTH: Interval = Interval::from_parts(8, 13);
    pub const MAJOR_NINTH: Interval = Interval::from_parts(8, 14);
    pub const AUGMENTED_NINTH: Interval = Interval::from_parts(8, 15);
    pub const PERFECT_ELEVENTH: Interval = Interval::from_parts(10, 17);
    pub const AUGMENTED_ELEVENTH: Interval = Interval::from_parts(10, 18);
    pub const MINOR_THIRTEENTH: Interval = Interval::from_parts(12, 20);
    pub const MAJOR_THIRTEENTH: Interval = Interval::from_parts(12, 21);

    /// Builds an interval without checking that steps and semitones agree.
    pub(crate) const fn from_parts(steps: i8, semitones: i8) -> Self {
        Interval { steps, semitones }
    }

    /// An interval of `steps` letter steps and `semitones` semitones, if its
    /// quality is at most doubly augmented or diminished.
    pub fn new(steps: i8, semitones: i8) -> Option<Self> {
        let candidate = Interval { steps, semitones };
        (steps.unsigned_abs() <= 28 && candidate.quality_offset().abs() <= 3).then_some(candidate)
    }

    /// Letter steps: 0 = unison, 1 = second, …, 7 = octave.
    pub fn steps(self) -> i8 {
        self.steps
    }

    /// Size in semitones.
    pub fn semitones(self) -> i8 {
        self.semitones
    }

    /// The same interval within one octave, ascending (a ninth becomes a second).
    pub fn simple(self) -> Interval {
        let octaves = i32::from(self.steps).div_euclid(7);
        Interval::from_parts(
            (i32::from(self.steps) - 7 * octaves) as i8,
            (i32::from(self.semitones) - 12 * octaves) as i8,
        )
    }

    /// Semitones away from the major or perfect interval of the same number,
    /// measured for the ascending form.
    fn quality_offset(self) -> i32 {
        let (steps, semitones) = if self.steps < 0 {
            (-i32::from(self.steps), -i32::from(self.semitones))
        } else {
            (i32::from(self.steps), i32::from(self.semitones))
        };
        semitones - reference_semitones(steps)
    }

    /// The quality letter(s): P, M, m, A, d, AA, dd.
    pub fn quality(self) -> String {
        let offset = self.quality_offset();
        let steps = i32::from(self.steps).abs();
        let perfect = is_perfect_class(steps);
        match (perfect, offset) {
            (true, 0) => "P".into(),
            (false, 0) => "M".into(),
            (false, -1) => "m".into(),
            (_, o) if o > 0 => "A".repeat(o as usize),
            (true, o) => "d".repeat(o.unsigned_abs() as usize),
            (false, o) => "d".repeat((o.unsigned_abs() - 1) as usize),
        }
    }

    /// The chord-degree label used in chord spelling tables: 1, b3, 3, #5, b7, bb7, 9, #11, b13.
    pub fn degree_label(self) -> String {
        let steps = i32::from(self.steps).abs();
        // Plain numbers are major or perfect; each flat or sharp moves one semitone.
        let accidental = accidental_text(self.quality_offset(), false);
        format!("{accidental}{}", steps + 1)
    }
}

impl Neg for Interval {
    type Output = Interval;

    fn neg(self) -> Interval {
        Interval::from_parts(self.steps.saturating_neg(), self.semitones.saturating_neg())
    }
}

impl fmt::Display for Interval {
    /// `m3`, `P5`, `A4`, `M9`, descending as `-P5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.steps < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{}{}",
            self.quality(),
            i32::from(self.steps).abs() + 1
        )
    }
}

impl FromStr for Interval {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = |reason: &str| TheoryError::InvalidInterval {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let text = s.trim();
        let (descending, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let split = text
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| invalid("missing interval number"))?;
        let (quality, number) = text.split_at(split);
        let number: i32 = number
            .parse()
            .ok()
            .filter(|n| (1..=29).contains(n))
            .ok_or_else(|| invalid("the number must be 1 to 29"))?;
        let steps = number - 1;
        let perfect = is_perfect_class(steps);
        let offset = match (quality, perfect) {
            ("P", true) => 0,
            ("M", false) => 0,
            ("m", false) => -1,
            (q, _) if !q.is_empty() && q.chars().all(|c| c == 'A') => q.len() as i32,
            (q, true) if !q.is_empty() && q.chars().all(|c| c == 'd') => -(q.len() as i32),
            (q, false) if !q.is_empty() && q.chars().all(|c| c == 'd') => -(q.len() as i32) - 1,
            _ => return Err(invalid("unknown quality for this number")),
        };
        let interval = Interval::new(steps as i8, (reference_semitones(steps) + offset) as i8)
            .ok_or_else(|| invalid("quality out of range"))?;
        Ok(if descending { -interval } else { interval })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "P1", "m2", "M2", "A2", "m3", "M3", "d4", "P4", "A4", "d5", "P5", "A5", "m6", "M6",
            "A6", "d7", "m7", "M7", "P8", "m9", "M9", "A9", "P11", "A11", "m13", "M13", "-P5",
            "dd7", "AA4",
        ] {
            let interval: Interval = name.parse().unwrap();
            assert_eq!(interval.to_string(), name);
        }
        assert_eq!("M3".parse::<Interval>().unwrap(), Interval::MAJOR_THIRD);
        assert!("P3".parse::<Interval>().is_err());
        assert!("M5".parse::<Interval>().is_err());
        assert!("X".parse::<Interval>().is_err());
        assert!("m0".parse::<Interval>().is_err());
    }

    #[test]
    fn degree_labels() {
        let label = |i: Interval| i.degree_label();
        assert_eq!(label(Interval::MINOR_THIRD), "b3");
        assert_eq!(label(Interval::DIMINISHED_SEVENTH), "bb7");
        assert_eq!(label(Interval::AUGMENTED_ELEVENTH), "#11");
        assert_eq!(label(Interval::MINOR_THIRTEENTH), "b13");
        assert_eq!(label(Interval::PERFECT_FIFTH), "5");
        assert_eq!(label(Interval::DIMINISHED_FIFTH), "b5");
    }

    #[test]
    fn simple_form_of_compound_intervals() {
        assert_eq!(Interval::MAJOR_NINTH.simple(), Interval::MAJOR_SECOND);
        assert_eq!(Interval::MINOR_THIRTEENTH.simple(), Interval::MINOR_SIXTH);
        assert_eq!(
            (-Interval::MAJOR_THIRD).simple(),
            Interval::from_parts(5, 8)
        );
    }
}
