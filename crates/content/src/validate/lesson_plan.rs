//! Lesson plans: the grade, and the standards cited for it.

use super::{check_version, code_problem};
use crate::report::{Severity, ValidationReport};
use crate::standards;
use crate::types::LessonPlanDocument;

fn standard_codes(
    codes: &[String],
    grade: Option<&str>,
    path: &str,
    report: &mut ValidationReport,
) {
    for (index, code) in codes.iter().enumerate() {
        report.checked += 1;
        if let Some(message) = code_problem(code, grade) {
            report.push(format!("{path}[{index}]"), Severity::Error, message);
        }
    }
}

pub fn lesson_plan(doc: &mut LessonPlanDocument) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    let grade = standards::normalize_grade(&doc.grade);
    match grade {
        Some(grade) => doc.grade = grade.to_string(),
        None => report.push(
            "grade",
            Severity::Error,
            format!("`{}` is not an NCAS grade; use PK, K or 1 to 8", doc.grade),
        ),
    }
    if doc.standards.is_empty() {
        report.push(
            "standards",
            Severity::Error,
            "a lesson plan cites at least one standard",
        );
    }
    standard_codes(&doc.standards, grade, "standards", &mut report);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::types::LessonPlanPart;

    #[test]
    fn invented_and_misplaced_standard_codes_are_rejected_by_name() {
        let mut plan =
            template::lesson_plan("steady beat", "grade 3", "reflection_questions").unwrap();
        plan.standards = vec![
            "MU:Cr1.1.3a".into(),
            "MU:Cr7.4.3c".into(),
            "MU:Re7.1.5a".into(),
            "ELA:1".into(),
        ];
        let report = lesson_plan(&mut plan);
        let errors = report.unrepaired();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("standards[1]: `MU:Cr7.4.3c` is not an NCAS music standard"));
        assert_eq!(
            errors[1],
            "standards[2]: `MU:Re7.1.5a` is a grade 5 standard, not grade 3"
        );
        assert!(errors[2].contains("`ELA:1` is not an NCAS music code"));
        plan.grade = "13".into();
        plan.content = LessonPlanPart::ReflectionQuestions { questions: vec![] };
        assert!(lesson_plan(&mut plan).unrepaired()[0].starts_with("grade: `13`"));
    }
}
