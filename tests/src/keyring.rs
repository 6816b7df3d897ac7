//! A private Secret Service for the suites that store a key in the OS keychain: the test
//! runs itself again inside `dbus-run-session` with an unlocked gnome-keyring, so the user's
//! own keychain is never touched. Where the tools are missing it says so and skips, unless
//! CADENCE_REQUIRE_KEYCHAIN is set (scripts/test sets it on Linux).

use std::process::Command;

/// Set in the inner run, inside the private D-Bus session.
const INNER: &str = "CADENCE_KEYCHAIN_TEST_INNER";
const REQUIRE: &str = "CADENCE_REQUIRE_KEYCHAIN";

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Whether this is the run inside the private keyring session, where the calling test does
/// its work. Otherwise runs the test named `test` (a top-level `#[test]` of the calling
/// binary) again inside that session, asserts that it passed, and returns false; also
/// false, after saying so, where the tools are missing and not required.
pub fn inside_private_keyring(test: &str) -> bool {
    if std::env::var_os(INNER).is_some() {
        return true;
    }
    let tools = ["dbus-run-session", "gnome-keyring-daemon"];
    if let Some(missing) = tools.iter().find(|tool| !on_path(tool)) {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "{missing} is not installed; scripts/setup installs it"
        );
        eprintln!("skipped: {missing} is not installed (a Secret Service is needed)");
        return false;
    }
    let keyrings = tempfile::tempdir().expect("cannot make a folder for the keyring");
    let status = Command::new("dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            // An unlocked login keyring serves the Secret Service on the private bus.
            "printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
            "keyring-session",
        ])
        .arg(std::env::current_exe().expect("the test executable"))
        .args(["--exact", test, "--nocapture"])
        .env(INNER, "1")
        .env("XDG_DATA_HOME", keyrings.path())
        .env_remove("GEMINI_API_KEY")
        .status()
        .expect("cannot run dbus-run-session");
    assert!(
        status.success(),
        "the run inside the keyring session failed"
    );
    false
}
