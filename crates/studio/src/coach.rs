//! Coaching: a conversation with a coach that knows the student's instrument, level and
//! recent results and the lesson they have open. Answers are free text, streamed as they
//! are written. The conversation is trimmed to the answering model's context by that
//! model's own token counts, oldest exchanges first; the system prompt and the new
//! question are always kept.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::TaskKind;
use crate::content::prompts::{self, TaskKind as PromptKind};
use crate::content::{Level, Tutorial};
use crate::generate::{ledger_entry, log};
use crate::limits::{self, MAX_QUESTION_CHARS};
use crate::llm::{CancelToken, Message, Role};
use crate::providers::{ProviderError, ProviderRequest, Spent, estimated_tokens};
use crate::quota::RequestSize;
use crate::router::{self, Route};
use crate::sources::ProviderSource;
use crate::store::Store;
use crate::store::generation_log::GenerationOutcome;
use crate::{Studio, StudioError};

/// Tokens kept free for the coach's answer.
pub const ANSWER_TOKENS: usize = 384;
/// Most recent results passed to the coach.
pub const MAX_RECENT_RESULTS: usize = 10;

/// Who said a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Student,
    Coach,
}

/// One turn of the conversation so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoachTurn {
    pub speaker: Speaker,
    pub text: String,
}

/// What the coach knows about the student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoachContext {
    pub instrument: String,
    pub level: Level,
    /// Recent practice results in the teacher's words, e.g. "ii-V-I in F: 8/10 at 80 bpm".
    pub recent_results: Vec<String>,
    /// The tutorial the student has open, by library id.
    pub tutorial_id: Option<i64>,
}

/// A question with the conversation it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoachRequest {
    pub context: CoachContext,
    /// Earlier turns, oldest first.
    pub history: Vec<CoachTurn>,
    pub question: String,
}

/// The coach's answer and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoachReply {
    pub text: String,
    pub model: String,
    pub route: Route,
    /// Earlier turns left out to fit the model's context.
    pub dropped_turns: usize,
    pub prompt_tokens: usize,
    pub answer_tokens: u32,
    /// Why each earlier model choice was left, in order.
    pub fallbacks: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CoachError {
    #[error("ask the coach a question first")]
    EmptyQuestion,
    #[error(
        "the question has {chars} characters; the coach takes at most {MAX_QUESTION_CHARS}: shorten it"
    )]
    QuestionTooLong { chars: usize },
    #[error(
        "the question and the coach's instructions need {needed} tokens, but {model} has room for {room} before its answer: shorten the question"
    )]
    NoRoom {
        model: String,
        needed: usize,
        room: usize,
    },
    #[error(
        "coaching needs a language model and none can run here: download one on the Models screen, or run `cadence models download phi-3.5-mini`{}",
        skipped_note(.skipped)
    )]
    NoModel { skipped: Vec<String> },
    #[error("the coach could not answer: {}", .0.join("; "))]
    AllFailed(Vec<String>),
}

fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(" (passed over: {})", skipped.join("; "))
    }
}

/// The coach's instructions for this student and lesson.
pub fn system_prompt(
    context: &CoachContext,
    lesson: Option<&Tutorial>,
) -> Result<String, StudioError> {
    let results = if context.recent_results.is_empty() {
        "none recorded yet".to_string()
    } else {
        context
            .recent_results
            .iter()
            .rev()
            .take(MAX_RECENT_RESULTS)
            .rev()
            .map(|result| result.trim())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let instrument = match context.instrument.trim() {
        "" => "piano",
        instrument => instrument,
    };
    let values: BTreeMap<String, String> = [
        ("instrument", instrument.to_string()),
        ("level", context.level.to_string()),
        ("recent_results", results),
        (
            "lesson",
            lesson.map_or_else(|| "none".to_string(), lesson_summary),
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    Ok(prompts::render(PromptKind::Coaching, &values)?)
}

/// A line the coach can read: the lesson's title, topic, key and chords with their numerals
/// (the chords as the theory engine computed them, not as a model wrote them).
pub fn lesson_summary(tutorial: &Tutorial) -> String {
    let chords: Vec<String> = tutorial
        .music
        .chords
        .iter()
        .map(|chord| format!("{} ({})", chord.symbol, chord.numeral))
        .collect();
    let mut summary = format!(
        "“{}”, {} in {}",
        tutorial.title, tutorial.topic, tutorial.music.key
    );
    if !chords.is_empty() {
        summary.push_str(&format!("; chords: {}", chords.join(", ")));
    }
    summary
}

/// The messages sent to the model and how many earlier turns were left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub messages: Vec<Message>,
    pub dropped_turns: usize,
    pub tokens: usize,
}

/// The longest tail of `history` that fits in `budget` tokens beside the system prompt and
/// the question, counted by `count`. Whole exchanges are dropped, so the window never opens
/// with an answer to a question it does not show.
pub fn window(
    system: &str,
    history: &[CoachTurn],
    question: &str,
    budget: usize,
    count: &dyn Fn(&[Message]) -> Result<usize, ProviderError>,
) -> Result<Window, WindowError> {
    let assemble = |from: usize| {
        let mut messages = Vec::with_capacity(history.len() - from + 2);
        messages.push(Message::system(system));
        messages.extend(history[from..].iter().map(|turn| Message {
            role: match turn.speaker {
                Speaker::Student => Role::User,
                Speaker::Coach => Role::Assistant,
            },
            content: turn.text.clone(),
        }));
        messages.push(Message::user(question));
        messages
    };
    let mut from = 0;
    loop {
        // Open on a student's turn.
        while from < history.len() && history[from].speaker != Speaker::Student {
            from += 1;
        }
        let messages = assemble(from);
        let tokens = count(&messages)?;
        if tokens <= budget {
            return Ok(Window {
                messages,
                dropped_turns: from,
                tokens,
            });
        }
        if from == history.len() {
            return Err(WindowError::NoRoom { needed: tokens });
        }
        from += 1;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("the system prompt and the question alone need {needed} tokens")]
    NoRoom { needed: usize },
    #[error(transparent)]
    Count(#[from] ProviderError),
}

fn checked_question(question: &str) -> Result<&str, CoachError> {
    let question = question.trim();
    if question.is_empty() {
        return Err(CoachError::EmptyQuestion);
    }
    let chars = question.chars().count();
    if chars > MAX_QUESTION_CHARS {
        return Err(CoachError::QuestionTooLong { chars });
    }
    Ok(question)
}

impl Studio {
    /// Which models would answer the coach's questions now, and why, with the limits in
    /// force for a question of a typical length.
    pub fn coach_route(&self, store: &Store, network_allowed: bool) -> Result<Route, StudioError> {
        let size = RequestSize {
            prompt_tokens: RequestSize::TYPICAL.prompt_tokens,
            max_output_tokens: ANSWER_TOKENS,
        };
        Ok(router::route(
            self.catalog(),
            TaskKind::Coaching,
            &self.availability_now(store, network_allowed, size)?,
        ))
    }

    /// Answers a question in its conversation, streaming the answer through `on_delta`.
    /// A model that cannot start or fails hands the question to the next one on the route.
    pub fn coach(
        &self,
        store: &Store,
        request: &CoachRequest,
        network_allowed: bool,
        providers: &mut dyn ProviderSource,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<CoachReply, StudioError> {
        let question = checked_question(&request.question)?;
        limits::conversation(request.history.iter().map(|turn| turn.text.as_str()))?;
        limits::short_field("instrument", &request.context.instrument)?;
        let lesson = match request.context.tutorial_id {
            Some(id) => Some(self.open_tutorial(store, id)?.tutorial),
            None => None,
        };
        let system = system_prompt(&request.context, lesson.as_ref())?;
        let size = RequestSize {
            prompt_tokens: estimated_tokens(
                &std::iter::once(system.as_str())
                    .chain(request.history.iter().map(|turn| turn.text.as_str()))
                    .chain([question])
                    .map(Message::user)
                    .collect::<Vec<_>>(),
            ),
            max_output_tokens: ANSWER_TOKENS,
        };
        let route = router::route(
            self.catalog(),
            TaskKind::Coaching,
            &self.availability_now(store, network_allowed, size)?,
        );
        if route.candidates.is_empty() {
            return Err(CoachError::NoModel {
                skipped: route.skipped.clone(),
            }
            .into());
        }
        let mut fallbacks = route.skipped.clone();
        for candidate in &route.candidates {
            let mut provider = match providers.provider(candidate) {
                Ok(provider) => provider,
                Err(error) => {
                    fallbacks.push(format!("{}: cannot start: {error}", candidate.model));
                    continue;
                }
            };
            let room = provider.context_tokens().saturating_sub(ANSWER_TOKENS);
            let window = match window(&system, &request.history, question, room, &|messages| {
                provider.count_tokens(messages)
            }) {
                Ok(window) => window,
                Err(WindowError::NoRoom { needed }) => {
                    return Err(CoachError::NoRoom {
                        model: candidate.model.clone(),
                        needed,
                        room,
                    }
                    .into());
                }
                Err(WindowError::Count(error)) => {
                    fallbacks.push(format!("{}: {error}", candidate.model));
                    continue;
                }
            };
            let started = Instant::now();
            let answer = provider.generate(
                &ProviderRequest {
                    messages: window.messages,
                    schema: None,
                    decoder_schema: None,
                    max_tokens: ANSWER_TOKENS,
                    temperature: 0.7,
                    seed: request.history.len() as u64,
                },
                cancel,
                on_delta,
            );
            let (outcome, detail, spent) = match &answer {
                Ok(answer) => (GenerationOutcome::Ok, String::new(), answer.spent()),
                Err(ProviderError::Cancelled) => (
                    GenerationOutcome::Cancelled,
                    String::new(),
                    Spent::default(),
                ),
                Err(error) => (GenerationOutcome::Failed, error.to_string(), error.spent()),
            };
            log(
                store,
                &ledger_entry(
                    &route,
                    candidate,
                    started.elapsed().as_millis() as u64,
                    outcome,
                    detail,
                    spent,
                ),
            );
            match answer {
                Ok(answer) => {
                    return Ok(CoachReply {
                        text: answer.text.trim().to_string(),
                        model: candidate.model.clone(),
                        route: route.clone(),
                        dropped_turns: window.dropped_turns,
                        prompt_tokens: window.tokens,
                        answer_tokens: answer.output_tokens,
                        fallbacks,
                    });
                }
                Err(ProviderError::Cancelled) => return Err(StudioError::Cancelled),
                Err(error) => fallbacks.push(format!("{}: {error}", candidate.model)),
            }
        }
        Err(CoachError::AllFailed(fallbacks).into())
    }
}
