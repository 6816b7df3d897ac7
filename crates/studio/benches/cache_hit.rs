//! How long a request answered from the response cache takes, end to end through the
//! Studio: routing, the cache lookup in a real SQLite file, parsing and checking every
//! musical fact again, and storing the document. The target is under 5 ms.
//!
//! `cargo bench -p cadence-studio --bench cache_hit` prints the figures as JSON.

use std::path::Path;
use std::time::Instant;

use cadence_studio::commissions::TutorialRequest;
use cadence_studio::content::{Level, template};
use cadence_studio::llm::CancelToken;
use cadence_studio::providers::{Provider, ProviderError, ScriptedProvider};
use cadence_studio::router::Candidate;
use cadence_studio::sources::{ProviderSource, Writers};
use cadence_studio::{AppPaths, Catalog, Studio};

const RUNS: usize = 200;

/// One local model, "installed" as a placeholder file: a hit never loads it.
fn studio(home: &Path) -> Studio {
    let dir = home.join("models").join("writer");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("writer.gguf"), [0u8; 16]).unwrap();
    let mut catalog = String::from(
        r#"
[[local]]
id = "writer"
name = "Writer"
architecture = "llama"
context_length = 4096
memory_mb = 100
stop = ["<|im_end|>"]
[local.gguf]
repo = "bench/writer"
file = "writer.gguf"
revision = "0000000000000000000000000000000000000000"
size = 16
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"

[[tiers]]
id = "all"
complexity = [1, 10]
model = "writer"

[cache_ttl_days]
tutorial_generation = 30

[tasks]
"#,
    );
    for task in cadence_studio::catalog::TaskKind::ALL {
        catalog.push_str(&format!("{} = 5\n", task.key()));
    }
    Studio::new(
        AppPaths::at(home),
        Catalog::parse(&catalog, "bench catalogue").unwrap(),
    )
}

/// The model's one answer: the template's tutorial with the computed fields left empty.
struct OneAnswer(Option<String>);

impl ProviderSource for OneAnswer {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        Ok(Box::new(ScriptedProvider::new(
            &candidate.model,
            self.0.take(),
        )))
    }
}

fn answer(request: &TutorialRequest) -> String {
    let tutorial = template::tutorial(&request.topic, &request.key, request.level).unwrap();
    let mut value = serde_json::to_value(tutorial).unwrap();
    for chord in value["music"]["chords"].as_array_mut().unwrap() {
        chord["symbol"] = serde_json::json!("");
        chord["notes"] = serde_json::json!([]);
        chord.as_object_mut().unwrap().remove("voicing");
    }
    value.to_string()
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    let studio = studio(home.path());
    let store = studio.open_store().unwrap();
    let request = TutorialRequest {
        topic: "ii-V-I".into(),
        key: "Eb".into(),
        level: Level::Intermediate,
        instrument: "piano".into(),
    };
    let create = |source: &mut OneAnswer| {
        let started = Instant::now();
        let generated = studio
            .create_tutorial(
                &store,
                &request,
                Writers::Models(source),
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap();
        (started.elapsed().as_secs_f64() * 1e3, generated.provenance)
    };
    let (first_ms, first) = create(&mut OneAnswer(Some(answer(&request))));
    assert!(!first.cached && first.model.is_some());
    let mut hits: Vec<f64> = (0..RUNS)
        .map(|_| {
            let (ms, provenance) = create(&mut OneAnswer(None));
            assert!(provenance.cached, "run not served from the cache");
            ms
        })
        .collect();
    hits.sort_by(f64::total_cmp);
    let at = |share: f64| hits[((hits.len() - 1) as f64 * share).round() as usize];
    let report = serde_json::json!({
        "runs": RUNS,
        "first_answer_ms": first_ms,
        "hit_ms": { "median": at(0.5), "p95": at(0.95), "max": at(1.0) },
        "target_ms": 5.0,
        "median_under_target": at(0.5) < 5.0,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
