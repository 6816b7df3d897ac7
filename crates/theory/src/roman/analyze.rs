//! Chord + key → numeral: the functional reading of a chord (diatonic,
//! Neapolitan, applied, borrowed or chromatic) and its inversion figure.

use super::{
    HarmonicFunction, NumeralReading, NumeralRoot, RomanNumeral, Style, accidental_to,
    default_root, flatten, is_lower_case, key_seventh,
};
use crate::chord::Chord;
use crate::error::{Result, TheoryError};
use crate::interval::Interval;
use crate::quality::{ChordQuality, Seventh, Triad};
use crate::scale::{Key, KeyMode};

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

impl RomanNumeral {
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
        if style != Style::Jazz
            && chord.root() == flatten(key.major_degree(2))
            && *chord.quality() == ChordQuality::major()
        {
            let numeral = RomanNumeral {
                root: NumeralRoot::Neapolitan { bare: false },
                quality: ChordQuality::major(),
                plain_seventh: false,
                inversion: 0,
                brackets: Vec::new(),
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
        if let NumeralRoot::Neapolitan { bare } = &mut numeral.root {
            // Root position is written `N`, except in RomanText, which reads `N` as `N6`.
            *bare = inversion == 0 && style != Style::RomanText;
        }
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

/// The plain numeral for `chord`'s root and quality in `key` (no target).
fn numeral_on(key: &Key, chord: &Chord, style: Style) -> RomanNumeral {
    let root = chord.root();
    let quality = chord.quality();
    let degree = (root.letter().index() - key.tonic().letter().index()).rem_euclid(7) as u8 + 1;
    let lower = is_lower_case(quality.triad());
    let accidental = if root == default_root(key, degree, lower) {
        None
    } else {
        Some(accidental_to(key, degree, root, style))
    };
    let upper_with_seventh = !lower && quality.triad() != Triad::Power;
    let plain_seventh = upper_with_seventh
        && match (quality.seventh(), style) {
            (Some(Seventh::Minor), Style::Jazz) => true,
            (Some(seventh), style) if style.sevenths_from_key() => {
                seventh != Seventh::Diminished && key_seventh(key, root, style) == Some(seventh)
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
        brackets: Vec::new(),
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
            brackets: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    fn read(chord: &str, key_name: &str, style: Style) -> String {
        let chord: Chord = chord.parse().unwrap();
        RomanNumeral::for_chord(&chord, &key(key_name), style)
            .unwrap_or_else(|e| panic!("{chord} in {key_name}: {e}"))
            .numeral
            .to_string()
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
}
