//! The exercise document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ExerciseKind, Level, MusicPayload, SCHEMA_VERSION, current_version};

/// Something to practise, with the music written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Exercise {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub kind: ExerciseKind,
    pub difficulty: Level,
    pub instructions: String,
    #[schemars(range(min = 20, max = 400))]
    pub tempo_bpm: u32,
    pub music: MusicPayload,
    pub success_criteria: Vec<String>,
}
