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

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo, RepoType};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::catalog::HfFile;

/// How long the server may stay silent before the transfer counts as stalled.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Transfers that break off are resumed this many times before the error is reported.
const RETRIES: u32 = 3;
const CHUNK: usize = 1 << 20;
/// Progress is reported at most this often (and once at the end of each phase).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

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
    std::fs::create_dir_all(folder).map_err(|source| write_error(folder, source, file.size))?;
    let part_path = partial_download(target);
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

/// Two clients: one that stops at redirects, to read the Hub's own headers (a large file's
/// `resolve` URL redirects to a CDN that knows nothing of commits), and one that follows them.
struct Agents {
    no_redirect: ureq2::Agent,
    follow: ureq2::Agent,
}

impl Agents {
    fn new() -> Agents {
        let builder = || {
            ureq2::AgentBuilder::new()
                .try_proxy_from_env(true)
                .timeout_connect(STALL_TIMEOUT)
                .timeout_read(STALL_TIMEOUT)
                .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")))
        };
        Agents {
            no_redirect: builder().redirects(0).build(),
            // The token goes to the Hub only, never to the CDN it redirects to.
            follow: builder()
                .redirect_auth_headers(ureq2::RedirectAuthHeaders::SameHost)
                .build(),
        }
    }

    fn request(agent: &ureq2::Agent, method: &str, source: &HubSource) -> ureq2::Request {
        // Compressed bodies would make Range offsets and sizes mean something else.
        let request = agent
            .request(method, &source.url)
            .set("Accept-Encoding", "identity");
        match &source.token {
            Some(token) => request.set("Authorization", &format!("Bearer {token}")),
            None => request,
        }
    }

    fn metadata(&self, source: &HubSource, file: &HfFile) -> Result<Metadata, DownloadError> {
        let response = call(
            Agents::request(&self.no_redirect, "HEAD", source),
            source,
            file,
        )?;
        let header = |name: &str| {
            response
                .header(name)
                .map(|v| v.trim_matches('"').to_string())
        };
        let size = header("x-linked-size")
            .or_else(|| {
                (response.status() == 200)
                    .then(|| header("content-length"))
                    .flatten()
            })
            .and_then(|v| v.parse().ok());
        // For files in Git LFS the Hub's linked etag is the file's SHA-256.
        let sha256 = header("x-linked-etag")
            .filter(|etag| etag.len() == 64 && etag.bytes().all(|b| b.is_ascii_hexdigit()));
        Ok(Metadata {
            commit: header("x-repo-commit"),
            size,
            sha256,
        })
    }
}

/// Sends a request, turning HTTP and transport failures into errors that say what to do.
fn call(
    request: ureq2::Request,
    source: &HubSource,
    file: &HfFile,
) -> Result<ureq2::Response, DownloadError> {
    match request.call() {
        Ok(response) => Ok(response),
        Err(ureq2::Error::Status(404, _)) => Err(DownloadError::NotFound {
            url: source.url.clone(),
            repo: file.repo.clone(),
            revision: file.revision.clone(),
            file: file.file.clone(),
        }),
        Err(ureq2::Error::Status(status @ (401 | 403), _)) => Err(DownloadError::Unauthorized {
            url: source.url.clone(),
            status,
        }),
        // 416 is handled by the caller, which knows what it asked for.
        Err(ureq2::Error::Status(416, response)) => Ok(response),
        Err(ureq2::Error::Status(status, response)) => {
            let detail = response
                .header("x-error-message")
                .map(|message| format!(" ({message})"))
                .unwrap_or_default();
            if status >= 500 {
                // Server trouble usually passes; the retry loop treats it like a dropped line.
                return Err(DownloadError::Network {
                    url: source.url.clone(),
                    reason: format!("the server answered HTTP {status}{detail}"),
                });
            }
            Err(DownloadError::Http {
                url: source.url.clone(),
                status,
                detail,
            })
        }
        Err(ureq2::Error::Transport(transport)) => Err(DownloadError::Network {
            url: source.url.clone(),
            reason: transport.to_string(),
        }),
    }
}

/// The `.part` file being filled, with the hash of what it holds so far.
struct Transfer<'a> {
    part: &'a mut File,
    part_path: &'a Path,
    file: &'a HfFile,
    cancel: &'a AtomicBool,
    on_progress: &'a mut dyn FnMut(&DownloadProgress),
    hasher: Sha256,
    done: u64,
    started: Instant,
    fetched: u64,
    last_report: Option<Instant>,
}

impl<'a> Transfer<'a> {
    /// Takes over the `.part` file, hashing what an earlier download left in it.
    fn open(
        part: &'a mut File,
        part_path: &'a Path,
        file: &'a HfFile,
        cancel: &'a AtomicBool,
        on_progress: &'a mut dyn FnMut(&DownloadProgress),
    ) -> Result<Transfer<'a>, DownloadError> {
        let existing = part
            .metadata()
            .map_err(|source| write_error(part_path, source, 0))?
            .len();
        let mut transfer = Transfer {
            part,
            part_path,
            file,
            cancel,
            on_progress,
            hasher: Sha256::new(),
            done: 0,
            started: Instant::now(),
            fetched: 0,
            last_report: None,
        };
        if existing > file.size {
            // Longer than the file can be: not a prefix of it.
            transfer.restart()?;
            return Ok(transfer);
        }
        transfer
            .part
            .seek(SeekFrom::Start(0))
            .map_err(|source| write_error(part_path, source, 0))?;
        let mut buffer = vec![0u8; CHUNK];
        while transfer.done < existing {
            transfer.check_cancel()?;
            let want = CHUNK.min((existing - transfer.done) as usize);
            let read = transfer
                .part
                .read(&mut buffer[..want])
                .map_err(|source| write_error(part_path, source, 0))?;
            if read == 0 {
                break;
            }
            transfer.hasher.update(&buffer[..read]);
            transfer.done += read as u64;
            transfer.report(DownloadPhase::CheckingPartial, false);
        }
        if existing > 0 {
            transfer.report(DownloadPhase::CheckingPartial, true);
        }
        Ok(transfer)
    }

    fn check_cancel(&self) -> Result<(), DownloadError> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(DownloadError::Cancelled {
                done: self.done,
                total: self.file.size,
            });
        }
        Ok(())
    }

    fn restart(&mut self) -> Result<(), DownloadError> {
        self.part
            .set_len(0)
            .and_then(|()| self.part.seek(SeekFrom::Start(0)).map(drop))
            .map_err(|source| write_error(self.part_path, source, self.file.size))?;
        self.hasher = Sha256::new();
        self.done = 0;
        Ok(())
    }

    fn report(&mut self, phase: DownloadPhase, force: bool) {
        let now = Instant::now();
        if !force
            && self
                .last_report
                .is_some_and(|last| now - last < PROGRESS_EVERY)
        {
            return;
        }
        self.last_report = Some(now);
        let seconds = (now - self.started).as_secs_f64();
        let bytes_per_second = if phase == DownloadPhase::Downloading && seconds > 0.0 {
            self.fetched as f64 / seconds
        } else {
            0.0
        };
        (self.on_progress)(&DownloadProgress {
            phase,
            done: self.done,
            total: self.file.size,
            bytes_per_second,
        });
    }

    /// Fetches the bytes after `done` and appends them.
    fn fetch_rest(&mut self, agents: &Agents, source: &HubSource) -> Result<(), DownloadError> {
        if self.done == self.file.size {
            return Ok(());
        }
        self.check_cancel()?;
        if self.fetched == 0 {
            self.started = Instant::now();
        }
        let mut request = Agents::request(&agents.follow, "GET", source);
        if self.done > 0 {
            request = request.set("Range", &format!("bytes={}-", self.done));
        }
        let response = call(request, source, self.file)?;
        match response.status() {
            206 => {
                let expected = format!("bytes {}-", self.done);
                let content_range = response.header("content-range").unwrap_or_default();
                if !content_range.starts_with(&expected) {
                    return Err(DownloadError::Network {
                        url: source.url.clone(),
                        reason: format!(
                            "asked for bytes from {} and got `{content_range}`",
                            self.done
                        ),
                    });
                }
            }
            // The server ignored the Range: take the whole file from the start.
            200 if self.done > 0 => self.restart()?,
            200 => {}
            // The .part is not a prefix of this file after all; start over next attempt.
            416 => {
                self.restart()?;
                return Err(DownloadError::Network {
                    url: source.url.clone(),
                    reason: "the server refused to resume this partial download".into(),
                });
            }
            status => {
                return Err(DownloadError::Http {
                    url: source.url.clone(),
                    status,
                    detail: String::new(),
                });
            }
        }
        self.part
            .seek(SeekFrom::Start(self.done))
            .map_err(|source| write_error(self.part_path, source, self.file.size))?;
        let mut body = response.into_reader();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            self.check_cancel()?;
            let read = match body.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(DownloadError::Network {
                        url: source.url.clone(),
                        reason: format!(
                            "the transfer broke off at {} of {}: {error}",
                            human_bytes(self.done),
                            human_bytes(self.file.size)
                        ),
                    });
                }
            };
            // More than the pin allows: the file is not the one pinned; verify says so.
            let room = (self.file.size + 1).saturating_sub(self.done) as usize;
            let chunk = &buffer[..read.min(room)];
            self.part.write_all(chunk).map_err(|source| {
                write_error(
                    self.part_path,
                    source,
                    self.file.size.saturating_sub(self.done),
                )
            })?;
            self.hasher.update(chunk);
            self.done += chunk.len() as u64;
            self.fetched += chunk.len() as u64;
            self.report(DownloadPhase::Downloading, false);
            if self.done > self.file.size {
                break;
            }
        }
        self.report(DownloadPhase::Downloading, true);
        if self.done < self.file.size {
            return Err(DownloadError::Network {
                url: source.url.clone(),
                reason: format!(
                    "the server closed the connection at {} of {}",
                    human_bytes(self.done),
                    human_bytes(self.file.size)
                ),
            });
        }
        Ok(())
    }

    /// Makes the bytes durable and returns the hex SHA-256 of everything written.
    fn finish(mut self) -> Result<String, DownloadError> {
        self.report(DownloadPhase::Verifying, true);
        self.part
            .sync_all()
            .map_err(|source| write_error(self.part_path, source, 0))?;
        Ok(self
            .hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
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

/// Bytes in decimal units, as the CLI and the window show sizes.
/// The file a download writes to until it is complete and verified.
pub fn partial_download(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

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
