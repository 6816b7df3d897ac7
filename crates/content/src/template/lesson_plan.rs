//! Lesson plans: each part a teacher's plan has, on any topic, for an NCAS grade.

use crate::ContentError;
use crate::standards;
use crate::topic::capitalised;
use crate::types::{
    Activity, LessonPlanDocument, LessonPlanPart, PlanStep, RubricRow, SCHEMA_VERSION,
    SubjectConnection, TechnologyTool,
};

/// The lesson-plan parts, as named in documents and on the command line.
pub const LESSON_PLAN_PARTS: [&str; 9] = [
    "lesson_plan",
    "activities",
    "assessment_strategies",
    "differentiation",
    "cross_curricular_connections",
    "reflection_questions",
    "parent_communication",
    "technology_integration",
    "culturally_responsive_teaching",
];

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// A lesson-plan part on `topic` for an NCAS `grade`, citing that grade's standards for
/// creating, performing and responding.
pub fn lesson_plan(
    topic: &str,
    grade: &str,
    part: &str,
) -> Result<LessonPlanDocument, ContentError> {
    let grade = standards::normalize_grade(grade).ok_or_else(|| ContentError::UnknownGrade {
        input: grade.to_string(),
    })?;
    let part_name = part.trim().to_lowercase().replace([' ', '-'], "_");
    let codes: Vec<String> = ["Cr1.1", "Pr4.2", "Re7.2"]
        .iter()
        .map(|stem| format!("MU:{stem}.{grade}a"))
        .filter(|code| standards::lookup(code).is_some())
        .collect();
    let t = topic.trim();
    let content = match part_name.as_str() {
        "lesson_plan" => LessonPlanPart::LessonPlan {
            objectives: vec![
                format!("Students describe {t} in their own words."),
                format!("Students perform an example of {t} with a steady beat."),
                format!("Students create a short idea that uses {t}."),
            ],
            materials: texts(&[
                "Piano or keyboard",
                "Classroom percussion",
                "Projector or board for notation",
            ]),
            sequence: vec![
                PlanStep {
                    minutes: 5,
                    activity: format!("Warm-up: echo patterns that lead into {t}."),
                },
                PlanStep {
                    minutes: 10,
                    activity: format!("Listen and discuss: hear {t} in a short recording."),
                },
                PlanStep {
                    minutes: 15,
                    activity: format!("Perform: learn and play {t} together."),
                },
                PlanStep {
                    minutes: 10,
                    activity: format!("Create: small groups make their own version of {t}."),
                },
                PlanStep {
                    minutes: 5,
                    activity: "Share and reflect.".to_string(),
                },
            ],
        },
        "activities" => LessonPlanPart::Activities {
            activities: vec![
                Activity {
                    title: "Echo and respond".into(),
                    minutes: 10,
                    grouping: "whole class".into(),
                    description: format!(
                        "The teacher plays short examples of {t}; students echo them."
                    ),
                },
                Activity {
                    title: "Pattern stations".into(),
                    minutes: 15,
                    grouping: "small groups".into(),
                    description: format!(
                        "Groups rotate between keyboard, percussion and listening stations, each exploring {t}."
                    ),
                },
                Activity {
                    title: "Compose a phrase".into(),
                    minutes: 15,
                    grouping: "pairs".into(),
                    description: format!(
                        "Pairs create and notate a short phrase using {t} and perform it."
                    ),
                },
            ],
        },
        "assessment_strategies" => LessonPlanPart::AssessmentStrategies {
            formative: texts(&[
                "Observe performance during echo activities",
                "Thumbs up/down self-check after each activity",
                "Exit ticket: one sentence about what was learned",
            ]),
            summative: vec![
                format!("Perform a short example of {t} alone or in a pair"),
                "Notate and perform an original phrase".to_string(),
            ],
            rubric: vec![
                RubricRow {
                    criterion: "Accuracy".into(),
                    levels: texts(&[
                        "Many errors",
                        "Some errors",
                        "Few errors",
                        "Accurate throughout",
                    ]),
                },
                RubricRow {
                    criterion: "Steady beat".into(),
                    levels: texts(&[
                        "Beat not kept",
                        "Beat kept at times",
                        "Beat mostly steady",
                        "Beat steady throughout",
                    ]),
                },
            ],
        },
        "differentiation" => LessonPlanPart::Differentiation {
            support: texts(&[
                "Demonstrate each step slowly before students try it",
                "Offer colour-coded notation",
                "Pair students with a peer helper",
            ]),
            extension: vec![
                format!("Vary {t} in a new key or tempo"),
                "Add a second part or harmony".to_string(),
            ],
            english_learners: texts(&[
                "Show vocabulary with pictures and gestures",
                "Model before explaining",
                "Allow responses by demonstration",
            ]),
            accommodations: texts(&[
                "Adapted instruments or one-handed parts",
                "Extra time for performance tasks",
                "Large-print notation",
            ]),
        },
        "cross_curricular_connections" => LessonPlanPart::CrossCurricularConnections {
            connections: vec![
                SubjectConnection {
                    subject: "Mathematics".into(),
                    description: "Count beats and compare note lengths as fractions of a bar."
                        .into(),
                },
                SubjectConnection {
                    subject: "Language arts".into(),
                    description: format!("Write a short description of how {t} sounds and feels."),
                },
                SubjectConnection {
                    subject: "Social studies".into(),
                    description: format!(
                        "Discuss where and when music with {t} was made and by whom."
                    ),
                },
            ],
        },
        "reflection_questions" => LessonPlanPart::ReflectionQuestions {
            questions: vec![
                format!("What did you notice about {t} today?"),
                "Which part was hardest, and what helped you?".to_string(),
                format!("Where else have you heard {t}?"),
                "What would you change in your group's version, and why?".to_string(),
            ],
        },
        "parent_communication" => LessonPlanPart::ParentCommunication {
            subject: format!("This week in music: {t}"),
            message: format!(
                "This week our class explored {t}. Students listened, performed and created their own short pieces. Ask your child to show you what they learned!"
            ),
            home_activities: vec![
                format!("Listen to a favourite song together and look for {t}"),
                "Tap or clap a steady beat along with music at home".to_string(),
            ],
        },
        "technology_integration" => LessonPlanPart::TechnologyIntegration {
            tools: vec![
                TechnologyTool {
                    name: "Cadence".into(),
                    purpose: format!("Play back and loop examples of {t} at slower tempos."),
                },
                TechnologyTool {
                    name: "Notation software".into(),
                    purpose: "Notate and play back student phrases.".into(),
                },
                TechnologyTool {
                    name: "Audio recorder".into(),
                    purpose: "Record performances for self-assessment.".into(),
                },
            ],
        },
        "culturally_responsive_teaching" => LessonPlanPart::CulturallyResponsiveTeaching {
            practices: texts(&[
                "Invite students to share music from their families and communities",
                "Present examples from several cultures and traditions",
                "Let students choose repertoire for the creative task",
            ]),
            repertoire: vec![
                format!("Examples of {t} from gospel, jazz and folk traditions"),
                "Music students bring from home".to_string(),
            ],
        },
        _ => {
            return Err(ContentError::UnknownPart {
                input: part.to_string(),
                known: LESSON_PLAN_PARTS.join(", "),
            });
        }
    };
    Ok(LessonPlanDocument {
        schema_version: SCHEMA_VERSION,
        title: format!(
            "{}: {t} (grade {grade})",
            capitalised(&part_name.replace('_', " "))
        ),
        topic: t.to_string(),
        grade: grade.to_string(),
        standards: codes,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn every_lesson_plan_part_cites_real_standards_for_its_grade() {
        for grade in standards::GRADES {
            for part in LESSON_PLAN_PARTS {
                let mut plan = lesson_plan("steady beat", grade, part).unwrap();
                assert_eq!(plan.standards.len(), 3, "{grade} {part}");
                let report = validate::lesson_plan(&mut plan);
                assert!(report.issues.is_empty(), "{grade} {part}: {report}");
            }
        }
        assert!(matches!(
            lesson_plan("beat", "12", "activities"),
            Err(ContentError::UnknownGrade { .. })
        ));
        assert!(matches!(
            lesson_plan("beat", "3", "homework"),
            Err(ContentError::UnknownPart { .. })
        ));
    }
}
