//! Practice items: what a student is asked, drawn from a lesson's music. Every answer is the
//! theory engine's, computed when the answer is scored; an item stores only the question.

use std::str::FromStr;

use cadence_content::MusicPayload;
use cadence_theory::{Chord, Interval, Key, Note, PitchClass, RomanNumeral, Style};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One question. The window and the command line show [`Item::question`]; choices, where
/// an item has them, are offered as buttons.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// Spell the chord of a numeral in a key.
    ChordOfNumeral {
        key: String,
        numeral: String,
        #[ts(type = "string")]
        style: Style,
    },
    /// Name a chord's quality from its notes (root position).
    ChordQuality {
        notes: Vec<String>,
        choices: Vec<String>,
    },
    /// Name the interval from the lower note up to the higher.
    Interval { low: String, high: String },
    /// Pick the numeral of a chord in a key.
    NumeralOfChord {
        key: String,
        symbol: String,
        #[ts(type = "string")]
        style: Style,
        choices: Vec<String>,
    },
    /// Hear a chord (notes with octaves, lowest first) and pick its quality.
    HearChord {
        notes: Vec<String>,
        choices: Vec<String>,
    },
    /// Hear two notes one after the other and pick the interval.
    HearInterval {
        low: String,
        high: String,
        choices: Vec<String>,
    },
    /// Play the lesson's chords along with the metronome, then rate how it went.
    PlayAlong {
        title: String,
        key: String,
        /// The chords as symbols, in order.
        chords: Vec<String>,
        /// The tempo the lesson asks for; practice starts slower and ramps up.
        target_bpm: u32,
    },
}

/// The skill an item trains, for mastery by skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Skill {
    Spelling,
    ChordQualities,
    Intervals,
    RomanNumerals,
    EarChords,
    EarIntervals,
    Playing,
}

impl Skill {
    pub const ALL: [Skill; 7] = [
        Skill::Spelling,
        Skill::ChordQualities,
        Skill::Intervals,
        Skill::RomanNumerals,
        Skill::EarChords,
        Skill::EarIntervals,
        Skill::Playing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Skill::Spelling => "spelling",
            Skill::ChordQualities => "chord_qualities",
            Skill::Intervals => "intervals",
            Skill::RomanNumerals => "roman_numerals",
            Skill::EarChords => "ear_chords",
            Skill::EarIntervals => "ear_intervals",
            Skill::Playing => "playing",
        }
    }

    pub fn parse(text: &str) -> Option<Skill> {
        Skill::ALL.into_iter().find(|skill| skill.as_str() == text)
    }
}

/// The qualities a chord-quality question offers, by the name a student gives them.
pub const QUALITY_NAMES: [(&str, &str); 10] = [
    ("major", ""),
    ("minor", "m"),
    ("diminished", "dim"),
    ("augmented", "aug"),
    ("dominant seventh", "7"),
    ("major seventh", "maj7"),
    ("minor seventh", "m7"),
    ("half-diminished seventh", "m7b5"),
    ("diminished seventh", "dim7"),
    ("minor-major seventh", "m(maj7)"),
];

/// The interval names an interval question offers.
pub const INTERVAL_NAMES: [(&str, &str); 14] = [
    ("minor second", "m2"),
    ("major second", "M2"),
    ("minor third", "m3"),
    ("major third", "M3"),
    ("perfect fourth", "P4"),
    ("augmented fourth", "A4"),
    ("diminished fifth", "d5"),
    ("perfect fifth", "P5"),
    ("minor sixth", "m6"),
    ("major sixth", "M6"),
    ("minor seventh", "m7"),
    ("major seventh", "M7"),
    ("octave", "P8"),
    ("augmented second", "A2"),
];

impl Item {
    pub fn skill(&self) -> Skill {
        match self {
            Item::ChordOfNumeral { .. } => Skill::Spelling,
            Item::ChordQuality { .. } => Skill::ChordQualities,
            Item::Interval { .. } => Skill::Intervals,
            Item::NumeralOfChord { .. } => Skill::RomanNumerals,
            Item::HearChord { .. } => Skill::EarChords,
            Item::HearInterval { .. } => Skill::EarIntervals,
            Item::PlayAlong { .. } => Skill::Playing,
        }
    }

    /// The kind as the item's JSON names it: `chord_of_numeral`, `hear_chord`…
    pub fn kind(&self) -> &'static str {
        match self {
            Item::ChordOfNumeral { .. } => "chord_of_numeral",
            Item::ChordQuality { .. } => "chord_quality",
            Item::Interval { .. } => "interval",
            Item::NumeralOfChord { .. } => "numeral_of_chord",
            Item::HearChord { .. } => "hear_chord",
            Item::HearInterval { .. } => "hear_interval",
            Item::PlayAlong { .. } => "play_along",
        }
    }

    /// The question as the student reads it.
    pub fn question(&self) -> String {
        match self {
            Item::ChordOfNumeral { key, numeral, .. } => {
                format!("Spell {numeral} in {key}: its notes, lowest first.")
            }
            Item::ChordQuality { notes, .. } => {
                format!("What quality is the chord {}?", notes.join(" "))
            }
            Item::Interval { low, high } => format!("What interval is {low} up to {high}?"),
            Item::NumeralOfChord { key, symbol, .. } => {
                format!("Which numeral is {symbol} in {key}?")
            }
            Item::HearChord { .. } => "Listen: what quality is this chord?".to_string(),
            Item::HearInterval { .. } => "Listen: what interval do the two notes make?".to_string(),
            Item::PlayAlong { title, chords, .. } => format!(
                "Play along: {} ({title}). Then say how it went: again, hard, good or easy.",
                chords.join(" ")
            ),
        }
    }

    /// The key the item is in, where it has one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Item::ChordOfNumeral { key, .. }
            | Item::NumeralOfChord { key, .. }
            | Item::PlayAlong { key, .. } => Some(key),
            _ => None,
        }
    }

    pub fn numeral(&self) -> Option<&str> {
        match self {
            Item::ChordOfNumeral { numeral, .. } => Some(numeral),
            _ => None,
        }
    }

    pub fn choices(&self) -> &[String] {
        match self {
            Item::ChordQuality { choices, .. }
            | Item::NumeralOfChord { choices, .. }
            | Item::HearChord { choices, .. }
            | Item::HearInterval { choices, .. } => choices,
            _ => &[],
        }
    }

    /// The chord a keyboard answer is checked against: the numeral's chord, the chord heard
    /// or named, or a play-along's first chord.
    pub fn chord_notes(&self) -> Result<Vec<PitchClass>, cadence_theory::TheoryError> {
        match self {
            Item::ChordOfNumeral {
                key,
                numeral,
                style,
            } => RomanNumeral::from_str(numeral)?.notes(&Key::from_str(key)?, *style),
            Item::ChordQuality { notes, .. } | Item::HearChord { notes, .. } => notes
                .iter()
                .map(|n| {
                    Note::from_str(n)
                        .map(|note| note.pitch())
                        .or_else(|_| n.parse())
                })
                .collect(),
            Item::NumeralOfChord { symbol, .. } => Ok(Chord::from_str(symbol)?.notes()),
            Item::PlayAlong { chords, .. } => match chords.first() {
                Some(symbol) => Ok(Chord::from_str(symbol)?.notes()),
                None => Ok(Vec::new()),
            },
            Item::Interval { .. } | Item::HearInterval { .. } => {
                Err(cadence_theory::TheoryError::InvalidInterval {
                    input: self.question(),
                    reason: "an interval question has no chord to play".into(),
                })
            }
        }
    }

    /// Notes the window plays for the question (ear training), lowest first.
    pub fn sound(&self) -> Vec<String> {
        match self {
            Item::HearChord { notes, .. } => notes.clone(),
            Item::HearInterval { low, high, .. } => vec![low.clone(), high.clone()],
            _ => Vec::new(),
        }
    }
}

/// The most items one lesson gives, so a long progression does not crowd out the others.
pub const MAX_ITEMS_PER_LESSON: usize = 12;

/// Four choices: the answer and three others from `pool`, in an order fixed by `seed`, so
/// a question asks the same way each time it comes back.
fn choices_with(answer: &str, pool: &[&str], seed: usize) -> Vec<String> {
    let mut choices: Vec<String> = vec![answer.to_string()];
    for offset in 0..pool.len() {
        let candidate = pool[(seed + offset * 3) % pool.len()];
        if choices.len() == 4 {
            break;
        }
        if !choices.iter().any(|c| c == candidate) {
            choices.push(candidate.to_string());
        }
    }
    let len = choices.len();
    choices.rotate_right(seed % len.max(1));
    choices
}

/// The name a student gives a chord's quality (`minor seventh`), when it is one offered.
pub fn quality_name(chord: &Chord) -> Option<&'static str> {
    let suffix = Chord::new(chord.root(), chord.quality().clone())
        .to_string()
        .trim_start_matches(|c: char| c.is_ascii_uppercase())
        .trim_start_matches(['#', 'b'])
        .to_string();
    QUALITY_NAMES
        .iter()
        .find(|(_, written)| *written == suffix)
        .map(|(name, _)| *name)
}

/// The name of a simple interval as offered (`minor third`).
pub fn interval_name(interval: Interval) -> Option<&'static str> {
    let written = interval.to_string();
    INTERVAL_NAMES
        .iter()
        .find(|(_, short)| *short == written)
        .map(|(name, _)| *name)
}

/// The items a lesson's music gives: each chord spelled from its numeral and named as a
/// numeral, its quality read and heard, the intervals from the key's tonic (or the chord's
/// root) to the chord tones read and heard, and the whole progression played along.
pub fn items_from_music(title: &str, music: &MusicPayload, target_bpm: u32) -> Vec<Item> {
    let Ok(home) = Key::from_str(&music.key) else {
        return Vec::new();
    };
    let style = music.style.theory();
    let mut items: Vec<Item> = Vec::new();
    let mut push = |item: Item| {
        if !items.contains(&item) {
            items.push(item);
        }
    };
    let numerals: Vec<&str> = music.chords.iter().map(|c| c.numeral.as_str()).collect();
    let mut symbols = Vec::new();
    for (index, entry) in music.chords.iter().enumerate() {
        let Ok(key) = entry.key_in(&home) else {
            continue;
        };
        let Ok(numeral) = RomanNumeral::from_str(&entry.numeral) else {
            continue;
        };
        let Ok(chord) = numeral.chord(&key, style) else {
            continue;
        };
        symbols.push(chord.to_string());
        push(Item::ChordOfNumeral {
            key: key.to_string(),
            numeral: entry.numeral.clone(),
            style,
        });
        push(Item::NumeralOfChord {
            key: key.to_string(),
            symbol: chord.to_string(),
            style,
            choices: choices_with(&entry.numeral, &numerals_pool(&numerals, &key), index),
        });
        let root_position = Chord::new(chord.root(), chord.quality().clone());
        if let Some(name) = quality_name(&root_position) {
            let quality_pool: Vec<&str> = QUALITY_NAMES.iter().map(|(n, _)| *n).collect();
            let notes: Vec<String> = root_position
                .notes()
                .iter()
                .map(ToString::to_string)
                .collect();
            push(Item::ChordQuality {
                notes: notes.clone(),
                choices: choices_with(name, &quality_pool, index + 1),
            });
            let voiced = stacked(&root_position.notes(), 4);
            push(Item::HearChord {
                notes: voiced,
                choices: choices_with(name, &quality_pool, index + 2),
            });
        }
        // The third and the top chord tone above the root.
        let tones = root_position.tones();
        for (interval, pitch) in tones.iter().skip(1).step_by(2) {
            let Some(name) = interval_name(*interval) else {
                continue;
            };
            let placed = stacked(&[chord.root(), *pitch], 4);
            let (low, high) = (placed[0].clone(), placed[1].clone());
            let interval_pool: Vec<&str> = INTERVAL_NAMES.iter().map(|(n, _)| *n).collect();
            push(Item::Interval {
                low: low.clone(),
                high: high.clone(),
            });
            push(Item::HearInterval {
                low,
                high,
                choices: choices_with(name, &interval_pool, index + interval.steps() as usize),
            });
        }
    }
    // A scale's intervals above its tonic, read and heard.
    if let Some(scale) = &music.scale {
        let notes: Vec<PitchClass> = scale.notes.iter().filter_map(|n| n.parse().ok()).collect();
        if let Some((&tonic, rest)) = notes.split_first() {
            let interval_pool: Vec<&str> = INTERVAL_NAMES.iter().map(|(n, _)| *n).collect();
            for (index, &pitch) in rest.iter().enumerate().skip(1).step_by(2) {
                let Some(name) = interval_name(tonic.interval_to(pitch)) else {
                    continue;
                };
                let placed = stacked(&[tonic, pitch], 4);
                push(Item::Interval {
                    low: placed[0].clone(),
                    high: placed[1].clone(),
                });
                push(Item::HearInterval {
                    low: placed[0].clone(),
                    high: placed[1].clone(),
                    choices: choices_with(name, &interval_pool, index),
                });
            }
        }
    }
    // Keep a spread of kinds when the lesson offers more than a session can hold.
    let mut kept: Vec<Item> = Vec::new();
    let kinds = [
        "chord_of_numeral",
        "numeral_of_chord",
        "chord_quality",
        "hear_chord",
        "interval",
        "hear_interval",
    ];
    let mut by_kind: Vec<std::collections::VecDeque<Item>> = kinds
        .iter()
        .map(|kind| {
            items
                .iter()
                .filter(|i| i.kind() == *kind)
                .cloned()
                .collect()
        })
        .collect();
    while kept.len() < MAX_ITEMS_PER_LESSON - 1 && by_kind.iter().any(|q| !q.is_empty()) {
        for queue in &mut by_kind {
            if kept.len() < MAX_ITEMS_PER_LESSON - 1
                && let Some(item) = queue.pop_front()
            {
                kept.push(item);
            }
        }
    }
    // The play-along comes after one item of each kind, so a first session reaches it.
    if !symbols.is_empty() {
        let at = kept.len().min(kinds.len());
        kept.insert(
            at,
            Item::PlayAlong {
                title: title.to_string(),
                key: home.to_string(),
                chords: symbols,
                target_bpm,
            },
        );
    }
    kept
}

/// Other numerals to choose from: the progression's own, then the key's diatonic triads.
fn numerals_pool<'a>(numerals: &[&'a str], key: &Key) -> Vec<&'a str> {
    const MAJOR: [&str; 7] = ["I", "ii", "iii", "IV", "V", "vi", "viio"];
    const MINOR: [&str; 7] = ["i", "iio", "III", "iv", "V", "VI", "viio"];
    let diatonic = if key.is_minor() { MINOR } else { MAJOR };
    let mut pool: Vec<&str> = Vec::new();
    for numeral in numerals.iter().copied().chain(diatonic) {
        if !pool.contains(&numeral) {
            pool.push(numeral);
        }
    }
    pool
}

/// Pitch classes stacked upwards from `octave` (each note above the last), with octaves.
pub fn stacked(pitches: &[PitchClass], octave: i8) -> Vec<String> {
    let mut notes: Vec<Note> = Vec::with_capacity(pitches.len());
    for &pitch in pitches {
        let mut note = pitch.at_octave(octave);
        if let Some(last) = notes.last() {
            while note.midi() <= last.midi() {
                note = note.shift_octaves(1);
            }
        }
        notes.push(note);
    }
    notes.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::score;

    #[test]
    fn a_progression_gives_every_kind_and_the_engine_answers_each() {
        let tutorial =
            cadence_content::template::tutorial("ii-V-I", "Eb", cadence_content::Level::Beginner)
                .unwrap();
        let items = items_from_music(&tutorial.title, &tutorial.music, 90);
        assert!(items.len() <= MAX_ITEMS_PER_LESSON);
        let kinds: Vec<&str> = items.iter().map(Item::kind).collect();
        for kind in [
            "chord_of_numeral",
            "numeral_of_chord",
            "chord_quality",
            "hear_chord",
            "interval",
            "hear_interval",
            "play_along",
        ] {
            assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        }
        for item in items.iter().filter(|i| i.kind() != "play_along") {
            let expected = score(item, "?").unwrap().expected;
            assert!(
                score(item, &expected).unwrap().correct,
                "{item:?} answered {expected}"
            );
            if !item.choices().is_empty() {
                assert!(
                    item.choices().contains(&expected),
                    "{item:?} offers {expected}"
                );
                assert_eq!(item.choices().len(), 4);
            }
        }
    }

    #[test]
    fn a_scale_lesson_gives_intervals() {
        let tutorial = cadence_content::template::tutorial(
            "major scale",
            "D",
            cadence_content::Level::Beginner,
        )
        .unwrap();
        let items = items_from_music(&tutorial.title, &tutorial.music, 90);
        assert!(items.iter().any(|i| i.kind() == "interval"), "{items:?}");
    }
}
