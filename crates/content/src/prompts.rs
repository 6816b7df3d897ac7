//! Prompt templates (assets/prompts), one per task kind, with `{{variable}}` slots.
//!
//! Every template has the sections `<role>`, `<task>`, `<context>`, `<constraints>` and
//! `<output_format>`. [`render`] refuses a missing or unknown variable before anything
//! is sent; `{{schema}}` is filled with the JSON Schema of the answer's type.

use std::collections::{BTreeMap, BTreeSet};

use super::ContentError;
use super::schema::DocumentKind;

/// The sections every template must have, in order.
pub const SECTIONS: [&str; 5] = ["role", "task", "context", "constraints", "output_format"];

/// The kinds of task with a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    Curriculum,
    Tutorial,
    Exercise,
    TheoryAnalysis,
    Assessment,
    LessonPlan,
    Coaching,
}

impl TaskKind {
    pub const ALL: [TaskKind; 7] = [
        TaskKind::Curriculum,
        TaskKind::Tutorial,
        TaskKind::Exercise,
        TaskKind::TheoryAnalysis,
        TaskKind::Assessment,
        TaskKind::LessonPlan,
        TaskKind::Coaching,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Curriculum => "curriculum",
            TaskKind::Tutorial => "tutorial",
            TaskKind::Exercise => "exercise",
            TaskKind::TheoryAnalysis => "theory_analysis",
            TaskKind::Assessment => "assessment",
            TaskKind::LessonPlan => "lesson_plan",
            TaskKind::Coaching => "coaching",
        }
    }

    pub fn template(self) -> &'static str {
        match self {
            TaskKind::Curriculum => include_str!("../../../assets/prompts/curriculum.md"),
            TaskKind::Tutorial => include_str!("../../../assets/prompts/tutorial.md"),
            TaskKind::Exercise => include_str!("../../../assets/prompts/exercise.md"),
            TaskKind::TheoryAnalysis => include_str!("../../../assets/prompts/theory_analysis.md"),
            TaskKind::Assessment => include_str!("../../../assets/prompts/assessment.md"),
            TaskKind::LessonPlan => include_str!("../../../assets/prompts/lesson_plan.md"),
            TaskKind::Coaching => include_str!("../../../assets/prompts/coaching.md"),
        }
    }

    /// The document the answer must be; None for free-text tasks.
    pub fn document(self) -> Option<DocumentKind> {
        match self {
            TaskKind::Curriculum => Some(DocumentKind::Curriculum),
            TaskKind::Tutorial => Some(DocumentKind::Tutorial),
            TaskKind::Exercise => Some(DocumentKind::Exercise),
            TaskKind::TheoryAnalysis => Some(DocumentKind::TheoryAnalysis),
            TaskKind::Assessment => Some(DocumentKind::Assessment),
            TaskKind::LessonPlan => Some(DocumentKind::LessonPlan),
            TaskKind::Coaching => None,
        }
    }

    /// The variables a caller must supply (the schema is filled in by [`render`]).
    pub fn variables(self) -> Result<BTreeSet<String>, ContentError> {
        let mut names = slots(self.name(), self.template())?;
        names.remove("schema");
        Ok(names)
    }
}

fn prompt_error(template: &str, problem: String) -> ContentError {
    ContentError::Prompt {
        template: template.to_string(),
        problem,
    }
}

/// The `{{name}}` slots of a template.
fn slots(template_name: &str, text: &str) -> Result<BTreeSet<String>, ContentError> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| {
            prompt_error(template_name, "a `{{` is never closed by `}}`".to_string())
        })?;
        let name = after[..close].trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(prompt_error(
                template_name,
                format!("`{{{{{name}}}}}` is not a variable name (use lower_snake_case)"),
            ));
        }
        names.insert(name.to_string());
        rest = &after[close + 2..];
    }
    Ok(names)
}

/// Fills `kind`'s template. Every slot needs a non-empty value; a value for a slot the
/// template does not have is an error too (it would be silently lost).
pub fn render(kind: TaskKind, values: &BTreeMap<String, String>) -> Result<String, ContentError> {
    let name = kind.name();
    let expected = kind.variables()?;
    let missing: Vec<&str> = expected
        .iter()
        .filter(|slot| values.get(*slot).is_none_or(|v| v.trim().is_empty()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(prompt_error(
            name,
            format!(
                "missing value for {}; this prompt needs {}",
                missing.join(", "),
                expected.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let unknown: Vec<&str> = values
        .keys()
        .filter(|key| !expected.contains(*key))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(prompt_error(
            name,
            format!(
                "unknown variable {}; this prompt takes {}",
                unknown.join(", "),
                expected.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let mut text = kind.template().to_string();
    for (slot, value) in values {
        text = text.replace(&format!("{{{{{slot}}}}}"), value);
    }
    if let Some(document) = kind.document() {
        // Compact: the schema is the longest part of the prompt, and small local models
        // have little context to spare.
        text = text.replace("{{schema}}", &document.schema().to_string());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_template_has_its_sections_in_order_and_a_schema_slot() {
        for kind in TaskKind::ALL {
            let text = kind.template();
            let mut last = 0;
            for section in SECTIONS {
                let open = text
                    .find(&format!("<{section}>"))
                    .unwrap_or_else(|| panic!("{} lacks <{section}>", kind.name()));
                assert!(text.contains(&format!("</{section}>")), "{}", kind.name());
                assert!(open >= last, "{}: <{section}> out of order", kind.name());
                last = open;
            }
            let has_schema = slots(kind.name(), text).unwrap().contains("schema");
            assert_eq!(has_schema, kind.document().is_some(), "{}", kind.name());
        }
    }

    #[test]
    fn render_fills_variables_and_the_schema() {
        let text = render(
            TaskKind::Tutorial,
            &values(&[
                ("instrument", "piano"),
                ("topic", "ii-V-I"),
                ("key", "Eb major"),
                ("level", "intermediate"),
            ]),
        )
        .unwrap();
        assert!(
            text.contains("Write a tutorial on \"ii-V-I\" in Eb major for a intermediate student.")
        );
        assert!(!text.contains("{{"), "{text}");
        assert!(text.contains("\"practice_guide\""));
    }

    #[test]
    fn missing_and_unknown_variables_are_errors() {
        let error = render(TaskKind::Coaching, &values(&[("instrument", "piano")])).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("missing value for lesson, level, recent_results"),
            "{message}"
        );
        let error = render(
            TaskKind::Coaching,
            &values(&[
                ("instrument", "piano"),
                ("lesson", "none"),
                ("level", "beginner"),
                ("recent_results", "none yet"),
                ("mood", "happy"),
            ]),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("unknown variable mood"),
            "{error}"
        );
        let empty = render(
            TaskKind::Coaching,
            &values(&[
                ("instrument", "piano"),
                ("lesson", "none"),
                ("level", " "),
                ("recent_results", "x"),
            ]),
        );
        assert!(empty.is_err());
    }

    #[test]
    fn malformed_slots_are_reported() {
        assert!(slots("t", "hello {{name").is_err());
        assert!(slots("t", "hello {{Bad Name}}").is_err());
        assert_eq!(slots("t", "{{a}} {{b_2}} {{a}}").unwrap().len(), 2);
    }
}
