//! The JSON of the chat-completions API: the request body Cadence writes and the stream
//! chunks it reads. Error bodies are read where they are mapped, in `error`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::OpenAiRequest;
use cadence_llm::Role;

/// How the answer's schema is put to the server, in the order they are tried.
///
/// The standard form comes first: OpenAI, llama.cpp's own server, vLLM, Ollama and
/// LM Studio take `json_schema`. llama-cpp-python's server (0.3.x) declares
/// `response_format.type` as `"text" | "json_object"` only, so it refuses `json_schema`,
/// but it turns a `schema` beside `json_object` into a grammar and constrains the answer
/// with it (as Anyscale's endpoints first did). A server that refuses that too is asked
/// without a schema; the caller checks and repairs the answer anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SchemaForm {
    JsonSchema,
    JsonObjectWithSchema,
    Unenforced,
}

impl SchemaForm {
    pub(super) const FIRST: SchemaForm = SchemaForm::JsonSchema;

    /// The form to try when the server refuses this one.
    pub(super) fn next(self) -> Option<SchemaForm> {
        match self {
            SchemaForm::JsonSchema => Some(SchemaForm::JsonObjectWithSchema),
            SchemaForm::JsonObjectWithSchema => Some(SchemaForm::Unenforced),
            SchemaForm::Unenforced => None,
        }
    }
}

/// How deep references are followed; a schema that refers to itself deeper keeps its `$ref`.
const MAX_REF_DEPTH: usize = 32;

/// `schema` with every local reference (`#/$defs/…`, `#/definitions/…`) replaced by what it
/// names, and the definitions dropped once nothing refers to them. Servers turn the schema
/// into a grammar, and llama.cpp's converter (as llama-cpp-python ships it) leaves
/// references unresolved: the grammar does not parse and the server dies on the request.
pub(super) fn inline_local_refs(schema: &Value) -> Value {
    fn resolve(node: &Value, root: &Value, depth: usize, unresolved: &mut bool) -> Value {
        match node {
            Value::Object(map) => {
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|pointer| pointer.strip_prefix('#'))
                    .and_then(|pointer| root.pointer(pointer))
                    .filter(|_| depth < MAX_REF_DEPTH)
                {
                    let mut merged = resolve(target, root, depth + 1, unresolved);
                    // Keywords beside the reference (a description, a default) stay.
                    if let Value::Object(merged) = &mut merged {
                        for (key, value) in map.iter().filter(|(key, _)| *key != "$ref") {
                            merged.insert(key.clone(), resolve(value, root, depth, unresolved));
                        }
                    }
                    return merged;
                }
                if map.contains_key("$ref") {
                    *unresolved = true;
                }
                Value::Object(
                    map.iter()
                        .map(|(key, value)| (key.clone(), resolve(value, root, depth, unresolved)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| resolve(item, root, depth, unresolved))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut unresolved = false;
    let mut inlined = resolve(schema, schema, 0, &mut unresolved);
    if !unresolved && let Value::Object(map) = &mut inlined {
        map.retain(|key, _| key != "$defs" && key != "definitions");
    }
    inlined
}

/// Keywords llama-cpp-python's grammar converter cannot turn into a grammar its own parser
/// accepts: a pattern's escapes (`\.`) come out in a form the parser refuses, and string
/// lengths are expanded character by character past the parser's limit. Either way the
/// server dies on the request.
const UNGRAMMATICAL_KEYWORDS: [&str; 3] = ["pattern", "minLength", "maxLength"];

/// `schema` as llama-cpp-python's converter can take it, for its `json_object` form, and
/// as close to the whole schema as it allows (the answer is checked against the whole
/// schema when it arrives): an optional property it could not constrain is left out (an
/// answer without it is still valid), the [`UNGRAMMATICAL_KEYWORDS`] go, and an integer
/// held to one value becomes that constant, which the converter ignores as bounds.
fn for_llama_cpp_python(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return match schema {
            Value::Array(items) => Value::Array(items.iter().map(for_llama_cpp_python).collect()),
            other => other.clone(),
        };
    };
    if let (Some(low), Some(high)) = (map.get("minimum"), map.get("maximum"))
        && map.get("type").and_then(Value::as_str) == Some("integer")
        && low == high
    {
        return serde_json::json!({ "const": low });
    }
    let required: Vec<&str> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    map.iter()
        .filter(|(key, value)| {
            // A property of that name is a map of schemas, not the keyword.
            !(UNGRAMMATICAL_KEYWORDS.contains(&key.as_str())
                && (value.is_string() || value.is_number()))
        })
        .map(|(key, value)| {
            let value = match (key.as_str(), value) {
                ("properties", Value::Object(properties)) => Value::Object(
                    properties
                        .iter()
                        .filter(|(name, property)| {
                            required.contains(&name.as_str()) || !has_pattern(property)
                        })
                        .map(|(name, property)| (name.clone(), for_llama_cpp_python(property)))
                        .collect(),
                ),
                _ => for_llama_cpp_python(value),
            };
            (key.clone(), value)
        })
        .collect()
}

/// Whether a `pattern` keyword appears anywhere in `schema`.
fn has_pattern(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| (key == "pattern" && value.is_string()) || has_pattern(value)),
        Value::Array(items) => items.iter().any(has_pattern),
        _ => false,
    }
}

/// The JSON body of a streamed chat-completions request, the schema put in `form`.
pub(super) fn request_body(model: &str, request: &OpenAiRequest, form: SchemaForm) -> Vec<u8> {
    let messages = request
        .messages
        .iter()
        .map(|message| WireMessage {
            role: match message.role {
                Role::System => "system",
                Role::User => "user",
                Role::Assistant => "assistant",
            },
            content: &message.content,
        })
        .collect();
    let inlined = request.schema.as_ref().map(inline_local_refs);
    let response_format = inlined.as_ref().and_then(|schema| match form {
        SchemaForm::JsonSchema => Some(serde_json::json!({
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": true}
        })),
        SchemaForm::JsonObjectWithSchema => Some(serde_json::json!({
            "type": "json_object",
            "schema": for_llama_cpp_python(schema)
        })),
        SchemaForm::Unenforced => None,
    });
    let body = WireRequest {
        model,
        messages,
        stream: true,
        stream_options: WireStreamOptions {
            include_usage: true,
        },
        temperature: request.temperature,
        max_tokens: request.max_tokens,
        seed: request.seed,
        response_format,
    };
    // Strings, numbers and an already-parsed JSON value always serialize.
    serde_json::to_vec(&body).expect("a chat-completions request serializes")
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    stream: bool,
    stream_options: WireStreamOptions,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct WireStreamOptions {
    include_usage: bool,
}

// What the server sends back; every field is optional and unknown ones are ignored.

/// One `chat.completion.chunk`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireChunk {
    pub(super) model: Option<String>,
    pub(super) choices: Vec<WireChoice>,
    /// Only in the last chunk, whose `choices` is empty, when `include_usage` is honoured.
    pub(super) usage: Option<WireUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireChoice {
    pub(super) delta: Option<WireDelta>,
    pub(super) finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireDelta {
    /// The answer's text; reasoning some servers stream beside it is not part of it.
    pub(super) content: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(default)]
pub(super) struct WireUsage {
    pub(super) prompt_tokens: u64,
    pub(super) completion_tokens: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_llm::Message;

    fn body(request: &OpenAiRequest, form: SchemaForm) -> Value {
        serde_json::from_slice(&request_body("qwen2.5-7b-instruct", request, form)).unwrap()
    }

    #[test]
    fn the_request_streams_with_usage_and_keeps_roles() {
        let request = OpenAiRequest {
            messages: vec![
                Message::system("You teach music."),
                Message::user("A ii-V-I in F?"),
                Message::assistant("Gm7 C7 Fmaj7"),
            ],
            temperature: Some(0.5),
            max_tokens: Some(64),
            seed: Some(7),
            ..OpenAiRequest::default()
        };
        let body = body(&request, SchemaForm::FIRST);
        assert_eq!(body["model"], "qwen2.5-7b-instruct");
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(
            body["messages"],
            serde_json::json!([
                {"role": "system", "content": "You teach music."},
                {"role": "user", "content": "A ii-V-I in F?"},
                {"role": "assistant", "content": "Gm7 C7 Fmaj7"}
            ])
        );
        assert_eq!(body["temperature"], 0.5);
        assert_eq!(body["max_tokens"], 64);
        assert_eq!(body["seed"], 7);
        // No schema, no response_format, whatever the form.
        assert!(body.get("response_format").is_none());
    }

    #[test]
    fn local_references_are_inlined_and_their_definitions_dropped() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "overview": {"$ref": "#/$defs/Overview", "description": "what it covers"},
                "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}}
            },
            "$defs": {
                "Overview": {"type": "object", "properties": {"step": {"$ref": "#/$defs/Step"}}},
                "Step": {"type": "string", "maxLength": 80}
            }
        });
        let step = serde_json::json!({"type": "string", "maxLength": 80});
        assert_eq!(
            inline_local_refs(&schema),
            serde_json::json!({
                "type": "object",
                "properties": {
                    "overview": {
                        "type": "object",
                        "properties": {"step": step},
                        "description": "what it covers"
                    },
                    "steps": {"type": "array", "items": step}
                }
            })
        );
        // A schema that refers to itself keeps its definitions for what stays a reference.
        let list = serde_json::json!({
            "$ref": "#/$defs/List",
            "$defs": {"List": {"type": "object", "properties": {"next": {"$ref": "#/$defs/List"}}}}
        });
        let inlined = inline_local_refs(&list);
        assert!(inlined.get("$defs").is_some());
        assert_eq!(inlined["type"], "object");
    }

    #[test]
    fn each_schema_form_is_written_as_its_servers_read_it() {
        let schema =
            serde_json::json!({"type": "object", "properties": {"bars": {"type": "integer"}}});
        let request = OpenAiRequest {
            messages: vec![Message::user("How many bars?")],
            schema: Some(schema.clone()),
            ..OpenAiRequest::default()
        };
        assert_eq!(
            body(&request, SchemaForm::JsonSchema)["response_format"],
            serde_json::json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": true}})
        );
        assert_eq!(
            body(&request, SchemaForm::JsonObjectWithSchema)["response_format"],
            serde_json::json!({"type": "json_object", "schema": schema})
        );
        // llama-cpp-python's form leaves out what its converter breaks on: an optional
        // property with a pattern goes whole, a required one loses the pattern; a property
        // named `pattern` stays, and an integer held to one value becomes a constant.
        let patterned = OpenAiRequest {
            schema: Some(
                serde_json::json!({"type": "object", "required": ["code", "version"], "properties": {
                    "code": {"type": "string", "pattern": "^MU:Cr1\\.1$", "maxLength": 12},
                    "standards": {"type": "array", "items": {"type": "string", "pattern": "^MU"}},
                    "pattern": {"type": "string", "minLength": 1},
                    "version": {"type": "integer", "minimum": 1, "maximum": 1},
                    "steps": {"type": "array", "minItems": 1, "maxItems": 4}
                }}),
            ),
            ..request.clone()
        };
        assert_eq!(
            body(&patterned, SchemaForm::JsonObjectWithSchema)["response_format"]["schema"],
            serde_json::json!({"type": "object", "required": ["code", "version"], "properties": {
                "code": {"type": "string"},
                "pattern": {"type": "string"},
                "version": {"const": 1},
                "steps": {"type": "array", "minItems": 1, "maxItems": 4}
            }})
        );
        assert_eq!(
            body(&patterned, SchemaForm::JsonSchema)["response_format"]["json_schema"]["schema"],
            patterned.schema.clone().unwrap()
        );
        assert!(
            body(&request, SchemaForm::Unenforced)
                .get("response_format")
                .is_none()
        );
        // Each form is tried after the one before: the order the remembered form moves in.
        let mut form = SchemaForm::FIRST;
        while let Some(next) = form.next() {
            assert!(next > form);
            form = next;
        }
        assert_eq!(form, SchemaForm::Unenforced);
    }
}
