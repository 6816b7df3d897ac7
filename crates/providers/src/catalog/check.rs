//! models.toml's tables as they are written, and the checks that turn them into the typed
//! [`Catalog`], each failure pointing at the span to fix.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Architecture, COMPLEXITY, Catalog, CloudModel, HfFile, LocalModel, RateLimits, TaskKind, Tier,
    TierTarget, TokenizerSource,
};
use cadence_llm::{BUILTIN_TEMPLATES, ChatTemplate};
use servers::{RawRateLimits, RawServer, rate_limits_of};

mod servers;

/// A semantic problem found after parsing, with the span it points at.
pub(super) struct Problem {
    pub(super) span: Range<usize>,
    pub(super) message: String,
    pub(super) hint: String,
}

pub(super) fn problem(
    span: Range<usize>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Problem {
    Problem {
        span,
        message: message.into(),
        hint: hint.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    #[serde(default)]
    local: Vec<RawLocalModel>,
    cloud: Option<RawCloud>,
    #[serde(default)]
    server: Vec<Spanned<RawServer>>,
    #[serde(default)]
    tiers: Vec<Spanned<RawTier>>,
    tasks: RawTaskTable,
    cache_ttl_days: Option<RawTaskTable>,
}

/// A table of task keys to whole numbers, as written.
type RawTaskTable = Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalModel {
    id: Spanned<String>,
    name: String,
    architecture: Architecture,
    chat_template: Option<Spanned<String>>,
    context_length: Spanned<u32>,
    stop: Spanned<Vec<String>>,
    memory_mb: u64,
    gguf: Spanned<HfFile>,
    tokenizer: Option<RawTokenizer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokenizer {
    /// `"gguf"` or `"huggingface"`.
    source: Spanned<String>,
    repo: Option<String>,
    file: Option<String>,
    revision: Option<String>,
    size: Option<u64>,
    sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    gemini: Option<Spanned<RawCloudModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloudModel {
    name: String,
    model: String,
    input_usd_per_million: f64,
    output_usd_per_million: f64,
    enabled: bool,
    requests_per_minute: Option<Spanned<i64>>,
    requests_per_day: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    id: String,
    complexity: Spanned<[i64; 2]>,
    model: Spanned<String>,
    fallback: Option<Spanned<String>>,
}

const GEMINI_ID: &str = "gemini";

impl RawCatalog {
    pub(super) fn check(self) -> Result<Catalog, Problem> {
        let local = self
            .local
            .into_iter()
            .map(RawLocalModel::check)
            .collect::<Result<Vec<_>, _>>()?;
        let servers = self
            .server
            .into_iter()
            .map(RawServer::check)
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = HashSet::from([GEMINI_ID]);
        let ids = local
            .iter()
            .map(|model| (&model.id, "[[local]] model"))
            .chain(servers.iter().map(|server| (&server.id, "[[server]]")));
        for (id, table) in ids {
            if !seen.insert(id.get_ref().as_str()) {
                return Err(problem(
                    id.span(),
                    format!("model id `{}` is used twice", id.get_ref()),
                    format!(
                        "give this {table} an id no other model or server has (and not `{GEMINI_ID}`)"
                    ),
                ));
            }
        }
        let local_ids: HashSet<String> = local.iter().map(|m| m.id.get_ref().clone()).collect();
        let server_ids: HashSet<String> = servers.iter().map(|s| s.id.get_ref().clone()).collect();
        let mut rate_limits: BTreeMap<String, RateLimits> = servers
            .iter()
            .map(|server| (server.model.id.clone(), server.limits))
            .collect();
        let cloud = match self.cloud.and_then(|cloud| cloud.gemini) {
            Some(gemini) => {
                let gemini = gemini.into_inner();
                let limits = rate_limits_of(RawRateLimits {
                    requests_per_minute: gemini.requests_per_minute,
                    requests_per_day: gemini.requests_per_day,
                })?;
                rate_limits.insert(GEMINI_ID.into(), limits);
                Some(CloudModel {
                    id: GEMINI_ID.into(),
                    name: gemini.name,
                    model: gemini.model,
                    input_usd_per_million: gemini.input_usd_per_million,
                    output_usd_per_million: gemini.output_usd_per_million,
                    enabled: gemini.enabled,
                })
            }
            None => None,
        };
        let targets = Targets {
            local: &local_ids,
            servers: &server_ids,
            has_cloud: cloud.is_some(),
        };
        let tiers = check_tiers(self.tiers, &targets)?;
        let tasks = check_tasks(self.tasks, &tiers)?;
        let cache_ttl_days = match self.cache_ttl_days {
            Some(table) => check_cache_ttls(table)?,
            None => BTreeMap::new(),
        };
        Ok(Catalog {
            source: String::new(),
            local: local.into_iter().map(|m| m.model).collect(),
            cloud,
            servers: servers.into_iter().map(|s| s.model).collect(),
            tiers,
            tasks,
            rate_limits,
            cache_ttl_days,
        })
    }
}

/// Whether an id names a folder and a table safely: letters, digits, `-`, `.` and `_`.
pub(super) fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

struct CheckedLocal {
    id: Spanned<String>,
    model: LocalModel,
}

impl RawLocalModel {
    fn check(self) -> Result<CheckedLocal, Problem> {
        let id = self.id.get_ref();
        if !is_plain_id(id) {
            return Err(problem(
                self.id.span(),
                format!("model id `{id}` is not a valid id"),
                "use letters, digits, `-`, `.` and `_` only (it names the model's folder)",
            ));
        }
        let gguf_span = self.gguf.span();
        let gguf = self.gguf.into_inner();
        let sha_ok = gguf.sha256.len() == 64 && gguf.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !sha_ok {
            return Err(problem(
                gguf_span,
                format!(
                    "sha256 of `{}` must be 64 hexadecimal digits, found `{}`",
                    gguf.file, gguf.sha256
                ),
                "copy the SHA-256 that Hugging Face lists for the file",
            ));
        }
        if gguf.size == 0 || !gguf.file.ends_with(".gguf") {
            return Err(problem(
                gguf_span,
                format!(
                    "`{}` ({} bytes) is not a usable GGUF file entry",
                    gguf.file, gguf.size
                ),
                "name a .gguf file and give its exact size in bytes",
            ));
        }
        let context = *self.context_length.get_ref();
        if !(512..=131_072).contains(&context) {
            return Err(problem(
                self.context_length.span(),
                format!("context_length {context} is out of range"),
                "use a context length between 512 and 131072 tokens (4096 suits most lessons)",
            ));
        }
        if self.stop.get_ref().is_empty() || self.stop.get_ref().iter().any(String::is_empty) {
            return Err(problem(
                self.stop.span(),
                "stop must list at least one non-empty end token",
                "list the model's end-of-turn tokens, e.g. stop = [\"<|im_end|>\"]",
            ));
        }
        let tokenizer = match self.tokenizer {
            Some(tokenizer) => tokenizer.check()?,
            None => TokenizerSource::Gguf,
        };
        let chat_template = match self.chat_template {
            Some(setting) if ChatTemplate::from_setting(setting.get_ref()).is_none() => {
                return Err(problem(
                    setting.span(),
                    format!(
                        "chat_template `{}` is neither a built-in template nor Jinja",
                        setting.get_ref()
                    ),
                    format!(
                        "use one of {} or a Jinja template, or remove it to use the GGUF's own",
                        BUILTIN_TEMPLATES.join(", ")
                    ),
                ));
            }
            setting => setting.map(Spanned::into_inner),
        };
        Ok(CheckedLocal {
            model: LocalModel {
                id: id.clone(),
                name: self.name,
                architecture: self.architecture,
                gguf,
                tokenizer,
                chat_template,
                context_length: context,
                stop: self.stop.into_inner(),
                memory_mb: self.memory_mb,
            },
            id: self.id,
        })
    }
}

impl RawTokenizer {
    fn check(self) -> Result<TokenizerSource, Problem> {
        match (
            self.source.get_ref().as_str(),
            self.repo,
            self.file,
            self.revision,
            self.size,
            self.sha256,
        ) {
            ("gguf", None, None, None, None, None) => Ok(TokenizerSource::Gguf),
            ("huggingface", Some(repo), Some(file), Some(revision), Some(size), Some(sha256))
                if size > 0
                    && sha256.len() == 64
                    && sha256.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok(TokenizerSource::HuggingFace(HfFile {
                    repo,
                    file,
                    revision,
                    size,
                    sha256,
                }))
            }
            ("gguf", ..) => Err(problem(
                self.source.span(),
                "a tokenizer read from the GGUF takes no repo, file, revision, size or sha256",
                "remove them, or set source = \"huggingface\"",
            )),
            ("huggingface", ..) => Err(problem(
                self.source.span(),
                "a Hugging Face tokenizer needs repo, file, revision, size and sha256",
                "add repo = \"owner/name\", file = \"tokenizer.json\", the revision, and the \
                 file's size in bytes and 64-digit SHA-256 (or remove [local.tokenizer] to use \
                 the GGUF's own vocabulary)",
            )),
            (other, ..) => Err(problem(
                self.source.span(),
                format!("unknown tokenizer source `{other}`"),
                "use source = \"gguf\" or source = \"huggingface\"",
            )),
        }
    }
}

/// The ids a tier may name.
struct Targets<'a> {
    local: &'a HashSet<String>,
    servers: &'a HashSet<String>,
    has_cloud: bool,
}

fn check_tiers(raw: Vec<Spanned<RawTier>>, targets: &Targets<'_>) -> Result<Vec<Tier>, Problem> {
    let local_ids = targets.local;
    let mut tiers: Vec<(Range<usize>, Tier)> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let tier_span = spanned.span();
        let tier = spanned.into_inner();
        let [low, high] = *tier.complexity.get_ref();
        let in_scale = |value: i64| u8::try_from(value).is_ok_and(|v| COMPLEXITY.contains(&v));
        if !(in_scale(low) && in_scale(high) && low <= high) {
            return Err(problem(
                tier.complexity.span(),
                format!("tier `{}` has complexity [{low}, {high}]", tier.id),
                "give [lowest, highest] with 1 ≤ lowest ≤ highest ≤ 10",
            ));
        }
        let (low, high) = (low as u8, high as u8);
        if let Some((_, other)) = tiers
            .iter()
            .find(|(_, other)| *other.complexity.start() <= high && low <= *other.complexity.end())
        {
            return Err(problem(
                tier.complexity.span(),
                format!(
                    "tier `{}` ({low}–{high}) overlaps tier `{}` ({}–{})",
                    tier.id,
                    other.id,
                    other.complexity.start(),
                    other.complexity.end()
                ),
                "make the tiers' complexity ranges disjoint so each complexity has one tier",
            ));
        }
        let model = tier.model.get_ref();
        let target = if local_ids.contains(model) {
            TierTarget::Local(model.clone())
        } else if targets.servers.contains(model) {
            TierTarget::Server(model.clone())
        } else if model == GEMINI_ID && targets.has_cloud {
            TierTarget::Cloud(model.clone())
        } else {
            return Err(problem(
                tier.model.span(),
                format!(
                    "tier `{}` names model `{model}`, which is not in the catalogue",
                    tier.id
                ),
                "name the id of a [[local]] model or a [[server]], or \"gemini\" with a [cloud.gemini] table",
            ));
        };
        let fallback = match tier.fallback {
            Some(fallback) if !local_ids.contains(fallback.get_ref()) => {
                return Err(problem(
                    fallback.span(),
                    format!("fallback `{}` is not a local model", fallback.get_ref()),
                    "name the id of a [[local]] model",
                ));
            }
            Some(fallback) => Some(fallback.into_inner()),
            None if matches!(target, TierTarget::Cloud(_)) => {
                return Err(problem(
                    tier_span,
                    format!("cloud tier `{}` has no local fallback", tier.id),
                    "add fallback = \"<local model id>\" for when the network is not allowed",
                ));
            }
            None if matches!(target, TierTarget::Server(_)) => {
                return Err(problem(
                    tier_span,
                    format!("server tier `{}` has no local fallback", tier.id),
                    "add fallback = \"<local model id>\" for when the server cannot be reached",
                ));
            }
            None => None,
        };
        tiers.push((
            tier_span,
            Tier {
                id: tier.id,
                complexity: low..=high,
                target,
                fallback,
            },
        ));
    }
    tiers.sort_by_key(|(_, tier)| *tier.complexity.start());
    Ok(tiers.into_iter().map(|(_, tier)| tier).collect())
}

fn task_of(key: &Spanned<String>) -> Result<TaskKind, Problem> {
    TaskKind::from_key(key.get_ref()).ok_or_else(|| {
        let known: Vec<_> = TaskKind::ALL.iter().map(|t| t.key()).collect();
        problem(
            key.span(),
            format!("unknown task `{}`", key.get_ref()),
            format!("use one of: {}", known.join(", ")),
        )
    })
}

/// Longest time an answer may be served again: a year.
const MAX_CACHE_TTL_DAYS: i64 = 365;

fn check_cache_ttls(raw: RawTaskTable) -> Result<BTreeMap<TaskKind, u32>, Problem> {
    let mut ttls = BTreeMap::new();
    for (key, value) in raw.into_inner() {
        let task = task_of(&key)?;
        if task == TaskKind::Coaching {
            return Err(problem(
                key.span(),
                "coaching answers are never cached",
                "remove `coaching` from [cache_ttl_days]: each answer follows its conversation",
            ));
        }
        let days = *value.get_ref();
        if !(1..=MAX_CACHE_TTL_DAYS).contains(&days) {
            return Err(problem(
                value.span(),
                format!("task `{task}` is cached for {days} days"),
                format!(
                    "give 1 to {MAX_CACHE_TTL_DAYS} days, or remove the line to cache nothing for it"
                ),
            ));
        }
        ttls.insert(task, days as u32);
    }
    Ok(ttls)
}

fn check_tasks(raw: RawTaskTable, tiers: &[Tier]) -> Result<BTreeMap<TaskKind, u8>, Problem> {
    let table_span = raw.span();
    let mut tasks = BTreeMap::new();
    for (key, value) in raw.into_inner() {
        let task = task_of(&key)?;
        let complexity = u8::try_from(*value.get_ref())
            .ok()
            .filter(|c| COMPLEXITY.contains(c))
            .ok_or_else(|| {
                problem(
                    value.span(),
                    format!("task `{task}` has complexity {}", value.get_ref()),
                    "use a whole number from 1 to 10",
                )
            })?;
        if !tiers
            .iter()
            .any(|tier| tier.complexity.contains(&complexity))
        {
            return Err(problem(
                value.span(),
                format!("task `{task}` has complexity {complexity}, which no tier covers"),
                "widen a [[tiers]] complexity range to include it, or change the task's complexity",
            ));
        }
        tasks.insert(task, complexity);
    }
    if let Some(missing) = TaskKind::ALL.iter().find(|task| !tasks.contains_key(task)) {
        return Err(problem(
            table_span,
            format!("task `{missing}` has no complexity"),
            format!("add `{missing} = <1-10>` to [tasks]"),
        ));
    }
    Ok(tasks)
}
