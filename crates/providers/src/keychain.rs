//! The Gemini key in the OS keychain (Keychain on macOS, the Secret Service on Linux): the
//! window's Settings store it, and every cloud call, from the window or the command line,
//! reads it back. `GEMINI_API_KEY` in the environment overrides it.
//!
//! There is no plain-text fallback: where no keychain answers, saving fails and says so.

use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use ts_rs::TS;

use crate::{GEMINI_KEY_ENV, env_value};

const SERVICE: &str = "app.cadence.studio";
const ACCOUNT: &str = "gemini-api-key";
/// Longest key accepted; Gemini keys are about 40 characters.
const MAX_KEY_CHARS: usize = 200;

/// Whether a key is stored, never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyStatus {
    Stored,
    NotStored,
    /// No keychain could be reached; `reason` says what to do.
    Unavailable {
        reason: String,
    },
}

fn entry() -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, ACCOUNT).map_err(unavailable)
}

fn unavailable(error: keyring::Error) -> String {
    let fix = if cfg!(target_os = "linux") {
        "install and unlock a Secret Service keyring (GNOME Keyring or KeePassXC), \
         or set GEMINI_API_KEY in the environment instead"
    } else {
        "unlock the login keychain, or set GEMINI_API_KEY in the environment instead"
    };
    format!("the OS keychain could not be reached ({error}); the key was not saved: {fix}")
}

pub fn status() -> KeyStatus {
    match entry().and_then(|entry| match entry.get_password() {
        Ok(_) => Ok(KeyStatus::Stored),
        Err(keyring::Error::NoEntry) => Ok(KeyStatus::NotStored),
        Err(error) => Err(unavailable(error)),
    }) {
        Ok(status) => status,
        Err(reason) => KeyStatus::Unavailable { reason },
    }
}

/// Checks the key's shape: what Gemini issues is printable ASCII without spaces.
pub fn check_key(key: &str) -> Result<&str, String> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(format!(
            "the key must have 1 to {MAX_KEY_CHARS} characters; paste it from Google AI Studio"
        ));
    }
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            "the key has spaces or characters Gemini keys never contain; paste it again".into(),
        );
    }
    Ok(key)
}

/// The stored key as last read, so that routing every request does not ask the keychain
/// again; storing or forgetting a key clears it.
static STORED_KEY: Mutex<Option<Option<String>>> = Mutex::new(None);

fn remember(key: Option<Option<String>>) {
    *STORED_KEY.lock().unwrap_or_else(PoisonError::into_inner) = key;
}

/// The key stored in the keychain, if one is and the keychain answers. What it answers is
/// remembered; a keychain that did not answer (locked, unreachable) is asked again next time.
fn stored_key() -> Option<String> {
    let mut remembered = STORED_KEY.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(key) = remembered.as_ref() {
        return key.clone();
    }
    let answer = match entry().map(|entry| entry.get_password()) {
        Ok(Ok(key)) => Some(check_key(&key).ok().map(str::to_string)),
        Ok(Err(keyring::Error::NoEntry)) => Some(None),
        _ => None,
    };
    *remembered = answer.clone();
    answer.flatten()
}

/// The key a Gemini call uses: `GEMINI_API_KEY` when it is set, else the one stored in
/// Settings; `None` when there is neither.
pub fn gemini_key() -> Option<String> {
    env_value(GEMINI_KEY_ENV).or_else(stored_key)
}

pub fn store(key: &str) -> Result<(), String> {
    let key = check_key(key)?;
    entry()?.set_password(key).map_err(unavailable)?;
    remember(Some(Some(key.to_string())));
    Ok(())
}

pub fn forget() -> Result<(), String> {
    let result = match entry()?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(unavailable(error)),
    };
    remember(None);
    result
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn keys_are_checked_before_the_keychain_is_touched() {
        assert_eq!(
            check_key("  AIzaSyExample_123-x \n"),
            Ok("AIzaSyExample_123-x")
        );
        assert!(check_key("").is_err());
        assert!(check_key("two words").is_err());
        assert!(check_key("ключ").is_err());
        assert!(check_key(&"k".repeat(201)).is_err());
    }
}
