//! The user's settings: a JSON file in the data folder, checked before it is written.
//!
//! The Gemini key is not kept here: the desktop shell stores it in the OS keychain.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Studio;
use crate::limits::MAX_PATH_CHARS;

/// Where inference runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    /// Metal on a Mac with Apple Silicon, else the CPU.
    #[default]
    Auto,
    Metal,
    Cpu,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Whether Cadence may call Gemini for the hardest tasks.
    pub network_allowed: bool,
    /// The most Cadence may spend on Gemini in a calendar month, in US dollars.
    pub monthly_budget_usd: f64,
    pub device: Device,
    /// Where downloaded models are kept; `None` is the data folder's `models`.
    #[ts(type = "string | null")]
    pub models_folder: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            network_allowed: false,
            monthly_budget_usd: 5.0,
            device: Device::Auto,
            models_folder: None,
        }
    }
}

/// The largest monthly budget accepted; anything above is a typing mistake.
pub const MAX_MONTHLY_BUDGET_USD: f64 = 10_000.0;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "the monthly budget must be a number from 0 to {MAX_MONTHLY_BUDGET_USD} dollars; got {0}"
    )]
    Budget(f64),
    #[error(
        "the models folder's path is {0} characters long; choose a folder whose path has at most {MAX_PATH_CHARS}"
    )]
    LongFolder(usize),
    #[error("the models folder must be an absolute path; got `{}`", .0.display())]
    RelativeFolder(PathBuf),
    #[error("the models folder `{}` does not exist; create it first or choose another folder", .0.display())]
    MissingFolder(PathBuf),
    #[error("cannot read the settings file {}: {source}; fix or delete it to go back to the defaults", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings file {} is not valid: {source}; fix or delete it to go back to the defaults", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write the settings file {}: {source}; check that the data folder is writable", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Settings {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let budget = self.monthly_budget_usd;
        if !budget.is_finite() || !(0.0..=MAX_MONTHLY_BUDGET_USD).contains(&budget) {
            return Err(SettingsError::Budget(budget));
        }
        if let Some(folder) = &self.models_folder {
            let length = folder.as_os_str().len();
            if length > MAX_PATH_CHARS {
                return Err(SettingsError::LongFolder(length));
            }
            if !folder.is_absolute() {
                return Err(SettingsError::RelativeFolder(folder.clone()));
            }
            if !folder.is_dir() {
                return Err(SettingsError::MissingFolder(folder.clone()));
            }
        }
        Ok(())
    }

    /// Reads the file at `path`; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Settings::default());
            }
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        serde_json::from_str(&text).map_err(|source| SettingsError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Validates, then writes through a temporary file so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let write_error = |source| SettingsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = serde_json::to_string_pretty(self).expect("settings serialise");
        crate::paths::write_whole_file(path, text.as_bytes()).map_err(write_error)
    }
}

impl Studio {
    /// The settings file in the data folder.
    pub fn settings_file(&self) -> PathBuf {
        self.paths().home().join("settings.json")
    }

    pub fn settings(&self) -> Result<Settings, SettingsError> {
        Settings::load(&self.settings_file())
    }

    /// Where models are downloaded to and loaded from: the Models folder setting, else the
    /// data folder's `models`. Read afresh each time, so a change applies at once.
    pub fn models_dir(&self) -> PathBuf {
        self.settings()
            .ok()
            .and_then(|settings| settings.models_folder)
            .unwrap_or_else(|| self.paths().models_dir())
    }

    /// Where models load: `CADENCE_DEVICE` where it is set (a run from a terminal), else the
    /// Device setting, read afresh for each load. An unknown `CADENCE_DEVICE` is an error.
    pub fn device_choice(&self) -> Result<crate::llm::DeviceChoice, crate::llm::LlmError> {
        let setting = match self.settings().map(|settings| settings.device) {
            Ok(Device::Metal) => crate::llm::DeviceChoice::Metal,
            Ok(Device::Cpu) => crate::llm::DeviceChoice::Cpu,
            Ok(Device::Auto) | Err(_) => crate::llm::DeviceChoice::Auto,
        };
        setting.with_env_override()
    }

    pub fn save_settings(&self, settings: &Settings) -> Result<(), SettingsError> {
        self.paths()
            .ensure_home()
            .map_err(|error| SettingsError::Write {
                path: self.settings_file(),
                source: std::io::Error::other(error.to_string()),
            })?;
        settings.save(&self.settings_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_means_the_defaults_and_a_saved_file_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        assert_eq!(Settings::load(&path).unwrap(), Settings::default());
        let settings = Settings {
            network_allowed: true,
            monthly_budget_usd: 12.5,
            device: Device::Cpu,
            models_folder: Some(dir.path().to_path_buf()),
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), settings);
    }

    #[test]
    fn bad_values_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        for budget in [-1.0, f64::NAN, f64::INFINITY, MAX_MONTHLY_BUDGET_USD + 1.0] {
            let settings = Settings {
                monthly_budget_usd: budget,
                ..Settings::default()
            };
            assert!(matches!(
                settings.save(&path),
                Err(SettingsError::Budget(_))
            ));
        }
        let relative = Settings {
            models_folder: Some(PathBuf::from("models")),
            ..Settings::default()
        };
        assert!(matches!(
            relative.validate(),
            Err(SettingsError::RelativeFolder(_))
        ));
        let missing = Settings {
            models_folder: Some(dir.path().join("nowhere")),
            ..Settings::default()
        };
        assert!(matches!(
            missing.validate(),
            Err(SettingsError::MissingFolder(_))
        ));
        let long = Settings {
            models_folder: Some(PathBuf::from(format!("/{}", "m".repeat(8 << 20)))),
            ..Settings::default()
        };
        let refusal = long.validate().unwrap_err().to_string();
        assert!(refusal.len() < 200, "{refusal}");
        assert!(!path.exists());
    }

    #[test]
    fn unknown_devices_and_fields_are_refused() {
        assert!(serde_json::from_str::<Settings>(r#"{"device":"cuda"}"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"colour":"red"}"#).is_err());
        let parsed: Settings = serde_json::from_str(r#"{"device":"metal"}"#).unwrap();
        assert_eq!(parsed.device, Device::Metal);
    }
}
