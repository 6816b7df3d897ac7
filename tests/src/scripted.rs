//! A Studio whose models are scripted: the real pipeline (routing, checks, the SQLite store
//! and the usage ledger) with answers known in advance.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use cadence::catalog::Catalog;
use cadence::content::{Level, template};
use cadence::llm::Architecture;
use cadence::llm::synthetic::SyntheticModel;
use cadence::providers::{Provider, ProviderError, ScriptedProvider};
use cadence::router::Candidate;
use cadence::sources::ProviderSource;
use cadence::{AppPaths, Studio};
use serde_json::json;

const LOCAL_MODELS: &str = r#"
[[local]]
id = "big"
name = "Big"
architecture = "qwen2"
chat_template = "chatml"
context_length = 4096
memory_mb = 5000
stop = ["<|im_end|>"]
[local.gguf]
repo = "test/big"
file = "big.gguf"
revision = "0000000000000000000000000000000000000000"
size = 16
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[local.tokenizer]
source = "gguf"

[[local]]
id = "small"
name = "Small"
architecture = "llama"
chat_template = "chatml"
context_length = 4096
memory_mb = 300
stop = ["<|im_end|>"]
[local.gguf]
repo = "test/small"
file = "small.gguf"
revision = "0000000000000000000000000000000000000000"
size = 16
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[local.tokenizer]
source = "gguf"
"#;

/// Two small local models, both installed, that take every task.
pub fn two_model_studio(home: &Path) -> Studio {
    studio_with(
        home,
        r#"
[[tiers]]
id = "medium"
complexity = [1, 10]
model = "big"
"#,
        |_| 7,
    )
}

/// The same local models for every task but curriculum planning, whose complexity sends it
/// to the cloud tier (Gemini), falling back to the big local model.
pub fn hybrid_studio(home: &Path) -> Studio {
    cloud_tier_studio(home, cadence::catalog::TaskKind::CurriculumPlanning, "")
}

/// The same local models for every task but `cloud_task`, which goes to the cloud tier
/// (Gemini, with `cloud_settings` added to its table), falling back to the big local model.
pub fn cloud_tier_studio(
    home: &Path,
    cloud_task: cadence::catalog::TaskKind,
    cloud_settings: &str,
) -> Studio {
    studio_with(
        home,
        &format!(
            r#"
[cloud.gemini]
name = "Gemini 2.5 Pro"
model = "gemini-2.5-pro"
input_usd_per_million = 1.25
output_usd_per_million = 10.0
enabled = true
{cloud_settings}

[[tiers]]
id = "medium"
complexity = [1, 7]
model = "big"

[[tiers]]
id = "cloud"
complexity = [8, 10]
model = "gemini"
fallback = "big"
"#
        ),
        |task| if task == cloud_task { 8 } else { 7 },
    )
}

/// The two local models (real tiny GGUFs, installed) with `tiers` and any other tables, and
/// each task's complexity from `complexity`.
pub fn studio_with(
    home: &Path,
    tiers: &str,
    complexity: impl Fn(cadence::catalog::TaskKind) -> u8,
) -> Studio {
    let mut text = LOCAL_MODELS.to_string();
    // Real (tiny, random-weight) GGUFs, so that planning reads them as it reads any model.
    for (id, architecture) in [("big", Architecture::Qwen2), ("small", Architecture::Llama)] {
        let dir = home.join("models").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{id}.gguf"));
        SyntheticModel::tiny(architecture).write(&file).unwrap();
        let size = std::fs::metadata(&file).unwrap().len();
        text = text.replacen("size = 16\n", &format!("size = {size}\n"), 1);
    }
    text.push_str(&format!("{tiers}\n[tasks]\n"));
    for task in cadence::catalog::TaskKind::ALL {
        text.push_str(&format!("{} = {}\n", task.key(), complexity(task)));
    }
    let catalog = Catalog::parse(&text, "test catalogue").unwrap();
    Studio::new(AppPaths::at(home), catalog)
}

/// Scripted answers per model id; a model without answers fails its first request.
pub struct ScriptedModels(pub HashMap<String, Vec<String>>);

impl ProviderSource for ScriptedModels {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let answers = self.0.remove(&candidate.model).unwrap_or_default();
        Ok(Box::new(ScriptedProvider::new(&candidate.model, answers)))
    }
}

/// Scripted answers per model id, one list for each time the pipeline asks for that model
/// (once per document): a batch asks once for its outline and once for each tutorial.
pub struct ScriptedCalls(pub HashMap<String, VecDeque<Vec<String>>>);

impl ScriptedCalls {
    /// `model`'s answers, one list per document, in order.
    pub fn new(model: &str, documents: Vec<Vec<serde_json::Value>>) -> Self {
        let lists = documents
            .into_iter()
            .map(|answers| answers.iter().map(ToString::to_string).collect())
            .collect();
        Self(HashMap::from([(model.to_string(), lists)]))
    }
}

impl ProviderSource for ScriptedCalls {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let answers = self
            .0
            .get_mut(&candidate.model)
            .and_then(VecDeque::pop_front)
            .unwrap_or_default();
        Ok(Box::new(ScriptedProvider::new(&candidate.model, answers)))
    }
}

/// A correct model answer for a tutorial: the template's tutorial with the computed fields
/// emptied, as the prompt tells a model to leave them.
pub fn tutorial_answer(topic: &str, key: &str, level: Level) -> serde_json::Value {
    let tutorial = template::tutorial(topic, key, level).unwrap();
    let mut value = serde_json::to_value(tutorial).unwrap();
    for chord in value["music"]["chords"].as_array_mut().unwrap() {
        chord["symbol"] = json!("");
        chord["notes"] = json!([]);
        chord.as_object_mut().unwrap().remove("voicing");
    }
    value
}

fn lesson(
    title: &str,
    topic: &str,
    key: &str,
    prerequisites: serde_json::Value,
) -> serde_json::Value {
    json!({
        "title": title,
        "topic": topic,
        "key": key,
        "concepts": ["guide tones", "voice leading"],
        "difficulty": "intermediate",
        "duration_minutes": 30,
        "prerequisites": prerequisites,
        "exercises": []
    })
}

/// A correct two-week outline for an intermediate pianist starting in Bb: a ii-V-I in Bb,
/// then a blues in F and the G major scale.
pub fn curriculum_answer() -> serde_json::Value {
    json!({
        "schema_version": 1,
        "title": "Jazz foundations in two weeks",
        "instrument": "piano",
        "level": "intermediate",
        "duration_weeks": 2,
        "description": "From the ii-V-I to the blues.",
        "modules": [
            {
                "title": "The ii-V-I",
                "week_start": 1,
                "week_end": 1,
                "lessons": [lesson("ii-V-I in Bb", "ii-V-I", "Bb major", json!([]))]
            },
            {
                "title": "Blues and scales",
                "week_start": 2,
                "week_end": 2,
                "lessons": [
                    lesson("Blues in F", "blues", "F major", json!([{"module": 0, "lesson": 0}])),
                    lesson("The G major scale", "major scale", "G major", json!([]))
                ]
            }
        ]
    })
}
