//! Downloading one pinned GGUF from Hugging Face into the models folder.
//!
//! hf-hub decides *where* a file comes from: `HF_ENDPOINT` (read by
//! `ApiBuilder::from_env`), the `resolve/{revision}/{file}` URL of a repository, and the
//! token `huggingface-cli login` saved under `HF_HOME`. The transfer itself is ours, made
//! with ureq, the HTTP client hf-hub's blocking API is built on, because hf-hub 0.4 can
//! neither be cancelled nor write anywhere but its own cache, and Cadence needs both: the
//! window has a Cancel button, and models live in `<models folder>/<id>/<file>`.
//!
//! The bytes go to `<file>.part`, which survives a cancel, a crash or Ctrl-C and is resumed
//! with an HTTP Range request. Only a file whose size and SHA-256 match models.toml is
//! renamed to its final name, so a half or wrong file never sits where the engine loads it.
//!
//! Requests to the Hub are in `hub`, the check that the disk has room for the file in
//! `space`, and the filling of the `.part` file in `transfer`.

mod hub;
mod space;
mod transfer;

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo, RepoType};
use serde::Serialize;
use ts_rs::TS;

use crate::catalog::HfFile;
use hub::Agents;
use space::{Room, gigabytes};
use transfer::Transfer;

/// Transfers that break off are resumed this many times before the error is reported.
const RETRIES: u32 = 3;

/// What a download is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DownloadPhase {
    /// Hashing the bytes a previous, interrupted download left in the `.part` file.
    CheckingPartial,
    Downloading,
    /// Checking the finished file's SHA-256.
    Verifying,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DownloadProgress {
    pub phase: DownloadPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    /// Average speed of this session's transfer (0 while checking).
    pub bytes_per_second: f64,
}

/// A finished download.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Downloaded {
    pub path: PathBuf,
    pub bytes: u64,
    /// Bytes a previous download had already written (0 for a fresh one).
    pub resumed_from: u64,
    /// The file was already in place with the right size; nothing was fetched.
    pub already_installed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(
        "`{0}` is not a local model in the catalogue; `cadence models list` shows the ids that can be downloaded"
    )]
    UnknownModel(String),
    #[error(
        "Hugging Face has no {file} in {repo} at revision {revision} (HTTP 404 from {url}); check repo, file and revision of this model in models.toml"
    )]
    NotFound {
        url: String,
        repo: String,
        revision: String,
        file: String,
    },
    #[error(
        "{url} refused the download (HTTP {status}): the repository is gated or private; accept its terms on huggingface.co and log in with `huggingface-cli login`"
    )]
    Unauthorized { url: String, status: u16 },
    #[error("{url} answered HTTP {status}{detail}; try again later")]
    Http {
        url: String,
        status: u16,
        detail: String,
    },
    #[error(
        "cannot download from {url}: {reason}; check the network connection (and HF_ENDPOINT if set), then run the download again: it resumes where it stopped"
    )]
    Network { url: String, reason: String },
    #[error(
        "the server's {file} is {server} bytes but models.toml pins {pinned}; the pin does not match revision {revision}: fix size and sha256 in models.toml or pin the revision they came from"
    )]
    SizeMismatch {
        file: String,
        revision: String,
        server: u64,
        pinned: u64,
    },
    #[error(
        "the server's {file} has SHA-256 {server} but models.toml pins {pinned}; fix the pin in models.toml or pin the revision it came from"
    )]
    ServerChecksumMismatch {
        file: String,
        server: String,
        pinned: String,
    },
    #[error(
        "the downloaded {file} is damaged ({reason}); it was deleted: run the download again, and if this repeats check the sha256 in models.toml"
    )]
    Corrupt { file: String, reason: String },
    #[error(
        "{} is being downloaded by another Cadence window or command; wait for it to finish",
        .0.display()
    )]
    AlreadyDownloading(PathBuf),
    #[error(
        "the disk holding {} is full; free at least {} and run the download again: it resumes where it stopped",
        path.display(), human_bytes(*needed)
    )]
    DiskFull { path: PathBuf, needed: u64 },
    #[error(
        "{what} needs {} free: {} to download and {} kept spare; {} has {} free. Free some space or choose another models folder in Settings",
        gigabytes(to_fetch.saturating_add(*spare)), gigabytes(*to_fetch), gigabytes(*spare),
        folder.display(), gigabytes(*free)
    )]
    NotEnoughSpace {
        /// The model, or the file, being downloaded.
        what: String,
        folder: PathBuf,
        to_fetch: u64,
        spare: u64,
        free: u64,
    },
    #[error(
        "cannot write {}: {source}; make the folder writable or choose another models folder (CADENCE_HOME)",
        path.display()
    )]
    Unwritable { path: PathBuf, source: io::Error },
    #[error("paused at {} of {}; run the download again to resume", human_bytes(*done), human_bytes(*total))]
    Cancelled { done: u64, total: u64 },
}

impl DownloadError {
    /// Whether the transfer broke off in a way a later attempt may get past.
    fn is_transient(&self) -> bool {
        matches!(self, DownloadError::Network { .. })
    }
}

/// Where a pinned file is fetched from, as hf-hub resolves it.
#[derive(Debug, Clone)]
pub struct HubSource {
    url: String,
    token: Option<String>,
}

impl HubSource {
    /// The file's `{endpoint}/{repo}/resolve/{revision}/{file}` URL, with `HF_ENDPOINT` and
    /// the saved Hugging Face token honoured as hf-hub honours them.
    pub fn from_env(file: &HfFile) -> Result<HubSource, DownloadError> {
        HubSource::build(ApiBuilder::from_env(), file)
    }

    /// The same, from a given endpoint instead of `HF_ENDPOINT` (a mirror, a test server).
    pub fn at_endpoint(endpoint: &str, file: &HfFile) -> Result<HubSource, DownloadError> {
        HubSource::build(ApiBuilder::from_env().with_endpoint(endpoint.into()), file)
    }

    fn build(builder: ApiBuilder, file: &HfFile) -> Result<HubSource, DownloadError> {
        let api = builder
            .with_progress(false)
            .build()
            .map_err(|error| DownloadError::Network {
                url: "the Hugging Face endpoint".into(),
                reason: error.to_string(),
            })?;
        let repo = Repo::with_revision(file.repo.clone(), RepoType::Model, file.revision.clone());
        Ok(HubSource {
            url: api.repo(repo).url(&file.file),
            token: Cache::from_env().token(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// What the server says about the file before any byte is fetched.
#[derive(Debug, Default)]
struct Metadata {
    commit: Option<String>,
    size: Option<u64>,
    sha256: Option<String>,
}

/// Downloads `file` to `target` (through `target.part`), resuming a partial download,
/// and verifies it against the pin before moving it into place.
pub fn download(
    file: &HfFile,
    target: &Path,
    source: &HubSource,
    cancel: &AtomicBool,
    on_progress: &mut dyn FnMut(&DownloadProgress),
) -> Result<Downloaded, DownloadError> {
    if std::fs::metadata(target).is_ok_and(|meta| meta.len() == file.size) {
        return Ok(Downloaded {
            path: target.to_path_buf(),
            bytes: file.size,
            resumed_from: 0,
            already_installed: true,
        });
    }
    // Ask the Hub first, so a wrong pin leaves no empty .part behind.
    let agents = Agents::new();
    let metadata = agents.metadata(source, file)?;
    check_metadata(file, &metadata)?;

    let folder = target.parent().unwrap_or(Path::new("."));
    let part_path = partial_download(target);
    ensure_room(file, folder, &part_path)?;
    std::fs::create_dir_all(folder).map_err(|source| write_error(folder, source, file.size))?;
    let mut part = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&part_path)
        .map_err(|source| write_error(&part_path, source, file.size))?;
    // Two downloads appending to one .part would interleave their bytes.
    if part.try_lock().is_err() {
        return Err(DownloadError::AlreadyDownloading(target.to_path_buf()));
    }

    let mut transfer = Transfer::open(&mut part, &part_path, file, cancel, on_progress)?;
    let resumed_from = transfer.done;
    let mut attempt = 0;
    loop {
        match transfer.fetch_rest(&agents, source) {
            Ok(()) => break,
            Err(error) if error.is_transient() && attempt < RETRIES => {
                attempt += 1;
                // Back off 1 s, 2 s, 4 s, still answering a cancel promptly.
                let until = Instant::now() + Duration::from_secs(1 << (attempt - 1));
                while Instant::now() < until {
                    transfer.check_cancel()?;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Err(error) => return Err(error),
        }
    }
    let digest = transfer.finish()?;
    drop(part);

    if let Err(reason) = verify(file, &part_path, &digest) {
        // A wrong file must not be resumed either: it would only ever verify wrong.
        let _ = std::fs::remove_file(&part_path);
        return Err(DownloadError::Corrupt {
            file: file.file.clone(),
            reason,
        });
    }
    std::fs::rename(&part_path, target).map_err(|source| write_error(target, source, 0))?;
    Ok(Downloaded {
        path: target.to_path_buf(),
        bytes: file.size,
        resumed_from,
        already_installed: false,
    })
}

/// Refuses the download before anything is written when the disk holding `folder` cannot
/// take what is left of it; where the free space cannot be read, the download goes ahead.
fn ensure_room(file: &HfFile, folder: &Path, part_path: &Path) -> Result<(), DownloadError> {
    let Some(free) = space::free_space(folder) else {
        return Ok(());
    };
    let partial = std::fs::metadata(part_path).map_or(0, |meta| meta.len());
    Room {
        to_fetch: Room::remaining(file.size, partial),
        free,
    }
    .check(&file.file, folder)
}

fn check_metadata(file: &HfFile, metadata: &Metadata) -> Result<(), DownloadError> {
    if let Some(size) = metadata.size
        && size != file.size
    {
        return Err(DownloadError::SizeMismatch {
            file: file.file.clone(),
            revision: metadata
                .commit
                .clone()
                .unwrap_or_else(|| file.revision.clone()),
            server: size,
            pinned: file.size,
        });
    }
    if let Some(sha) = &metadata.sha256
        && !sha.eq_ignore_ascii_case(&file.sha256)
    {
        return Err(DownloadError::ServerChecksumMismatch {
            file: file.file.clone(),
            server: sha.clone(),
            pinned: file.sha256.clone(),
        });
    }
    Ok(())
}

fn verify(file: &HfFile, part_path: &Path, digest: &str) -> Result<(), String> {
    let size = std::fs::metadata(part_path)
        .map_err(|error| format!("cannot read it back: {error}"))?
        .len();
    if size != file.size {
        return Err(format!("{size} bytes instead of {}", file.size));
    }
    if !digest.eq_ignore_ascii_case(&file.sha256) {
        return Err(format!("SHA-256 {digest} instead of {}", file.sha256));
    }
    Ok(())
}

/// A failed write, named for what the user can do about it.
fn write_error(path: &Path, source: io::Error, needed: u64) -> DownloadError {
    match source.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => DownloadError::DiskFull {
            path: path.to_path_buf(),
            needed,
        },
        _ => DownloadError::Unwritable {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The file a download writes to until it is complete and verified.
pub fn partial_download(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Bytes in decimal units, as the CLI and the window show sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin() -> HfFile {
        HfFile {
            repo: "org/model-GGUF".into(),
            file: "model.gguf".into(),
            revision: "main".into(),
            size: 100,
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn metadata_that_contradicts_the_pin_is_refused_before_any_byte() {
        let size = Metadata {
            size: Some(99),
            ..Metadata::default()
        };
        assert!(matches!(
            check_metadata(&pin(), &size),
            Err(DownloadError::SizeMismatch {
                server: 99,
                pinned: 100,
                ..
            })
        ));
        let sha = Metadata {
            size: Some(100),
            sha256: Some("cd".repeat(32)),
            ..Metadata::default()
        };
        assert!(matches!(
            check_metadata(&pin(), &sha),
            Err(DownloadError::ServerChecksumMismatch { .. })
        ));
        let agreeing = Metadata {
            size: Some(100),
            sha256: Some("AB".repeat(32)),
            commit: Some("main".into()),
        };
        assert!(check_metadata(&pin(), &agreeing).is_ok());
    }

    #[test]
    fn a_full_disk_is_named_with_the_space_needed() {
        let error = write_error(
            Path::new("/models/x.part"),
            io::Error::from(io::ErrorKind::StorageFull),
            2_400_000_000,
        );
        assert!(matches!(error, DownloadError::DiskFull { .. }));
        assert!(
            error.to_string().contains("free at least 2.4 GB"),
            "{error}"
        );
        let denied = write_error(
            Path::new("/models"),
            io::Error::from(io::ErrorKind::PermissionDenied),
            0,
        );
        assert!(denied.to_string().contains("make the folder writable"));
    }

    #[test]
    fn a_file_already_in_place_is_not_fetched_again() {
        let home = tempfile::tempdir().unwrap();
        let target = home.path().join("model.gguf");
        std::fs::write(&target, [0u8; 100]).unwrap();
        // An endpoint nothing listens on: any request would fail.
        let source = HubSource::at_endpoint("http://127.0.0.1:9", &pin()).unwrap();
        let done = download(
            &pin(),
            &target,
            &source,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
        assert!(done.already_installed);
        assert_eq!(
            source.url(),
            "http://127.0.0.1:9/org/model-GGUF/resolve/main/model.gguf"
        );
    }
}
