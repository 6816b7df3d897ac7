//! The lesson-plan document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SCHEMA_VERSION, current_version, pattern};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    #[schemars(range(min = 1, max = 180))]
    pub minutes: u32,
    pub activity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Activity {
    pub title: String,
    #[schemars(range(min = 1, max = 180))]
    pub minutes: u32,
    /// Whole class, small groups, pairs or individual.
    pub grouping: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RubricRow {
    pub criterion: String,
    /// Descriptions from lowest to highest performance.
    pub levels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SubjectConnection {
    pub subject: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TechnologyTool {
    pub name: String,
    pub purpose: String,
}

/// One part of a teacher's lesson plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum LessonPlanPart {
    LessonPlan {
        objectives: Vec<String>,
        materials: Vec<String>,
        sequence: Vec<PlanStep>,
    },
    Activities {
        activities: Vec<Activity>,
    },
    AssessmentStrategies {
        formative: Vec<String>,
        summative: Vec<String>,
        rubric: Vec<RubricRow>,
    },
    Differentiation {
        support: Vec<String>,
        extension: Vec<String>,
        english_learners: Vec<String>,
        accommodations: Vec<String>,
    },
    CrossCurricularConnections {
        connections: Vec<SubjectConnection>,
    },
    ReflectionQuestions {
        questions: Vec<String>,
    },
    ParentCommunication {
        subject: String,
        message: String,
        home_activities: Vec<String>,
    },
    TechnologyIntegration {
        tools: Vec<TechnologyTool>,
    },
    CulturallyResponsiveTeaching {
        practices: Vec<String>,
        repertoire: Vec<String>,
    },
}

impl LessonPlanPart {
    /// The part's name, as its `part` tag is written.
    pub fn name(&self) -> &'static str {
        match self {
            LessonPlanPart::LessonPlan { .. } => "lesson_plan",
            LessonPlanPart::Activities { .. } => "activities",
            LessonPlanPart::AssessmentStrategies { .. } => "assessment_strategies",
            LessonPlanPart::Differentiation { .. } => "differentiation",
            LessonPlanPart::CrossCurricularConnections { .. } => "cross_curricular_connections",
            LessonPlanPart::ReflectionQuestions { .. } => "reflection_questions",
            LessonPlanPart::ParentCommunication { .. } => "parent_communication",
            LessonPlanPart::TechnologyIntegration { .. } => "technology_integration",
            LessonPlanPart::CulturallyResponsiveTeaching { .. } => "culturally_responsive_teaching",
        }
    }
}

/// A lesson-plan part for a grade, aligned to NCAS music standards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonPlanDocument {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    pub title: String,
    pub topic: String,
    /// NCAS grade band: "PK", "K" or "1" to "8".
    pub grade: String,
    /// NCAS music codes for that grade, e.g. "MU:Cr1.1.3a".
    #[schemars(length(min = 1), inner(pattern(pattern::STANDARD_CODE)))]
    pub standards: Vec<String>,
    pub content: LessonPlanPart,
}
