//! The sentences of a lesson that depend on the instrument: how its chords are played, what
//! its music below the text is, and how it practises a scale.

use crate::topic::capitalised;
use crate::types::{CommonMistake, Instrument};

/// The instrument in a sentence about a tradition: "church and gospel {}".
pub(super) fn playing(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "piano",
        Instrument::Guitar => "guitar",
        Instrument::Bass => "bass playing",
        Instrument::Voice => "singing",
    }
}

/// How a student first plays each chord: "Play each chord … {}, saying its numeral aloud".
pub(super) fn each_chord(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "as a block chord",
        Instrument::Guitar => "in the shape written below, strummed once",
        Instrument::Bass => "as its root, the note the line below gives it",
        Instrument::Voice => "by singing its root, the note the line below gives it",
    }
}

/// What the music below the text is, for the overview: `kind` is the piano's voicing kind.
pub(super) fn music_learned(instrument: Instrument, kind: &str) -> String {
    match instrument {
        Instrument::Piano => format!("{} voicings with smooth voice leading", capitalised(kind)),
        Instrument::Guitar => {
            "A guitar shape for every chord, computed from standard tuning".into()
        }
        Instrument::Bass => "The root movement as a bass line".into(),
        Instrument::Voice => "Singing the root movement".into(),
    }
}

/// Why the music below moves smoothly, as a key point.
pub(super) fn smooth_music(instrument: Instrument, kind: &str) -> String {
    match instrument {
        Instrument::Piano => format!(
            "{} voicings keep the hands close and the voice leading smooth.",
            capitalised(kind)
        ),
        Instrument::Guitar => {
            "Each shape below is the lowest playable one for its chord; keep the fingers that two shapes share in place as you change."
                .into()
        }
        Instrument::Bass | Instrument::Voice => {
            "The roots carry the harmony's motion: listen for the fall of a fifth into each goal chord."
                .into()
        }
    }
}

/// The guide-tone step: (instruction, success criterion).
pub(super) fn guide_tone_step(instrument: Instrument) -> (String, String) {
    let instruction = match instrument {
        Instrument::Piano => {
            "Play only the 3rd and 7th of each chord with the left hand, moving each to the nearest note of the next chord."
        }
        Instrument::Guitar => {
            "Play only the 3rd and 7th of each chord on two neighbouring strings, moving each to the nearest fret of the next chord."
        }
        Instrument::Bass => {
            "Play each chord's root, then its 3rd and 7th, so the chord's quality is under your fingers before you play roots alone."
        }
        Instrument::Voice => {
            "Sing only the 3rd and 7th of each chord, moving each to the nearest note of the next chord."
        }
    };
    (
        instruction.to_string(),
        "The guide tones move by a half step or stay put at every change.".to_string(),
    )
}

/// The step that plays the music below: (title, instruction).
pub(super) fn music_step(instrument: Instrument, kind: &str) -> (&'static str, String) {
    match instrument {
        Instrument::Piano => (
            "Add the voicings",
            format!("Play the {kind} voicings written below, one chord per bar, with the root in the left hand where the voicing has none."),
        ),
        Instrument::Guitar => (
            "Play the shapes",
            "Play the shapes written below, one chord per bar, letting each ring for its whole bar.".into(),
        ),
        Instrument::Bass => (
            "Play the root movement",
            "Play the line written below: each chord's root, struck on the chord and held for its length.".into(),
        ),
        Instrument::Voice => (
            "Sing the root movement",
            "Sing the line written below on \"la\": each chord's root, held for its length.".into(),
        ),
    }
}

/// The step that plays in time, at `tempo`.
pub(super) fn in_time(instrument: Instrument, tempo: u32) -> String {
    match instrument {
        Instrument::Piano => {
            format!("Play the voicings with the comping rhythm, with a metronome at {tempo} bpm.")
        }
        Instrument::Guitar => {
            format!("Strum the shapes with the comping rhythm, with a metronome at {tempo} bpm.")
        }
        Instrument::Bass => format!(
            "Play the roots on the comping rhythm's accents, with a metronome at {tempo} bpm."
        ),
        Instrument::Voice => {
            format!("Sing the roots with the comping rhythm, with a metronome at {tempo} bpm.")
        }
    }
}

/// The gospel mistake of texture: on the piano, doubling the bass in the left hand.
pub(super) fn gospel_texture_mistake(instrument: Instrument) -> CommonMistake {
    let (mistake, fix) = match instrument {
        Instrument::Piano => (
            "Letting the bass and the left hand double the same notes",
            "Keep the left hand on roots and fifths and give colour tones to the right hand",
        ),
        _ => (
            "Filling every beat with notes",
            "Leave space: the chord change itself carries the harmony",
        ),
    };
    CommonMistake {
        mistake: mistake.to_string(),
        fix: fix.to_string(),
    }
}

/// What a scale lesson teaches beyond the notes, over `range` ("one octave").
pub(super) fn scale_goal(instrument: Instrument, range: &str) -> String {
    match instrument {
        Instrument::Voice => format!("Singing it over {range}, every note in tune"),
        _ => format!("Playing it over {range} with a steady fingering"),
    }
}

/// How a student plays a scale slowly at first: "{}, then …".
pub(super) fn scale_slowly(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "play them slowly with one hand",
        Instrument::Guitar | Instrument::Bass => "play them slowly in one position",
        Instrument::Voice => "sing them slowly on their letter names",
    }
}

/// The scale's technique step: (title, instruction, success criterion).
pub(super) fn scale_technique(
    instrument: Instrument,
) -> (&'static str, &'static str, &'static str) {
    match instrument {
        Instrument::Piano => (
            "Fingering",
            "Play with the right hand, thumb tucking under after the third or fourth finger; then the left hand.",
            "No pauses at the thumb crossings.",
        ),
        Instrument::Guitar | Instrument::Bass => (
            "Fingering",
            "Play the scale in one position, one finger a fret, shifting only where the pattern runs out of frets.",
            "No pauses at the string crossings or the shifts.",
        ),
        Instrument::Voice => (
            "Tuning",
            "Sing the scale against a drone on the tonic, checking each note with a tuner.",
            "Every note lands in tune without sliding.",
        ),
    }
}

/// The scale's tempo step, at `tempo`.
pub(super) fn scale_up_to_tempo(instrument: Instrument, tempo: u32) -> String {
    match instrument {
        Instrument::Piano => format!("Raise the metronome to {tempo} bpm and play hands together."),
        Instrument::Guitar | Instrument::Bass => {
            format!(
                "Raise the metronome to {tempo} bpm and play it with alternate picking or fingers."
            )
        }
        Instrument::Voice => {
            format!("Raise the metronome to {tempo} bpm and sing it on one breath each way.")
        }
    }
}

/// How the range step is played: "up and down, {}".
pub(super) fn scale_range_manner(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "Even tone and time, both hands separately.",
        Instrument::Guitar | Instrument::Bass => "Even tone and time, every note clean.",
        Instrument::Voice => "Even tone and time, every note in tune.",
    }
}

/// The scale's technique mistake.
pub(super) fn scale_technique_mistake(instrument: Instrument) -> CommonMistake {
    let (mistake, fix) = match instrument {
        Instrument::Piano => (
            "Uneven thumb crossings",
            "Practise the crossing alone, slowly, until it is silent",
        ),
        Instrument::Guitar | Instrument::Bass => (
            "Looking for each note instead of keeping one position",
            "Keep one finger a fret and let the pattern, not the eyes, find the notes",
        ),
        Instrument::Voice => (
            "Sliding into notes",
            "Hear each note before singing it, and start it cleanly",
        ),
    };
    CommonMistake {
        mistake: mistake.to_string(),
        fix: fix.to_string(),
    }
}

/// What a voicing study shows on an instrument that does not play the piano's voicings:
/// the sentence after "A {kind} voicing uses …".
pub(super) fn voicing_music(instrument: Instrument, kind: &str) -> String {
    match instrument {
        Instrument::Piano => String::new(),
        Instrument::Guitar => format!(
            "The shapes below are each chord's notes on the fretboard; find the {kind} voicing's notes within them."
        ),
        Instrument::Bass => format!(
            "The line below is the root movement: the notes a {kind} voicing leaves to the bass."
        ),
        Instrument::Voice => format!(
            "The line below is the root movement to sing while a pianist or guitarist plays the {kind} voicings."
        ),
    }
}

/// Instructions for the exercise that plays a progression's music.
pub(super) fn progression_instructions(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => {
            "Play the voicings as written, one chord per bar, roots in the left hand."
        }
        Instrument::Guitar => {
            "Play the shapes as written, one chord per bar, strumming down on each beat."
        }
        Instrument::Bass => {
            "Play the root movement as written: each root on its chord, held for its length."
        }
        Instrument::Voice => {
            "Sing the root movement as written, on \"la\", each root held for its chord's length."
        }
    }
}

/// What the exercise calls the music it plays: "{progression} in {key}: {}".
pub(super) fn music_name(instrument: Instrument, kind: &str) -> String {
    match instrument {
        Instrument::Piano => format!("{kind} voicings"),
        Instrument::Guitar => "chord shapes".to_string(),
        Instrument::Bass | Instrument::Voice => "root movement".to_string(),
    }
}
