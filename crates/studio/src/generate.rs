//! `Studio::generate`: prompt, route, stream, parse, check every musical fact, repair,
//! regenerate or escalate (bounded), store, and return the document with where it came
//! from. Each kind of document is a [`Commission`]. The template generator is the last
//! fallback, so a request always ends in a correct document unless it is cancelled or the
//! request itself is wrong.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use rusqlite::Transaction;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::catalog::{LocalModel, TaskKind, TokenizerSource};
use crate::content::prompts::{self, TaskKind as PromptKind};
use crate::content::structured::{StructuredError, hold_constant, parse_as, schema_for};
use crate::content::template::Topic;
use crate::content::validate::{self, Issue, Severity};
use crate::content::{self, ContentError, Level, Tutorial, ValidationReport};
use crate::llm::{CancelToken, Message};
use crate::providers::{
    CloudProvider, LocalProvider, Provider, ProviderError, ProviderRequest, SharedProvider,
};
use crate::router::{self, Candidate, Route, Runner};
use crate::store::generation_log::{self, GenerationOutcome, GenerationRecord};
use crate::store::{Store, StoreError, tutorials};
use crate::theory::Key;
use crate::{Studio, StudioError, batch};

/// Answers each model may give before the next model is tried.
pub const ATTEMPTS_PER_MODEL: usize = 2;

/// What the teacher asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TutorialRequest {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
}

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

/// What a teacher asked for, as the pipeline needs it: the task to route, the prompt, the
/// checks that hold an answer to the request, the template that stands behind the models,
/// and where the document is stored.
pub trait Commission {
    type Document: DeserializeOwned + JsonSchema;

    /// The task in models.toml, which decides the tier.
    fn task(&self) -> TaskKind;
    fn prompt(&self) -> PromptKind;
    /// The document's name in messages, e.g. "tutorial".
    fn noun(&self) -> &'static str;
    /// Every variable of the prompt but the schema. Checks the request first.
    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError>;
    /// Tokens a model may write; leaves room for the prompt and schema in a 4k context.
    fn max_tokens(&self) -> usize {
        1536
    }
    /// Holds the document to what was asked and checks every musical fact, repairing what
    /// can be repaired.
    fn check(&self, document: &mut Self::Document) -> ValidationReport;
    /// The template generator's document for this request.
    fn template(&self) -> Result<Self::Document, StudioError>;
    /// Tightens the document's schema for decoders that enforce it token by token: what
    /// the request decides is written as a constant, so that such a model cannot
    /// contradict the request and spends no choices on it.
    fn hold_schema(&self, _schema: &mut serde_json::Value) -> Result<(), StudioError> {
        Ok(())
    }
    fn store(&self, tx: &Transaction<'_>, document: &Self::Document) -> Result<i64, StoreError>;
}

/// A commission whose document, once stored, is linked into the library in the same
/// transaction (a batch attaches each tutorial to its lesson), so that a crash cannot leave
/// one without the other.
pub struct Linked<C, F> {
    pub commission: C,
    /// Called with the stored document's id.
    pub link: F,
}

impl<C, F> Commission for Linked<C, F>
where
    C: Commission,
    F: Fn(&Transaction<'_>, i64) -> Result<(), StoreError>,
{
    type Document = C::Document;

    fn task(&self) -> TaskKind {
        self.commission.task()
    }

    fn prompt(&self) -> PromptKind {
        self.commission.prompt()
    }

    fn noun(&self) -> &'static str {
        self.commission.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        self.commission.prompt_values()
    }

    fn max_tokens(&self) -> usize {
        self.commission.max_tokens()
    }

    fn check(&self, document: &mut Self::Document) -> ValidationReport {
        self.commission.check(document)
    }

    fn template(&self) -> Result<Self::Document, StudioError> {
        self.commission.template()
    }

    fn hold_schema(&self, schema: &mut serde_json::Value) -> Result<(), StudioError> {
        self.commission.hold_schema(schema)
    }

    fn store(&self, tx: &Transaction<'_>, document: &Self::Document) -> Result<i64, StoreError> {
        let id = self.commission.store(tx, document)?;
        (self.link)(tx, id)?;
        Ok(id)
    }
}

/// Hands the pipeline a provider for a routed candidate. The Studio's own source loads
/// local models; tests hand in scripted ones.
pub trait ProviderSource {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError>;
}

/// Loads the catalogue's local models from disk, each only when this machine has the
/// memory its plan needs.
pub struct InstalledModels<'a> {
    studio: &'a Studio,
    /// Memory already planned for models kept loaded beside the one to load.
    resident_bytes: u64,
}

impl ProviderSource for InstalledModels<'_> {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let Runner::Local { path } = &candidate.runner else {
            let cloud =
                self.studio.catalog().cloud.as_ref().ok_or_else(|| {
                    ProviderError::Cloud("models.toml names no cloud model".into())
                })?;
            return Ok(Box::new(CloudProvider::from_env(cloud)?));
        };
        let model = self
            .studio
            .catalog()
            .local_model(&candidate.model)
            .ok_or_else(|| {
                ProviderError::Cloud(format!("{} is not in the catalogue", candidate.model))
            })?;
        self.studio.check_memory(model, path, self.resident_bytes)?;
        let tokenizer = self.studio.tokenizer_json(model);
        Ok(Box::new(LocalProvider::load(
            model,
            path,
            tokenizer.as_deref(),
            self.studio.device_choice(),
        )?))
    }
}

/// A local model kept loaded, with the memory planned for it.
struct Resident {
    candidate: Candidate,
    provider: SharedProvider,
    planned_bytes: u64,
}

/// The local models kept loaded between requests: as many as memory allows, the least
/// recently used unloaded first to make room. Two requests for the same model load it
/// once: the second waits at that model's gate. Nothing else waits on a load: a request
/// for a model already loaded is served at once, and each model generates under its own
/// lock, so requests to different models (Create and Coach) run side by side.
#[derive(Default)]
pub struct ResidentModels {
    loaded: Mutex<Loaded>,
    /// One gate per model id, held while that model loads.
    gates: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// How many times a model was read from disk: a model asked for twice loads once.
    loads: AtomicUsize,
}

#[derive(Default)]
struct Loaded {
    /// Least recently used first.
    models: Vec<Resident>,
    /// Memory planned for the models being loaded now.
    reserved_bytes: u64,
}

impl Loaded {
    /// The provider of a loaded model, which becomes the most recently used.
    fn take(&mut self, candidate: &Candidate) -> Option<SharedProvider> {
        let at = self.models.iter().position(|r| {
            r.candidate.model == candidate.model && r.candidate.runner == candidate.runner
        })?;
        let resident = self.models.remove(at);
        let provider = resident.provider.clone();
        self.models.push(resident);
        Some(provider)
    }

    fn planned_bytes(&self) -> u64 {
        self.models.iter().map(|r| r.planned_bytes).sum::<u64>() + self.reserved_bytes
    }
}

impl ResidentModels {
    /// The catalogue ids of the models held in memory, most recently used first.
    pub fn resident(&self) -> Vec<String> {
        self.lock()
            .models
            .iter()
            .rev()
            .map(|resident| resident.candidate.model.clone())
            .collect()
    }

    /// How many times a model was loaded from disk.
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::Relaxed)
    }

    /// A [`ProviderSource`] that lends resident models and loads others from `studio`.
    pub fn source<'a>(&'a self, studio: &'a Studio) -> ResidentSource<'a> {
        ResidentSource {
            resident: self,
            studio,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn gate(&self, model: &str) -> Arc<Mutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        gates.entry(model.to_string()).or_default().clone()
    }
}

pub struct ResidentSource<'a> {
    resident: &'a ResidentModels,
    studio: &'a Studio,
}

impl ProviderSource for ResidentSource<'_> {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let mut installed = self.studio.installed_models();
        let Runner::Local { path } = &candidate.runner else {
            return installed.provider(candidate);
        };
        if let Some(provider) = self.resident.lock().take(candidate) {
            return Ok(Box::new(provider));
        }
        let gate = self.resident.gate(&candidate.model);
        let _loading = gate.lock().unwrap_or_else(PoisonError::into_inner);
        let planned_bytes = {
            let mut loaded = self.resident.lock();
            // Loaded by the request this one waited for at the gate.
            if let Some(provider) = loaded.take(candidate) {
                return Ok(Box::new(provider));
            }
            let planned_bytes = match self.studio.catalog().local_model(&candidate.model) {
                Some(model) => self.studio.memory_plan(model, path)?.total_bytes(),
                None => 0,
            };
            // Unload the least recently used models until the new one fits.
            while !loaded.models.is_empty()
                && planned_bytes > self.studio.memory_free(loaded.planned_bytes())
            {
                loaded.models.remove(0);
            }
            installed.resident_bytes = loaded.planned_bytes();
            loaded.reserved_bytes += planned_bytes;
            planned_bytes
        };
        let provider = installed.provider(candidate).map(SharedProvider::new);
        let mut loaded = self.resident.lock();
        loaded.reserved_bytes -= planned_bytes;
        let provider = provider?;
        self.resident.loads.fetch_add(1, Ordering::Relaxed);
        loaded.models.push(Resident {
            candidate: candidate.clone(),
            provider: provider.clone(),
            planned_bytes,
        });
        Ok(Box::new(provider))
    }
}

impl Studio {
    /// The local models and cloud access usable now.
    pub fn availability(&self, network_allowed: bool) -> router::Availability {
        let (installed, cloud_ready) = self.installed_and_cloud();
        router::Availability {
            network_allowed,
            installed,
            cloud_ready,
        }
    }

    /// Where a local model's tokenizer.json lives, for models whose catalogue entry names
    /// one.
    pub fn tokenizer_file(&self, model: &str) -> PathBuf {
        self.models_dir().join(model).join("tokenizer.json")
    }

    /// The tokenizer.json a model loads with, when its catalogue entry names one.
    pub fn tokenizer_json(&self, model: &LocalModel) -> Option<PathBuf> {
        match &model.tokenizer {
            TokenizerSource::Gguf => None,
            TokenizerSource::HuggingFace(_) => Some(self.tokenizer_file(&model.id)),
        }
    }

    /// The installed models, as a [`ProviderSource`].
    pub fn installed_models(&self) -> InstalledModels<'_> {
        InstalledModels {
            studio: self,
            resident_bytes: 0,
        }
    }

    /// Writes a tutorial with the best model available, checks it, and stores it.
    pub fn generate_tutorial(
        &self,
        store: &Store,
        request: &TutorialRequest,
        network_allowed: bool,
        providers: &mut dyn ProviderSource,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<GeneratedTutorial, StudioError> {
        self.generate(
            store,
            request,
            network_allowed,
            providers,
            cancel,
            on_progress,
        )
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
        providers: &mut dyn ProviderSource,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<Generated<C::Document>, StudioError> {
        let prompt = prompts::render(commission.prompt(), &commission.prompt_values()?)?;
        let document_schema = schema_for::<C::Document>();
        let mut decoder_schema = document_schema.clone();
        commission.hold_schema(&mut decoder_schema)?;
        let route = router::route(
            self.catalog(),
            commission.task(),
            &self.availability(network_allowed),
        );
        on_progress(Progress::Routed {
            route: route.clone(),
        });
        let noun = commission.noun();
        let mut provenance = Provenance {
            generator: "template",
            tier: route.tier.clone(),
            model: None,
            route: route.clone(),
            attempts: Vec::new(),
            fallbacks: route.skipped.clone(),
            validation: ValidationReport::default(),
        };

        'candidates: for candidate in &route.candidates {
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
                on_progress(Progress::Attempt {
                    model: candidate.model.clone(),
                    attempt,
                });
                let started = Instant::now();
                let answer = provider.generate(
                    &document_request(
                        &prompt,
                        &document_schema,
                        &decoder_schema,
                        noun,
                        &feedback,
                        attempt,
                        commission.max_tokens(),
                    ),
                    cancel,
                    &mut |text| {
                        on_progress(Progress::Delta {
                            text: text.to_string(),
                        })
                    },
                );
                let latency_ms = started.elapsed().as_millis() as u64;
                let answer = match answer {
                    Ok(answer) => answer,
                    Err(ProviderError::Cancelled) => {
                        self.log(
                            store,
                            candidate,
                            &route,
                            latency_ms,
                            GenerationOutcome::Cancelled,
                            "",
                        );
                        return Err(StudioError::Cancelled);
                    }
                    Err(error) => {
                        self.log(
                            store,
                            candidate,
                            &route,
                            latency_ms,
                            GenerationOutcome::Failed,
                            &error.to_string(),
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
                        let entry = GenerationRecord {
                            task: route.task.clone(),
                            tier: route.tier.clone().unwrap_or_default(),
                            model: candidate.model.clone(),
                            tokens_in: answer.prompt_tokens,
                            tokens_out: answer.output_tokens,
                            latency_ms,
                            cost_usd: answer.cost_usd,
                            cache_hit: false,
                            outcome: GenerationOutcome::Ok,
                            detail: validation.to_string(),
                        };
                        let id = store.write(|tx| {
                            generation_log::record(tx, &entry)?;
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
                        self.log(
                            store,
                            candidate,
                            &route,
                            latency_ms,
                            GenerationOutcome::Invalid,
                            &problems.join("; "),
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
        let reason = if route.candidates.is_empty() {
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

    fn log(
        &self,
        store: &Store,
        candidate: &Candidate,
        route: &Route,
        latency_ms: u64,
        outcome: GenerationOutcome,
        detail: &str,
    ) {
        let entry = GenerationRecord {
            task: route.task.clone(),
            tier: route.tier.clone().unwrap_or_default(),
            model: candidate.model.clone(),
            tokens_in: 0,
            tokens_out: 0,
            latency_ms,
            cost_usd: 0.0,
            cache_hit: false,
            outcome,
            detail: detail.to_string(),
        };
        // The ledger is a record, not the work: a failure to write it must not lose the
        // generation's result.
        let _ = store.write(|tx| generation_log::record(tx, &entry));
    }
}

/// Named prompt values, as [`prompts::render`] takes them.
pub fn prompt_values<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
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

/// Sets a field the request decided and the answer changed, noting the repair.
pub fn hold<T: PartialEq + std::fmt::Display>(
    field: &mut T,
    wanted: T,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    if *field != wanted {
        issues.push(Issue {
            path: path.into(),
            severity: Severity::Repaired,
            message: format!("`{field}` is not the requested {wanted}"),
        });
        *field = wanted;
    }
}

/// Held fields' repairs first, then the theory engine's report.
pub fn with_held(held: Vec<Issue>, mut report: ValidationReport) -> ValidationReport {
    report.issues.splice(0..0, held);
    report
}

impl Commission for TutorialRequest {
    type Document = Tutorial;

    fn task(&self) -> TaskKind {
        TaskKind::TutorialGeneration
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::Tutorial
    }

    fn noun(&self) -> &'static str {
        "tutorial"
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        let key = requested_key(&self.key)?;
        Ok(prompt_values([
            ("instrument", self.instrument.clone()),
            ("topic", self.topic.clone()),
            ("key", key.to_string()),
            ("level", self.level.to_string()),
        ]))
    }

    fn check(&self, tutorial: &mut Tutorial) -> ValidationReport {
        let mut held = Vec::new();
        if let Ok(key) = requested_key(&self.key) {
            hold(
                &mut tutorial.music.key,
                key.to_string(),
                "music.key",
                &mut held,
            );
        }
        hold(
            &mut tutorial.overview.difficulty,
            self.level,
            "overview.difficulty",
            &mut held,
        );
        hold(
            &mut tutorial.instrument,
            self.instrument.clone(),
            "instrument",
            &mut held,
        );
        if !same_topic(&tutorial.topic, &self.topic) {
            held.push(Issue {
                path: "topic".into(),
                severity: Severity::Repaired,
                message: format!("`{}` is not the requested {}", tutorial.topic, self.topic),
            });
            tutorial.topic = self.topic.clone();
        }
        // On a topic the engine knows, its own tutorial says what music the topic requires.
        let report = match (Topic::parse(&self.topic), self.template()) {
            (Ok(topic), Ok(required)) => {
                validate::tutorial_on_topic(tutorial, topic, &required.music)
            }
            _ => validate::tutorial(tutorial),
        };
        with_held(held, report)
    }

    fn template(&self) -> Result<Tutorial, StudioError> {
        Ok(content::template::tutorial(
            &self.topic,
            &self.key,
            self.level,
        )?)
    }

    /// On a topic the engine knows, the music is the topic's, as the engine writes it; the
    /// model writes the words around it.
    fn hold_schema(&self, schema: &mut serde_json::Value) -> Result<(), StudioError> {
        let music = match Topic::parse(&self.topic) {
            Ok(_) => serde_json::to_value(self.template()?.music).ok(),
            Err(_) => None,
        };
        let holds = [
            (&["topic"][..], json!(self.topic)),
            (&["instrument"][..], json!(self.instrument)),
            (&["overview", "difficulty"][..], json!(self.level)),
            match music {
                Some(music) => (&["music"][..], music),
                None => (
                    &["music", "key"][..],
                    json!(requested_key(&self.key)?.to_string()),
                ),
            },
        ];
        for (path, value) in holds {
            hold_constant(schema, path, value).map_err(ContentError::from)?;
        }
        Ok(())
    }

    fn store(&self, tx: &Transaction<'_>, tutorial: &Tutorial) -> Result<i64, StoreError> {
        let row = batch::tutorial_row(tutorial).map_err(|error| StoreError::Invalid {
            field: "document",
            reason: error.to_string(),
        })?;
        tutorials::insert(tx, &row)
    }
}

/// Whether two topic names mean the same topic: the same known topic, or the same words.
fn same_topic(a: &str, b: &str) -> bool {
    match (Topic::parse(a), Topic::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// The request's key, parsed by the theory engine.
pub fn requested_key(key: &str) -> Result<Key, StudioError> {
    Key::from_str(key).map_err(|e| StudioError::Content(ContentError::Theory(e)))
}
