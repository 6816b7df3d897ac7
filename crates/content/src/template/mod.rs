//! The template generator: complete tutorials, exercises, assessments and curricula for
//! the common topics, in any key and level, with no model at all.
//!
//! Every musical fact comes from the theory engine: a payload is built from numerals,
//! scale names and rhythm patterns, then the same payload check that check-and-repair runs
//! on a model's answer computes the chords, notes, voicings and ABC.
//!
//! Each document kind has its own file; what a level changes and the payload builders
//! are shared.

use std::str::FromStr;

use super::ContentError;
use super::types::Level;
use cadence_theory::{Key, ProgressionTemplate, VoicingKind};

mod analysis;
mod assessment;
mod curriculum;
mod exercise;
mod lesson_plan;
mod payload;
mod phrasing;
mod tutorial;

pub use analysis::theory_analysis;
pub(crate) use analysis::{HarmonicNotes, harmonic_notes};
pub use assessment::assessment;
pub use curriculum::{curriculum, curriculum_for};
pub use exercise::{exercises, exercises_for};
pub use lesson_plan::{LESSON_PLAN_PARTS, lesson_plan};
pub use tutorial::{tutorial, tutorial_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Jazz,
    Gospel,
    Blues,
}

fn family(template: ProgressionTemplate) -> Family {
    use ProgressionTemplate as P;
    match template {
        P::GospelOneFourFive
        | P::GospelPlagal
        | P::GospelWalkUp
        | P::GospelTwoFiveOne
        | P::GospelThreeSixTwoFiveOne => Family::Gospel,
        P::TwelveBarBlues | P::JazzBlues | P::MinorBlues => Family::Blues,
        _ => Family::Jazz,
    }
}

/// What a level changes: tempo, length, voicings, comping rhythm, scale range.
struct LevelPlan {
    tempo: u32,
    minutes: u32,
    voicings: [VoicingKind; 3],
    gospel_voicings: [VoicingKind; 3],
    study_voicing: VoicingKind,
    comping: &'static [f64],
    scale_octaves: usize,
    beat: f64,
}

fn plan(level: Level) -> LevelPlan {
    use VoicingKind as V;
    match level {
        Level::Beginner => LevelPlan {
            tempo: 60,
            minutes: 30,
            voicings: [V::Shell, V::Close, V::Close],
            gospel_voicings: [V::Close, V::Shell, V::Close],
            study_voicing: V::Close,
            comping: &[2.0, 2.0],
            scale_octaves: 1,
            beat: 1.0,
        },
        Level::Intermediate => LevelPlan {
            tempo: 80,
            minutes: 45,
            voicings: [V::RootlessA, V::Shell, V::Close],
            gospel_voicings: [V::Gospel, V::RootlessA, V::Close],
            study_voicing: V::RootlessB,
            comping: &[1.5, 2.5],
            scale_octaves: 2,
            beat: 0.5,
        },
        Level::Advanced => LevelPlan {
            tempo: 100,
            minutes: 60,
            voicings: [V::Rootless, V::RootlessA, V::Close],
            gospel_voicings: [V::UpperStructure, V::Gospel, V::Close],
            study_voicing: V::Drop2,
            comping: &[0.5, 1.0, 1.0, 1.5],
            scale_octaves: 2,
            beat: 0.5,
        },
    }
}

fn parse_key(key: &str) -> Result<Key, ContentError> {
    Ok(Key::from_str(key)?)
}

fn voicings_for(template: ProgressionTemplate, plan: &LevelPlan) -> [VoicingKind; 3] {
    if family(template) == Family::Gospel {
        plan.gospel_voicings
    } else {
        plan.voicings
    }
}
