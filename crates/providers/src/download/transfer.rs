//! Filling the `.part` file: hashing what an earlier download left, appending the rest
//! from the Hub, and reporting progress along the way.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::hub::{Agents, call};
use super::{DownloadError, DownloadPhase, DownloadProgress, HubSource, human_bytes, write_error};
use crate::catalog::HfFile;

const CHUNK: usize = 1 << 20;
/// Progress is reported at most this often (and once at the end of each phase).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The `.part` file being filled, with the hash of what it holds so far.
pub(super) struct Transfer<'a> {
    part: &'a mut File,
    part_path: &'a Path,
    file: &'a HfFile,
    cancel: &'a AtomicBool,
    on_progress: &'a mut dyn FnMut(&DownloadProgress),
    hasher: Sha256,
    pub(super) done: u64,
    started: Instant,
    fetched: u64,
    last_report: Option<Instant>,
}

impl<'a> Transfer<'a> {
    /// Takes over the `.part` file, hashing what an earlier download left in it.
    pub(super) fn open(
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

    pub(super) fn check_cancel(&self) -> Result<(), DownloadError> {
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
    pub(super) fn fetch_rest(
        &mut self,
        agents: &Agents,
        source: &HubSource,
    ) -> Result<(), DownloadError> {
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
    pub(super) fn finish(mut self) -> Result<String, DownloadError> {
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
