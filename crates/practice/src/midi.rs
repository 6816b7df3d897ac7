//! Notes played on a MIDI keyboard against the chord asked for. A key has no spelling, so
//! the match is by pitch class: any octave, any voicing, each chord tone at least once.

use cadence_theory::PitchClass;
use serde::Serialize;
use ts_rs::TS;

/// What was played against what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ChordMatch {
    pub correct: bool,
    /// Chord tones not played.
    pub missing: Vec<String>,
    /// MIDI keys played that are not in the chord.
    pub extra: Vec<u8>,
}

/// A key pressed or released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct KeyEvent {
    pub key: u8,
    pub down: bool,
}

/// The key event in a MIDI message, if it is a note on or off on any channel (a note on at
/// velocity 0 is a release, as keyboards send it).
pub fn key_event(message: &[u8]) -> Option<KeyEvent> {
    let [status, key, velocity, ..] = *message else {
        return None;
    };
    if key > 127 {
        return None;
    }
    match status & 0xF0 {
        0x90 => Some(KeyEvent {
            key,
            down: velocity > 0,
        }),
        0x80 => Some(KeyEvent { key, down: false }),
        _ => None,
    }
}

/// Matches the MIDI keys held (`played`) against the chord's notes.
pub fn match_chord(played: &[u8], expected: &[PitchClass]) -> ChordMatch {
    let pitch_class = |key: u8| i32::from(key) % 12;
    let missing: Vec<String> = expected
        .iter()
        .filter(|pitch| {
            !played
                .iter()
                .any(|key| pitch_class(*key) == i32::from(pitch.semitone()))
        })
        .map(ToString::to_string)
        .collect();
    let mut extra: Vec<u8> = played
        .iter()
        .copied()
        .filter(|key| {
            !expected
                .iter()
                .any(|pitch| i32::from(pitch.semitone()) == pitch_class(*key))
        })
        .collect();
    extra.sort_unstable();
    extra.dedup();
    ChordMatch {
        correct: !played.is_empty() && missing.is_empty() && extra.is_empty(),
        missing,
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pitches(names: &str) -> Vec<PitchClass> {
        names.split(' ').map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn a_chord_matches_in_any_voicing_and_octave() {
        let d7 = pitches("D F# A C");
        // D3, C4, F#4, A4: a drop voicing with the root low.
        assert!(match_chord(&[50, 60, 66, 69], &d7).correct);
        // Doubled root and enharmonic keys are the same keys.
        assert!(match_chord(&[62, 74, 66, 69, 72], &pitches("D Gb A C")).correct);
    }

    #[test]
    fn note_messages_become_key_events() {
        assert_eq!(
            key_event(&[0x90, 60, 100]),
            Some(KeyEvent {
                key: 60,
                down: true
            })
        );
        assert_eq!(
            key_event(&[0x93, 64, 0]),
            Some(KeyEvent {
                key: 64,
                down: false
            })
        );
        assert_eq!(
            key_event(&[0x81, 67, 40]),
            Some(KeyEvent {
                key: 67,
                down: false
            })
        );
        // A control change, a clock tick and a short message are not keys.
        assert_eq!(key_event(&[0xB0, 64, 127]), None);
        assert_eq!(key_event(&[0xF8]), None);
        assert_eq!(key_event(&[0x90, 60]), None);
    }

    #[test]
    fn missing_and_extra_notes_are_named() {
        let c = pitches("C E G");
        let played = match_chord(&[60, 64, 65], &c);
        assert!(!played.correct);
        assert_eq!(played.missing, ["G"]);
        assert_eq!(played.extra, [65]);
        assert!(!match_chord(&[], &c).correct);
    }
}
