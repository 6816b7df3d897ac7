//! The curriculum document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ExerciseKind, Level, SCHEMA_VERSION, current_version, pattern};

/// Points at a lesson of the same curriculum: 0-based module and lesson positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonRef {
    #[schemars(range(max = 103))]
    pub module: u32,
    #[schemars(range(max = 999))]
    pub lesson: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExerciseOutline {
    pub kind: ExerciseKind,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurriculumLesson {
    pub title: String,
    /// Topic the tutorial generator understands, e.g. "ii-V-I", "major scale".
    pub topic: String,
    /// Key the lesson is taught in, e.g. "F major".
    #[schemars(pattern(pattern::KEY))]
    pub key: String,
    pub concepts: Vec<String>,
    pub difficulty: Level,
    #[schemars(range(min = 1, max = 600))]
    pub duration_minutes: u32,
    #[serde(default)]
    pub prerequisites: Vec<LessonRef>,
    #[serde(default)]
    pub exercises: Vec<ExerciseOutline>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurriculumModule {
    pub title: String,
    /// First week (1-based) of the module.
    #[schemars(range(min = 1, max = 104))]
    pub week_start: u32,
    /// Last week, inclusive.
    #[schemars(range(min = 1, max = 104))]
    pub week_end: u32,
    pub lessons: Vec<CurriculumLesson>,
}

/// A course plan: modules over week ranges, each with lessons and their exercises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Curriculum {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub instrument: String,
    pub level: Level,
    #[schemars(range(min = 1, max = 104))]
    pub duration_weeks: u32,
    pub description: String,
    #[schemars(length(min = 1))]
    pub modules: Vec<CurriculumModule>,
}
