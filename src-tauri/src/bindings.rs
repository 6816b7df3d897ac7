//! The TypeScript the window is written against, generated from the Rust:
//! - `ui/src/lib/bindings.ts`: the types the commands take and return (through ts-rs) and the
//!   lesson documents (from their JSON Schemas, themselves generated from the Rust types);
//! - `ui/src/lib/commands.ts`: every command's name, arguments and result, read from the
//!   signatures in `commands.rs`.
//!
//! A test fails when either file is stale; `UPDATE_BINDINGS=1 cargo test -p cadence --lib
//! bindings` rewrites them.

use serde_json::Value;
use ts_rs::TS;

use super::views::{
    AppInfo, AvailabilityView, CoachAnswer, CoachStatus, CreatedCurriculum, DeviceView,
    DownloadOutcome, JobProgress, ModelView, SettingsView, WritingProgress,
};
use cadence::coach::{CoachTurn, Speaker};
use cadence::commissions::MaterialKind;
use cadence::content::edit::EditProblem;
use cadence::content::schema::DocumentKind;
use cadence::content::topic::{Topic, TopicEntry, TopicFamily};
use cadence::library::{
    CreatedTutorial, CurriculumDetail, CurriculumExerciseItem, CurriculumLessonItem,
    CurriculumListItem, CurriculumModuleItem, CurriculumTextsEdit, DeletedTutorial,
    DocumentVersion, EditOutcome, EditTarget, EditedCurriculum, ExportFormat, ExportedFile,
    ImportedDocument, LessonPlace, LessonTitle, MovedLesson, OpenedTutorial, TrashedCurriculumItem,
    TutorialListItem,
};
use cadence::materials::{CreatedMaterial, MaterialListItem, MaterialRequest, OpenedMaterial};
use cadence::models::{DownloadPhase, DownloadProgress};
use cadence::planning::{CreateKind, GenerationPlan, Generator};
use cadence::practice::assessment::{AssessmentScore, QuestionScore};
use cadence::practice::item::Skill;
use cadence::practice::midi::KeyEvent;
use cadence::practice::progress::{DayCount, Progress, SkillMastery};
use cadence::practice::{
    AnswerResult, Assignable, Assigned, AssignmentView, AttemptView, PracticeItemView,
    StudentProgress, StudentView,
};
use cadence::providers::keychain::KeyStatus;
use cadence::settings::{Device, Settings};
use cadence::usage::{BudgetStatus, UsageReport, UsageRow};

const GENERATED_HEADER: &str = "// Generated from the Rust by src-tauri/src/bindings.rs; do not edit.\n\
     // Regenerate with: UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings\n\n";

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

/// The topics the template generator teaches, as the Create form offers them.
fn topic_list() -> String {
    let entries: Vec<String> = Topic::entries()
        .iter()
        .map(|entry| format!("  {},\n", serde_json::to_string(entry).unwrap()))
        .collect();
    format!(
        "\n// The topics the template generator teaches (cadence_content::topic).\n\
         export const TOPICS: TopicEntry[] = [\n{}];\n",
        entries.concat()
    )
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
    let mut out = String::from(GENERATED_HEADER);
    for declaration in [
        declare::<AppInfo>(),
        declare::<DeviceView>(),
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
        declare::<ImportedDocument>(),
        declare::<LessonPlace>(),
        declare::<MovedLesson>(),
        declare::<TrashedCurriculumItem>(),
        declare::<CurriculumTextsEdit>(),
        declare::<LessonTitle>(),
        declare::<EditedCurriculum>(),
        declare::<EditTarget>(),
        declare::<DocumentVersion>(),
        declare::<EditOutcome>(),
        declare::<EditProblem>(),
        declare::<Settings>(),
        declare::<Device>(),
        declare::<SettingsView>(),
        declare::<KeyStatus>(),
        declare::<UsageReport>(),
        declare::<UsageRow>(),
        declare::<BudgetStatus>(),
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
        declare::<TopicFamily>(),
        declare::<TopicEntry>(),
        declare::<StudentView>(),
        declare::<Assignable>(),
        declare::<Assigned>(),
        declare::<Skill>(),
        declare::<PracticeItemView>(),
        declare::<AnswerResult>(),
        declare::<KeyEvent>(),
        declare::<QuestionScore>(),
        declare::<AssessmentScore>(),
        declare::<AttemptView>(),
        declare::<AssignmentView>(),
        declare::<SkillMastery>(),
        declare::<DayCount>(),
        declare::<Progress>(),
        declare::<StudentProgress>(),
    ] {
        out.push_str(&declaration);
    }
    out.push_str(&topic_list());
    out.push_str(&document_types(&[
        (DocumentKind::Tutorial, "Tutorial"),
        (DocumentKind::Exercise, "Exercise"),
        (DocumentKind::TheoryAnalysis, "TheoryAnalysis"),
        (DocumentKind::Assessment, "Assessment"),
        (DocumentKind::LessonPlan, "LessonPlanDocument"),
    ]));
    out
}

/// A command as the window calls it: its name, its arguments by their camel-case names (as
/// `invoke` takes them) and the TypeScript of its result.
struct CommandSignature {
    name: String,
    arguments: Vec<(String, String)>,
    result: String,
}

/// The `#[tauri::command]` functions of a source file, in order.
fn command_signatures(source: &str) -> Vec<CommandSignature> {
    let file = syn::parse_file(source).expect("commands.rs parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(function) if is_command(function) => Some(command_signature(function)),
            _ => None,
        })
        .collect()
}

fn is_command(function: &syn::ItemFn) -> bool {
    function.attrs.iter().any(|attribute| {
        let segments: Vec<String> = attribute
            .path()
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        segments == ["tauri", "command"]
    })
}

fn command_signature(function: &syn::ItemFn) -> CommandSignature {
    let name = function.sig.ident.to_string();
    let arguments = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(argument) => {
                let syn::Pat::Ident(pattern) = argument.pat.as_ref() else {
                    panic!("{name}: an argument without a plain name");
                };
                let ty = typescript_of(&argument.ty)?;
                Some((camel_case(&pattern.ident.to_string()), ty))
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let result = match &function.sig.output {
        syn::ReturnType::Default => "void".to_string(),
        syn::ReturnType::Type(_, ty) => {
            typescript_of(ty).unwrap_or_else(|| panic!("{name}: a result the window cannot take"))
        }
    };
    CommandSignature {
        name,
        arguments,
        result,
    }
}

/// The TypeScript of a command's Rust argument or result type; `None` for what Tauri supplies
/// itself (the app state, the window).
fn typescript_of(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(reference) => typescript_of(&reference.elem),
        syn::Type::Tuple(tuple) if tuple.elems.is_empty() => Some("void".into()),
        syn::Type::Path(path) => {
            let segment = path.path.segments.last()?;
            let name = segment.ident.to_string();
            let inner = || {
                let syn::PathArguments::AngleBracketed(arguments) = &segment.arguments else {
                    panic!("{name} without a type argument");
                };
                arguments
                    .args
                    .iter()
                    .find_map(|argument| match argument {
                        syn::GenericArgument::Type(ty) => typescript_of(ty),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{name} without a type argument"))
            };
            Some(match name.as_str() {
                "State" | "AppHandle" | "Window" | "WebviewWindow" => return None,
                "String" | "str" | "PathBuf" => "string".into(),
                "bool" => "boolean".into(),
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "f32"
                | "f64" => "number".into(),
                // An error reaches the window as a rejected promise, not as a value.
                "CommandResult" | "Result" => inner(),
                "Option" => format!("{} | null", inner()),
                "Vec" => {
                    let item = inner();
                    if item.contains(' ') {
                        format!("({item})[]")
                    } else {
                        format!("{item}[]")
                    }
                }
                "Channel" => format!("Channel<{}>", inner()),
                // Any JSON: a document the window edits, checked by the Studio.
                "Value" => "unknown".into(),
                _ => name,
            })
        }
        _ => panic!(
            "a command type the bindings do not know: only named types, references and () are"
        ),
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The type names (not keywords or built-ins) a TypeScript type expression uses.
fn named_types(typescript: &str) -> Vec<&str> {
    typescript
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|word| !["Channel", "Record"].contains(word))
        .collect()
}

/// The whole of `ui/src/lib/commands.ts`, from the source of `commands.rs`. Each type it
/// names must be exported by `bindings`, the text of `bindings.ts`.
pub fn command_typescript(commands_source: &str, bindings: &str) -> String {
    let commands = command_signatures(commands_source);
    let mut imports = std::collections::BTreeSet::new();
    let mut entries = String::new();
    for command in &commands {
        let arguments = if command.arguments.is_empty() {
            "null".to_string()
        } else {
            let fields: Vec<String> = command
                .arguments
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        for ty in command
            .arguments
            .iter()
            .map(|(_, ty)| ty)
            .chain([&command.result])
        {
            for name in named_types(ty) {
                assert!(
                    bindings.contains(&format!("export type {name} ")),
                    "command {} uses {name}, which bindings.ts does not declare; add it to \
                     bindings::typescript",
                    command.name
                );
                imports.insert(name.to_string());
            }
        }
        entries.push_str(&format!(
            "  {}: {{ args: {arguments}; result: {} }};\n",
            command.name, command.result
        ));
    }
    let imports: Vec<String> = imports.into_iter().collect();
    format!(
        "{GENERATED_HEADER}import type {{ Channel }} from \"@tauri-apps/api/core\";\n\
         import type {{ {} }} from \"./bindings\";\n\n\
         /** Every command the window may call: its arguments as `invoke` takes them, and its result. */\n\
         export interface Commands {{\n{entries}}}\n\n\
         export type CommandName = keyof Commands;\n",
        imports.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn crate_file(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    /// Compares a generated file with the committed one, rewriting it under UPDATE_BINDINGS.
    fn assert_fresh(path: &str, expected: &str) {
        let path = crate_file(path);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} is stale; run UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings",
            path.display()
        );
    }

    fn commands_source() -> String {
        std::fs::read_to_string(crate_file("src/commands.rs")).unwrap()
    }

    #[test]
    fn bindings_are_fresh() {
        assert_fresh("../ui/src/lib/bindings.ts", &super::typescript());
    }

    #[test]
    fn command_calls_are_fresh() {
        let expected = super::command_typescript(&commands_source(), &super::typescript());
        assert_fresh("../ui/src/lib/commands.ts", &expected);
    }

    #[test]
    fn every_command_is_registered_with_the_window() {
        let defined: BTreeSet<String> = super::command_signatures(&commands_source())
            .into_iter()
            .map(|command| command.name)
            .collect();
        let lib = std::fs::read_to_string(crate_file("src/lib.rs")).unwrap();
        let registered: BTreeSet<String> = registered_commands(&lib).into_iter().collect();
        assert_eq!(registered, defined);
    }

    include!("../command_names.rs");

    #[test]
    fn the_build_script_grants_the_commands_the_bindings_declare() {
        let declared: Vec<String> = super::command_signatures(&commands_source())
            .into_iter()
            .map(|command| command.name)
            .collect();
        assert_eq!(command_names(&commands_source()), declared);
    }

    #[test]
    fn command_signatures_become_typescript() {
        let source = r#"
            #[tauri::command(async)]
            pub fn ask(
                state: State<'_, AppState>,
                tutorial_id: Option<i64>,
                history: Vec<CoachTurn>,
                on_delta: Channel<String>,
            ) -> CommandResult<Vec<Option<u32>>> { todo!() }

            pub fn helper() {}

            #[tauri::command]
            pub fn cancel(state: State<'_, AppState>) {}
        "#;
        let commands = super::command_signatures(source);
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ask", "cancel"]);
        assert_eq!(
            commands[0].arguments,
            [
                ("tutorialId".to_string(), "number | null".to_string()),
                ("history".to_string(), "CoachTurn[]".to_string()),
                ("onDelta".to_string(), "Channel<string>".to_string()),
            ]
        );
        assert_eq!(commands[0].result, "(number | null)[]");
        assert!(commands[1].arguments.is_empty());
        assert_eq!(commands[1].result, "void");
    }

    #[test]
    #[should_panic(expected = "Missing, which bindings.ts does not declare")]
    fn a_command_type_missing_from_the_bindings_is_refused() {
        let source = "#[tauri::command] pub fn f() -> Missing { todo!() }";
        super::command_typescript(source, "export type Present = string;");
    }
}
