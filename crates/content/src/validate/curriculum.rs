//! Curricula: module weeks, lesson keys and topics, and prerequisites that point back.

use std::str::FromStr;

use super::{check_version, require_text};
use crate::report::{Severity, ValidationReport};
use crate::topic::{KNOWN_TOPICS, Topic};
use crate::types::Curriculum;
use cadence_theory::Key;

/// Checks a curriculum; a lesson topic the template generator does not know is a warning,
/// since a model can still write its tutorial.
pub fn curriculum(doc: &mut Curriculum) -> ValidationReport {
    curriculum_with(doc, Severity::Warning)
}

/// Checks a curriculum whose every lesson the template generator must be able to write
/// (and whose exercises the engine computes from each lesson's topic): an unknown topic
/// is an error.
pub fn curriculum_with_known_topics(doc: &mut Curriculum) -> ValidationReport {
    curriculum_with(doc, Severity::Error)
}

fn curriculum_with(doc: &mut Curriculum, unknown_topic: Severity) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    let lesson_counts: Vec<usize> = doc.modules.iter().map(|m| m.lessons.len()).collect();
    if lesson_counts.iter().sum::<usize>() == 0 {
        report.push(
            "modules",
            Severity::Error,
            "a curriculum has at least one module with at least one lesson",
        );
    }
    for (m, module) in doc.modules.iter().enumerate() {
        let path = format!("modules[{m}]");
        if module.week_start == 0
            || module.week_end < module.week_start
            || module.week_end > doc.duration_weeks
        {
            report.push(
                format!("{path}.week_end"),
                Severity::Error,
                format!(
                    "weeks {}–{} do not fit in a {}-week curriculum",
                    module.week_start, module.week_end, doc.duration_weeks
                ),
            );
        }
        for (l, lesson) in module.lessons.iter().enumerate() {
            report.checked += 1;
            let lesson_path = format!("{path}.lessons[{l}]");
            if let Err(error) = Key::from_str(&lesson.key) {
                report.push(
                    format!("{lesson_path}.key"),
                    Severity::Error,
                    format!("`{}` is not a key: {error}", lesson.key),
                );
            }
            if Topic::parse(&lesson.topic).is_err() {
                let consequence = match unknown_topic {
                    Severity::Error => format!("use one of: {KNOWN_TOPICS}"),
                    _ => "only a model can write it".to_string(),
                };
                report.push(
                    format!("{lesson_path}.topic"),
                    unknown_topic,
                    format!(
                        "the template generator does not know `{}`; {consequence}",
                        lesson.topic
                    ),
                );
            }
            for (p, prerequisite) in lesson.prerequisites.iter().enumerate() {
                let earlier = (prerequisite.module as usize, prerequisite.lesson as usize) < (m, l);
                let exists = lesson_counts
                    .get(prerequisite.module as usize)
                    .is_some_and(|count| (prerequisite.lesson as usize) < *count);
                if !exists || !earlier {
                    report.push(
                        format!("{lesson_path}.prerequisites[{p}]"),
                        Severity::Error,
                        format!(
                            "module {} lesson {} is not an earlier lesson of this curriculum",
                            prerequisite.module, prerequisite.lesson
                        ),
                    );
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use crate::template;
    use crate::types::Level;

    #[test]
    fn curriculum_prerequisites_must_point_back() {
        let mut curriculum = template::curriculum("C", Level::Beginner, 4).unwrap();
        curriculum.modules[0].lessons[0].prerequisites = vec![crate::types::LessonRef {
            module: 1,
            lesson: 0,
        }];
        curriculum.modules[1].week_end = 9;
        let report = super::curriculum(&mut curriculum);
        let errors = report.unrepaired();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[1].starts_with("modules[0].lessons[0].prerequisites[0]")
                || errors[0].starts_with("modules[0].lessons[0].prerequisites[0]")
        );
    }
}
