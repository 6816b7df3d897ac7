//! The tutorial document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Level, MusicPayload, SCHEMA_VERSION, current_version, pattern};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Overview {
    #[schemars(length(max = 8), inner(length(max = 200)))]
    pub what_you_will_learn: Vec<String>,
    #[schemars(range(min = 1, max = 600))]
    pub duration_minutes: u32,
    pub difficulty: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TheorySection {
    #[schemars(length(min = 1, max = 1500))]
    pub summary: String,
    #[schemars(length(max = 16), inner(length(max = 400)))]
    pub key_points: Vec<String>,
    #[schemars(length(max = 8), inner(length(max = 400)))]
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PracticeStep {
    #[schemars(range(min = 1, max = 12))]
    pub step: u32,
    #[schemars(length(max = 160))]
    pub title: String,
    #[schemars(length(max = 800))]
    pub instruction: String,
    /// How the student knows the step is mastered.
    #[schemars(length(max = 400))]
    pub success_criteria: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PracticeGuide {
    #[schemars(length(min = 1, max = 12))]
    pub steps: Vec<PracticeStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommonMistake {
    #[schemars(length(max = 400))]
    pub mistake: String,
    #[schemars(length(max = 400))]
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NextSteps {
    #[schemars(length(max = 8), inner(length(max = 160)))]
    pub topics: Vec<String>,
    #[schemars(length(max = 800))]
    pub advice: String,
}

/// A tutorial: explanation, guided practice and the music it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tutorial {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1, max = 160))]
    pub title: String,
    #[schemars(length(max = 120))]
    pub topic: String,
    #[schemars(length(max = 60))]
    pub instrument: String,
    pub overview: Overview,
    pub theory: TheorySection,
    pub practice_guide: PracticeGuide,
    #[schemars(length(max = 8))]
    pub common_mistakes: Vec<CommonMistake>,
    pub next_steps: NextSteps,
    pub music: MusicPayload,
    /// US National Core Arts Standards (music) codes, e.g. "MU:Pr4.2.5a".
    #[serde(default)]
    #[schemars(inner(pattern(pattern::STANDARD_CODE)))]
    pub standards: Vec<String>,
}
