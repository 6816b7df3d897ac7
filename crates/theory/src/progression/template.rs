//! Named progression templates, written in jazz-style numerals.

use std::fmt;
use std::str::FromStr;

use crate::error::{Result, TheoryError};

/// A named progression template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressionTemplate {
    TwoFiveOne,
    MinorTwoFiveOne,
    OneSixTwoFive,
    ThreeSixTwoFive,
    GospelOneFourFive,
    GospelPlagal,
    GospelWalkUp,
    GospelTwoFiveOne,
    GospelThreeSixTwoFiveOne,
    TwelveBarBlues,
    JazzBlues,
    MinorBlues,
    TaddDameron,
    Backdoor,
    PopAxis,
}

impl ProgressionTemplate {
    pub const ALL: [ProgressionTemplate; 15] = [
        ProgressionTemplate::TwoFiveOne,
        ProgressionTemplate::MinorTwoFiveOne,
        ProgressionTemplate::OneSixTwoFive,
        ProgressionTemplate::ThreeSixTwoFive,
        ProgressionTemplate::GospelOneFourFive,
        ProgressionTemplate::GospelPlagal,
        ProgressionTemplate::GospelWalkUp,
        ProgressionTemplate::GospelTwoFiveOne,
        ProgressionTemplate::GospelThreeSixTwoFiveOne,
        ProgressionTemplate::TwelveBarBlues,
        ProgressionTemplate::JazzBlues,
        ProgressionTemplate::MinorBlues,
        ProgressionTemplate::TaddDameron,
        ProgressionTemplate::Backdoor,
        ProgressionTemplate::PopAxis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProgressionTemplate::TwoFiveOne => "ii-v-i",
            ProgressionTemplate::MinorTwoFiveOne => "minor-ii-v-i",
            ProgressionTemplate::OneSixTwoFive => "i-vi-ii-v",
            ProgressionTemplate::ThreeSixTwoFive => "iii-vi-ii-v",
            ProgressionTemplate::GospelOneFourFive => "gospel-1-4-5",
            ProgressionTemplate::GospelPlagal => "gospel-plagal",
            ProgressionTemplate::GospelWalkUp => "gospel-walk-up",
            ProgressionTemplate::GospelTwoFiveOne => "gospel-2-5-1",
            ProgressionTemplate::GospelThreeSixTwoFiveOne => "gospel-3-6-2-5-1",
            ProgressionTemplate::TwelveBarBlues => "blues",
            ProgressionTemplate::JazzBlues => "jazz-blues",
            ProgressionTemplate::MinorBlues => "minor-blues",
            ProgressionTemplate::TaddDameron => "tadd-dameron",
            ProgressionTemplate::Backdoor => "backdoor",
            ProgressionTemplate::PopAxis => "pop-axis",
        }
    }

    /// Jazz-style numerals; `|` separates bars.
    pub fn numerals(self) -> &'static str {
        match self {
            ProgressionTemplate::TwoFiveOne => "ii7 | V7 | Imaj7 | Imaj7",
            ProgressionTemplate::MinorTwoFiveOne => "iiø7 | V7b9 | i7 | i7",
            ProgressionTemplate::OneSixTwoFive => "Imaj7 vi7 | ii7 V7",
            ProgressionTemplate::ThreeSixTwoFive => "iii7 VI7 | ii7 V7",
            ProgressionTemplate::GospelOneFourFive => "I | IV64 | I | V | IV | I",
            ProgressionTemplate::GospelPlagal => "I | I7 | IV | ivadd6 | I",
            ProgressionTemplate::GospelWalkUp => "I | V65/IV | IV | #ivo7 | I64 | V7 | I",
            ProgressionTemplate::GospelTwoFiveOne => "ii9 | V13 | Imaj9 | Imaj9",
            ProgressionTemplate::GospelThreeSixTwoFiveOne => "iii7 | VI7b9 | ii9 | V13 | Imaj9",
            ProgressionTemplate::TwelveBarBlues => {
                "I7 | IV7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7"
            }
            ProgressionTemplate::JazzBlues => {
                "I7 | IV7 | I7 | v7 I7 | IV7 | #ivo7 | I7 | VI7 | ii7 | V7 | I7 VI7 | ii7 V7"
            }
            ProgressionTemplate::MinorBlues => {
                "i7 | i7 | i7 | i7 | iv7 | iv7 | i7 | i7 | bVI7 | V7 | i7 | V7"
            }
            ProgressionTemplate::TaddDameron => "Imaj7 bIII7 | bVI7 bII7 | Imaj7",
            ProgressionTemplate::Backdoor => "iv7 | bVII7 | Imaj7 | Imaj7",
            ProgressionTemplate::PopAxis => "I | V | vi | IV",
        }
    }

    /// Minor-key templates are realised in the parallel minor of the key given.
    pub fn is_minor(self) -> bool {
        matches!(
            self,
            ProgressionTemplate::MinorTwoFiveOne | ProgressionTemplate::MinorBlues
        )
    }
}

impl fmt::Display for ProgressionTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_as_string!(ProgressionTemplate);

impl FromStr for ProgressionTemplate {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_lowercase().replace(['_', ' ', '–'], "-");
        ProgressionTemplate::ALL
            .into_iter()
            .find(|t| t.name() == wanted)
            .ok_or_else(|| TheoryError::UnknownProgression {
                input: s.to_string(),
                expected: ProgressionTemplate::ALL.map(|t| t.name()).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Progression;
    use super::super::tests::{key, symbols};
    use super::*;

    #[test]
    fn templates_in_several_keys() {
        let table = [
            (
                ProgressionTemplate::TwoFiveOne,
                "Eb",
                "Fm7 | Bb7 | Ebmaj7 | Ebmaj7",
            ),
            (
                ProgressionTemplate::TwoFiveOne,
                "F#",
                "G#m7 | C#7 | F#maj7 | F#maj7",
            ),
            (
                ProgressionTemplate::MinorTwoFiveOne,
                "C",
                "Dm7b5 | G7b9 | Cm7 | Cm7",
            ),
            (
                ProgressionTemplate::OneSixTwoFive,
                "Bb",
                "Bbmaj7 Gm7 | Cm7 F7",
            ),
            (
                ProgressionTemplate::GospelWalkUp,
                "C",
                "C | C7/E | F | F#dim7 | C/G | G7 | C",
            ),
            (
                ProgressionTemplate::GospelPlagal,
                "Ab",
                "Ab | Ab7 | Db | Dbm6 | Ab",
            ),
            (
                ProgressionTemplate::GospelOneFourFive,
                "G",
                "G | C/G | G | D | C | G",
            ),
            (
                ProgressionTemplate::JazzBlues,
                "F",
                "F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7",
            ),
            (
                ProgressionTemplate::MinorBlues,
                "A minor",
                "Am7 | Am7 | Am7 | Am7 | Dm7 | Dm7 | Am7 | Am7 | F7 | E7 | Am7 | E7",
            ),
            (
                ProgressionTemplate::TaddDameron,
                "C",
                "Cmaj7 Eb7 | Ab7 Db7 | Cmaj7",
            ),
            (
                ProgressionTemplate::GospelThreeSixTwoFiveOne,
                "Db",
                "Fm7 | Bb7b9 | Ebm9 | Ab13 | Dbmaj9",
            ),
        ];
        for (template, k, expected) in table {
            let progression = Progression::from_template(template, &key(k)).unwrap();
            assert_eq!(symbols(&progression), expected, "{template} in {k}");
        }
        for template in ProgressionTemplate::ALL {
            for k in ["C", "Gb", "B", "C#", "D minor"] {
                assert!(
                    Progression::from_template(template, &key(k)).is_ok(),
                    "{template} in {k}"
                );
            }
            assert_eq!(
                template.name().parse::<ProgressionTemplate>().unwrap(),
                template
            );
        }
    }
}
