//! Damaged model files where a user has them: a GGUF path given to the real `cadence`
//! binary, and an installed catalogue model in the models folder. Each is refused with a
//! message naming the file and what is wrong with it, never a panic or an abort.

use std::path::{Path, PathBuf};
use std::process::Output;

use cadence::llm::Architecture;
use cadence::llm::synthetic::SyntheticModel;
use cadence_tests::{cadence, install_models};

/// A small, sound model's bytes.
fn model_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sound.gguf");
    SyntheticModel::tiny(Architecture::Llama)
        .write(&path)
        .unwrap();
    std::fs::read(path).unwrap()
}

/// The model with its last tensor, `output_norm.weight` (256 f32 values), said to hold a
/// million: its data runs past the end of a file of the same size.
fn shapes_past_the_data(bytes: &[u8]) -> Vec<u8> {
    let name = b"output_norm.weight";
    let mut record = (name.len() as u64).to_le_bytes().to_vec();
    record.extend_from_slice(name);
    let at = bytes
        .windows(record.len())
        .position(|w| w == record)
        .expect("the tensor table names output_norm.weight");
    let dims_at = at + record.len() + 4;
    let mut mangled = bytes.to_vec();
    mangled[dims_at..dims_at + 8].copy_from_slice(&(1u64 << 20).to_le_bytes());
    mangled
}

/// Damaged files, each with what the refusal says is wrong.
fn damaged_files() -> Vec<(&'static str, Vec<u8>, String)> {
    let sound = model_bytes();
    let mut wrong_magic = sound.clone();
    wrong_magic[..4].copy_from_slice(b"GGML");
    let half = sound.len() / 2;
    let problems = [
        "tensor `output_norm.weight` needs 4194304 bytes at offset",
        "it does not start with the GGUF magic bytes, so it is not a GGUF file",
        "the file is shorter than a GGUF header",
    ];
    vec![
        (
            "truncated.gguf",
            sound[..half].to_vec(),
            format!("but the file is {half} bytes long (truncated download?)"),
        ),
        (
            "shapes-past-the-data.gguf",
            shapes_past_the_data(&sound),
            problems[0].into(),
        ),
        ("wrong-magic.gguf", wrong_magic, problems[1].into()),
        (
            "not-a-model.gguf",
            b"<!DOCTYPE html><html><body>Too many requests</body></html>\n".to_vec(),
            problems[1].into(),
        ),
        ("empty.gguf", Vec::new(), problems[2].into()),
    ]
}

fn run(home: &Path, args: &[&str]) -> Output {
    cadence(home).args(args).output().expect("cadence runs")
}

/// The command ended by itself (no signal, no panic) with `success` as its outcome, and
/// said on standard error that `path` is damaged in the way `problem` words it.
fn assert_refused(output: &Output, success: bool, path: &Path, problem: &str, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "{what}: killed by a signal: {stderr}"
    );
    assert_eq!(output.status.success(), success, "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    let named = format!("{} is not a usable GGUF model: ", path.display());
    assert!(
        stderr.contains(&named) && stderr.contains(problem),
        "{what}: expected `{named}…{problem}` in: {stderr}"
    );
}

#[test]
fn a_damaged_gguf_given_by_path_is_refused_by_name() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    for (name, bytes, problem) in damaged_files() {
        let path = files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let file = path.to_str().unwrap();
        for args in [
            &["bench", file][..],
            &["tokenize", "--model", file, "a scale"],
            &["generate", "--model", file, "--max-tokens", "4", "a scale"],
        ] {
            let output = run(home.path(), args);
            assert_refused(&output, false, &path, &problem, &args.join(" "));
        }
    }
}

#[test]
fn an_installed_model_that_is_damaged_is_refused_and_listed_as_damaged() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    // The same size as the file models.toml pins, so only its content can tell.
    let damaged = files.path().join("damaged.gguf");
    std::fs::write(&damaged, shapes_past_the_data(&model_bytes())).unwrap();
    install_models(home.path(), &[("phi-3.5-mini", &damaged)]);
    let installed: PathBuf = home
        .path()
        .join("models/phi-3.5-mini/Phi-3.5-mini-instruct-Q4_K_M.gguf");
    let problem = "tensor `output_norm.weight` needs 4194304 bytes at offset";

    for args in [
        &["bench", "phi-3.5-mini"][..],
        &["tokenize", "--model", "phi-3.5-mini", "a scale"],
        &[
            "generate",
            "--model",
            "phi-3.5-mini",
            "--max-tokens",
            "4",
            "a scale",
        ],
        &["coach", "How should I practise a ii-V-I?"],
    ] {
        let output = run(home.path(), args);
        assert_refused(&output, false, &installed, problem, &args.join(" "));
    }

    // A tutorial does not need the model: the template generator writes it, and the
    // warning says why the model did not.
    let output = run(
        home.path(),
        &["tutorial", "--topic", "ii-V-I", "--key", "C"],
    );
    assert_refused(&output, true, &installed, problem, "tutorial");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("(template generator;"), "{stderr}");

    let listing = run(home.path(), &["models", "list"]);
    let table = String::from_utf8_lossy(&listing.stdout);
    let row = table
        .lines()
        .find(|line| line.starts_with("phi-3.5-mini"))
        .unwrap();
    assert!(
        row.ends_with("damaged (not a usable GGUF); download again"),
        "{table}"
    );
    let listing = run(home.path(), &["models", "list", "--json"]);
    let models: serde_json::Value = serde_json::from_slice(&listing.stdout).unwrap();
    let phi = &models.as_array().unwrap()[0];
    assert_eq!(phi["availability"]["state"], "damaged", "{phi}");
    let described = phi["availability"]["problem"].as_str().unwrap();
    assert!(
        described.contains(installed.to_str().unwrap()) && described.contains(problem),
        "{described}"
    );

    let route = run(home.path(), &["route", "coaching"]);
    let stdout = String::from_utf8_lossy(&route.stdout);
    assert!(
        stdout.contains("installed, but damaged: ")
            && stdout.contains(problem)
            && stdout.contains("cadence models download phi-3.5-mini replaces it"),
        "{stdout}"
    );
}
