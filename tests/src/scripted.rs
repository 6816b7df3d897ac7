//! A Studio whose models are scripted: the real pipeline (routing, checks, the SQLite store
//! and the usage ledger) with answers known in advance.

use std::collections::HashMap;
use std::path::Path;

use cadence::catalog::Catalog;
use cadence::generate::ProviderSource;
use cadence::providers::{Provider, ProviderError, ScriptedProvider};
use cadence::router::Candidate;
use cadence::{AppPaths, Studio};

/// Two small local models, both "installed" (files of the catalogue's size).
pub fn two_model_studio(home: &Path) -> Studio {
    let text = r#"
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

[[tiers]]
id = "medium"
complexity = [1, 10]
model = "big"

[tasks]
"#;
    let mut text = text.to_string();
    for task in cadence::catalog::TaskKind::ALL {
        text.push_str(&format!("{} = 7\n", task.key()));
    }
    let catalog = Catalog::parse(&text, "test catalogue").unwrap();
    for id in ["big", "small"] {
        let dir = home.join("models").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{id}.gguf")), [0u8; 16]).unwrap();
    }
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
