//! The TypeScript types of what the commands take and return, written to
//! `ui/src/lib/bindings.ts`: command types through ts-rs, lesson documents from their JSON
//! Schema (itself generated from the Rust types). A test fails when the file is stale;
//! `UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings` rewrites it.

use serde_json::Value;
use ts_rs::TS;

use super::commands::{
    AppInfo, AvailabilityView, CoachAnswer, CoachStatus, CreatedCurriculum, DownloadOutcome,
    JobProgress, ModelView, SettingsView, WritingProgress,
};
use super::keychain::KeyStatus;
use cadence::coach::{CoachTurn, Speaker};
use cadence::content::schema::DocumentKind;
use cadence::library::{
    CreatedTutorial, CurriculumDetail, CurriculumExerciseItem, CurriculumLessonItem,
    CurriculumListItem, CurriculumModuleItem, DeletedTutorial, ExportFormat, ExportedFile,
    OpenedTutorial, TutorialListItem,
};
use cadence::materials::{
    CreatedMaterial, MaterialKind, MaterialListItem, MaterialRequest, OpenedMaterial,
};
use cadence::models::{DownloadPhase, DownloadProgress};
use cadence::planning::{CreateKind, GenerationPlan, Generator};
use cadence::settings::{Device, Settings};
use cadence::usage::{UsageReport, UsageRow};

fn declare<T: TS>() -> String {
    format!("export {}\n", T::decl())
}

/// A JSON Schema (the subset schemars writes for our documents) as a TypeScript type.
fn schema_type(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or("unknown")
            .to_string();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(variants) = schema.get(key).and_then(Value::as_array) {
            return variants
                .iter()
                .map(schema_type)
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .map(|t| type_name(t.as_str().unwrap_or_default(), schema))
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(t)) => type_name(t, schema),
        _ => "unknown".to_string(),
    }
}

fn type_name(name: &str, schema: &Value) -> String {
    match name {
        "string" => "string".into(),
        "integer" | "number" => "number".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "array" => {
            let item = schema.get("items").map_or("unknown".into(), schema_type);
            if item.contains(' ') {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        "object" => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return "Record<string, unknown>".into();
            };
            let fields: Vec<String> = properties
                .iter()
                .map(|(name, field)| {
                    let optional = if required.contains(&name.as_str()) {
                        ""
                    } else {
                        "?"
                    };
                    format!("{name}{optional}: {}", schema_type(field))
                })
                .collect();
            format!("{{ {} }}", fields.join("; "))
        }
        _ => "unknown".into(),
    }
}

/// `export type` declarations for each document and every definition they use, each
/// definition once: the documents share types such as MusicPayload.
fn document_types(documents: &[(DocumentKind, &str)]) -> String {
    let mut out = String::new();
    let mut definitions = std::collections::BTreeMap::new();
    for (kind, name) in documents {
        let schema = kind.schema();
        out.push_str(&format!(
            "\n// From assets/schema/{}.\nexport type {name} = {};\n",
            kind.file_name(),
            schema_type(&schema)
        ));
        if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
            for (definition, body) in defs {
                definitions
                    .entry(definition.clone())
                    .or_insert_with(|| schema_type(body));
            }
        }
    }
    out.push_str("\n// The types the documents use.\n");
    for (definition, body) in definitions {
        out.push_str(&format!("export type {definition} = {body};\n"));
    }
    out
}

/// The whole of `ui/src/lib/bindings.ts`.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/desktop/bindings.rs; do not edit.\n\
         // Regenerate with: UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings\n\n",
    );
    for declaration in [
        declare::<AppInfo>(),
        declare::<ModelView>(),
        declare::<AvailabilityView>(),
        declare::<DownloadProgress>(),
        declare::<DownloadPhase>(),
        declare::<DownloadOutcome>(),
        declare::<CreateKind>(),
        declare::<Generator>(),
        declare::<GenerationPlan>(),
        declare::<CreatedTutorial>(),
        declare::<JobProgress>(),
        declare::<CreatedCurriculum>(),
        declare::<TutorialListItem>(),
        declare::<OpenedTutorial>(),
        declare::<DeletedTutorial>(),
        declare::<CurriculumListItem>(),
        declare::<CurriculumDetail>(),
        declare::<CurriculumModuleItem>(),
        declare::<CurriculumLessonItem>(),
        declare::<CurriculumExerciseItem>(),
        declare::<ExportFormat>(),
        declare::<ExportedFile>(),
        declare::<Settings>(),
        declare::<Device>(),
        declare::<SettingsView>(),
        declare::<KeyStatus>(),
        declare::<UsageReport>(),
        declare::<UsageRow>(),
        declare::<WritingProgress>(),
        declare::<CoachStatus>(),
        declare::<CoachAnswer>(),
        declare::<CoachTurn>(),
        declare::<Speaker>(),
        declare::<MaterialKind>(),
        declare::<MaterialRequest>(),
        declare::<CreatedMaterial>(),
        declare::<MaterialListItem>(),
        declare::<OpenedMaterial>(),
    ] {
        out.push_str(&declaration);
    }
    out.push_str(&document_types(&[
        (DocumentKind::Tutorial, "Tutorial"),
        (DocumentKind::Exercise, "Exercise"),
        (DocumentKind::TheoryAnalysis, "TheoryAnalysis"),
        (DocumentKind::Assessment, "Assessment"),
        (DocumentKind::LessonPlan, "LessonPlanDocument"),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_are_fresh() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let expected = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "ui/src/lib/bindings.ts is stale; run UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings"
        );
    }
}
