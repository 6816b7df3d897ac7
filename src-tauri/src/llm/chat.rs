//! Chat templates: turning system, user and assistant turns into the text a model was
//! trained on.

use serde::{Deserialize, Serialize};

use super::config::Architecture;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: Role::System,
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum ChatTemplate {
    /// Phi-3 / Phi-3.5: `<|user|>\n…<|end|>\n<|assistant|>\n`.
    Phi3,
    /// ChatML (Qwen2.5, SmolLM2): `<|im_start|>role\n…<|im_end|>\n`. Some models insert a
    /// system turn of their own when the conversation has none.
    ChatMl { default_system: Option<String> },
    /// No template: the turns' contents are concatenated.
    Plain,
}

impl ChatTemplate {
    /// The template for a model, recognised from the GGUF's Jinja template when there is one.
    pub fn detect(architecture: Architecture, gguf_template: Option<&str>) -> Self {
        match gguf_template {
            Some(t) if t.contains("<|im_start|>") => ChatTemplate::ChatMl {
                default_system: literal_default_system(t),
            },
            Some(t) if t.contains("<|user|>") => ChatTemplate::Phi3,
            _ => match architecture {
                Architecture::Phi3 => ChatTemplate::Phi3,
                Architecture::Qwen2 | Architecture::Llama => ChatTemplate::ChatMl {
                    default_system: None,
                },
            },
        }
    }

    /// The prompt text for `messages`, ending where the assistant's reply begins.
    pub fn render(&self, messages: &[Message]) -> String {
        let mut out = String::new();
        match self {
            ChatTemplate::Phi3 => {
                for m in messages {
                    let tag = match m.role {
                        Role::System if m.content.is_empty() => continue,
                        Role::System => "<|system|>",
                        Role::User => "<|user|>",
                        Role::Assistant => "<|assistant|>",
                    };
                    out.push_str(tag);
                    out.push('\n');
                    out.push_str(&m.content);
                    out.push_str("<|end|>\n");
                }
                out.push_str("<|assistant|>\n");
            }
            ChatTemplate::ChatMl { default_system } => {
                let has_system = messages.first().is_some_and(|m| m.role == Role::System);
                if let (false, Some(system)) = (has_system, default_system) {
                    push_chatml(&mut out, "system", system);
                }
                for m in messages {
                    let role = match m.role {
                        Role::System => "system",
                        Role::User => "user",
                        Role::Assistant => "assistant",
                    };
                    push_chatml(&mut out, role, &m.content);
                }
                out.push_str("<|im_start|>assistant\n");
            }
            ChatTemplate::Plain => {
                for m in messages {
                    out.push_str(&m.content);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Strings that end the assistant's turn, should the model write one out as plain text.
    pub fn stop_strings(&self) -> &'static [&'static str] {
        match self {
            ChatTemplate::Phi3 => &["<|end|>", "<|user|>"],
            ChatTemplate::ChatMl { .. } => &["<|im_end|>", "<|im_start|>"],
            ChatTemplate::Plain => &[],
        }
    }
}

fn push_chatml(out: &mut String, role: &str, content: &str) {
    out.push_str("<|im_start|>");
    out.push_str(role);
    out.push('\n');
    out.push_str(content);
    out.push_str("<|im_end|>\n");
}

/// The fixed system prompt a ChatML Jinja template inserts when none is given (SmolLM2 and
/// Qwen2.5 both do), if it is a plain literal.
fn literal_default_system(template: &str) -> Option<String> {
    for marker in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
        let mut rest = template;
        while let Some(at) = rest.find(marker) {
            let after = &rest[at + marker.len()..];
            if let Some(end) = after.find("<|im_end|>") {
                let text = &after[..end];
                let literal = !text.is_empty()
                    && !text.contains(['{', '}', '\'', '"', '+'])
                    && !text.contains("message");
                if literal {
                    return Some(text.replace("\\n", "\n"));
                }
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi3_turns() {
        let text = ChatTemplate::Phi3.render(&[
            Message::system("Be brief."),
            Message::user("Hi"),
            Message::assistant("Hello."),
            Message::user("Name a chord."),
        ]);
        assert_eq!(
            text,
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n\
             <|user|>\nName a chord.<|end|>\n<|assistant|>\n"
        );
    }

    #[test]
    fn chatml_inserts_default_system_only_when_missing() {
        let template = "{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are SmolLM<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}";
        let t = ChatTemplate::detect(Architecture::Llama, Some(template));
        assert_eq!(
            t,
            ChatTemplate::ChatMl {
                default_system: Some("You are SmolLM".into())
            }
        );
        assert_eq!(
            t.render(&[Message::user("Hi")]),
            "<|im_start|>system\nYou are SmolLM<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(
            t.render(&[Message::system("S"), Message::user("Hi")]),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }
}
