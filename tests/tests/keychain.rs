//! The key saved in Settings is the key every cloud call uses. A real Secret Service
//! (gnome-keyring, in a private D-Bus session) stores it through the code the window's
//! Settings call; then `cadence tutorial`, another process with no GEMINI_API_KEY, sends
//! that key to Gemini (a fake over real HTTP). GEMINI_API_KEY, when set, overrides it, and
//! once the key is forgotten the cloud tier is passed over.
//!
//! The test runs itself again inside `dbus-run-session` with an unlocked keyring, so the
//! user's own keychain is never touched. Where the tools are missing it says so and skips,
//! unless CADENCE_REQUIRE_KEYCHAIN is set (scripts/test sets it on Linux).

use std::path::Path;
use std::process::Command;

use cadence::catalog::BUILTIN_TOML;
use cadence::content::Level;
use cadence::providers::gemini::ENDPOINT_ENV;
use cadence::providers::keychain;
use cadence::settings::Settings;
use cadence::{AppPaths, Studio};
use cadence_tests::fake_gemini::{FakeGemini, Reply};
use cadence_tests::scripted::tutorial_answer;

/// Set in the inner run, inside the private D-Bus session.
const INNER: &str = "CADENCE_KEYCHAIN_TEST_INNER";
const REQUIRE: &str = "CADENCE_REQUIRE_KEYCHAIN";
const SAVED_KEY: &str = "AIzaSavedInSettings-0123456789";
const ENVIRONMENT_KEY: &str = "AIzaFromTheEnvironment-9876543210";

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

#[test]
fn the_key_saved_in_settings_is_read_for_cloud_calls() {
    if std::env::var_os(INNER).is_none() {
        let tools = ["dbus-run-session", "gnome-keyring-daemon"];
        if let Some(missing) = tools.iter().find(|tool| !on_path(tool)) {
            assert!(
                std::env::var_os(REQUIRE).is_none(),
                "{missing} is not installed; scripts/setup installs it"
            );
            eprintln!("skipped: {missing} is not installed (a Secret Service is needed)");
            return;
        }
        let keyrings = tempfile::tempdir().unwrap();
        let status = Command::new("dbus-run-session")
            .args([
                "--",
                "sh",
                "-c",
                // An unlocked login keyring serves the Secret Service on the private bus.
                "printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
                "keyring-session",
            ])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "the_key_saved_in_settings_is_read_for_cloud_calls",
                "--nocapture",
            ])
            .env(INNER, "1")
            .env("XDG_DATA_HOME", keyrings.path())
            .env_remove("GEMINI_API_KEY")
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the run inside the keyring session failed"
        );
        return;
    }
    run_inside_the_keyring_session();
}

/// A home whose tutorials go to Gemini (with the network allowed), falling back to a local
/// model that is not installed, so the template generator writes when Gemini cannot.
fn cloud_home(home: &Path) {
    let catalog = BUILTIN_TOML.replacen("tutorial_generation = 7", "tutorial_generation = 9", 1);
    std::fs::write(home.join("models.toml"), catalog).unwrap();
    let studio = Studio::new(AppPaths::at(home), cadence::Catalog::builtin().unwrap());
    studio
        .save_settings(&Settings {
            network_allowed: true,
            ..Settings::default()
        })
        .unwrap();
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
    cloud_home(home.path());

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
