//! Files the commands read and write, and wording more than one command prints.

use std::path::Path;

use anyhow::Context;
use cadence::content;

/// Reads a JSON Schema file and checks that it is one.
pub(crate) fn read_schema(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the schema {}; check the path", path.display()))?;
    let schema: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    content::structured::ensure_valid_schema(&schema)
        .with_context(|| format!("{} cannot be used", path.display()))?;
    Ok(schema)
}

/// Writes `text` to `path` whole (a killed run leaves the old file or none), or to standard
/// output without one.
pub(crate) fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(path) => cadence::paths::write_whole_file(path, text.as_bytes()).with_context(|| {
            format!(
                "cannot write {}; check the folder exists and is writable",
                path.display()
            )
        }),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

pub(crate) fn validation_summary(report: &content::ValidationReport) -> String {
    facts_summary(report.checked, report.repaired())
}

pub(crate) fn facts_summary(checked: usize, repaired: usize) -> String {
    format!("{checked} musical facts checked, {repaired} repaired by the theory engine")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use content::{Issue, Severity, ValidationReport};

    use super::*;

    /// A fresh folder for one test, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("cadence-cli-{test}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn file(&self, name: &str, text: &str) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, text).unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn issue(severity: Severity) -> Issue {
        Issue {
            path: "music.chords[0].symbol".into(),
            severity,
            message: "was Fm".into(),
        }
    }

    #[test]
    fn the_summary_counts_checks_and_only_repairs() {
        let report = ValidationReport {
            checked: 12,
            issues: vec![
                issue(Severity::Repaired),
                issue(Severity::Warning),
                issue(Severity::Repaired),
                issue(Severity::Error),
            ],
        };
        assert_eq!(
            validation_summary(&report),
            "12 musical facts checked, 2 repaired by the theory engine"
        );
    }

    #[test]
    fn a_schema_file_is_read_when_it_is_a_json_schema() {
        let scratch = Scratch::new("schema-ok");
        let path = scratch.file(
            "schema.json",
            r#"{"type": "object", "required": ["title"]}"#,
        );
        assert_eq!(
            read_schema(&path).unwrap(),
            serde_json::json!({"type": "object", "required": ["title"]})
        );
    }

    #[test]
    fn a_schema_file_that_is_missing_not_json_or_not_a_schema_is_refused() {
        let scratch = Scratch::new("schema-bad");

        let missing = scratch.0.join("missing.json");
        let error = read_schema(&missing).unwrap_err();
        assert!(
            error.to_string().starts_with("cannot read the schema"),
            "{error:#}"
        );

        let prose = scratch.file("prose.json", "a tutorial, please");
        let error = read_schema(&prose).unwrap_err();
        assert!(error.to_string().ends_with("is not JSON"), "{error:#}");

        let wrong = scratch.file("wrong.json", r#"{"type": 5}"#);
        let error = read_schema(&wrong).unwrap_err();
        assert!(error.to_string().ends_with("cannot be used"), "{error:#}");
    }

    #[test]
    fn output_goes_to_the_named_file_as_given() {
        let scratch = Scratch::new("write");
        let path = scratch.0.join("tutorial.json");
        write_output(Some(&path), "{\"title\": \"ii-V-I\"}").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"title\": \"ii-V-I\"}"
        );

        let error = write_output(Some(&scratch.0.join("no/such/folder/t.json")), "{}").unwrap_err();
        assert!(error.to_string().starts_with("cannot write"), "{error:#}");
    }
}
