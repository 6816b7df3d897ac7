//! Reharmonisation rules: tritone substitution, related ii chords, secondary
//! dominants and the backdoor cadence.

use std::fmt;
use std::str::FromStr;

use crate::chord::Chord;
use crate::error::{Result, TheoryError};
use crate::interval::Interval;
use crate::quality::{Alteration, ChordQuality, Seventh, Triad};

/// The tritone substitute of a dominant chord: same quality (alterations
/// dropped, since the sub's plain tensions are the original's altered ones),
/// root a diminished fifth away, respelled plainly (B♭7 → E7, not F♭7).
pub fn tritone_substitute(chord: &Chord) -> Option<Chord> {
    if !chord.quality().is_dominant() {
        return None;
    }
    let root = chord.root().transpose(Interval::DIMINISHED_FIFTH);
    let sub = Chord::new(root, chord.quality().without_alterations());
    Some(if root.alter().abs() > 1 || root.simplified() != root {
        sub.simplified()
    } else {
        sub
    })
}

/// Simple reharmonisation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reharmonization {
    /// Replace each dominant seventh chord by its tritone substitute.
    TritoneSubstitution,
    /// Precede each dominant chord by its related ii (iiø7 before a ♭9 dominant).
    RelatedTwo,
    /// Precede each non-dominant chord by its own dominant seventh.
    SecondaryDominants,
    /// Replace a dominant resolving up a fourth by iv7–♭VII7 of the target.
    Backdoor,
}

impl Reharmonization {
    pub const ALL: [Reharmonization; 4] = [
        Reharmonization::TritoneSubstitution,
        Reharmonization::RelatedTwo,
        Reharmonization::SecondaryDominants,
        Reharmonization::Backdoor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reharmonization::TritoneSubstitution => "tritone",
            Reharmonization::RelatedTwo => "related-ii",
            Reharmonization::SecondaryDominants => "secondary-dominants",
            Reharmonization::Backdoor => "backdoor",
        }
    }

    /// The chords replacing `chord`, given its neighbours.
    pub(super) fn apply(
        self,
        chord: &Chord,
        previous: Option<&Chord>,
        next: Option<&Chord>,
    ) -> Vec<Chord> {
        let resolves_to_next =
            next.is_some_and(|n| chord.root().transpose(Interval::PERFECT_FOURTH) == n.root());
        match self {
            Reharmonization::TritoneSubstitution => {
                vec![tritone_substitute(chord).unwrap_or_else(|| chord.clone())]
            }
            Reharmonization::RelatedTwo if chord.quality().is_dominant() => {
                let two_root = chord.root().transpose(Interval::PERFECT_FIFTH);
                let flat_nine = chord
                    .quality()
                    .alterations()
                    .contains(&Alteration::FlatNine);
                let quality = if flat_nine {
                    ChordQuality::half_diminished()
                } else {
                    ChordQuality::minor_seventh()
                };
                let two = Chord::new(two_root, quality);
                let already_there = previous.is_some_and(|p| {
                    p.root() == two_root
                        && matches!(p.quality().triad(), Triad::Minor | Triad::Diminished)
                });
                if already_there {
                    vec![chord.clone()]
                } else {
                    vec![two, chord.clone()]
                }
            }
            Reharmonization::SecondaryDominants
                if previous.is_some()
                    && !chord.quality().is_dominant()
                    && chord.quality().triad() != Triad::Diminished =>
            {
                let dominant = Chord::new(
                    chord.root().transpose(Interval::PERFECT_FIFTH),
                    ChordQuality::dominant_seventh(),
                );
                if previous.is_some_and(|p| p.root() == dominant.root()) {
                    vec![chord.clone()]
                } else {
                    vec![dominant, chord.clone()]
                }
            }
            Reharmonization::Backdoor
                if chord.quality().seventh() == Some(Seventh::Minor)
                    && chord.quality().is_dominant()
                    && resolves_to_next =>
            {
                let target = next.map_or(chord.root(), |n| n.root());
                let four = Chord::new(
                    target.transpose(Interval::PERFECT_FOURTH),
                    ChordQuality::minor_seventh(),
                );
                let flat_seven = Chord::new(
                    target.transpose(Interval::MINOR_SEVENTH),
                    ChordQuality::dominant_seventh(),
                );
                vec![four, flat_seven]
            }
            _ => vec![chord.clone()],
        }
    }
}

impl fmt::Display for Reharmonization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_as_string!(Reharmonization);

impl FromStr for Reharmonization {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_lowercase().replace(['_', ' '], "-");
        Reharmonization::ALL
            .into_iter()
            .find(|r| {
                r.name() == wanted
                    || (wanted == "tritone-substitution"
                        && *r == Reharmonization::TritoneSubstitution)
            })
            .ok_or_else(|| TheoryError::UnknownReharmonization {
                input: s.to_string(),
                expected: Reharmonization::ALL.map(|r| r.name()).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{key, symbols};
    use super::super::{Progression, ProgressionTemplate};
    use super::*;
    use crate::roman::Style;

    #[test]
    fn tritone_substitution() {
        let sub = |s: &str| tritone_substitute(&s.parse().unwrap()).map(|c| c.to_string());
        assert_eq!(sub("G7").as_deref(), Some("Db7"));
        assert_eq!(sub("Bb7").as_deref(), Some("E7"));
        assert_eq!(sub("F7").as_deref(), Some("B7"));
        assert_eq!(sub("D9").as_deref(), Some("Ab9"));
        assert_eq!(sub("G7b9").as_deref(), Some("Db7"));
        assert_eq!(sub("Cmaj7"), None);
        let two_five =
            Progression::from_template(ProgressionTemplate::TwoFiveOne, &key("C")).unwrap();
        let subbed = two_five.reharmonize(Reharmonization::TritoneSubstitution);
        assert_eq!(symbols(&subbed), "Dm7 | Db7 | Cmaj7 | Cmaj7");
        assert_eq!(
            subbed.bars[1][0]
                .numeral
                .as_ref()
                .map(|n| n.to_string())
                .as_deref(),
            Some("bII7")
        );
    }

    #[test]
    fn other_reharmonisations() {
        let axis = Progression::from_template(ProgressionTemplate::PopAxis, &key("C")).unwrap();
        let dominants = axis.reharmonize(Reharmonization::SecondaryDominants);
        assert_eq!(symbols(&dominants), "C | D7 G | E7 Am | C7 F");
        let blues = Progression::parse(&key("C"), "C7 | F7 | G7 | C7", Style::Jazz).unwrap();
        let twos = blues.reharmonize(Reharmonization::RelatedTwo);
        assert_eq!(symbols(&twos), "Gm7 C7 | Cm7 F7 | Dm7 G7 | Gm7 C7");
        let cadence = Progression::parse(&key("C"), "Dm7 | G7 | Cmaj7", Style::Jazz).unwrap();
        let backdoor = cadence.reharmonize(Reharmonization::Backdoor);
        assert_eq!(symbols(&backdoor), "Dm7 | Fm7 Bb7 | Cmaj7");
        assert!("retro".parse::<Reharmonization>().is_err());
    }
}
