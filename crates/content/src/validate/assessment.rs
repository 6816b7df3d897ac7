//! Assessments: every answer key recomputed, and the correct answer among the choices.

use super::{check_version, require_text};
use crate::compute::answer_key;
use crate::report::{Severity, ValidationReport};
use crate::types::Assessment;

pub fn assessment(doc: &mut Assessment) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    if doc.questions.is_empty() {
        report.push(
            "questions",
            Severity::Error,
            "an assessment needs questions",
        );
    }
    for (index, question) in doc.questions.iter_mut().enumerate() {
        report.checked += 1;
        let path = format!("questions[{index}]");
        let number = index as u32 + 1;
        if question.number != number {
            question.number = number;
        }
        let answer = match answer_key(&question.spec) {
            Ok(answer) => answer,
            Err(error) => {
                report.push(
                    format!("{path}.spec"),
                    Severity::Error,
                    format!("the engine cannot answer this question: {error}"),
                );
                continue;
            }
        };
        if !question.answer.is_empty() && question.answer != answer {
            report.push(
                format!("{path}.answer"),
                Severity::Repaired,
                format!(
                    "the answer key said {}, the engine computes {}",
                    question.answer.join(" "),
                    answer.join(" ")
                ),
            );
        }
        question.answer = answer;
        let joined = question.answer.join(" ");
        if !question.choices.is_empty() && !question.choices.contains(&joined) {
            report.push(
                format!("{path}.choices"),
                Severity::Repaired,
                format!("no choice was the correct answer {joined}; it replaces the first choice"),
            );
            question.choices[0] = joined;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::test_support::messages;
    use crate::types::{AssessmentKind, Level, Question, QuestionSpec};

    #[test]
    fn answer_keys_are_recomputed_and_choices_fixed() {
        let mut assessment =
            template::assessment("ii-V-I", "Eb", Level::Beginner, AssessmentKind::Diagnostic)
                .unwrap();
        assessment.questions[0].answer = vec!["Gm7".into()];
        assessment.questions[0].choices =
            vec!["Gm7".into(), "Am7".into(), "Bbm7".into(), "Cm7".into()];
        assessment.questions.push(Question {
            number: 99,
            prompt: "Spell it".into(),
            spec: QuestionSpec::ChordNotes {
                symbol: "Q7".into(),
            },
            choices: Vec::new(),
            answer: Vec::new(),
            points: 1,
        });
        let report = assessment_check(&mut assessment);
        assert_eq!(assessment.questions[0].answer, ["Fm7"]);
        assert_eq!(assessment.questions[0].choices[0], "Fm7");
        let text = messages(&report);
        assert!(
            text.iter().any(|m| m.starts_with(
                "questions[0].answer: the answer key said Gm7, the engine computes Fm7"
            )),
            "{text:?}"
        );
        assert!(report.unrepaired().iter().any(|e| e.starts_with(&format!(
            "questions[{}].spec",
            assessment.questions.len() - 1
        ))));
    }

    fn assessment_check(doc: &mut Assessment) -> ValidationReport {
        super::assessment(doc)
    }
}
