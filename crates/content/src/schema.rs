//! JSON Schemas of the document types, generated from the Rust types.
//!
//! The files in `assets/schema` are these schemas written out; a unit test fails when
//! one of them is stale.

use std::path::Path;

use super::ContentError;
use super::types::{
    Assessment, Curriculum, Exercise, LessonPlanDocument, TheoryAnalysis, Tutorial,
};
use crate::structured::schema_for;

/// The documents that have a schema file, named as their file stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Curriculum,
    Tutorial,
    Exercise,
    TheoryAnalysis,
    Assessment,
    LessonPlan,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Curriculum,
        DocumentKind::Tutorial,
        DocumentKind::Exercise,
        DocumentKind::TheoryAnalysis,
        DocumentKind::Assessment,
        DocumentKind::LessonPlan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Curriculum => "curriculum",
            DocumentKind::Tutorial => "tutorial",
            DocumentKind::Exercise => "exercise",
            DocumentKind::TheoryAnalysis => "theory_analysis",
            DocumentKind::Assessment => "assessment",
            DocumentKind::LessonPlan => "lesson_plan",
        }
    }

    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema as a JSON value.
    pub fn schema(self) -> serde_json::Value {
        match self {
            DocumentKind::Curriculum => schema_for::<Curriculum>(),
            DocumentKind::Tutorial => schema_for::<Tutorial>(),
            DocumentKind::Exercise => schema_for::<Exercise>(),
            DocumentKind::TheoryAnalysis => schema_for::<TheoryAnalysis>(),
            DocumentKind::Assessment => schema_for::<Assessment>(),
            DocumentKind::LessonPlan => schema_for::<LessonPlanDocument>(),
        }
    }

    /// The schema file's text: pretty JSON with a final newline.
    pub fn schema_text(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Writes every schema file into `dir` (normally `assets/schema`).
pub fn write_all(dir: &Path) -> Result<(), ContentError> {
    std::fs::create_dir_all(dir).map_err(|source| ContentError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for kind in DocumentKind::ALL {
        let path = dir.join(kind.file_name());
        std::fs::write(&path, kind.schema_text())
            .map_err(|source| ContentError::Io { path, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed files, carried in the binary through the test.
    fn committed(kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Curriculum => {
                include_str!("../../../assets/schema/curriculum.schema.json")
            }
            DocumentKind::Tutorial => include_str!("../../../assets/schema/tutorial.schema.json"),
            DocumentKind::Exercise => include_str!("../../../assets/schema/exercise.schema.json"),
            DocumentKind::TheoryAnalysis => {
                include_str!("../../../assets/schema/theory_analysis.schema.json")
            }
            DocumentKind::Assessment => {
                include_str!("../../../assets/schema/assessment.schema.json")
            }
            DocumentKind::LessonPlan => {
                include_str!("../../../assets/schema/lesson_plan.schema.json")
            }
        }
    }

    #[test]
    fn committed_schemas_match_the_types() {
        // Set CADENCE_WRITE_SCHEMAS to the assets/schema folder to regenerate.
        if let Some(dir) = std::env::var_os("CADENCE_WRITE_SCHEMAS") {
            write_all(Path::new(&dir)).unwrap();
            return;
        }
        let stale: Vec<String> = DocumentKind::ALL
            .into_iter()
            .filter(|kind| committed(*kind) != kind.schema_text())
            .map(|kind| kind.file_name())
            .collect();
        assert!(
            stale.is_empty(),
            "stale schema files in assets/schema: {stale:?}; regenerate them with \
             CADENCE_WRITE_SCHEMAS=<repo>/assets/schema cargo test committed_schemas_match_the_types"
        );
    }

    #[test]
    fn schemas_are_valid_draft_2020_12_and_describe_the_shape() {
        for kind in DocumentKind::ALL {
            let schema = kind.schema();
            assert!(
                jsonschema::validator_for(&schema).is_ok(),
                "{}",
                kind.name()
            );
            assert_eq!(
                schema["$schema"],
                "https://json-schema.org/draft/2020-12/schema"
            );
        }
        let tutorial = DocumentKind::Tutorial.schema();
        let required = tutorial["required"].as_array().unwrap();
        for field in [
            "overview",
            "theory",
            "practice_guide",
            "music",
            "next_steps",
        ] {
            assert!(required.iter().any(|r| r == field), "{field} not required");
        }
    }

    /// Every number a model writes is bounded on both sides: under constrained decoding
    /// an unbounded integer lets a model write one no Rust integer holds, which the schema
    /// accepts and the type refuses.
    #[test]
    fn every_number_has_both_bounds() {
        fn unbounded(node: &serde_json::Value, path: &str, found: &mut Vec<String>) {
            match node {
                serde_json::Value::Object(map) => {
                    let numeric = matches!(
                        map.get("type").and_then(|t| t.as_str()),
                        Some("integer" | "number")
                    );
                    if numeric && !(map.contains_key("minimum") && map.contains_key("maximum")) {
                        found.push(path.to_string());
                    }
                    for (key, value) in map {
                        unbounded(value, &format!("{path}/{key}"), found);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (index, value) in items.iter().enumerate() {
                        unbounded(value, &format!("{path}/{index}"), found);
                    }
                }
                _ => {}
            }
        }
        for kind in DocumentKind::ALL {
            let mut found = Vec::new();
            unbounded(&kind.schema(), kind.name(), &mut found);
            assert!(found.is_empty(), "unbounded numbers: {found:?}");
        }
    }

    fn alternatives(pattern: &str) -> std::collections::BTreeSet<&str> {
        pattern
            .trim_start_matches("^(")
            .trim_end_matches(")$")
            .split('|')
            .collect()
    }

    /// The scale-name pattern a constrained model writes under is exactly the set of names
    /// the theory engine reads.
    #[test]
    fn scale_kind_pattern_lists_every_name_the_engine_reads() {
        use crate::types::pattern::SCALE_KIND;
        use cadence_theory::ScaleKind;
        let read: std::collections::BTreeSet<&str> = ScaleKind::ALL
            .iter()
            .flat_map(|kind| kind.names().iter().copied())
            .collect();
        assert_eq!(alternatives(SCALE_KIND), read);
    }

    /// So is the voicing-name pattern.
    #[test]
    fn voicing_kind_pattern_lists_every_name_the_engine_reads() {
        use crate::types::pattern::VOICING_KIND;
        use cadence_theory::VoicingKind;
        let read: std::collections::BTreeSet<&str> = VoicingKind::ALL
            .iter()
            .flat_map(|kind| kind.names().iter().copied())
            .collect();
        assert_eq!(alternatives(VOICING_KIND), read);
    }

    /// The numeral shape a constrained model writes under (and that an imported document's
    /// schema check applies) admits every figure of the music21 table the theory engine reads,
    /// and still refuses prose.
    #[test]
    fn numeral_pattern_admits_every_figure_the_engine_reads() {
        use crate::types::pattern::NUMERAL;
        let schema = serde_json::json!({ "type": "string", "pattern": NUMERAL });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let table = include_str!("../../theory/tests/fixtures/music21_roman.tsv");
        let figures: std::collections::BTreeSet<&str> = table
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split('\t').nth(2))
            .collect();
        assert!(figures.len() > 150, "{} figures", figures.len());
        let refused: Vec<&&str> = figures
            .iter()
            .filter(|figure| !validator.is_valid(&serde_json::json!(figure)))
            .collect();
        assert!(refused.is_empty(), "the pattern refuses {refused:?}");
        for written in ["vii%7", "V7b9/ii", "Ger+6", "bVII7", "V/V/V", "Cad64"] {
            assert!(validator.is_valid(&serde_json::json!(written)), "{written}");
        }
        for prose in ["", "the dominant", "V7 then I", "X7", "V[zz]"] {
            assert!(!validator.is_valid(&serde_json::json!(prose)), "{prose}");
        }
    }

    #[test]
    fn write_all_writes_one_file_per_document() {
        let dir = std::env::temp_dir().join(format!("cadence-schema-{}", std::process::id()));
        write_all(&dir).unwrap();
        for kind in DocumentKind::ALL {
            let text = std::fs::read_to_string(dir.join(kind.file_name())).unwrap();
            assert_eq!(text, kind.schema_text());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
