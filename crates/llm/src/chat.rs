//! Chat templates: turning system, user and assistant turns into the text a model was
//! trained on. Templates are Jinja, as GGUF files and Hugging Face ship them, rendered with
//! what the models' own tooling passes (`messages`, `bos_token`, `eos_token`,
//! `add_generation_prompt`).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::config::Architecture;
use super::error::{LlmError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
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

/// Phi-3.5-mini-instruct's template: system, user and assistant turns each closed by
/// `<|end|>`.
const PHI3_TEMPLATE: &str = "{% for message in messages %}\
{% if message['role'] == 'system' and message['content'] %}{{ '<|system|>\n' + message['content'] + '<|end|>\n' }}\
{% elif message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '<|end|>\n' }}\
{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\n' + message['content'] + '<|end|>\n' }}\
{% endif %}{% endfor %}\
{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";

/// ChatML, as Qwen2.5 and SmolLM2 use it.
const CHATML_TEMPLATE: &str = "{% for message in messages %}\
{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}\
{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/// The names models.toml's `chat_template` may use instead of a Jinja template.
pub const BUILTIN_TEMPLATES: &[&str] = &["phi3", "chatml", "plain"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatTemplate {
    /// A Jinja template.
    Jinja(String),
    /// No template: the turns' contents, one per line.
    Plain,
}

/// A conversation rendered for a model: the text, and where in it each turn's content
/// (text a person or a model wrote, never to be read as special tokens) lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedChat {
    pub text: String,
    pub content: Vec<Range<usize>>,
}

/// What stands in for a turn's content while the template runs, so the content can be
/// found again in the output.
fn placeholder(index: usize) -> String {
    format!("\u{E000}{index}\u{E001}")
}

impl ChatTemplate {
    /// A template models.toml names: a built-in name or a Jinja template.
    pub fn from_setting(setting: &str) -> Option<Self> {
        match setting.trim() {
            "phi3" => Some(Self::Jinja(PHI3_TEMPLATE.into())),
            "chatml" => Some(Self::Jinja(CHATML_TEMPLATE.into())),
            "plain" => Some(Self::Plain),
            jinja if jinja.contains("{{") || jinja.contains("{%") => {
                Some(Self::Jinja(setting.to_string()))
            }
            _ => None,
        }
    }

    /// The GGUF's own template, or the architecture's usual one when it has none.
    pub fn detect(architecture: Architecture, gguf_template: Option<&str>) -> Self {
        match gguf_template {
            Some(template) if !template.trim().is_empty() => Self::Jinja(template.to_string()),
            _ => match architecture {
                Architecture::Phi3 => Self::Jinja(PHI3_TEMPLATE.into()),
                Architecture::Qwen2 | Architecture::Llama => Self::Jinja(CHATML_TEMPLATE.into()),
            },
        }
    }

    /// The prompt for `messages`, ending where the assistant's reply begins.
    ///
    /// A template that has no place for a system turn (Phi-3's GGUF template drops it)
    /// gets the system text at the head of the first user turn instead of losing it.
    pub fn render(&self, messages: &[Message], bos: &str, eos: &str) -> Result<RenderedChat> {
        let Self::Jinja(source) = self else {
            return Ok(render_plain(messages));
        };
        let shown = render_jinja(source, messages, bos, eos)?;
        let dropped_system = messages.iter().enumerate().any(|(i, m)| {
            m.role == Role::System && !m.content.is_empty() && shown.content[i].is_empty()
        });
        if dropped_system && messages.iter().any(|m| m.role == Role::User) {
            return Ok(render_jinja(source, &fold_system(messages), bos, eos)?.into_chat());
        }
        Ok(shown.into_chat())
    }

    /// Strings that end the assistant's turn, should the model write one out as text.
    pub fn stop_strings(&self) -> &'static [&'static str] {
        match self {
            Self::Jinja(source) if source.contains("<|im_start|>") => {
                &["<|im_end|>", "<|im_start|>"]
            }
            Self::Jinja(source) if source.contains("<|user|>") => &["<|end|>", "<|user|>"],
            _ => &[],
        }
    }
}

fn render_plain(messages: &[Message]) -> RenderedChat {
    let mut text = String::new();
    let mut content = Vec::new();
    for m in messages {
        content.push(text.len()..text.len() + m.content.len());
        text.push_str(&m.content);
        text.push('\n');
    }
    RenderedChat { text, content }
}

/// The system turns' text joined to the head of the first user turn.
fn fold_system(messages: &[Message]) -> Vec<Message> {
    let system: Vec<&str> = messages
        .iter()
        .filter(|m| m.role == Role::System && !m.content.is_empty())
        .map(|m| m.content.as_str())
        .collect();
    let mut folded = Vec::new();
    let mut pending = Some(system.join("\n\n"));
    for m in messages.iter().filter(|m| m.role != Role::System) {
        match (m.role, pending.take()) {
            (Role::User, Some(system)) => {
                folded.push(Message::user(format!("{system}\n\n{}", m.content)))
            }
            (_, still) => {
                pending = still;
                folded.push(m.clone());
            }
        }
    }
    folded
}

/// A rendering with each turn's content located: `content[i]` is empty for a turn the
/// template left out.
struct Shown {
    text: String,
    content: Vec<Range<usize>>,
}

impl Shown {
    fn into_chat(self) -> RenderedChat {
        RenderedChat {
            text: self.text,
            content: self.content.into_iter().filter(|r| !r.is_empty()).collect(),
        }
    }
}

fn template_error(problem: impl std::fmt::Display) -> LlmError {
    LlmError::Template(format!(
        "{problem}; set `chat_template` for this model in models.toml (`phi3`, `chatml` or a \
         Jinja template)"
    ))
}

fn render_jinja(source: &str, messages: &[Message], bos: &str, eos: &str) -> Result<Shown> {
    let mut env = minijinja::Environment::new();
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.add_function(
        "raise_exception",
        |message: String| -> std::result::Result<String, minijinja::Error> {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                message,
            ))
        },
    );
    env.add_template("chat", source).map_err(template_error)?;
    let template = env.get_template("chat").map_err(template_error)?;
    let render = |contents: &[String]| {
        let turns: Vec<minijinja::Value> = messages
            .iter()
            .zip(contents)
            .map(|(m, content)| {
                minijinja::context! { role => m.role.name(), content => content }
            })
            .collect();
        template
            .render(minijinja::context! {
                messages => turns,
                bos_token => bos,
                eos_token => eos,
                add_generation_prompt => true,
            })
            .map_err(template_error)
    };
    let contents: Vec<String> = messages.iter().map(|m| m.content.clone()).collect();
    let text = render(&contents)?;
    let placeholders: Vec<String> = (0..messages.len()).map(placeholder).collect();
    let skeleton = render(&placeholders)?;
    if let Some(content) = locate_by_placeholder(&skeleton, &placeholders, messages, &text) {
        return Ok(Shown { text, content });
    }
    // The template reshapes content (trims it, repeats it): find each turn's content in
    // the output, in order.
    let mut from = 0;
    let content = messages
        .iter()
        .map(|m| match text[from..].find(m.content.trim()) {
            Some(at) if !m.content.trim().is_empty() => {
                let start = from + at;
                from = start + m.content.trim().len();
                start..from
            }
            _ => 0..0,
        })
        .collect();
    Ok(Shown { text, content })
}

/// Where each turn's content lies in `text`, when putting the contents in place of the
/// placeholders in `skeleton` (each there at most once) gives exactly `text`.
fn locate_by_placeholder(
    skeleton: &str,
    placeholders: &[String],
    messages: &[Message],
    text: &str,
) -> Option<Vec<Range<usize>>> {
    let mut rebuilt = String::with_capacity(text.len());
    let mut content = vec![0..0; messages.len()];
    let mut rest = skeleton;
    for (i, mark) in placeholders.iter().enumerate() {
        match skeleton.matches(mark.as_str()).count() {
            0 => continue,
            1 => {}
            _ => return None,
        }
        let at = rest.find(mark.as_str())?;
        rebuilt.push_str(&rest[..at]);
        content[i] = rebuilt.len()..rebuilt.len() + messages[i].content.len();
        rebuilt.push_str(&messages[i].content);
        rest = &rest[at + mark.len()..];
    }
    rebuilt.push_str(rest);
    (rebuilt == text).then_some(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &ChatTemplate, messages: &[Message]) -> RenderedChat {
        template.render(messages, "<s>", "</s>").unwrap()
    }

    #[test]
    fn phi3_turns() {
        let chat = render(
            &ChatTemplate::from_setting("phi3").unwrap(),
            &[
                Message::system("Be brief."),
                Message::user("Hi"),
                Message::assistant("Hello."),
                Message::user("Name a chord."),
            ],
        );
        assert_eq!(
            chat.text,
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n\
             <|user|>\nName a chord.<|end|>\n<|assistant|>\n"
        );
        let spans: Vec<&str> = chat.content.iter().map(|r| &chat.text[r.clone()]).collect();
        assert_eq!(spans, ["Be brief.", "Hi", "Hello.", "Name a chord."]);
    }

    #[test]
    fn chatml_gguf_template_inserts_its_default_system_only_when_missing() {
        let template = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are SmolLM<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
        let t = ChatTemplate::detect(Architecture::Llama, Some(template));
        assert_eq!(
            render(&t, &[Message::user("Hi")]).text,
            "<|im_start|>system\nYou are SmolLM<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(
            render(&t, &[Message::system("S"), Message::user("Hi")]).text,
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn a_template_without_system_turns_gets_the_system_text_in_the_first_user_turn() {
        let template = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %}";
        let t = ChatTemplate::detect(Architecture::Phi3, Some(template));
        let chat = render(&t, &[Message::system("Be brief."), Message::user("Hi")]);
        assert_eq!(
            chat.text,
            "<s><|user|>\nBe brief.\n\nHi<|end|>\n<|assistant|>\n"
        );
    }

    #[test]
    fn content_that_looks_like_a_placeholder_or_a_tag_is_located_exactly() {
        let t = ChatTemplate::from_setting("chatml").unwrap();
        let chat = render(&t, &[Message::user("<|im_end|>\u{E000}0\u{E001}")]);
        assert_eq!(
            &chat.text[chat.content[0].clone()],
            "<|im_end|>\u{E000}0\u{E001}"
        );
    }

    #[test]
    fn a_template_that_trims_content_still_locates_it() {
        let t = ChatTemplate::Jinja(
            "{% for m in messages %}[{{ m.content | trim }}]{% endfor %}".into(),
        );
        let chat = render(&t, &[Message::user("  spaced  ")]);
        assert_eq!(chat.text, "[spaced]");
        assert_eq!(&chat.text[chat.content[0].clone()], "spaced");
    }

    #[test]
    fn a_broken_template_says_how_to_replace_it() {
        let t = ChatTemplate::Jinja("{% for %}".into());
        let error = t.render(&[Message::user("Hi")], "", "").unwrap_err();
        assert!(error.to_string().contains("models.toml"), "{error}");
    }
}
