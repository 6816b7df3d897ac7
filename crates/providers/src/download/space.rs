//! Room on disk for a download, checked before any byte is written, so that a download
//! that cannot fit is refused with the figures instead of failing hours in with a full disk.

use std::path::{Path, PathBuf};

use super::DownloadError;

/// The least left free after a download: a disk filled to its last byte breaks the system
/// and every program writing to it, Cadence's library included.
const MIN_SPARE: u64 = 256 * 1024 * 1024;

/// Space a download needs, and what the disk has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Room {
    /// Bytes still to fetch: a partial download already on disk counts only for the rest.
    pub(super) to_fetch: u64,
    /// Bytes free on the filesystem the file goes to.
    pub(super) free: u64,
}

impl Room {
    /// What the download will still write, given `partial` bytes already in its `.part`
    /// file; a `.part` longer than the file is not a prefix of it and starts over.
    pub(super) fn remaining(size: u64, partial: u64) -> u64 {
        if partial <= size {
            size - partial
        } else {
            size
        }
    }

    /// Bytes kept free beyond the download: 5% of it, and at least [`MIN_SPARE`].
    fn spare(&self) -> u64 {
        (self.to_fetch / 20).max(MIN_SPARE)
    }

    /// Refuses a download the disk cannot take with its margin, naming `what` and `folder`.
    pub(super) fn check(&self, what: &str, folder: &Path) -> Result<(), DownloadError> {
        if self.to_fetch == 0 {
            return Ok(());
        }
        let spare = self.spare();
        let needed = self.to_fetch.saturating_add(spare);
        if self.free >= needed {
            return Ok(());
        }
        Err(DownloadError::NotEnoughSpace {
            what: what.to_string(),
            folder: folder.to_path_buf(),
            to_fetch: self.to_fetch,
            spare,
            free: self.free,
        })
    }
}

/// Bytes an unprivileged user may still write on the filesystem holding `folder`, asked of
/// the nearest folder above it that exists; `None` where the system cannot say.
pub(super) fn free_space(folder: &Path) -> Option<u64> {
    let existing = nearest_existing(folder)?;
    filesystem_free_bytes(&existing)
}

fn nearest_existing(folder: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(folder).ok()?;
    absolute
        .ancestors()
        .find(|ancestor| ancestor.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(unix)]
fn filesystem_free_bytes(folder: &Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(folder).ok()?;
    // POSIX counts blocks in fragments of f_frsize; some systems leave it 0 and mean f_bsize.
    let block = if stats.f_frsize > 0 {
        stats.f_frsize
    } else {
        stats.f_bsize
    };
    Some(stats.f_bavail.saturating_mul(block))
}

// Elsewhere the download goes ahead unchecked; a full disk is still reported when a write fails.
#[cfg(not(unix))]
fn filesystem_free_bytes(_folder: &Path) -> Option<u64> {
    None
}

/// Bytes as gigabytes with two decimals, as the refusal gives its figures.
pub(super) fn gigabytes(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn a_download_that_fits_with_room_to_spare_goes_ahead() {
        let room = Room {
            to_fetch: 2 * GB,
            free: 3 * GB,
        };
        assert!(room.check("Phi-3.5-mini", Path::new("/models")).is_ok());
        let nothing_left = Room {
            to_fetch: 0,
            free: 0,
        };
        assert!(nothing_left.check("x", Path::new("/models")).is_ok());
    }

    #[test]
    fn a_download_larger_than_the_free_space_is_refused_with_the_figures() {
        let room = Room {
            to_fetch: 2_393_232_672,
            free: 1_020_000_000,
        };
        let error = room
            .check("Phi-3.5-mini", Path::new("/Volumes/Small/models"))
            .unwrap_err();
        assert!(matches!(error, DownloadError::NotEnoughSpace { .. }));
        assert_eq!(
            error.to_string(),
            "Phi-3.5-mini needs 2.66 GB free: 2.39 GB to download and 0.27 GB kept spare; \
             /Volumes/Small/models has 1.02 GB free. Free some space or choose another models \
             folder in Settings"
        );
    }

    #[test]
    fn the_margin_is_five_percent_and_never_under_256_mib() {
        let just_fits = |to_fetch: u64, spare: u64| {
            let fits = Room {
                to_fetch,
                free: to_fetch + spare,
            };
            let short = Room {
                to_fetch,
                free: to_fetch + spare - 1,
            };
            fits.check("m", Path::new("/m")).is_ok() && short.check("m", Path::new("/m")).is_err()
        };
        assert!(just_fits(100_000_000, MIN_SPARE));
        assert!(just_fits(20 * GB, GB));
    }

    #[test]
    fn a_partial_download_counts_only_for_the_rest() {
        assert_eq!(Room::remaining(100, 0), 100);
        assert_eq!(Room::remaining(100, 60), 40);
        assert_eq!(Room::remaining(100, 100), 0);
        assert_eq!(
            Room::remaining(100, 150),
            100,
            "a .part too long starts over"
        );
        let resumed = Room {
            to_fetch: Room::remaining(4 * GB, 3 * GB),
            free: 2 * GB,
        };
        assert!(resumed.check("m", Path::new("/m")).is_ok());
    }

    #[test]
    fn gigabytes_have_two_decimals() {
        assert_eq!(gigabytes(2_393_232_672), "2.39 GB");
        assert_eq!(gigabytes(98_362_432), "0.10 GB");
    }

    #[cfg(unix)]
    #[test]
    fn free_space_is_read_from_the_nearest_existing_folder() {
        let home = tempfile::tempdir().unwrap();
        let missing = home.path().join("models").join("phi-3.5-mini");
        let free = free_space(&missing).expect("statvfs answers on unix");
        assert!(free > 0);
    }
}
