//! Exercises: each kind of practice that suits a topic, with its music written out.

use super::payload::{comping_rhythm, complete, guide_tones, progression_payload, scale_payload};
use super::{Family, family, parse_key, phrasing, plan, voicings_for};
use crate::ContentError;
use crate::topic::{Topic, progression_name};
use crate::types::{Exercise, ExerciseKind, Instrument, Level, MusicPayload, SCHEMA_VERSION};
use cadence_theory::{ProgressionTemplate, ScaleKind, VoicingKind};

fn exercise(
    title: String,
    kind: ExerciseKind,
    level: Level,
    instructions: String,
    music: MusicPayload,
) -> Exercise {
    let tempo = plan(level).tempo;
    Exercise {
        schema_version: SCHEMA_VERSION,
        title,
        kind,
        difficulty: level,
        instructions,
        tempo_bpm: tempo,
        music,
        success_criteria: vec![
            format!("Plays it through twice at {tempo} bpm with no wrong notes"),
            "Keeps a steady pulse with the metronome".to_string(),
        ],
    }
}

/// Exercises for a piano student on a topic: each kind that suits it, with its music
/// computed.
pub fn exercises(topic: &str, key: &str, level: Level) -> Result<Vec<Exercise>, ContentError> {
    exercises_for(Instrument::Piano, topic, key, level)
}

/// Exercises for `instrument` on a topic: each kind that suits it and the instrument, with
/// its music computed (voicing studies are the piano's; the bass plays no guide-tone line).
pub fn exercises_for(
    instrument: Instrument,
    topic: &str,
    key: &str,
    level: Level,
) -> Result<Vec<Exercise>, ContentError> {
    let topic = Topic::parse(topic)?;
    let key = parse_key(key)?;
    let plan = plan(level);
    let piano = instrument == Instrument::Piano;
    let mut list = Vec::new();
    match topic {
        Topic::Progression(template) => {
            let name = progression_name(template);
            let voiced =
                progression_payload(template, &key, &voicings_for(template, &plan), instrument)?;
            let kind = voiced
                .voicing_kind
                .clone()
                .unwrap_or_else(|| "close".into());
            let music_key = voiced.key.clone();
            list.push(exercise(
                format!(
                    "{name} in {music_key}: {}",
                    phrasing::music_name(instrument, &kind)
                ),
                ExerciseKind::Progression,
                level,
                phrasing::progression_instructions(instrument).into(),
                voiced.clone(),
            ));
            if piano {
                let study = progression_payload(
                    template,
                    &key,
                    &[plan.study_voicing, VoicingKind::Close],
                    instrument,
                )?;
                let study_kind = study.voicing_kind.clone().unwrap_or_else(|| "close".into());
                list.push(exercise(
                    format!("{name} in {music_key}: {study_kind} voicing study"),
                    ExerciseKind::VoicingStudy,
                    level,
                    format!("Compare these {study_kind} voicings with the {kind} ones; play both versions back to back."),
                    study,
                ));
            }
            if instrument != Instrument::Bass {
                let mut lick = progression_payload(template, &key, &[], instrument)?;
                lick.melody = guide_tones(&lick);
                list.push(exercise(
                    format!("{name} in {music_key}: guide-tone line"),
                    ExerciseKind::Lick,
                    level,
                    guide_tone_instructions(instrument).into(),
                    complete(lick)?,
                ));
            }
            let mut rhythm = voiced;
            rhythm.rhythm = Some(comping_rhythm(level));
            list.push(exercise(
                format!("{name} in {music_key}: comping rhythm"),
                ExerciseKind::Rhythm,
                level,
                rhythm_instructions(instrument).into(),
                complete(rhythm)?,
            ));
            if family(template) == Family::Blues {
                let blues = scale_payload(ScaleKind::Blues, &key, level, instrument)?;
                list.push(exercise(
                    format!("{} blues scale pattern", key.tonic()),
                    ExerciseKind::ScalePattern,
                    level,
                    "Play the blues scale up and down; then improvise with it over the form."
                        .into(),
                    blues,
                ));
            }
        }
        Topic::Scale(kind) => {
            let music = scale_payload(kind, &key, level, instrument)?;
            let scale_name = music
                .scale
                .as_ref()
                .map(|s| format!("{} {}", s.tonic, s.kind))
                .unwrap_or_default();
            list.push(exercise(
                format!("{scale_name} scale pattern"),
                ExerciseKind::ScalePattern,
                level,
                scale_instructions(instrument).into(),
                music.clone(),
            ));
            let mut chords = music;
            chords.melody.clear();
            list.push(exercise(
                format!("Chords of the {scale_name} scale"),
                ExerciseKind::Progression,
                level,
                degree_chord_instructions(instrument).into(),
                complete(chords)?,
            ));
        }
        Topic::Voicing(_) | Topic::VoicingTypes => {
            let kind = match topic {
                Topic::Voicing(kind) => kind,
                _ => plan.voicings[0],
            };
            for template in [
                ProgressionTemplate::TwoFiveOne,
                ProgressionTemplate::OneSixTwoFive,
            ] {
                let music =
                    progression_payload(template, &key, &[kind, VoicingKind::Close], instrument)?;
                let used = music.voicing_kind.clone().unwrap_or_else(|| "close".into());
                let (exercise_kind, instructions) = if piano {
                    (
                        ExerciseKind::VoicingStudy,
                        "Play the voicings as written; then find them again without looking.",
                    )
                } else {
                    (
                        ExerciseKind::Progression,
                        phrasing::progression_instructions(instrument),
                    )
                };
                list.push(exercise(
                    format!(
                        "{} in {}: {}",
                        progression_name(template),
                        music.key,
                        phrasing::music_name(instrument, &used)
                    ),
                    exercise_kind,
                    level,
                    instructions.into(),
                    music,
                ));
            }
        }
    }
    Ok(list)
}

fn guide_tone_instructions(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Guitar => {
            "Play the line (thirds and sevenths of each chord) on the top strings, over the roots on a recording or a looper."
        }
        Instrument::Voice => {
            "Sing the line (thirds and sevenths of each chord) while the chords play."
        }
        Instrument::Piano | Instrument::Bass => {
            "Play the line (thirds and sevenths of each chord) with the right hand over roots in the left."
        }
    }
}

fn rhythm_instructions(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "Comp the voicings with this rhythm in every bar; clap it first.",
        Instrument::Guitar => "Strum the shapes with this rhythm in every bar; clap it first.",
        Instrument::Bass => "Play each root with this rhythm in every bar; clap it first.",
        Instrument::Voice => "Sing each root with this rhythm in every bar; clap it first.",
    }
}

fn scale_instructions(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "Play the pattern as written, hands separately, then together.",
        Instrument::Guitar | Instrument::Bass => {
            "Play the pattern as written in one position, slowly at first."
        }
        Instrument::Voice => "Sing the pattern as written, slowly at first, every note in tune.",
    }
}

fn degree_chord_instructions(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Piano => "Play the chord on each degree, saying its numeral.",
        Instrument::Guitar => "Play the shape of each degree's chord, saying its numeral.",
        Instrument::Bass => "Play the root of each degree's chord, saying its numeral.",
        Instrument::Voice => "Sing the root of each degree's chord, then say its numeral.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_tone_line_uses_thirds_and_sevenths() {
        let lick = exercises("ii-V-I", "C", Level::Beginner)
            .unwrap()
            .into_iter()
            .find(|e| e.kind == ExerciseKind::Lick)
            .unwrap();
        let notes: Vec<&str> = lick.music.melody.iter().map(|m| m.note.as_str()).collect();
        assert_eq!(&notes[..4], ["F4", "C4", "B3", "F4"]);
    }
}
