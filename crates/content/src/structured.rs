//! The far end of structured output: a finished answer parsed and checked against the
//! JSON Schema it was generated under, then read into its Rust type.
//!
//! Failures name the offending field by its JSON pointer, so the caller can decide to
//! retry, repair or escalate.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One way a document breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// JSON pointer of the offending value; `/` is the whole document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StructuredError {
    #[error("the schema is not a valid JSON Schema: {0}")]
    BadSchema(String),
    #[error(
        "the answer is not JSON (line {line}, column {column}): {message}{}",
        if *.ended_early { "; the document is cut off: allow more tokens" } else { "" }
    )]
    NotJson {
        line: usize,
        column: usize,
        message: String,
        ended_early: bool,
    },
    #[error("the answer does not match the schema:\n  {}", join_problems(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("the answer matches the schema but not the `{type_name}` type: {message}")]
    WrongType {
        type_name: &'static str,
        message: String,
    },
}

impl StructuredError {
    /// The fields at fault, where the failure is about fields.
    pub fn problems(&self) -> &[FieldProblem] {
        match self {
            StructuredError::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

fn join_problems(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(FieldProblem::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// The JSON Schema of `T`, as handed to the constrained decoder.
pub fn schema_for<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// Makes the property at `path` (names of nested properties) a constant in `schema`, so
/// that a decoder held to the schema writes `value` there and nothing else. Definitions the
/// path passes through are copied inline first, so other uses of them are unchanged.
pub fn hold_constant(
    schema: &mut Value,
    path: &[&str],
    value: Value,
) -> Result<(), StructuredError> {
    let definitions = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let missing = || StructuredError::BadSchema(format!("no property {}", path.join(".")));
    let (last, parents) = path.split_last().ok_or_else(missing)?;
    let mut node = schema;
    for name in parents {
        node = node
            .get_mut("properties")
            .and_then(|properties| properties.get_mut(*name))
            .ok_or_else(missing)?;
        let target = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/$defs/"))
            .and_then(|name| definitions.get(name));
        if let Some(definition) = target {
            *node = definition.clone();
        }
    }
    let property = node
        .get_mut("properties")
        .and_then(|properties| properties.get_mut(*last))
        .ok_or_else(missing)?;
    *property = serde_json::json!({ "const": value });
    Ok(())
}

/// Fails unless `schema` is a JSON Schema the validator can compile.
pub fn ensure_valid_schema(schema: &Value) -> Result<(), StructuredError> {
    jsonschema::validator_for(schema)
        .map(drop)
        .map_err(|error| StructuredError::BadSchema(error.to_string()))
}

/// Every way `value` breaks `schema`, each with its JSON pointer.
pub fn schema_problems(
    schema: &Value,
    value: &Value,
) -> Result<Vec<FieldProblem>, StructuredError> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|error| StructuredError::BadSchema(error.to_string()))?;
    Ok(validator
        .iter_errors(value)
        .map(|error| {
            let path = error.instance_path().to_string();
            FieldProblem {
                path: if path.is_empty() { "/".into() } else { path },
                message: error.to_string(),
            }
        })
        .collect())
}

/// `text` with every raw control character inside a string literal escaped. JSON forbids
/// them there, but a model constrained by a looser grammar than ours (a server's) writes a
/// line break inside a string as a line break: the one repair of the text itself.
fn escape_control_characters_in_strings(text: &str) -> String {
    let mut repaired = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            c if in_string && (c as u32) < 0x20 => {
                match c {
                    '\n' => repaired.push_str("\\n"),
                    '\t' => repaired.push_str("\\t"),
                    '\r' => repaired.push_str("\\r"),
                    other => repaired.push_str(&format!("\\u{:04x}", other as u32)),
                }
                continue;
            }
            _ => {}
        }
        repaired.push(c);
    }
    repaired
}

/// Parses `text` as JSON, repairing raw control characters in its strings, and checks it
/// against `schema`.
pub fn validate_text(schema: &Value, text: &str) -> Result<Value, StructuredError> {
    let value: Value = serde_json::from_str(text)
        .or_else(|error| {
            serde_json::from_str(&escape_control_characters_in_strings(text)).map_err(|_| error)
        })
        .map_err(|error| StructuredError::NotJson {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
            ended_early: error.is_eof(),
        })?;
    let problems = schema_problems(schema, &value)?;
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(StructuredError::Invalid(problems))
    }
}

/// Parses `text` into `T` after checking it against `T`'s schema.
pub fn parse_as<T: DeserializeOwned + JsonSchema>(text: &str) -> Result<T, StructuredError> {
    let value = validate_text(&schema_for::<T>(), text)?;
    serde_json::from_value(value).map_err(|error| StructuredError::WrongType {
        type_name: std::any::type_name::<T>(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Major,
        Minor,
    }

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    struct Chord {
        #[schemars(range(min = 1, max = 64))]
        bar: u32,
        #[schemars(pattern(r"^[A-G](#|b)?(m|maj7|m7|7)?$"))]
        symbol: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    struct Chart {
        mode: Mode,
        #[schemars(length(min = 1, max = 4))]
        chords: Vec<Chord>,
    }

    #[test]
    fn raw_line_breaks_inside_strings_are_escaped_but_other_broken_json_is_not() {
        let chart: Chart =
            parse_as("{\"mode\": \"minor\",\n \"chords\": [{\"bar\": 1, \"symbol\": \"Cm7\"}]}")
                .unwrap();
        assert_eq!(chart.mode, Mode::Minor);
        let value = validate_text(
            &serde_json::json!({"type": "object"}),
            "{\"text\": \"two\nlines\tand \\\"quoted\\\" \u{1}\"}",
        )
        .unwrap();
        assert_eq!(value["text"], "two\nlines\tand \"quoted\" \u{1}");
        assert!(matches!(
            validate_text(&serde_json::json!({}), "{\"text\": \"unclosed\n}"),
            Err(StructuredError::NotJson { .. })
        ));
    }

    #[test]
    fn a_valid_document_parses_into_its_type() {
        let chart: Chart =
            parse_as(r#"{"mode": "minor", "chords": [{"bar": 1, "symbol": "Cm7"}]}"#).unwrap();
        assert_eq!(chart.mode, Mode::Minor);
        assert_eq!(chart.chords[0].symbol, "Cm7");
    }

    #[test]
    fn each_broken_field_is_named_by_its_path() {
        let text = r#"{"mode": "lydian", "chords": [{"bar": 0, "symbol": "H7"}]}"#;
        let error = parse_as::<Chart>(text).unwrap_err();
        let paths: Vec<&str> = error.problems().iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"/mode"), "{paths:?}");
        assert!(paths.contains(&"/chords/0/bar"), "{paths:?}");
        assert!(paths.contains(&"/chords/0/symbol"), "{paths:?}");
        let message = error.to_string();
        assert!(
            message.contains("/chords/0/symbol: \"H7\" does not match"),
            "{message}"
        );
    }

    #[test]
    fn missing_required_fields_and_array_bounds_are_reported() {
        let error = parse_as::<Chart>(r#"{"chords": []}"#).unwrap_err();
        let problems = error.problems();
        assert!(
            problems
                .iter()
                .any(|p| p.path == "/" && p.message.contains("\"mode\""))
        );
        assert!(problems.iter().any(|p| p.path == "/chords"));
    }

    #[test]
    fn text_that_is_not_json_says_where_and_whether_it_was_cut_off() {
        match parse_as::<Chart>(r#"{"mode": "major", "chords": [{"bar": 1"#).unwrap_err() {
            StructuredError::NotJson { ended_early, .. } => assert!(ended_early),
            other => panic!("expected NotJson, got {other:?}"),
        }
        match parse_as::<Chart>("{\"mode\": major}").unwrap_err() {
            StructuredError::NotJson {
                line,
                column,
                ended_early,
                ..
            } => {
                assert_eq!((line, column, ended_early), (1, 10, false));
            }
            other => panic!("expected NotJson, got {other:?}"),
        }
    }

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    struct Book {
        first: Chart,
        second: Chart,
    }

    #[test]
    fn a_held_property_admits_only_its_value_and_leaves_shared_definitions_alone() {
        let mut schema = schema_for::<Book>();
        hold_constant(&mut schema, &["first", "mode"], serde_json::json!("minor")).unwrap();
        let book = |first: &str, second: &str| {
            format!(
                r#"{{"first": {{"mode": "{first}", "chords": [{{"bar": 1, "symbol": "C"}}]}},
                    "second": {{"mode": "{second}", "chords": [{{"bar": 1, "symbol": "C"}}]}}}}"#
            )
        };
        assert!(validate_text(&schema, &book("minor", "major")).is_ok());
        let error = validate_text(&schema, &book("major", "major")).unwrap_err();
        let paths: Vec<&str> = error.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["/first/mode"]);
        assert!(matches!(
            hold_constant(&mut schema, &["first", "tempo"], serde_json::json!(90)),
            Err(StructuredError::BadSchema(_))
        ));
    }

    #[test]
    fn an_invalid_schema_is_reported_as_such() {
        let schema = serde_json::json!({"type": "no-such-type"});
        assert!(matches!(
            validate_text(&schema, "{}"),
            Err(StructuredError::BadSchema(_))
        ));
    }
}
