//! The catalogue's two models as a user runs them, from the GGUF alone: random-weight
//! models of Phi-3.5's and Qwen2.5's shapes carrying their real vocabularies and chat
//! templates, installed as `phi-3.5-mini` and `qwen2.5-7b`, driven through the CLI.

use std::path::Path;
use std::process::Output;

use cadence_tests::{cadence, install_real_vocab_models};
use serde_json::Value;

fn run(home: &Path, args: &[&str]) -> Output {
    let output = cadence(home).args(args).output().expect("cadence runs");
    assert!(
        output.status.success(),
        "cadence {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs a command that must fail; its standard error.
fn stderr_of_failure(command: &mut std::process::Command) -> String {
    let output = command.output().expect("cadence runs");
    assert!(!output.status.success(), "{command:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn installed_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    install_real_vocab_models(home.path());
    home
}

fn llama_cpp_text_case(vocab: &str, text: &str) -> Vec<u64> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/llama_cpp_vocab_reference.json");
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = reference["vocabs"][vocab]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["text"] == text)
        .unwrap_or_else(|| panic!("no reference for {text:?}"));
    serde_json::from_value(case["ids"].clone()).unwrap()
}

#[test]
fn both_models_count_as_installed_from_the_gguf_alone() {
    let home = installed_home();
    let output = run(home.path(), &["models", "list", "--json"]);
    let models: Value = serde_json::from_slice(&output.stdout).unwrap();
    for id in ["phi-3.5-mini", "qwen2.5-7b"] {
        let model = models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        assert_eq!(model["availability"]["state"], "installed", "{model}");
    }
}

#[test]
fn tokenize_prints_llama_cpp_ids_and_the_pieces_that_spell_the_text() {
    let home = installed_home();
    for (model, vocab) in [("phi-3.5-mini", "phi-3"), ("qwen2.5-7b", "qwen2")] {
        let text = "B♭ major, F♯ minor, E𝄫, C𝄪";
        let output = run(home.path(), &["tokenize", "--model", model, "--json", text]);
        let tokens: Value = serde_json::from_slice(&output.stdout).unwrap();
        let ids: Vec<u64> = serde_json::from_value(tokens["ids"].clone()).unwrap();
        assert_eq!(ids, llama_cpp_text_case(vocab, text), "{model}");
        let pieces: Vec<String> = serde_json::from_value(tokens["pieces"].clone()).unwrap();
        assert_eq!(pieces.len(), ids.len());
        // Whole characters spell the text; a character split into bytes shows its bytes.
        assert!(
            pieces.concat().contains("B♭ major, F♯ minor"),
            "{model}: {pieces:?}"
        );
    }

    // A chat tag a user types stays text, and the table form names each token.
    let output = run(
        home.path(),
        &["tokenize", "--model", "qwen2.5-7b", "<|im_start|>"],
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(!table.contains("151644"), "{table}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("6 tokens"));
}

#[test]
fn tokenize_explains_a_model_that_is_not_there() {
    let home = tempfile::tempdir().unwrap();
    let stderr = stderr_of_failure(cadence(home.path()).args([
        "tokenize",
        "--model",
        "phi-3.5-mini",
        "hello",
    ]));
    assert!(
        stderr.contains("cadence models download phi-3.5-mini"),
        "{stderr}"
    );
}

#[test]
fn both_models_generate_text() {
    let home = installed_home();
    for model in ["phi-3.5-mini", "qwen2.5-7b"] {
        let output = run(
            home.path(),
            &[
                "generate",
                "--model",
                model,
                "--temperature",
                "0",
                "--max-tokens",
                "8",
                "--system",
                "You are a music teacher.",
                "Name a chord.",
            ],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(" 8 generated"), "{model}: {stderr}");
    }
}

#[test]
fn both_models_write_json_held_to_a_schema() {
    let home = installed_home();
    let schema = home.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"type": "object", "properties": {"key": {"enum": ["C", "G", "E♭"]}, "mode": {"enum": ["major", "minor"]}}, "required": ["key", "mode"]}"#,
    )
    .unwrap();
    for model in ["phi-3.5-mini", "qwen2.5-7b"] {
        let output = run(
            home.path(),
            &[
                "generate",
                "--model",
                model,
                "--schema",
                schema.to_str().unwrap(),
                "--temperature",
                "0",
                "Pick a key.",
            ],
        );
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(
            ["C", "G", "E♭"].contains(&document["key"].as_str().unwrap()),
            "{model}: {document}"
        );
        assert!(["major", "minor"].contains(&document["mode"].as_str().unwrap()));
    }
}

/// `cadence tutorial` on a topic the engine knows: the routed model writes the words
/// under the tutorial's schema, held to the request and to the topic's music, and the
/// engine checks it; the library keeps it as the model's.
#[test]
fn both_models_write_a_tutorial_the_engine_checks_and_the_library_keeps() {
    let home = installed_home();
    let only_phi_fits = only_phi_fits_mb(&studio_at(home.path())).to_string();
    for (model, memory_limit) in [
        ("qwen2.5-7b", None),
        ("phi-3.5-mini", Some(only_phi_fits.as_str())),
    ] {
        let mut command = cadence(home.path());
        if let Some(limit) = memory_limit {
            command.env(cadence::models::MEMORY_LIMIT_ENV, limit);
        }
        let output = command
            // Afresh: each model must write, not serve the other's cached answer.
            .args(["tutorial", "--topic", "ii-V-I", "--key", "Eb", "--no-cache"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{model}: {stderr}");
        assert!(
            stderr.contains("task tutorial_generation (complexity 7) → tier medium"),
            "{stderr}"
        );
        let saved = stderr
            .lines()
            .find(|line| line.starts_with("saved tutorial "))
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(saved.contains(&format!("(written by {model};")), "{saved}");
        let tutorial: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(tutorial["topic"], "ii-V-I");
        assert_eq!(tutorial["music"]["key"], "Eb major");
        let symbols: Vec<&str> = tutorial["music"]["chords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|chord| chord["symbol"].as_str().unwrap())
            .collect();
        assert_eq!(symbols, ["Fm7", "Bb7", "Ebmaj7", "Ebmaj7"]);
        assert!(!tutorial["title"].as_str().unwrap().trim().is_empty());
        assert!(
            !tutorial["practice_guide"]["steps"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
    let store = studio_at(home.path()).open_store().unwrap();
    assert_eq!(cadence_tests::curricula_and_tutorials(&store), (0, 2));
}

/// A memory limit, in MB, under which Phi-3.5's plan fits and Qwen2.5's does not.
fn only_phi_fits_mb(studio: &cadence::Studio) -> u64 {
    let phi = planned_bytes(studio, "phi-3.5-mini");
    let qwen = planned_bytes(studio, "qwen2.5-7b");
    assert!(phi < qwen);
    (phi + qwen) / 2 / 1_000_000
}

/// The Create screen's plan names the model that cannot start, says why and what to do,
/// and the next model on the route writes instead.
#[test]
fn the_create_screen_says_why_the_routed_model_cannot_start() {
    use cadence::planning::{CreateKind, Generator};
    let home = installed_home();
    let mut studio = studio_at(home.path());
    let plan = studio.plan(CreateKind::Tutorial, false);
    assert!(plan.model_ready && plan.cannot_start.is_none(), "{plan:?}");

    studio.set_memory_limit(Some(only_phi_fits_mb(&studio) * 1_000_000));
    let plan = studio.plan(CreateKind::Tutorial, false);
    assert_eq!(plan.model.as_deref(), Some("qwen2.5-7b"));
    assert!(!plan.model_ready);
    let problem = plan.cannot_start.expect("the reason");
    assert!(
        problem.starts_with("Qwen2.5-7B-Instruct (Q4_K_M) needs")
            && problem.contains("use Phi-3.5-mini-instruct (Q4_K_M) instead"),
        "{problem}"
    );
    assert!(
        plan.model_reason.contains("it cannot start"),
        "{}",
        plan.model_reason
    );
    assert_eq!(plan.generator, Generator::Model);
    assert!(
        plan.explanation.starts_with("phi-3.5-mini writes it"),
        "{}",
        plan.explanation
    );
}

fn studio_at(home: &Path) -> cadence::Studio {
    let catalog = cadence::Catalog::load(&home.join("models.toml")).unwrap();
    cadence::Studio::new(cadence::AppPaths::at(home), catalog)
}

fn candidate(studio: &cadence::Studio, id: &str) -> cadence::router::Candidate {
    let model = studio.catalog().local_model(id).unwrap();
    cadence::router::Candidate {
        model: id.to_string(),
        runner: cadence::router::Runner::Local {
            path: studio.model_file(model),
        },
        reason: "test".into(),
    }
}

fn planned_bytes(studio: &cadence::Studio, id: &str) -> u64 {
    let model = studio.catalog().local_model(id).unwrap();
    studio
        .memory_plan(model, &studio.model_file(model))
        .unwrap()
        .total_bytes()
}

#[test]
fn models_list_plans_memory_from_the_gguf_against_this_machine() {
    let home = installed_home();
    let output = run(home.path(), &["models", "list", "--json"]);
    let models: Value = serde_json::from_slice(&output.stdout).unwrap();
    let studio = studio_at(home.path());
    for model in models
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "local")
    {
        let id = model["id"].as_str().unwrap();
        let installed = model["availability"]["state"] == "installed";
        assert_eq!(model["memory_planned"], installed, "{model}");
        assert!(model["machine_memory_mb"].as_u64().unwrap() > 0);
        if installed {
            assert_eq!(
                model["memory_mb"].as_u64().unwrap(),
                planned_bytes(&studio, id) / 1_000_000
            );
        }
    }
}

#[test]
fn a_load_that_will_not_fit_is_refused_with_what_to_do() {
    let home = installed_home();
    let stderr = stderr_of_failure(
        cadence(home.path())
            .env(cadence::models::MEMORY_LIMIT_ENV, "20")
            .args(["generate", "--model", "qwen2.5-7b", "Name a chord."]),
    );
    assert!(
        stderr.contains("Qwen2.5-7B-Instruct (Q4_K_M) needs"),
        "{stderr}"
    );
    assert!(stderr.contains("at 8192 tokens of context"), "{stderr}");
    assert!(
        stderr.contains("use Phi-3.5-mini-instruct (Q4_K_M) instead"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lower its context_length in models.toml"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn both_models_stay_loaded_while_memory_allows_and_the_least_recently_used_makes_room() {
    use cadence::sources::{ProviderSource, ResidentModels};
    let home = installed_home();
    let mut studio = studio_at(home.path());
    let (phi, qwen) = (
        candidate(&studio, "phi-3.5-mini"),
        candidate(&studio, "qwen2.5-7b"),
    );

    let resident = ResidentModels::default();
    let mut source = resident.source(&studio);
    for wanted in [&phi, &qwen, &phi, &qwen, &phi] {
        assert_eq!(source.provider(wanted).unwrap().model(), wanted.model);
    }
    assert_eq!(resident.resident(), ["phi-3.5-mini", "qwen2.5-7b"]);
    assert_eq!(resident.loads(), 2, "each model is loaded once");

    // A model let go is read from disk again when next asked for; the other stays.
    assert!(resident.unload("qwen2.5-7b"));
    assert!(!resident.unload("qwen2.5-7b"), "it was already let go");
    assert_eq!(resident.resident(), ["phi-3.5-mini"]);
    source.provider(&qwen).unwrap();
    source.provider(&phi).unwrap();
    assert_eq!(resident.resident(), ["phi-3.5-mini", "qwen2.5-7b"]);
    assert_eq!(resident.loads(), 3);

    // Room for one of them only: loading the other unloads the least recently used.
    let room = planned_bytes(&studio, "phi-3.5-mini").max(planned_bytes(&studio, "qwen2.5-7b"));
    studio.set_memory_limit(Some(room + 1_000_000));
    let resident = ResidentModels::default();
    let mut source = resident.source(&studio);
    source.provider(&phi).unwrap();
    source.provider(&qwen).unwrap();
    assert_eq!(resident.resident(), ["qwen2.5-7b"]);
    source.provider(&phi).unwrap();
    assert_eq!(resident.resident(), ["phi-3.5-mini"]);
    assert_eq!(resident.loads(), 3);
}

#[test]
fn two_requests_for_one_model_load_it_once_and_different_models_do_not_wait_on_each_other() {
    use cadence::llm::{CancelToken, Message};
    use cadence::providers::ProviderRequest;
    use cadence::sources::{ProviderSource, ResidentModels};
    use std::sync::mpsc;
    use std::time::Duration;

    let home = installed_home();
    let studio = studio_at(home.path());
    let (phi, qwen) = (
        candidate(&studio, "phi-3.5-mini"),
        candidate(&studio, "qwen2.5-7b"),
    );
    let resident = ResidentModels::default();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| resident.source(&studio).provider(&phi).unwrap());
        }
    });
    assert_eq!(resident.loads(), 1);

    let request = ProviderRequest {
        messages: vec![Message::user("Name a chord.")],
        schema: None,
        decoder_schema: None,
        max_tokens: 4,
        temperature: 0.0,
        seed: 0,
    };
    let (qwen_done, wait_for_qwen) = mpsc::channel();
    std::thread::scope(|scope| {
        // Phi's request holds its model mid-answer until Qwen's request has finished.
        let (resident, studio, phi, request) = (&resident, &studio, &phi, &request);
        let phi_request = scope.spawn(move || {
            let mut provider = resident.source(studio).provider(phi).unwrap();
            let mut waited = None;
            provider
                .generate(request, &CancelToken::new(), &mut |_| {
                    if waited.is_none() {
                        waited = Some(wait_for_qwen.recv_timeout(Duration::from_secs(120)));
                    }
                })
                .unwrap();
            waited.expect("phi wrote text").is_ok()
        });
        let mut provider = resident.source(studio).provider(&qwen).unwrap();
        provider
            .generate(request, &CancelToken::new(), &mut |_| {})
            .unwrap();
        qwen_done.send(()).unwrap();
        assert!(
            phi_request.join().unwrap(),
            "qwen's request waited for phi's"
        );
    });
    assert_eq!(resident.loads(), 2);
}

#[test]
fn a_model_that_cannot_start_is_named_with_the_reason_before_the_template_stands_in() {
    let home = installed_home();
    let output = cadence(home.path())
        .env(cadence::models::MEMORY_LIMIT_ENV, "20")
        .args(["tutorial", "--topic", "ii-V-I", "--key", "Eb"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warning = stderr
        .lines()
        .find(|line| line.starts_with("warning: "))
        .unwrap_or_else(|| panic!("no warning line:\n{stderr}"));
    assert!(
        warning.contains("Qwen2.5-7B-Instruct (Q4_K_M) needs"),
        "{warning}"
    );
    assert!(warning.contains("lower its context_length"), "{warning}");
    assert!(stderr.contains("template"), "{stderr}");

    // The coach says so too, before it answers or gives up.
    let output = cadence(home.path())
        .env(cadence::models::MEMORY_LIMIT_ENV, "20")
        .args(["coach", "What is a tritone?"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("warning: ") && line.contains(" needs ")),
        "{stderr}"
    );
}

#[test]
fn the_models_folder_setting_is_where_models_are_found_and_loaded_from() {
    let home = installed_home();
    let elsewhere = home.path().join("elsewhere");
    std::fs::rename(home.path().join("models"), &elsewhere).unwrap();
    let output = run(home.path(), &["models", "list", "--json"]);
    assert!(!String::from_utf8_lossy(&output.stdout).contains("\"installed\""));

    std::fs::write(
        home.path().join("settings.json"),
        serde_json::json!({ "models_folder": elsewhere }).to_string(),
    )
    .unwrap();
    let output = run(home.path(), &["models", "path"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        elsewhere.display().to_string()
    );
    let output = run(home.path(), &["models", "list", "--json"]);
    let models: Value = serde_json::from_slice(&output.stdout).unwrap();
    let installed = models
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["availability"]["state"] == "installed")
        .count();
    assert_eq!(installed, 2);
    run(
        home.path(),
        &[
            "generate",
            "--model",
            "phi-3.5-mini",
            "--max-tokens",
            "2",
            "Hi",
        ],
    );
}
