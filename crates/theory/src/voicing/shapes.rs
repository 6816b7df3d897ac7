//! The interval shapes above the root that each voicing kind may use.

use super::{Roles, VoicingKind, voicing_error};
use crate::chord::Chord;
use crate::error::Result;
use crate::interval::Interval;
use crate::quality::{Alteration, Seventh, Triad};

fn octave_up(interval: Interval) -> Interval {
    Interval::from_parts(interval.steps() + 7, interval.semitones() + 12)
}

fn octave_down(interval: Interval) -> Interval {
    Interval::from_parts(interval.steps() - 7, interval.semitones() - 12)
}

/// Stacks simple intervals upwards in the given order, each above the last.
fn stack(order: &[Interval]) -> Vec<Interval> {
    let mut stacked: Vec<Interval> = Vec::with_capacity(order.len());
    for &interval in order {
        let mut placed = interval.simple();
        while let Some(last) = stacked.last() {
            if placed.semitones() > last.semitones() {
                break;
            }
            placed = octave_up(placed);
        }
        stacked.push(placed);
    }
    stacked
}

/// Close position of `tones` starting from each tone in turn.
fn rotations(tones: &[Interval]) -> Vec<Vec<Interval>> {
    (0..tones.len())
        .map(|start| {
            let order: Vec<Interval> = tones[start..]
                .iter()
                .chain(&tones[..start])
                .copied()
                .collect();
            stack(&order)
        })
        .collect()
}

/// The four colour tones of a rootless voicing, in A-form order (from the third).
fn rootless_tones(chord: &Chord) -> Result<Vec<Interval>> {
    let quality = chord.quality();
    let roles = Roles::of(chord);
    let fail = |reason: &str| voicing_error(chord, VoicingKind::RootlessA, reason);
    let third = roles.third.ok_or_else(|| fail("it has no third"))?;
    // Triads take a sixth as their colour when the triad allows one.
    let seventh = roles.seventh_or_sixth().or_else(|| {
        matches!(quality.triad(), Triad::Major | Triad::Minor).then_some(Interval::MAJOR_SIXTH)
    });
    let dominant = quality.seventh() == Some(Seventh::Minor)
        && matches!(
            quality.triad(),
            Triad::Major | Triad::Augmented | Triad::Sus4 | Triad::Sus2
        );
    let fifth_altered = roles.fifth.filter(|f| *f != Interval::PERFECT_FIFTH);
    let colour_five = if dominant {
        // Dominants take the 13th (or ♭13 / altered fifth) instead of the fifth.
        fifth_altered
            .filter(|_| !quality.is_altered_dominant())
            .or(roles.thirteenth)
            .unwrap_or(Interval::MAJOR_SIXTH)
    } else {
        roles.fifth.unwrap_or(Interval::PERFECT_FIFTH)
    };
    let half_diminished =
        quality.triad() == Triad::Diminished && quality.seventh() == Some(Seventh::Minor);
    let colour_nine = if half_diminished && roles.ninths.is_empty() {
        Some(roles.eleventh.unwrap_or(Interval::PERFECT_FOURTH))
    } else if third.steps() == 1 {
        // sus2: the second already is the ninth.
        None
    } else {
        Some(roles.ninth())
    };
    let mut tones = vec![third.simple(), colour_five.simple()];
    tones.extend(colour_nine);
    tones.extend(seventh.map(|i| i.simple()));
    let from_third =
        |i: &Interval| (i32::from(i.semitones()) - i32::from(third.semitones())).rem_euclid(12);
    tones.sort_by_key(from_third);
    tones.dedup();
    Ok(tones)
}

/// Up to four voices for drop voicings: guide tones first, then colour.
fn four_voices(chord: &Chord) -> Vec<Interval> {
    let roles = Roles::of(chord);
    let tones: Vec<Interval> = chord
        .quality()
        .intervals()
        .iter()
        .map(|i| i.simple())
        .collect();
    if tones.len() <= 4 {
        let mut voices = tones;
        if voices.len() == 3 {
            voices.push(voices[0]);
        }
        return voices;
    }
    let mut voices: Vec<Interval> = Vec::new();
    let mut push = |i: Option<Interval>| {
        if let Some(i) = i.map(|i| i.simple())
            && voices.len() < 4
            && !voices.contains(&i)
        {
            voices.push(i);
        }
    };
    push(roles.third);
    push(roles.seventh_or_sixth());
    // Altered tones define the chord, so they come before natural tensions.
    push(roles.fifth.filter(|f| *f != Interval::PERFECT_FIFTH));
    push(
        roles
            .ninths
            .iter()
            .copied()
            .find(|n| *n != Interval::MAJOR_NINTH),
    );
    push(roles.eleventh.filter(|e| *e == Interval::AUGMENTED_FOURTH));
    push(roles.thirteenth.filter(|t| *t == Interval::MINOR_SIXTH));
    push(roles.ninths.first().copied());
    push(roles.thirteenth);
    push(roles.eleventh);
    push(Some(roles.root));
    push(roles.fifth);
    voices.sort_by_key(|i| i.semitones());
    voices
}

/// The interval shapes (above the root) a kind may use for `chord`.
pub(super) fn shapes(chord: &Chord, kind: VoicingKind) -> Result<Vec<Vec<Interval>>> {
    let roles = Roles::of(chord);
    let fail = |reason: &str| voicing_error(chord, kind, reason);
    Ok(match kind {
        VoicingKind::Close => {
            let tones: Vec<Interval> = chord
                .quality()
                .intervals()
                .iter()
                .map(|i| i.simple())
                .collect();
            let tones = if tones.len() > 5 {
                four_voices(chord)
            } else {
                tones
            };
            let mut distinct = tones;
            distinct.dedup();
            rotations(&distinct)
        }
        VoicingKind::Drop2 | VoicingKind::Drop3 => {
            let from_top = if kind == VoicingKind::Drop2 { 2 } else { 3 };
            let voices = four_voices(chord);
            let base: Vec<Interval> = if voices.len() == 4 && voices[0] == voices[3] {
                voices[..3].to_vec()
            } else {
                voices.clone()
            };
            rotations(&base)
                .into_iter()
                .map(|mut close| {
                    if close.len() == 3 {
                        // Triads: double the lowest voice an octave up for four voices.
                        close.push(octave_up(close[0]));
                    }
                    if close.len() >= from_top {
                        let index = close.len() - from_top;
                        close[index] = octave_down(close[index]);
                    }
                    close.sort_by_key(|i| i.semitones());
                    close
                })
                .collect()
        }
        VoicingKind::Shell | VoicingKind::ShellB => {
            let third = roles
                .third
                .or(roles.fifth)
                .ok_or_else(|| fail("it has no third"))?;
            let seventh = roles
                .seventh_or_sixth()
                .or(roles.fifth)
                .ok_or_else(|| fail("it has no seventh, sixth or fifth"))?;
            let mut order = if kind == VoicingKind::Shell {
                vec![roles.root, third, seventh]
            } else {
                vec![roles.root, seventh, third]
            };
            // A diminished or augmented fifth is part of the chord's identity
            // (m7b5, dim7, 7#5), so the shell keeps it on top.
            if let Some(fifth) = roles
                .fifth
                .filter(|f| *f != Interval::PERFECT_FIFTH && *f != seventh)
            {
                order.push(fifth);
            }
            vec![stack(&order)]
        }
        VoicingKind::RootlessA | VoicingKind::RootlessB | VoicingKind::Rootless => {
            let a = rootless_tones(chord)?;
            let seventh = roles
                .seventh_or_sixth()
                .unwrap_or(Interval::MAJOR_SIXTH)
                .simple();
            let start_b = a.iter().position(|&i| i == seventh).unwrap_or(a.len() - 1);
            let b: Vec<Interval> = a[start_b..].iter().chain(&a[..start_b]).copied().collect();
            match kind {
                VoicingKind::RootlessA => vec![stack(&a)],
                VoicingKind::RootlessB => vec![stack(&b)],
                _ => vec![stack(&a), stack(&b)],
            }
        }
        VoicingKind::Gospel => gospel_shapes(chord)?,
        VoicingKind::UpperStructure => upper_structure_shapes(chord)?,
    })
}

/// Root and fifth below, rootless-A colour tones an octave above.
/// One shape per inversion of the right hand, so voice leading can keep the
/// right hand still while the left hand moves.
fn gospel_shapes(chord: &Chord) -> Result<Vec<Vec<Interval>>> {
    let roles = Roles::of(chord);
    // An altered fifth already sounds in the right hand's colour tones, so
    // the left hand then plays root and seventh (or octave) instead.
    let left = roles
        .fifth
        .filter(|f| *f == Interval::PERFECT_FIFTH)
        .or(roles.seventh)
        .unwrap_or(Interval::OCTAVE);
    let lower = vec![roles.root, left];
    Ok(rotations(&rootless_tones(chord)?)
        .into_iter()
        .map(|upper| {
            let mut shape = lower.clone();
            shape.extend(above(upper, &lower));
            shape
        })
        .collect())
}

/// Moves a right-hand block up by octaves until it sits above the left hand.
fn above(mut upper: Vec<Interval>, lower: &[Interval]) -> Vec<Interval> {
    while upper
        .first()
        .is_some_and(|i| i.semitones() <= shape_top(lower))
    {
        upper = upper.into_iter().map(octave_up).collect();
    }
    upper
}

/// Guide tones 3 and 7 below, a triad chosen by the alterations above.
fn upper_structure_shapes(chord: &Chord) -> Result<Vec<Vec<Interval>>> {
    let quality = chord.quality();
    if !quality.is_dominant()
        || quality.triad() != Triad::Major && quality.triad() != Triad::Augmented
    {
        return gospel_shapes(chord);
    }
    let alters = |a: Alteration| quality.alterations().contains(&a);
    let triad: [Interval; 3] = if quality.triad() == Triad::Augmented {
        [
            Interval::AUGMENTED_FIFTH,
            Interval::UNISON,
            Interval::AUGMENTED_SECOND,
        ]
    } else if quality.is_altered_dominant()
        || alters(Alteration::SharpNine)
        || alters(Alteration::FlatThirteen)
    {
        [
            Interval::MINOR_SIXTH,
            Interval::UNISON,
            Interval::AUGMENTED_SECOND,
        ]
    } else if alters(Alteration::FlatNine) {
        [
            Interval::MAJOR_SIXTH,
            Interval::MINOR_SECOND,
            Interval::MAJOR_THIRD,
        ]
    } else if alters(Alteration::SharpEleven) {
        [
            Interval::MAJOR_SECOND,
            Interval::AUGMENTED_FOURTH,
            Interval::MAJOR_SIXTH,
        ]
    } else {
        [
            Interval::MAJOR_SECOND,
            Interval::MAJOR_THIRD,
            Interval::MAJOR_SIXTH,
        ]
    };
    let lower = stack(&[Interval::MAJOR_THIRD, Interval::MINOR_SEVENTH]);
    Ok(rotations(&triad)
        .into_iter()
        .map(|upper| {
            let mut shape = lower.clone();
            shape.extend(above(upper, &lower));
            shape
        })
        .collect())
}

fn shape_top(shape: &[Interval]) -> i8 {
    shape.iter().map(|i| i.semitones()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pitch::Note;

    fn chord(s: &str) -> Chord {
        s.parse().unwrap()
    }

    fn shape_names(symbol: &str, kind: VoicingKind) -> String {
        let c = chord(symbol);
        let root = Note::new(c.root(), 3);
        shapes(&c, kind).unwrap()[0]
            .iter()
            .map(|&i| root.transpose(i).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn rootless_shapes() {
        assert_eq!(shape_names("Dm7", VoicingKind::RootlessA), "F3 A3 C4 E4");
        assert_eq!(shape_names("G7", VoicingKind::RootlessA), "B3 E4 F4 A4");
        assert_eq!(shape_names("G7", VoicingKind::RootlessB), "F4 A4 B4 E5");
        assert_eq!(shape_names("Cmaj7", VoicingKind::RootlessA), "E3 G3 B3 D4");
        assert_eq!(shape_names("Cmaj7", VoicingKind::RootlessB), "B3 D4 E4 G4");
        assert_eq!(
            shape_names("G7alt", VoicingKind::RootlessA),
            "B3 Eb4 F4 A#4"
        );
        assert_eq!(shape_names("Bm7b5", VoicingKind::RootlessA), "D4 E4 F4 A4");
        assert_eq!(shape_names("C6", VoicingKind::RootlessA), "E3 G3 A3 D4");
    }

    #[test]
    fn shell_and_drop_shapes() {
        assert_eq!(shape_names("G7", VoicingKind::Shell), "G3 B3 F4");
        assert_eq!(shape_names("G7", VoicingKind::ShellB), "G3 F4 B4");
        assert_eq!(shape_names("Cmaj7", VoicingKind::Drop2), "G2 C3 E3 B3");
        assert_eq!(shape_names("Cmaj7", VoicingKind::Drop3), "E2 C3 G3 B3");
        assert_eq!(shape_names("Ebm7", VoicingKind::Close), "Eb3 Gb3 Bb3 Db4");
        assert_eq!(shape_names("C13", VoicingKind::Drop2).split(' ').count(), 4);
    }

    #[test]
    fn upper_structures_follow_the_alterations() {
        assert_eq!(
            shape_names("C7b9", VoicingKind::UpperStructure),
            "E3 Bb3 A4 Db5 E5"
        );
        assert_eq!(
            shape_names("C7#11", VoicingKind::UpperStructure),
            "E3 Bb3 D4 F#4 A4"
        );
        assert_eq!(
            shape_names("C7alt", VoicingKind::UpperStructure),
            "E3 Bb3 Ab4 C5 D#5"
        );
        assert_eq!(
            shape_names("Fmaj7", VoicingKind::Gospel),
            "F3 C4 A4 C5 E5 G5"
        );
    }
}
