//! `Studio::generate`: prompt, route, stream, parse, check every musical fact, repair,
//! regenerate or escalate (bounded), store, and return the document with where it came
//! from. Each kind of document is a [`Commission`]; [`Writers`] says whether models may
//! write it. The template generator is the last fallback, so a request always ends in a
//! correct document unless it is cancelled or the request itself is wrong.

use std::time::Instant;

use serde::Serialize;

use crate::commissions::Commission;
use crate::content::prompts;
use crate::content::structured::{StructuredError, parse_as, schema_for};
use crate::content::{ContentError, Tutorial, ValidationReport};
use crate::llm::{CancelToken, Message};
use crate::providers::{ProviderError, ProviderRequest, Spent, estimated_tokens};
use crate::quota::RequestSize;
use crate::response_cache::CachedAnswer;
use crate::router::{self, Candidate, Route};
use crate::sources::Writers;
use crate::store::generation_log::{self, GenerationOutcome, GenerationRecord};
use crate::store::{Store, cache};
use crate::{Studio, StudioError};

/// Why the template generator writes a document when the teacher chose it.
const TEMPLATE_ASKED_FOR: &str = "the template generator was asked for";

/// Answers each model may give before the next model is tried.
pub const ATTEMPTS_PER_MODEL: usize = 2;

/// What a generation reports while it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    Routed {
        route: Route,
    },
    Attempt {
        model: String,
        attempt: usize,
    },
    /// More text of the answer being written.
    Delta {
        text: String,
    },
    /// The same request was answered before: the model's accepted answer is served again
    /// from the response cache, at no cost.
    Cached {
        model: String,
    },
    /// The answer was refused; another attempt or model follows.
    Rejected {
        model: String,
        attempt: usize,
        problems: Vec<String>,
    },
    /// No model produced an acceptable answer: the template generator writes it.
    Template {
        reason: String,
    },
}

impl Progress {
    /// The step in a sentence for a progress log; `None` for streamed text.
    pub fn describe(&self) -> Option<String> {
        Some(match self {
            Progress::Routed { route } => {
                let mut line = format!(
                    "task {} (complexity {}) → tier {}",
                    route.task,
                    route.complexity,
                    route.tier.as_deref().unwrap_or("none")
                );
                for skipped in &route.skipped {
                    line.push_str(&format!("; passed over {skipped}"));
                }
                line
            }
            Progress::Attempt { model, attempt } => {
                format!("writing with {model} (attempt {attempt})…")
            }
            Progress::Cached { model } => format!(
                "answered from the response cache: {model}'s earlier answer to the same request (Regenerate, or --no-cache, asks it again)"
            ),
            Progress::Delta { .. } => return None,
            Progress::Rejected {
                model, problems, ..
            } => format!("{model}'s answer was refused: {}", problems.join("; ")),
            Progress::Template { reason } => format!("{reason}: using the template generator"),
        })
    }
}

/// One answer a model gave and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRecord {
    pub model: String,
    pub attempt: usize,
    pub accepted: bool,
    pub problems: Vec<String>,
    pub latency_ms: u64,
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// `model` or `template`.
    pub generator: &'static str,
    pub tier: Option<String>,
    /// The model that wrote the accepted answer.
    pub model: Option<String>,
    /// The answer came from the response cache rather than from the model just now.
    pub cached: bool,
    pub route: Route,
    pub attempts: Vec<AttemptRecord>,
    /// Why each earlier choice was left, in order.
    pub fallbacks: Vec<String>,
    pub validation: ValidationReport,
}

/// A stored document and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Generated<D> {
    pub id: i64,
    pub document: D,
    pub provenance: Provenance,
}

pub type GeneratedTutorial = Generated<Tutorial>;

impl Provenance {
    /// Who wrote the document: the model's id, or "template".
    pub fn writer(&self) -> String {
        self.model
            .clone()
            .unwrap_or_else(|| self.generator.to_string())
    }
}

impl Studio {
    /// The local models and cloud access usable now, before any limit is weighed (see
    /// [`Studio::availability_now`]).
    pub fn availability(&self, network_allowed: bool) -> router::Availability {
        let (installed, cloud_ready) = self.installed_and_cloud();
        router::Availability {
            network_allowed,
            installed,
            cloud_ready,
            held_back: Vec::new(),
        }
    }

    /// The one way a document is made: route the commission's task, prompt each candidate
    /// model in turn (bounded attempts, the refusal fed back), parse the answer into the
    /// document's type, hold it to the request and check every musical fact, then store it.
    /// The template generator writes it when no model gives an acceptable answer.
    pub fn generate<C: Commission>(
        &self,
        store: &Store,
        commission: &C,
        network_allowed: bool,
        writers: Writers<'_>,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<Generated<C::Document>, StudioError> {
        let prompt = prompts::render(commission.prompt(), &commission.prompt_values()?)?;
        let document_schema = schema_for::<C::Document>();
        let mut decoder_schema = document_schema.clone();
        commission.hold_schema(&mut decoder_schema)?;
        // A remote model is sent the schema beside the prompt, and bills it as input.
        let size = RequestSize {
            prompt_tokens: estimated_tokens(&[Message::user(prompt.as_str())])
                + document_schema.to_string().len().div_ceil(4),
            max_output_tokens: commission.max_tokens(),
        };
        let mut route = router::route(
            self.catalog(),
            commission.task(),
            &self.availability_now(store, network_allowed, size)?,
        );
        // Seconds an accepted answer is kept; `None` when the task is never cached.
        let cache_ttl = self.catalog().cache_ttl_seconds(commission.task());
        let (mut providers, serve_cached) = match writers {
            Writers::Models(providers) => (Some(providers), true),
            Writers::ModelsAfresh(providers) => (Some(providers), false),
            Writers::TemplateOnly => {
                let passed_over = route
                    .candidates
                    .drain(..)
                    .map(|candidate| format!("{}: {TEMPLATE_ASKED_FOR}", candidate.model));
                route.skipped.extend(passed_over);
                (None, false)
            }
        };
        on_progress(Progress::Routed {
            route: route.clone(),
        });
        let noun = commission.noun();
        let mut provenance = Provenance {
            generator: "template",
            tier: route.tier.clone(),
            model: None,
            cached: false,
            route: route.clone(),
            attempts: Vec::new(),
            fallbacks: route.skipped.clone(),
            validation: ValidationReport::default(),
        };

        'candidates: for candidate in &route.candidates {
            // Without providers the route has no candidates left.
            let Some(providers) = providers.as_deref_mut() else {
                break;
            };
            let request_for = |feedback: &[String], attempt: usize| {
                document_request(
                    &prompt,
                    &document_schema,
                    &decoder_schema,
                    noun,
                    feedback,
                    attempt,
                    commission.max_tokens(),
                )
            };
            // The key is the first attempt's request: what the teacher asked this model.
            let cache_key = cache_ttl.map(|_| self.cache_key(candidate, &request_for(&[], 1)));
            if serve_cached
                && let Some(key) = &cache_key
                && let Some(generated) = self.serve_cached(
                    store,
                    commission,
                    key,
                    candidate,
                    &mut provenance,
                    on_progress,
                )?
            {
                return Ok(generated);
            }
            let mut provider = match providers.provider(candidate) {
                Ok(provider) => provider,
                Err(error) => {
                    provenance
                        .fallbacks
                        .push(format!("{}: cannot start: {error}", candidate.model));
                    continue;
                }
            };
            let mut feedback: Vec<String> = Vec::new();
            for attempt in 1..=ATTEMPTS_PER_MODEL {
                // The route weighed the limits before the first attempt; a retry is another
                // paid request, weighed again now that the first is in the ledger.
                if attempt > 1
                    && let Some(limit) = self.holding_back(store, candidate, size)?
                {
                    provenance
                        .fallbacks
                        .push(format!("{}: {limit}", candidate.model));
                    continue 'candidates;
                }
                on_progress(Progress::Attempt {
                    model: candidate.model.clone(),
                    attempt,
                });
                let started = Instant::now();
                let answer =
                    provider.generate(&request_for(&feedback, attempt), cancel, &mut |text| {
                        on_progress(Progress::Delta {
                            text: text.to_string(),
                        })
                    });
                let latency_ms = started.elapsed().as_millis() as u64;
                let answer = match answer {
                    Ok(answer) => answer,
                    Err(ProviderError::Cancelled) => {
                        log(
                            store,
                            &ledger_entry(
                                &route,
                                candidate,
                                latency_ms,
                                GenerationOutcome::Cancelled,
                                String::new(),
                                Spent::default(),
                            ),
                        );
                        return Err(StudioError::Cancelled);
                    }
                    Err(error) => {
                        log(
                            store,
                            &ledger_entry(
                                &route,
                                candidate,
                                latency_ms,
                                GenerationOutcome::Failed,
                                error.to_string(),
                                error.spent(),
                            ),
                        );
                        provenance
                            .fallbacks
                            .push(format!("{}: {error}", candidate.model));
                        continue 'candidates;
                    }
                };
                let record = |accepted: bool, problems: Vec<String>| AttemptRecord {
                    model: candidate.model.clone(),
                    attempt,
                    accepted,
                    problems,
                    latency_ms,
                };
                match check_answer(commission, &answer.text) {
                    Ok((document, validation)) => {
                        provenance.attempts.push(record(true, Vec::new()));
                        let entry = ledger_entry(
                            &route,
                            candidate,
                            latency_ms,
                            GenerationOutcome::Ok,
                            validation.to_string(),
                            answer.spent(),
                        );
                        let to_cache = cache_key.as_ref().zip(cache_ttl).map(|(key, ttl)| {
                            let kept = CachedAnswer {
                                text: answer.text.clone(),
                                model: candidate.model.clone(),
                                prompt_tokens: answer.prompt_tokens,
                                output_tokens: answer.output_tokens,
                            };
                            (key, serde_json::to_string(&kept).unwrap_or_default(), ttl)
                        });
                        let id = store.write(|tx| {
                            generation_log::record(tx, &entry)?;
                            if let Some((key, kept, ttl)) = &to_cache {
                                cache::put(tx, key, kept, *ttl)?;
                            }
                            commission.store(tx, &document)
                        })?;
                        provenance.generator = "model";
                        provenance.model = Some(candidate.model.clone());
                        provenance.validation = validation;
                        return Ok(Generated {
                            id,
                            document,
                            provenance,
                        });
                    }
                    Err(problems) => {
                        let truncated = answer
                            .truncated
                            .then(|| "the answer was cut off at the length limit".to_string());
                        let problems: Vec<String> = truncated.into_iter().chain(problems).collect();
                        log(
                            store,
                            &ledger_entry(
                                &route,
                                candidate,
                                latency_ms,
                                GenerationOutcome::Invalid,
                                problems.join("; "),
                                answer.spent(),
                            ),
                        );
                        on_progress(Progress::Rejected {
                            model: candidate.model.clone(),
                            attempt,
                            problems: problems.clone(),
                        });
                        provenance.attempts.push(record(false, problems.clone()));
                        feedback = problems;
                    }
                }
            }
            provenance.fallbacks.push(format!(
                "{}: no acceptable {noun} in {ATTEMPTS_PER_MODEL} attempts",
                candidate.model
            ));
        }

        if cancel.is_cancelled() {
            return Err(StudioError::Cancelled);
        }
        let reason = if providers.is_none() {
            TEMPLATE_ASKED_FOR.to_string()
        } else if route.candidates.is_empty() {
            "no model is installed for this task".to_string()
        } else {
            format!("no model wrote an acceptable {noun}")
        };
        on_progress(Progress::Template {
            reason: reason.clone(),
        });
        provenance
            .fallbacks
            .push(format!("template generator: {reason}"));
        let mut document = commission.template()?;
        let validation = commission.check(&mut document);
        if !validation.is_acceptable() {
            return Err(ContentError::Invalid {
                what: noun,
                report: validation,
            }
            .into());
        }
        let id = store.write(|tx| commission.store(tx, &document))?;
        provenance.validation = validation;
        Ok(Generated {
            id,
            document,
            provenance,
        })
    }

    /// The document from the cached answer under `key`, stored again and logged as a hit,
    /// or `None` when there is no live entry or the checks no longer accept it.
    fn serve_cached<C: Commission>(
        &self,
        store: &Store,
        commission: &C,
        key: &str,
        candidate: &Candidate,
        provenance: &mut Provenance,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<Option<Generated<C::Document>>, StudioError> {
        let started = Instant::now();
        let Some(row) = store.read(|conn| cache::get(conn, key))? else {
            return Ok(None);
        };
        let Ok(cached) = serde_json::from_str::<CachedAnswer>(&row.value) else {
            return Ok(None);
        };
        // An answer this version's checks refuse is written again, not served.
        let Ok((document, validation)) = check_answer(commission, &cached.text) else {
            return Ok(None);
        };
        on_progress(Progress::Cached {
            model: candidate.model.clone(),
        });
        let latency_ms = started.elapsed().as_millis() as u64;
        let entry = GenerationRecord {
            cache_hit: true,
            ..ledger_entry(
                &provenance.route,
                candidate,
                latency_ms,
                GenerationOutcome::Ok,
                validation.to_string(),
                Spent::default(),
            )
        };
        let id = store.write(|tx| {
            generation_log::record(tx, &entry)?;
            commission.store(tx, &document)
        })?;
        provenance.attempts.push(AttemptRecord {
            model: candidate.model.clone(),
            attempt: 1,
            accepted: true,
            problems: Vec::new(),
            latency_ms,
        });
        provenance.generator = "model";
        provenance.model = Some(candidate.model.clone());
        provenance.cached = true;
        provenance.validation = validation;
        Ok(Some(Generated {
            id,
            document,
            provenance: provenance.clone(),
        }))
    }
}

/// The usage ledger's row for one request to `candidate`.
pub(crate) fn ledger_entry(
    route: &Route,
    candidate: &Candidate,
    latency_ms: u64,
    outcome: GenerationOutcome,
    detail: String,
    spent: Spent,
) -> GenerationRecord {
    GenerationRecord {
        task: route.task.clone(),
        tier: route.tier.clone().unwrap_or_default(),
        model: candidate.model.clone(),
        tokens_in: spent.prompt_tokens,
        tokens_out: spent.output_tokens,
        latency_ms,
        cost_usd: spent.cost_usd,
        cache_hit: false,
        outcome,
        detail,
    }
}

/// Writes a row of the usage ledger. The ledger is a record, not the work: a failure to
/// write it must not lose the generation's result.
pub(crate) fn log(store: &Store, entry: &GenerationRecord) {
    let _ = store.write(|tx| generation_log::record(tx, entry));
}

fn document_request(
    prompt: &str,
    document_schema: &serde_json::Value,
    decoder_schema: &serde_json::Value,
    noun: &str,
    feedback: &[String],
    attempt: usize,
    max_tokens: usize,
) -> ProviderRequest {
    let mut messages = vec![Message::user(prompt)];
    if !feedback.is_empty() {
        messages.push(Message::user(format!(
            "Your previous answer was refused:\n- {}\nWrite the whole {noun} again, fixing these.",
            feedback.join("\n- ")
        )));
    }
    ProviderRequest {
        messages,
        schema: Some(document_schema.clone()),
        decoder_schema: Some(decoder_schema.clone()),
        max_tokens,
        // The first answer is greedy; a retry samples, so that it can differ.
        temperature: if attempt == 1 { 0.0 } else { 0.7 },
        seed: attempt as u64,
    }
}

/// Parses the answer, holds it to the request and checks every musical fact. Returns the
/// repaired document, or every problem that remains, each located by its path.
fn check_answer<C: Commission>(
    commission: &C,
    text: &str,
) -> Result<(C::Document, ValidationReport), Vec<String>> {
    let mut document: C::Document = parse_as(text).map_err(|error| match error {
        StructuredError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    })?;
    let report = commission.check(&mut document);
    if report.is_acceptable() {
        Ok((document, report))
    } else {
        Err(report.unrepaired())
    }
}
