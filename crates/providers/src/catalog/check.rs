//! models.toml's tables as they are written, and the checks that turn them into the typed
//! [`Catalog`], each failure pointing at the span to fix.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Architecture, COMPLEXITY, Catalog, CloudModel, HfFile, LocalModel, TaskKind, Tier, TierTarget,
    TokenizerSource,
};
use cadence_llm::{BUILTIN_TEMPLATES, ChatTemplate};

/// A semantic problem found after parsing, with the span it points at.
pub(super) struct Problem {
    pub(super) span: Range<usize>,
    pub(super) message: String,
    pub(super) hint: String,
}

fn problem(span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) -> Problem {
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
    tiers: Vec<Spanned<RawTier>>,
    tasks: Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>,
}

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
        let mut seen = HashSet::new();
        for model in &local {
            if !seen.insert(model.id.get_ref().as_str()) {
                return Err(problem(
                    model.id.span(),
                    format!("local model id `{}` is used twice", model.id.get_ref()),
                    "give each [[local]] model its own id",
                ));
            }
        }
        let local_ids: HashSet<String> = local.iter().map(|m| m.id.get_ref().clone()).collect();
        let cloud = self.cloud.and_then(|cloud| cloud.gemini).map(|gemini| {
            let gemini = gemini.into_inner();
            CloudModel {
                id: GEMINI_ID.into(),
                name: gemini.name,
                model: gemini.model,
                input_usd_per_million: gemini.input_usd_per_million,
                output_usd_per_million: gemini.output_usd_per_million,
                enabled: gemini.enabled,
            }
        });
        let tiers = check_tiers(self.tiers, &local_ids, cloud.is_some())?;
        let tasks = check_tasks(self.tasks, &tiers)?;
        Ok(Catalog {
            source: String::new(),
            local: local.into_iter().map(|m| m.model).collect(),
            cloud,
            tiers,
            tasks,
        })
    }
}

struct CheckedLocal {
    id: Spanned<String>,
    model: LocalModel,
}

impl RawLocalModel {
    fn check(self) -> Result<CheckedLocal, Problem> {
        let id = self.id.get_ref();
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !valid_id {
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

fn check_tiers(
    raw: Vec<Spanned<RawTier>>,
    local_ids: &HashSet<String>,
    has_cloud: bool,
) -> Result<Vec<Tier>, Problem> {
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
        } else if model == GEMINI_ID && has_cloud {
            TierTarget::Cloud(model.clone())
        } else {
            return Err(problem(
                tier.model.span(),
                format!(
                    "tier `{}` names model `{model}`, which is not in the catalogue",
                    tier.id
                ),
                "name the id of a [[local]] model, or \"gemini\" with a [cloud.gemini] table",
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

type RawTasks = Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>;

fn check_tasks(raw: RawTasks, tiers: &[Tier]) -> Result<BTreeMap<TaskKind, u8>, Problem> {
    let table_span = raw.span();
    let mut tasks = BTreeMap::new();
    for (key, value) in raw.into_inner() {
        let Some(task) = TaskKind::from_key(key.get_ref()) else {
            let known: Vec<_> = TaskKind::ALL.iter().map(|t| t.key()).collect();
            return Err(problem(
                key.span(),
                format!("unknown task `{}`", key.get_ref()),
                format!("use one of: {}", known.join(", ")),
            ));
        };
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
