//! What check-and-repair found: each issue located by its JSON path, with how it was
//! dealt with.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Was wrong and has been replaced by the computed value.
    Repaired,
    /// Questionable but usable as it is.
    Warning,
    /// Wrong and not computable: regenerate the document or fix it by hand.
    Error,
}

/// One problem, located by a JSON path such as `music.chords[2].symbol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub path: String,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Repaired => "repaired",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}: {} ({tag})", self.path, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    /// Musical facts checked (chords, notes, answers, codes…).
    pub checked: usize,
    pub issues: Vec<Issue>,
}

impl ValidationReport {
    /// True when nothing is left wrong (repairs and warnings are fine).
    pub fn is_acceptable(&self) -> bool {
        self.issues.iter().all(|i| i.severity != Severity::Error)
    }

    pub fn repaired(&self) -> usize {
        self.count(Severity::Repaired)
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    fn count(&self, severity: Severity) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == severity)
            .count()
    }

    /// The unrepaired problems as `path: message` lines.
    pub fn unrepaired(&self) -> Vec<String> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    pub(crate) fn push(
        &mut self,
        path: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        self.issues.push(Issue {
            path: path.into(),
            severity,
            message: message.into(),
        });
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} facts checked: {} repaired, {} errors",
            self.checked,
            self.repaired(),
            self.errors()
        )?;
        for issue in &self.issues {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}
