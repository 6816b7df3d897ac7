//! Checks every musical fact of a parsed document with the theory engine and repairs
//! what the engine can compute.
//!
//! A model writes keys, numerals, scale names and standard codes; chord symbols, notes,
//! voicings, ABC rhythms and answer keys are computed here and overwrite what was
//! written. A wrong computed field is a [`Severity::Repaired`] issue; a fact that
//! cannot be computed (an unreadable key or numeral, an invented standard code, a rhythm
//! that does not fill its bar) is a [`Severity::Error`]: the document must be
//! regenerated or fixed by hand.
//!
//! Each document kind has its own file; the checks they share are here, and the payload
//! checks and answer keys, which the template generator uses too, sit below this module.

use crate::standards::{self, CodeProblem};
use crate::types::SCHEMA_VERSION;

mod analysis;
mod assessment;
mod curriculum;
mod exercise;
mod lesson_plan;
mod tutorial;

pub use analysis::theory_analysis;
pub use assessment::assessment;
pub use curriculum::{curriculum, curriculum_with_known_topics};
pub use exercise::exercise;
pub use lesson_plan::lesson_plan;
pub use tutorial::{tutorial, tutorial_on_topic};

// Defined below this module, where the template generator uses them too; these are their
// public paths.
pub use crate::compute::{answer_key, beats_per_bar, music, rhythm_abc};
pub use crate::report::{Issue, Severity, ValidationReport};

fn check_version(found: u32, report: &mut ValidationReport) {
    if found != SCHEMA_VERSION {
        report.push(
            "schema_version",
            Severity::Error,
            format!("version {found} is not {SCHEMA_VERSION}, the version this Cadence writes"),
        );
    }
}

fn require_text(path: &str, value: &str, report: &mut ValidationReport) {
    if value.trim().is_empty() {
        report.push(path, Severity::Error, "must not be empty");
    }
}

/// What is wrong with a standard code for `grade`, if anything.
fn code_problem(code: &str, grade: Option<&str>) -> Option<String> {
    Some(match standards::check_code(code, grade) {
        Ok(_) => return None,
        Err(CodeProblem::Malformed) => {
            format!("`{code}` is not an NCAS music code (they look like MU:Cr1.1.3a)")
        }
        Err(CodeProblem::Unknown) => format!(
            "`{code}` is not an NCAS music standard; choose a code from assets/standards/ncas_music.csv"
        ),
        Err(CodeProblem::WrongGrade { code_grade }) => format!(
            "`{code}` is a grade {code_grade} standard, not grade {}",
            grade.unwrap_or("?")
        ),
    })
}

/// Removes every item `problem` finds fault with, reporting each removal as a repair at its
/// index in the list as it was.
fn drop_items(
    items: &mut Vec<String>,
    path: &str,
    report: &mut ValidationReport,
    mut problem: impl FnMut(&str) -> Option<String>,
) {
    let mut index = 0;
    items.retain(|item| {
        let fault = problem(item);
        if let Some(message) = &fault {
            report.push(
                format!("{path}[{index}]"),
                Severity::Repaired,
                format!("{message}; removed"),
            );
        }
        index += 1;
        fault.is_none()
    });
}
