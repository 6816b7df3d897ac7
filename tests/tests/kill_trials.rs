//! kill -9 loses nothing. The real `cadence` process is killed with SIGKILL (no destructor,
//! rollback or flush runs) at random moments of `cadence batch`, `cadence tutorial`,
//! `cadence import <file.json>` and `cadence models download`, and after every kill:
//!
//! - the SQLite file passes `PRAGMA integrity_check` and its foreign-key check, in WAL mode;
//! - every stored document reads back through the library whole: valid against its
//!   committed schema in assets/schema, accepted by the theory engine, and equal to what an
//!   uninterrupted run stores (a curriculum's modules and lessons as the batch or the import
//!   wrote them, never a part of them);
//! - the same command run again finishes the work without duplicates;
//! - a download's `.part` file is a prefix of the file, the next run resumes it with a
//!   Range request instead of starting over, and only bytes whose SHA-256 matches the
//!   catalogue are ever installed.
//!
//! The moments: each command is first run whole and timed, with when each line of its
//! standard error came; then it is killed at moments drawn from a seeded generator, a few
//! while the binary starts and the rest one in each equal slice of its work, so that early,
//! middle and late moments are all tried. Each moment is taken as the time after the last
//! line before it, so that a busier machine shifts a kill by a step at most. Each test
//! prints its seed; `CADENCE_KILL_SEED=<seed>` replays it. An episode kills the command a
//! few times in one data folder (so a run resuming a killed run is killed too), then runs
//! it to the end.
#![cfg(unix)]

use std::fmt;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use cadence::llm::Architecture;
use cadence::llm::synthetic::SyntheticModel;
use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::fake_hf::{Behaviour, FakeHf, HostedFile, catalog_pinning};
use cadence_tests::kill::{Measured, Trial, Trials, kill_at, measure};
use cadence_tests::library::{Course, Library, read_library};
use cadence_tests::{cadence, sha256_of};
use serde_json::Value;

fn run_to_the_end(command: &mut Command, what: &dyn fmt::Display) -> std::process::Output {
    let output = command.output().expect("run cadence");
    assert!(
        output.status.success(),
        "{what}: the run after the kills failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

const BATCH: &[&str] = &[
    "batch",
    "--key",
    "F",
    "--level",
    "intermediate",
    "--weeks",
    "16",
];

/// A batch finds its curriculum by its request, so "no duplicate" is strict: one
/// curriculum, each lesson's tutorial written once, and no tutorial outside a lesson.
#[test]
fn a_killed_batch_keeps_whole_lessons_and_the_rerun_finishes_it_once() {
    let reference_home = tempfile::tempdir().unwrap();
    let (output, measured) = measure(cadence(reference_home.path()).args(BATCH));
    assert!(output.status.success(), "{output:?}");
    let reference = read_library(reference_home.path(), &"the uninterrupted batch");
    assert_eq!(reference.courses.len(), 1);
    let course = &reference.courses[0];
    let expected_tutorials = reference.lesson_documents(course);
    assert!(course.document.is_some() && expected_tutorials.len() == 16);

    let mut trials = Trials::new("batch", &measured, 9, 2);
    for episode in trials.episodes() {
        let home = tempfile::tempdir().unwrap();
        for trial in &episode {
            let ended = kill_at(cadence(home.path()).args(BATCH), trial.moment);
            let library = read_library(home.path(), trial);
            let left = assert_part_of_the_batch(&library, course, &expected_tutorials, trial);
            trials.record(ended, left);
        }
        let what = trials.after(&episode);
        run_to_the_end(cadence(home.path()).args(BATCH), &what);
        let library = read_library(home.path(), &what);
        assert_eq!(library.courses.len(), 1, "{what}");
        let finished = &library.courses[0];
        assert_eq!(finished.document, course.document, "{what}");
        assert_eq!(
            library.lesson_documents(finished),
            expected_tutorials,
            "{what}"
        );
        assert_eq!(library.tutorials.len(), expected_tutorials.len(), "{what}");
        assert_eq!(library.batch_jobs, 1, "{what}");
    }
}

/// Checks that a killed batch left the whole outline or none, each lesson's tutorial
/// whole and attached or not at all, and nothing twice. Says what it left.
fn assert_part_of_the_batch(
    library: &Library,
    expected: &Course,
    expected_tutorials: &[Option<Value>],
    trial: &Trial,
) -> String {
    assert!(library.courses.len() <= 1, "{trial}: two curricula");
    // The request is recorded in the outline's own transaction.
    assert_eq!(library.batch_jobs, library.courses.len(), "{trial}");
    let Some(course) = library.courses.first() else {
        assert!(
            library.tutorials.is_empty(),
            "{trial}: tutorials without a curriculum"
        );
        return "nothing stored".into();
    };
    assert_eq!(
        course.outline, expected.outline,
        "{trial}: the outline differs"
    );
    let mut written: Vec<i64> = course.tutorials.iter().flatten().copied().collect();
    written.sort_unstable();
    assert_eq!(
        written,
        library.tutorials.keys().copied().collect::<Vec<_>>(),
        "{trial}: every tutorial belongs to one lesson"
    );
    for (index, (stored, wanted)) in library
        .lesson_documents(course)
        .iter()
        .zip(expected_tutorials)
        .enumerate()
    {
        if stored.is_some() {
            assert_eq!(stored, wanted, "{trial}: lesson {}'s tutorial", index + 1);
        }
    }
    format!(
        "outline and {} of {} tutorials",
        written.len(),
        course.tutorials.len()
    )
}

/// Runs `args` twice in one fresh data folder and reads its library. The measured run lasts
/// as long as the two did on average, with the faster one's lines and the shorter of the two
/// times the idle binary took to start.
fn run_twice(args: &[&str]) -> (Measured, Library) {
    let home = tempfile::tempdir().unwrap();
    let mut runs = [0, 1].map(|_| {
        let (output, measured) = measure(cadence(home.path()).args(args));
        assert!(output.status.success(), "{output:?}");
        measured
    });
    runs.sort_by_key(|measured| measured.run);
    let [faster, slower] = runs;
    let measured = Measured {
        startup: faster.startup.min(slower.startup),
        run: (faster.run + slower.run) / 2,
        ..faster
    };
    (
        measured,
        read_library(home.path(), &"two uninterrupted runs"),
    )
}

/// Kill trials of a command that stores a new copy of its document each time it runs: after
/// each kill the library holds the copies it held before or one more, each of them
/// `whole`, and nothing else; the run after the kills adds exactly one.
fn each_run_adds_one_whole_copy(
    mut trials: Trials,
    args: &[&str],
    copies: fn(&Library) -> usize,
    whole: &dyn Fn(&Library) -> bool,
) {
    let documents =
        |library: &Library| library.courses.len() + library.tutorials.len() + library.materials;
    for episode in trials.episodes() {
        let home = tempfile::tempdir().unwrap();
        let mut stored = 0;
        for trial in &episode {
            let ended = kill_at(cadence(home.path()).args(args), trial.moment);
            let library = read_library(home.path(), trial);
            let count = copies(&library);
            assert!(
                (stored..=stored + 1).contains(&count),
                "{trial}: {count} copies after {stored}"
            );
            assert_eq!(
                documents(&library),
                count,
                "{trial}: something else was stored"
            );
            assert!(
                whole(&library),
                "{trial}: a copy differs from the uninterrupted run's"
            );
            trials.record(
                ended,
                if count > stored {
                    "stored"
                } else {
                    "not stored"
                }
                .into(),
            );
            stored = count;
        }
        let what = trials.after(&episode);
        run_to_the_end(cadence(home.path()).args(args), &what);
        let library = read_library(home.path(), &what);
        assert_eq!(copies(&library), stored + 1, "{what}");
        assert_eq!(documents(&library), stored + 1, "{what}");
        assert!(whole(&library), "{what}");
    }
}

/// Every `cadence tutorial` saves a new tutorial, even for a request made before (the
/// reference runs show it), so a killed run leaves none or one whole copy and the run after
/// it adds exactly one.
#[test]
fn a_killed_tutorial_is_stored_whole_or_not_at_all() {
    let args = [
        "tutorial",
        "--topic",
        "ii-V-I",
        "--key",
        "Eb",
        "--level",
        "intermediate",
    ];
    let (measured, reference) = run_twice(&args);
    let copies: Vec<&Value> = reference.tutorials.values().collect();
    assert_eq!(copies.len(), 2, "asking again saves another copy");
    assert_eq!(copies[0], copies[1]);
    let expected = copies[0];
    each_run_adds_one_whole_copy(
        Trials::new("tutorial", &measured, 4, 3),
        &args,
        |library| library.tutorials.len(),
        &|library| library.tutorials.values().all(|t| t == expected),
    );
}

/// Importing a file twice stores two copies (the reference runs show it), so a killed
/// import leaves none or one whole copy, and the import after it adds exactly one. The
/// file is a two-year curriculum: one transaction of hundreds of rows.
#[test]
fn a_killed_import_stores_the_whole_curriculum_or_nothing() {
    let source = tempfile::tempdir().unwrap();
    let made = cadence(source.path())
        .args(["batch", "--weeks", "104", "--level", "advanced"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let source_library = read_library(source.path(), &"the curriculum to import");
    let file = source.path().join("two-years.json");
    let studio = Studio::new(AppPaths::at(source.path()), Catalog::builtin().unwrap());
    studio
        .export_curriculum_file(&studio.open_store().unwrap(), 1, &file)
        .unwrap();
    let args = ["import", file.to_str().unwrap()];

    let (measured, reference) = run_twice(&args);
    assert_eq!(
        reference.courses.len(),
        2,
        "importing again stores another copy"
    );
    // The file holds the outline only; it comes in as the batch stored it.
    let expected = &source_library.courses[0].outline;
    assert!(reference.courses.iter().all(|c| &c.outline == expected));
    each_run_adds_one_whole_copy(
        Trials::new("import", &measured, 4, 3),
        &args,
        |library| library.courses.len(),
        &|library| library.courses.iter().all(|c| &c.outline == expected),
    );
}

const MODEL: &str = "smollm2-135m";
/// The model the fake Hub serves: a real GGUF of a few megabytes (random weights), so that
/// once installed it is a usable model file.
fn hosted() -> HostedFile {
    static GGUF: OnceLock<Vec<u8>> = OnceLock::new();
    let content = GGUF.get_or_init(|| {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("model.gguf");
        SyntheticModel {
            layers: 16,
            ..SyntheticModel::tiny(Architecture::Llama)
        }
        .write(&file)
        .unwrap();
        std::fs::read(&file).unwrap()
    });
    HostedFile {
        repo: "cadence-test/Killed-GGUF".into(),
        revision: "00112233445566778899aabbccddeeff00112233".into(),
        file: "killed.Q4_K.gguf".into(),
        content: content.clone(),
    }
}

/// A data folder downloading the hosted file from a fake Hub.
struct Download<'a> {
    hub: &'a FakeHf,
    home: tempfile::TempDir,
    catalog: std::path::PathBuf,
}

impl<'a> Download<'a> {
    fn new(hub: &'a FakeHf) -> Download<'a> {
        let home = tempfile::tempdir().unwrap();
        let catalog = home.path().join("test-models.toml");
        std::fs::write(&catalog, catalog_pinning(&hosted())).unwrap();
        Download { hub, home, catalog }
    }

    fn command(&self) -> Command {
        let mut command = self.hub.cadence(self.home.path(), &self.catalog);
        command.args(["models", "download", MODEL]);
        command
    }

    fn studio(&self) -> Studio {
        Studio::new(
            AppPaths::at(self.home.path()),
            Catalog::load(&self.catalog).unwrap(),
        )
    }

    fn model_file(&self) -> std::path::PathBuf {
        let studio = self.studio();
        studio.model_file(studio.local_model(MODEL).unwrap())
    }

    fn part(&self) -> Option<Vec<u8>> {
        std::fs::read(cadence::partial_download(&self.model_file())).ok()
    }

    /// The model's state as `cadence models list` reports it: "installed", "partial", …
    fn state(&self) -> String {
        let output = self
            .hub
            .cadence(self.home.path(), &self.catalog)
            .args(["models", "list", "--json"])
            .output()
            .unwrap();
        let models: Value = serde_json::from_slice(&output.stdout).unwrap();
        models
            .as_array()
            .unwrap()
            .iter()
            .find(|model| model["id"] == MODEL)
            .unwrap()["availability"]["state"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Runs `run` (a download, killed or whole) and checks what it asked the Hub for and
    /// what it left: a partial download is resumed from where it stopped, the `.part` only
    /// grows and is a prefix of the bytes `served`, and the model is installed exactly when
    /// its file's SHA-256 is the pinned one. Says what it left.
    fn check_run<T>(
        &self,
        served: &[u8],
        what: &dyn fmt::Display,
        run: impl FnOnce() -> T,
    ) -> (T, String) {
        let before = self.part().map_or(0, |part| part.len());
        let installed_before = self.model_file().exists();
        let asked_before = self.hub.requests().len();
        let result = run();
        let asked: Vec<_> = self.hub.requests().split_off(asked_before);
        let fetches: Vec<Option<&str>> = asked
            .iter()
            .filter(|request| request.method == "GET" && request.path.starts_with("/cdn/"))
            .map(|request| request.range())
            .collect();
        if installed_before {
            assert!(
                asked.is_empty(),
                "{what}: an installed model was fetched again"
            );
        } else if before == served.len() {
            assert!(
                fetches.is_empty(),
                "{what}: a complete .part was fetched again"
            );
        } else if let Some(first) = fetches.first() {
            let resume = format!("bytes={before}-");
            let expected = (before > 0).then_some(resume.as_str());
            assert_eq!(
                *first, expected,
                "{what}: the .part of {before} bytes was not resumed"
            );
        }
        let part = self.part();
        if let Some(part) = &part {
            assert!(
                part.len() >= before,
                "{what}: the .part shrank from {before} to {}",
                part.len()
            );
            assert!(
                served.starts_with(part),
                "{what}: the .part is not a prefix of the file"
            );
        }
        let file = self.model_file();
        let state = self.state();
        let left = if file.exists() {
            assert_eq!(
                sha256_of(&file),
                hosted().sha256(),
                "{what}: a wrong file was installed"
            );
            assert!(part.is_none(), "{what}: a .part beside the installed file");
            assert_eq!(state, "installed", "{what}");
            "installed".to_string()
        } else {
            assert_ne!(state, "installed", "{what}");
            match part {
                Some(part) if part.len() == served.len() => {
                    "the whole .part, not yet verified".to_string()
                }
                Some(_) => "a partial .part".to_string(),
                None => "no .part".to_string(),
            }
        };
        (result, left)
    }
}

/// The download writes no database: what a kill can break is the model folder.
#[test]
fn a_killed_download_resumes_and_only_verified_bytes_are_installed() {
    // A few milliseconds between 64 KiB chunks: long enough for kills to land mid-transfer.
    let slow = Behaviour {
        delay_per_chunk: Duration::from_millis(2),
        ..Behaviour::default()
    };
    let hub = FakeHf::start(hosted(), slow.clone());
    let content = hosted().content;
    let reference = Download::new(&hub);
    let (output, measured) = measure(&mut reference.command());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(reference.state(), "installed");

    let mut trials = Trials::new("download", &measured, 4, 3);
    for episode in trials.episodes() {
        let download = Download::new(&hub);
        for trial in &episode {
            let (ended, left) = download.check_run(&content, trial, || {
                kill_at(&mut download.command(), trial.moment)
            });
            trials.record(ended, left);
        }
        let what = trials.after(&episode);
        let (output, _) =
            download.check_run(&content, &what, || download.command().output().unwrap());
        assert!(output.status.success(), "{what}: {output:?}");
        assert_eq!(download.state(), "installed", "{what}");
    }

    // A mirror serving one wrong byte: whatever moment a kill comes, nothing is installed,
    // and the run that reaches the end deletes the bytes it cannot verify.
    let mut damaged = content.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let bad_hub = FakeHf::start(
        hosted(),
        Behaviour {
            served_instead: Some(damaged.clone()),
            ..slow
        },
    );
    let mut trials = Trials::new("download from a damaged mirror", &measured, 3, 2);
    for episode in trials.episodes() {
        let download = Download::new(&bad_hub);
        for trial in &episode {
            let (ended, left) = download.check_run(&damaged, trial, || {
                kill_at(&mut download.command(), trial.moment)
            });
            assert_ne!(left, "installed", "{trial}");
            trials.record(ended, left);
        }
        let what = trials.after(&episode);
        let (output, left) =
            download.check_run(&damaged, &what, || download.command().output().unwrap());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() && stderr.contains("is damaged"),
            "{what}: {stderr}"
        );
        assert_eq!(left, "no .part", "{what}: the damaged bytes were kept");
    }
}
