//! The key saved in Settings is the key every cloud call uses. A real Secret Service
//! (gnome-keyring, in a private D-Bus session) stores it through the code the window's
//! Settings call; then `cadence tutorial`, another process with no GEMINI_API_KEY, sends
//! that key to Gemini (a fake over real HTTP). GEMINI_API_KEY, when set, overrides it, and
//! once the key is forgotten the cloud tier is passed over.
//!
//! The test runs inside a private keyring session (cadence_tests::keyring), so the user's
//! own keychain is never touched.

use std::path::Path;

use cadence::content::Level;
use cadence::providers::gemini::ENDPOINT_ENV;
use cadence::providers::keychain;
use cadence_tests::fake_gemini::{FakeGemini, Reply, cloud_home};
use cadence_tests::keyring::inside_private_keyring;
use cadence_tests::scripted::tutorial_answer;

const SAVED_KEY: &str = "AIzaSavedInSettings-0123456789";
const ENVIRONMENT_KEY: &str = "AIzaFromTheEnvironment-9876543210";

#[test]
fn the_key_saved_in_settings_is_read_for_cloud_calls() {
    if inside_private_keyring("the_key_saved_in_settings_is_read_for_cloud_calls") {
        run_inside_the_keyring_session();
    }
}

/// Writes a tutorial through the command line, asking the model afresh (the same request
/// would otherwise be answered from the cache); returns its standard error.
fn tutorial(home: &Path, server: &FakeGemini, environment_key: Option<&str>) -> String {
    let mut command = cadence_tests::cadence(home);
    command
        .args([
            "tutorial",
            "--topic",
            "ii-V-I",
            "--key",
            "Eb",
            "--no-cache",
            "--out",
        ])
        .arg(home.join("t.json"))
        .env(ENDPOINT_ENV, server.endpoint());
    if let Some(key) = environment_key {
        command.env("GEMINI_API_KEY", key);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn run_inside_the_keyring_session() {
    let answer = tutorial_answer("ii-V-I", "Eb", Level::Intermediate).to_string();
    let server = FakeGemini::start([
        Reply::streamed(&[answer.as_str()]),
        Reply::streamed(&[answer.as_str()]),
    ]);
    let home = tempfile::tempdir().unwrap();
    cloud_home(home.path(), &["tutorial_generation"]);

    keychain::store(SAVED_KEY).expect("the keyring session stores the key");
    assert_eq!(keychain::status(), keychain::KeyStatus::Stored);

    let saved = tutorial(home.path(), &server, None);
    assert!(saved.contains("written by gemini"), "{saved}");
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("x-goog-api-key").unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent, [SAVED_KEY]);

    let overridden = tutorial(home.path(), &server, Some(ENVIRONMENT_KEY));
    assert!(overridden.contains("gemini"), "{overridden}");
    let last = server.requests().last().unwrap().clone();
    assert_eq!(last.header("x-goog-api-key"), Some(ENVIRONMENT_KEY));

    keychain::forget().unwrap();
    assert_eq!(keychain::status(), keychain::KeyStatus::NotStored);
    let keyless = tutorial(home.path(), &server, None);
    assert!(keyless.contains("no Gemini key"), "{keyless}");
    assert_eq!(
        server.requests().len(),
        2,
        "Gemini was called without a key"
    );
}
