//! The model catalogue: the shipped models.toml, and every kind of mistake a user can make
//! in their own copy, each reported with the file, the line and what to change.

use cadence::catalog::{
    Architecture, BUILTIN_TOML, Catalog, CatalogError, TaskKind, TierTarget, TokenizerSource,
};

fn invalid(text: &str) -> (usize, String) {
    match Catalog::parse(text, "test-models.toml") {
        Ok(_) => panic!("catalogue was accepted:\n{text}"),
        Err(error @ CatalogError::Invalid { line, .. }) => (line, error.to_string()),
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

/// The shipped catalogue with `from` replaced by `to` (exactly once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(
        BUILTIN_TOML.matches(from).count(),
        1,
        "`{from}` is not unique"
    );
    BUILTIN_TOML.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    let offset = text.find(needle).expect("needle present");
    text[..offset].matches('\n').count() + 1
}

#[test]
fn shipped_catalogue_has_the_three_local_models_and_gemini() {
    let catalog = Catalog::builtin().expect("the shipped models.toml is valid");
    let ids: Vec<_> = catalog.local.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["phi-3.5-mini", "qwen2.5-7b", "smollm2-135m"]);

    let phi = catalog.local_model("phi-3.5-mini").unwrap();
    assert_eq!(phi.architecture, Architecture::Phi3);
    // Every shipped model runs from its GGUF alone: its own vocabulary and chat template.
    assert_eq!(phi.chat_template, None);
    assert_eq!(phi.context_length, 4096);
    assert!(phi.stop.contains(&"<|end|>".to_string()));
    assert_eq!(phi.tokenizer, TokenizerSource::Gguf);
    assert!(phi.gguf.file.ends_with("Q4_K_M.gguf"));

    let qwen = catalog.local_model("qwen2.5-7b").unwrap();
    assert_eq!(qwen.architecture, Architecture::Qwen2);
    assert_eq!(qwen.chat_template, None);
    assert_eq!(qwen.tokenizer, TokenizerSource::Gguf);

    let smol = catalog.local_model("smollm2-135m").unwrap();
    assert_eq!(smol.architecture, Architecture::Llama);
    assert_eq!(smol.tokenizer, TokenizerSource::Gguf);
    assert_eq!(smol.gguf.sha256, cadence_tests::SMOLLM2_SHA256);
    assert_eq!(smol.gguf.file, cadence_tests::SMOLLM2_FILE);

    let gemini = catalog.cloud.as_ref().expect("a cloud model");
    assert!(gemini.model.starts_with("gemini-"));
    assert!(gemini.input_usd_per_million > 0.0 && gemini.output_usd_per_million > 0.0);
}

#[test]
fn shipped_routing_follows_the_complexity_table() {
    let catalog = Catalog::builtin().unwrap();
    let expected = [
        (TaskKind::CurriculumPlanning, 8),
        (TaskKind::TutorialGeneration, 7),
        (TaskKind::ExerciseGeneration, 4),
        (TaskKind::ProgressionGeneration, 4),
        (TaskKind::TheoryAnalysis, 5),
        (TaskKind::Coaching, 5),
        (TaskKind::ContentValidation, 3),
        (TaskKind::Assessments, 6),
        (TaskKind::Reharmonisation, 5),
    ];
    for (task, complexity) in expected {
        assert_eq!(catalog.complexity(task), complexity, "{task}");
    }
    for task in TaskKind::ALL {
        let tier = catalog.tier_for_task(task).expect("every task has a tier");
        let expected_target = match catalog.complexity(task) {
            1..=4 => TierTarget::Local("phi-3.5-mini".into()),
            5..=7 => TierTarget::Local("qwen2.5-7b".into()),
            _ => TierTarget::Cloud("gemini".into()),
        };
        assert_eq!(tier.target, expected_target, "{task}");
    }
    let cloud = catalog.tier_for_complexity(9).unwrap();
    assert_eq!(cloud.fallback.as_deref(), Some("qwen2.5-7b"));
}

#[test]
fn unknown_architecture_names_the_line_and_the_choices() {
    let text = edited("architecture = \"phi3\"", "architecture = \"gpt5\"");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "\"gpt5\""));
    assert!(
        message.starts_with(&format!("test-models.toml:{line}:")),
        "{message}"
    );
    assert!(message.contains("gpt5"), "{message}");
    assert!(
        message.contains("llama") && message.contains("phi3") && message.contains("qwen2"),
        "{message}"
    );
}

#[test]
fn overlapping_tiers_are_refused() {
    let text = edited("complexity = [5, 7]", "complexity = [4, 7]");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "complexity = [4, 7]"));
    assert!(
        message.contains("tier `medium` (4–7) overlaps tier `small` (1–4)"),
        "{message}"
    );
    assert!(
        message.contains("fix: make the tiers' complexity ranges disjoint"),
        "{message}"
    );
}

#[test]
fn task_with_no_tier_is_refused() {
    let text = edited("complexity = [8, 10]", "complexity = [8, 9]")
        .replace("curriculum_planning = 8", "curriculum_planning = 10");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "curriculum_planning = 10"));
    assert!(
        message.contains("task `curriculum_planning` has complexity 10, which no tier covers"),
        "{message}"
    );
    assert!(
        message.contains("fix: widen a [[tiers]] complexity range"),
        "{message}"
    );
}

#[test]
fn task_missing_from_the_table_is_refused() {
    let text = edited("coaching = 5\n", "");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "[tasks]"));
    assert!(
        message.contains("task `coaching` has no complexity"),
        "{message}"
    );
    assert!(
        message.contains("add `coaching = <1-10>` to [tasks]"),
        "{message}"
    );
}

#[test]
fn unknown_task_is_refused() {
    let text = edited("coaching = 5", "coaching = 5\ncooking = 2");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "cooking"));
    assert!(message.contains("unknown task `cooking`"), "{message}");
    assert!(
        message.contains("use one of: curriculum_planning"),
        "{message}"
    );
}

#[test]
fn missing_sha256_is_refused() {
    let text = edited(
        "sha256 = \"65b8fcd92af6b4fefa935c625d1ac27ea29dcb6ee14589c55a8f115ceaaa1423\"\n",
        "",
    );
    let (line, message) = invalid(&text);
    let qwen_repo = text.find("repo = \"bartowski/Qwen2.5").unwrap();
    let qwen_table = text[..qwen_repo].rfind("[local.gguf]").unwrap();
    assert_eq!(line, text[..qwen_table].matches('\n').count() + 1);
    assert!(message.contains("missing field `sha256`"), "{message}");
    assert!(
        message.contains("fix: add `sha256 = \"<64 hex digits>\"`"),
        "{message}"
    );
}

#[test]
fn malformed_sha256_is_refused() {
    let text = edited(
        "sha256 = \"b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53\"",
        "sha256 = \"b179c95\"",
    );
    let (_, message) = invalid(&text);
    assert!(
        message
            .contains("sha256 of `SmolLM2-135M-Instruct.Q4_1.gguf` must be 64 hexadecimal digits"),
        "{message}"
    );
}

#[test]
fn tier_naming_an_unknown_model_is_refused() {
    let text = edited("model = \"qwen2.5-7b\"", "model = \"qwen3\"");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "model = \"qwen3\""));
    assert!(
        message.contains("tier `medium` names model `qwen3`, which is not in the catalogue"),
        "{message}"
    );
}

#[test]
fn cloud_tier_needs_a_local_fallback() {
    let text = edited("fallback = \"qwen2.5-7b\"\n", "");
    let (_, message) = invalid(&text);
    assert!(
        message.contains("cloud tier `cloud` has no local fallback"),
        "{message}"
    );
}

#[test]
fn duplicate_model_id_is_refused() {
    let text = edited("id = \"qwen2.5-7b\"", "id = \"phi-3.5-mini\"");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "id = \"phi-3.5-mini\"\nname = \"Qwen"));
    assert!(
        message.contains("model id `phi-3.5-mini` is used twice"),
        "{message}"
    );
}

#[test]
fn complexity_outside_the_scale_is_refused() {
    let text = edited("complexity = [1, 4]", "complexity = [0, 4]");
    let (_, message) = invalid(&text);
    assert!(
        message.contains("tier `small` has complexity [0, 4]"),
        "{message}"
    );
    assert!(message.contains("1 ≤ lowest ≤ highest ≤ 10"), "{message}");
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let text = edited("memory_mb = 480", "memory_mb = = 480");
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "memory_mb = = 480"));
    assert!(
        message.contains("fix: correct the TOML syntax"),
        "{message}"
    );
}

#[test]
fn unreadable_file_says_what_to_do() {
    let missing = std::path::Path::new("/nonexistent/cadence/models.toml");
    let message = Catalog::load(missing).unwrap_err().to_string();
    assert!(
        message.contains("cannot read the model catalogue /nonexistent/cadence/models.toml"),
        "{message}"
    );
}

#[test]
fn a_chat_template_is_a_built_in_name_or_jinja() {
    let named = edited(
        "architecture = \"phi3\"\n",
        "architecture = \"phi3\"\nchat_template = \"chatml\"\n",
    );
    let catalog = Catalog::parse(&named, "test-models.toml").unwrap();
    let phi = catalog.local_model("phi-3.5-mini").unwrap();
    assert_eq!(phi.chat_template.as_deref(), Some("chatml"));

    let jinja = edited(
        "architecture = \"phi3\"\n",
        "architecture = \"phi3\"\nchat_template = \"{% for m in messages %}{{ m.content }}{% endfor %}\"\n",
    );
    assert!(Catalog::parse(&jinja, "test-models.toml").is_ok());

    let text = edited(
        "architecture = \"phi3\"\n",
        "architecture = \"phi3\"\nchat_template = \"vicuna\"\n",
    );
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "chat_template = \"vicuna\""));
    assert!(message.contains("phi3, chatml"), "{message}");
}

#[test]
fn a_named_tokenizer_json_must_be_pinned() {
    let pin = "sha256 = \"e4165e3a71af97f1b4820da61079826d8752a2088e313af0c7d346796c38eff5\"\n";
    let text = edited(
        pin,
        &format!(
            "{pin}[local.tokenizer]\nsource = \"huggingface\"\nrepo = \"microsoft/Phi-3.5-mini-instruct\"\nfile = \"tokenizer.json\"\nrevision = \"main\"\n"
        ),
    );
    let (_, message) = invalid(&text);
    assert!(message.contains("size and sha256"), "{message}");
}

const SCHOOL_SERVER: &str = r#"
[[server]]
id = "school-server"
name = "The music department's server"
base_url = "http://192.168.1.20:8080/v1/"
model = "qwen2.5-7b-instruct"
context_length = 8192
api_key_env = "SCHOOL_SERVER_KEY"
requests_per_minute = 30
"#;

/// The shipped catalogue with the school server added and the medium tier pointed at it.
fn with_school_server(server: &str) -> String {
    format!(
        "{server}{}",
        edited(
            "model = \"qwen2.5-7b\"\n\n[[tiers]]\nid = \"cloud\"",
            "model = \"school-server\"\nfallback = \"qwen2.5-7b\"\n\n[[tiers]]\nid = \"cloud\"",
        )
    )
}

#[test]
fn a_tier_may_name_a_server() {
    let catalog = Catalog::parse(&with_school_server(SCHOOL_SERVER), "test-models.toml").unwrap();
    let server = catalog.server("school-server").unwrap();
    // The trailing slash goes: Cadence adds the endpoint's path itself.
    assert_eq!(server.base_url, "http://192.168.1.20:8080/v1");
    assert_eq!(server.api_key_env.as_deref(), Some("SCHOOL_SERVER_KEY"));
    assert_eq!(
        (server.input_usd_per_million, server.output_usd_per_million),
        (0.0, 0.0)
    );
    assert!(!server.is_loopback());
    let tier = catalog.tier_for_task(TaskKind::TutorialGeneration).unwrap();
    assert_eq!(tier.target, TierTarget::Server("school-server".into()));
    assert_eq!(tier.fallback.as_deref(), Some("qwen2.5-7b"));
    let limits = catalog.rate_limits("school-server");
    assert_eq!((limits.per_minute, limits.per_day), (Some(30), None));
    // The shipped Gemini limits are the free tier's.
    let gemini = catalog.rate_limits("gemini");
    assert_eq!((gemini.per_minute, gemini.per_day), (Some(5), Some(100)));
}

#[test]
fn server_mistakes_name_the_line_and_the_fix() {
    for (from, to, expected) in [
        (
            "base_url = \"http://192.168.1.20:8080/v1/\"",
            "base_url = \"192.168.1.20:8080\"",
            "is not an http:// or https:// address",
        ),
        (
            "base_url = \"http://192.168.1.20:8080/v1/\"",
            "base_url = \"http://192.168.1.20:8080/v1/chat/completions\"",
            "names the endpoint, not the API's base",
        ),
        (
            "model = \"qwen2.5-7b-instruct\"",
            "model = \" \"",
            "the server's model name is empty",
        ),
        (
            "context_length = 8192",
            "context_length = 100",
            "context_length 100 is out of range",
        ),
        (
            "api_key_env = \"SCHOOL_SERVER_KEY\"",
            "api_key_env = \"sk-live 123\"",
            "is not an environment variable name",
        ),
        (
            "requests_per_minute = 30",
            "requests_per_minute = 0",
            "requests_per_minute is 0",
        ),
        (
            "id = \"school-server\"",
            "id = \"school server\"",
            "is not a valid id",
        ),
        (
            "base_url = \"http://192.168.1.20:8080/v1/\"",
            "base_url = \"http://teacher:secret@192.168.1.20:8080/v1\"",
            "carries a user name or password",
        ),
    ] {
        let server = SCHOOL_SERVER.replacen(from, to, 1);
        let text = with_school_server(&server);
        let (line, message) = invalid(&text);
        assert_eq!(line, line_of(&text, to), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn a_server_id_may_not_repeat_another_model_and_its_tier_needs_a_fallback() {
    let clash = SCHOOL_SERVER.replacen("id = \"school-server\"", "id = \"qwen2.5-7b\"", 1);
    let (_, message) = invalid(&format!("{clash}{BUILTIN_TOML}"));
    assert!(
        message.contains("model id `qwen2.5-7b` is used twice"),
        "{message}"
    );

    let text = format!(
        "{SCHOOL_SERVER}{}",
        edited(
            "model = \"qwen2.5-7b\"\n\n[[tiers]]\nid = \"cloud\"",
            "model = \"school-server\"\n\n[[tiers]]\nid = \"cloud\"",
        )
    );
    let (_, message) = invalid(&text);
    assert!(
        message.contains("server tier `medium` has no local fallback"),
        "{message}"
    );
}

#[test]
fn cache_lifetimes_are_per_task_and_coaching_is_never_cached() {
    let catalog = Catalog::builtin().unwrap();
    assert_eq!(
        catalog.cache_ttl_seconds(TaskKind::TutorialGeneration),
        Some(30 * 86_400)
    );
    assert_eq!(catalog.cache_ttl_seconds(TaskKind::Coaching), None);

    let text = edited(
        "tutorial_generation = 30",
        "tutorial_generation = 30\ncoaching = 1",
    );
    let (line, message) = invalid(&text);
    assert_eq!(line, line_of(&text, "coaching = 1"));
    assert!(
        message.contains("coaching answers are never cached"),
        "{message}"
    );

    let text = edited("tutorial_generation = 30", "tutorial_generation = 0");
    let (_, message) = invalid(&text);
    assert!(message.contains("is cached for 0 days"), "{message}");

    let text = edited(
        "content_validation = 7",
        "content_validation = 7\nsinging = 3",
    );
    let (_, message) = invalid(&text);
    assert!(message.contains("unknown task `singing`"), "{message}");
}
