//! The JSON the Generative Language API exchanges: the request body Cadence writes and
//! the response chunks it reads. Error bodies are read where they are mapped, in `error`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::GeminiRequest;
use super::error::GeminiError;
use cadence_llm::Role;

/// The JSON body of a `generateContent` request.
pub(super) fn request_body(request: &GeminiRequest) -> Result<Vec<u8>, GeminiError> {
    let mut system: Vec<&str> = request.system.as_deref().into_iter().collect();
    let mut contents = Vec::with_capacity(request.messages.len());
    for message in &request.messages {
        let role = match message.role {
            Role::System => {
                system.push(&message.content);
                continue;
            }
            Role::User => "user",
            Role::Assistant => "model",
        };
        contents.push(WireContentOut {
            role,
            parts: vec![WirePartOut {
                text: &message.content,
            }],
        });
    }
    if contents.is_empty() {
        return Err(GeminiError::BadRequest {
            message: "the request has no user message".into(),
        });
    }
    let system_instruction = (!system.is_empty()).then(|| WireSystemOut {
        parts: system
            .into_iter()
            .map(|text| WirePartOut { text })
            .collect(),
    });
    let generation_config = WireGenerationConfig {
        temperature: request.temperature,
        max_output_tokens: request.max_output_tokens,
        response_mime_type: request.schema.as_ref().map(|_| "application/json"),
        response_json_schema: request.schema.as_ref(),
    };
    let body = WireRequest {
        contents,
        system_instruction,
        generation_config: (!generation_config.is_empty()).then_some(generation_config),
    };
    serde_json::to_vec(&body).map_err(|error| GeminiError::BadRequest {
        message: format!("the request cannot be written as JSON: {error}"),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest<'a> {
    contents: Vec<WireContentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<WireSystemOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation_config: Option<WireGenerationConfig<'a>>,
}

#[derive(Serialize)]
struct WireContentOut<'a> {
    role: &'static str,
    parts: Vec<WirePartOut<'a>>,
}

#[derive(Serialize)]
struct WireSystemOut<'a> {
    parts: Vec<WirePartOut<'a>>,
}

#[derive(Serialize)]
struct WirePartOut<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireGenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<&'static str>,
    /// A JSON Schema as it is (`responseSchema` would take only the OpenAPI subset).
    #[serde(skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<&'a Value>,
}

impl WireGenerationConfig<'_> {
    fn is_empty(&self) -> bool {
        self.temperature.is_none()
            && self.max_output_tokens.is_none()
            && self.response_json_schema.is_none()
    }
}

// What the API sends back; every field is optional and unknown ones are ignored.

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireResponse {
    pub(super) candidates: Vec<WireCandidate>,
    pub(super) prompt_feedback: Option<WirePromptFeedback>,
    pub(super) usage_metadata: Option<WireUsage>,
    pub(super) model_version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireCandidate {
    pub(super) content: Option<WireContentIn>,
    pub(super) finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireContentIn {
    pub(super) parts: Vec<WirePartIn>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WirePartIn {
    pub(super) text: Option<String>,
    /// A thought summary, not part of the answer.
    pub(super) thought: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WirePromptFeedback {
    pub(super) block_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireUsage {
    pub(super) prompt_token_count: u64,
    pub(super) candidates_token_count: u64,
    pub(super) thoughts_token_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_llm::Message;

    #[test]
    fn system_messages_join_the_instruction_and_assistant_becomes_model() {
        let request = GeminiRequest {
            system: Some("You teach music.".into()),
            messages: vec![
                Message::system("Answer in JSON."),
                Message::user("A ii-V-I in F?"),
                Message::assistant("Gm7 C7 Fmaj7"),
            ],
            ..GeminiRequest::default()
        };
        let body: Value = serde_json::from_slice(&request_body(&request).unwrap()).unwrap();
        assert_eq!(
            body["systemInstruction"]["parts"],
            serde_json::json!([{"text": "You teach music."}, {"text": "Answer in JSON."}])
        );
        assert_eq!(body["contents"][0]["role"], "user");
        assert_eq!(body["contents"][1]["role"], "model");
        assert!(body.get("generationConfig").is_none());
    }

    #[test]
    fn a_request_without_messages_is_refused_before_sending() {
        assert!(matches!(
            request_body(&GeminiRequest::default()),
            Err(GeminiError::BadRequest { .. })
        ));
    }
}
