//! Exercises: each kind of practice that suits a topic, with its music written out.

use super::payload::{comping_rhythm, complete, guide_tones, progression_payload, scale_payload};
use super::{Family, family, parse_key, plan, voicings_for};
use crate::ContentError;
use crate::topic::{Topic, progression_name};
use crate::types::{Exercise, ExerciseKind, Level, MusicPayload, SCHEMA_VERSION};
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

/// Exercises for a topic: each kind that suits it, with its music computed.
pub fn exercises(topic: &str, key: &str, level: Level) -> Result<Vec<Exercise>, ContentError> {
    let topic = Topic::parse(topic)?;
    let key = parse_key(key)?;
    let plan = plan(level);
    let mut list = Vec::new();
    match topic {
        Topic::Progression(template) => {
            let name = progression_name(template);
            let voiced = progression_payload(template, &key, &voicings_for(template, &plan))?;
            let kind = voiced
                .voicing_kind
                .clone()
                .unwrap_or_else(|| "close".into());
            let music_key = voiced.key.clone();
            list.push(exercise(
                format!("{name} in {music_key}: {kind} voicings"),
                ExerciseKind::Progression,
                level,
                "Play the voicings as written, one chord per bar, roots in the left hand.".into(),
                voiced.clone(),
            ));
            let study =
                progression_payload(template, &key, &[plan.study_voicing, VoicingKind::Close])?;
            let study_kind = study.voicing_kind.clone().unwrap_or_else(|| "close".into());
            list.push(exercise(
                format!("{name} in {music_key}: {study_kind} voicing study"),
                ExerciseKind::VoicingStudy,
                level,
                format!("Compare these {study_kind} voicings with the {kind} ones; play both versions back to back."),
                study,
            ));
            let mut lick = progression_payload(template, &key, &[])?;
            lick.melody = guide_tones(&lick);
            list.push(exercise(
                format!("{name} in {music_key}: guide-tone line"),
                ExerciseKind::Lick,
                level,
                "Play the line (thirds and sevenths of each chord) with the right hand over roots in the left.".into(),
                complete(lick)?,
            ));
            let mut rhythm = voiced;
            rhythm.rhythm = Some(comping_rhythm(level));
            list.push(exercise(
                format!("{name} in {music_key}: comping rhythm"),
                ExerciseKind::Rhythm,
                level,
                "Comp the voicings with this rhythm in every bar; clap it first.".into(),
                complete(rhythm)?,
            ));
            if family(template) == Family::Blues {
                let blues = scale_payload(ScaleKind::Blues, &key, level)?;
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
            let music = scale_payload(kind, &key, level)?;
            let scale_name = music
                .scale
                .as_ref()
                .map(|s| format!("{} {}", s.tonic, s.kind))
                .unwrap_or_default();
            list.push(exercise(
                format!("{scale_name} scale pattern"),
                ExerciseKind::ScalePattern,
                level,
                "Play the pattern as written, hands separately, then together.".into(),
                music.clone(),
            ));
            let mut chords = music;
            chords.melody.clear();
            list.push(exercise(
                format!("Chords of the {scale_name} scale"),
                ExerciseKind::Progression,
                level,
                "Play the chord on each degree, saying its numeral.".into(),
                chords,
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
                let music = progression_payload(template, &key, &[kind, VoicingKind::Close])?;
                let used = music.voicing_kind.clone().unwrap_or_else(|| "close".into());
                list.push(exercise(
                    format!(
                        "{} in {}: {used} voicings",
                        progression_name(template),
                        music.key
                    ),
                    ExerciseKind::VoicingStudy,
                    level,
                    "Play the voicings as written; then find them again without looking.".into(),
                    music,
                ));
            }
        }
    }
    Ok(list)
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
