//! RomanText's bracketed changes to a figure's chord: `[no3]` leaves a tone out, `[add9]`
//! adds the key's note that far above the numeral's degree, `[b9]` or `[#5]` alters a chord
//! tone. They follow the figure, alone or several: `IV6[no1][add2]`, `V7[no5][b9]`.
//!
//! They are applied as music21's RomanText reader applies them: alterations first, then
//! omissions, then additions; an added tone goes in the octave above the bass and the notes
//! are read again from the bass up. Two choices differ from music21: a tone added that the
//! chord already has is not listed twice (music21 lists `V7[add7]` as G B D F F), and a
//! change that would leave no notes, or a note beyond a double sharp or flat, is refused.

use std::fmt;

use super::{Style, invalid};
use crate::accidental::accidental_text;
use crate::error::Result;
use crate::pitch::{Letter, PitchClass};
use crate::scale::Key;

/// One bracketed change. Steps count from the chord's root (`3` the third, `9` the ninth)
/// for omissions and alterations, and from the numeral's scale degree for additions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bracket {
    Omit(u8),
    Add { step: u8, alter: i8 },
    Alter { step: u8, alter: i8 },
}

impl fmt::Display for Bracket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Bracket::Omit(step) => write!(f, "[no{step}]"),
            Bracket::Add { step, alter } => {
                write!(f, "[add{}{step}]", accidental_text(alter.into(), false))
            }
            Bracket::Alter { step, alter } => {
                write!(f, "[{}{step}]", accidental_text(alter.into(), false))
            }
        }
    }
}

/// Takes the bracketed changes out of a numeral's text: the text without them, and the
/// changes in the order written. A bracket the grammar lacks is refused by name.
pub(super) fn split_brackets(text: &str, input: &str) -> Result<(String, Vec<Bracket>)> {
    let mut rest = String::with_capacity(text.len());
    let mut brackets = Vec::new();
    let mut remaining = text;
    while let Some(open) = remaining.find(['[', ']']) {
        rest.push_str(&remaining[..open]);
        if remaining[open..].starts_with(']') {
            return Err(invalid(
                input,
                "a `]` closes no bracket: write [no3], [add9] or [b9]",
            ));
        }
        let close = remaining[open..].find(']').ok_or_else(|| {
            invalid(
                input,
                "a bracket is not closed: write [no3], [add9] or [b9]",
            )
        })?;
        let inside = &remaining[open + 1..open + close];
        brackets.extend(read_bracket(inside).ok_or_else(|| {
            invalid(
                input,
                &format!(
                    "`[{inside}]` is not a bracketed change; write [noN] to leave a tone out, \
                     [addN] to add one, [bN] or [#N] to alter one"
                ),
            )
        })?);
        remaining = &remaining[open + close + 1..];
    }
    rest.push_str(remaining);
    Ok((rest, brackets))
}

/// The changes inside one pair of brackets: `no3` (or `no3no5`), `add#4`, `b9`.
fn read_bracket(inside: &str) -> Option<Vec<Bracket>> {
    if let Some(omitted) = inside.strip_prefix("no") {
        return omitted
            .split("no")
            .map(|step| step_number(step).map(Bracket::Omit))
            .collect();
    }
    let (added, signs) = match inside.strip_prefix("add") {
        Some(rest) => (true, rest),
        None => (false, inside),
    };
    let digits_at = signs.find(|c: char| c.is_ascii_digit())?;
    let (accidentals, step) = signs.split_at(digits_at);
    let step = step_number(step)?;
    let alter = alteration(accidentals)?;
    Some(vec![if added {
        Bracket::Add { step, alter }
    } else if alter == 0 {
        return None;
    } else {
        Bracket::Alter { step, alter }
    }])
}

fn step_number(text: &str) -> Option<u8> {
    let step: u8 = text.parse().ok()?;
    (1..=15).contains(&step).then_some(step)
}

/// `b`, `-` or `#` repeated, as in `[bb7]`, `[-9]`, `[##4]`; empty is no alteration.
fn alteration(signs: &str) -> Option<i8> {
    let flats = signs.chars().all(|c| matches!(c, 'b' | '-'));
    let sharps = signs.chars().all(|c| c == '#');
    let count = i8::try_from(signs.chars().count())
        .ok()
        .filter(|n| *n <= 2)?;
    match (flats, sharps) {
        (_, true) => Some(count),
        (true, false) => Some(-count),
        _ => None,
    }
}

/// A note placed in pitch: its letter counted in steps from C0 and its height in semitones.
#[derive(Debug, Clone, Copy)]
struct Placed {
    pitch: PitchClass,
    step: i32,
    height: i32,
}

impl Placed {
    fn at(pitch: PitchClass, octave: i32) -> Placed {
        let letter = pitch.letter();
        Placed {
            pitch,
            step: letter.index() + 7 * octave,
            height: letter.natural_semitone() + i32::from(pitch.alter()) + 12 * octave,
        }
    }

    /// The same pitch in the lowest octave at or above `floor`, a unison spelled with a lower
    /// letter going up an octave.
    fn lowest_from(pitch: PitchClass, floor: Placed) -> Placed {
        let mut placed = Placed::at(pitch, floor.step.div_euclid(7) - 1);
        while placed.height < floor.height
            || (placed.height == floor.height && placed.step < floor.step)
        {
            placed = Placed::at(pitch, placed.step.div_euclid(7) + 1);
        }
        placed
    }
}

/// What the brackets act on: the chord's notes from the bass up in close position, its
/// root, and where an added step is counted from.
pub(super) struct BracketedChord<'a> {
    pub notes: Vec<PitchClass>,
    pub root: PitchClass,
    /// The key an added tone is taken from (the applied key for `V7[add9]/V`).
    pub key: &'a Key,
    /// The numeral's scale degree in that key, 1..=7.
    pub degree: u8,
}

/// The chord tone `step` above `root`, by letter (`9` is the second).
fn chord_step(notes: &[Placed], root: PitchClass, step: u8) -> Vec<usize> {
    let letter = Letter::from_index(root.letter().index() + i32::from(step) - 1);
    notes
        .iter()
        .enumerate()
        .filter(|(_, placed)| placed.pitch.letter() == letter)
        .map(|(index, _)| index)
        .collect()
}

/// `pitch` altered by `alter`, or the bracket refused when that passes a double sharp or flat.
fn altered(pitch: PitchClass, alter: i8, bracket: &Bracket, numeral: &str) -> Result<PitchClass> {
    let total = i16::from(pitch.alter()) + i16::from(alter);
    if total.abs() > 2 {
        return Err(invalid(
            numeral,
            &format!("{bracket} would make {pitch} more than doubly sharp or flat"),
        ));
    }
    Ok(PitchClass::new(pitch.letter(), total as i8))
}

/// Applies `brackets` to `chord`, returning its notes from the bass up. In RomanText an
/// alteration of a tone the chord lacks is dropped, as the format's reader drops it; the
/// other styles refuse it, since the writer surely meant a tone the chord does not have.
pub(super) fn apply(
    brackets: &[Bracket],
    chord: BracketedChord,
    style: Style,
    numeral: &str,
) -> Result<Vec<PitchClass>> {
    let mut placed: Vec<Placed> = Vec::with_capacity(chord.notes.len() + brackets.len());
    for &pitch in &chord.notes {
        let next = match placed.last() {
            None => Placed::at(pitch, 4),
            Some(&below) => {
                let mut next = Placed::lowest_from(pitch, below);
                if next.step <= below.step {
                    next = Placed::at(pitch, next.step.div_euclid(7) + 1);
                }
                next
            }
        };
        placed.push(next);
    }
    let Some(&bass) = placed.first() else {
        return Ok(chord.notes);
    };
    for bracket in brackets {
        if let Bracket::Alter { step, alter } = *bracket {
            let found = chord_step(&placed, chord.root, step);
            if found.is_empty() && style != Style::RomanText {
                return Err(invalid(
                    numeral,
                    &format!(
                        "{bracket} alters a tone the chord does not have; add it with [add{}{step}] or a chord suffix",
                        accidental_text(alter.into(), false)
                    ),
                ));
            }
            for index in found {
                let pitch = altered(placed[index].pitch, alter, bracket, numeral)?;
                placed[index] = Placed::at(pitch, placed[index].step.div_euclid(7));
            }
        }
    }
    for bracket in brackets {
        if let Bracket::Omit(step) = *bracket {
            let omitted = chord_step(&placed, chord.root, step);
            let mut index = 0;
            placed.retain(|_| {
                index += 1;
                !omitted.contains(&(index - 1))
            });
        }
    }
    let scale = chord.key.scale().notes();
    let mut added_any = false;
    for bracket in brackets {
        if let Bracket::Add { step, alter } = *bracket {
            let index = (usize::from(chord.degree) + usize::from(step) - 2) % 7;
            let pitch = altered(scale[index], alter, bracket, numeral)?;
            if !placed.iter().any(|p| p.pitch == pitch) {
                placed.push(Placed::lowest_from(pitch, bass));
                added_any = true;
            }
        }
    }
    if added_any {
        placed.sort_by_key(|p| (p.height, p.step));
    }
    if placed.is_empty() {
        return Err(invalid(numeral, "its brackets leave no notes"));
    }
    Ok(placed.into_iter().map(|p| p.pitch).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_read_and_write() {
        let (rest, brackets) = split_brackets("IV6[no1][add2]", "IV6[no1][add2]").unwrap();
        assert_eq!(rest, "IV6");
        assert_eq!(
            brackets,
            [Bracket::Omit(1), Bracket::Add { step: 2, alter: 0 }]
        );
        let (_, brackets) = split_brackets("V7[b9][##5][addb7][no3no5]", "x").unwrap();
        let written: String = brackets.iter().map(ToString::to_string).collect();
        assert_eq!(written, "[b9][##5][addb7][no3][no5]");
        for bad in ["V[zz]", "V[add]", "V[9]", "V[no0]", "V[no3", "V]"] {
            let error = split_brackets(bad, bad).unwrap_err().to_string();
            assert!(error.contains(bad), "{bad}: {error}");
        }
        let unopened = split_brackets("V]", "V]").unwrap_err().to_string();
        assert!(unopened.contains("closes no bracket"), "{unopened}");
    }
}
