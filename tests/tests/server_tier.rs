//! A tier pointed at a `[[server]]` of models.toml, as a school sets one up: a real
//! llama.cpp server (llama-cpp-python serving SmolLM2-135M on 127.0.0.1) writes
//! `cadence tutorial`, whose route names it; the same request again is answered from the
//! response cache without asking the server, and `cadence usage --json` counts the hit;
//! `cadence route` explains the choice; and with the server gone, the tier's fallback takes
//! the work and the reason is shown.

use std::path::Path;
use std::process::Output;

use cadence::catalog::BUILTIN_TOML;
use cadence_tests::llama_server::LlamaServer;
use serde_json::Value;

/// The shipped catalogue with the school's server first and the medium tier (tutorials)
/// pointed at it, falling back to SmolLM2 (not installed here).
fn school_catalogue(server: &LlamaServer) -> String {
    let table = format!(
        "[[server]]\nid = \"school-server\"\nname = \"The music department's server\"\n\
         base_url = \"{}\"\nmodel = \"{}\"\ncontext_length = 8192\n\n",
        server.base_url(),
        server.model()
    );
    let tiers = BUILTIN_TOML.replacen(
        "model = \"qwen2.5-7b\"\n\n[[tiers]]\nid = \"cloud\"",
        "model = \"school-server\"\nfallback = \"smollm2-135m\"\n\n[[tiers]]\nid = \"cloud\"",
        1,
    );
    assert_ne!(tiers, BUILTIN_TOML, "the medium tier was not found");
    format!("{table}{tiers}")
}

fn cadence(home: &Path, args: &[&str]) -> (Output, String, String) {
    let output = cadence_tests::cadence(home).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn tutorial(home: &Path, extra: &[&str]) -> String {
    let out = home.join("t.json");
    let mut args = vec![
        "tutorial",
        "--topic",
        "ii-V-I",
        "--key",
        "Eb",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (output, _, stderr) = cadence(home, &args);
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Chat requests the server answered, from its access log (a first request in a schema form
/// it refuses is answered 500, and the form it takes is then remembered).
fn answered(server: &LlamaServer) -> usize {
    server
        .log()
        .matches("\"POST /v1/chat/completions HTTP/1.1\" 200")
        .count()
}

fn model_row<'a>(usage: &'a Value, model: &str) -> &'a Value {
    usage["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == model)
        .unwrap_or_else(|| panic!("no {model} row in {usage}"))
}

#[test]
fn a_tier_on_a_school_server_writes_caches_and_falls_back() {
    let server = LlamaServer::start_with_context(&cadence_tests::smollm2_gguf(), 8192);
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("models.toml"), school_catalogue(&server)).unwrap();

    // The route names the server, on this machine, so usable with the network off.
    let (output, route, stderr) = cadence(home.path(), &["route", "tutorial_generation", "--json"]);
    assert!(output.status.success(), "{stderr}");
    let route: Value = serde_json::from_str(&route).unwrap();
    assert_eq!(route["route"]["candidates"][0]["model"], "school-server");
    assert_eq!(route["route"]["candidates"][0]["runner"]["kind"], "server");
    let line = route["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "school-server")
        .unwrap();
    assert_eq!(line["usable"], true);
    assert!(
        line["state"].as_str().unwrap().contains("on this machine"),
        "{line}"
    );
    let (_, text, _) = cadence(home.path(), &["route", "tutorial_generation"]);
    assert!(text.contains("1. school-server: complexity 7"), "{text}");
    assert!(
        text.contains("passed over smollm2-135m: not downloaded"),
        "{text}"
    );

    // The server writes the tutorial.
    let written = tutorial(home.path(), &[]);
    assert!(
        written.contains("writing with school-server (attempt 1)"),
        "{written}"
    );
    assert!(written.contains("written by school-server"), "{written}");
    let asked = answered(&server);
    assert_eq!(asked, 1, "{}", server.log_tail());

    // The same request again: the cache answers, and the server is not asked.
    let served = tutorial(home.path(), &[]);
    assert!(
        served.contains("answered from the response cache"),
        "{served}"
    );
    assert!(
        served.contains("school-server's answer from the response cache"),
        "{served}"
    );
    assert_eq!(answered(&server), asked, "the server was asked again");
    let (output, usage, stderr) = cadence(home.path(), &["usage", "--json"]);
    assert!(output.status.success(), "{stderr}");
    let usage: Value = serde_json::from_str(&usage).unwrap();
    let school = model_row(&usage, "school-server");
    assert_eq!(school["cache_hits"], 1, "{school}");
    assert_eq!(
        school["requests"].as_u64().unwrap(),
        asked as u64 + 1,
        "{school}"
    );
    assert_eq!(school["cost_usd"], 0.0);

    // With the server gone, Regenerate (--no-cache) falls back and says why.
    server.kill();
    let fallen = tutorial(home.path(), &["--no-cache"]);
    assert!(
        fallen.contains("school-server: cannot reach the server"),
        "{fallen}"
    );
    assert!(fallen.contains("template generator"), "{fallen}");
}
