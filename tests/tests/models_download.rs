//! Downloading models from a fake Hugging Face Hub over real HTTP: through the CLI as a
//! user runs it (with `HF_ENDPOINT` pointing at the fake) and through the library.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cadence::catalog::Catalog;
use cadence::llm::Architecture;
use cadence::llm::synthetic::SyntheticModel;
use cadence::models::download::{self, DownloadError, DownloadPhase, DownloadProgress, HubSource};
use cadence::{AppPaths, Studio};
use cadence_tests::fake_hf::{Behaviour, FakeHf, HostedFile, catalog_pinning, test_bytes};
use cadence_tests::sha256_of;

const MODEL: &str = "smollm2-135m";
const SIZE: usize = 6_000_000;

fn hosted() -> HostedFile {
    HostedFile {
        repo: "cadence-test/Tiny-GGUF".into(),
        revision: "0123456789abcdef0123456789abcdef01234567".into(),
        file: "tiny.Q4_0.gguf".into(),
        content: model_content(),
    }
}

/// A real GGUF (random weights) padded to `SIZE` bytes, so that once installed it is a
/// usable model file, not one the Models listing calls damaged.
fn model_content() -> Vec<u8> {
    static CONTENT: OnceLock<Vec<u8>> = OnceLock::new();
    CONTENT
        .get_or_init(|| {
            let folder = tempfile::tempdir().unwrap();
            let file = folder.path().join("model.gguf");
            SyntheticModel::tiny(Architecture::Llama)
                .write(&file)
                .unwrap();
            let mut content = std::fs::read(&file).unwrap();
            content.extend(test_bytes(SIZE - content.len(), 7));
            content
        })
        .clone()
}

/// A Cadence home whose catalogue pins `pinned`, and a fake Hub serving `served`.
struct Setup {
    home: tempfile::TempDir,
    hub: FakeHf,
    pinned: HostedFile,
}

impl Setup {
    fn new(pinned: HostedFile, served: HostedFile, behaviour: Behaviour) -> Setup {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("test-models.toml"),
            catalog_pinning(&pinned),
        )
        .unwrap();
        Setup {
            home,
            hub: FakeHf::start(served, behaviour),
            pinned,
        }
    }

    fn serving(behaviour: Behaviour) -> Setup {
        Setup::new(hosted(), hosted(), behaviour)
    }

    fn catalog_path(&self) -> PathBuf {
        self.home.path().join("test-models.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.hub.cadence(self.home.path(), &self.catalog_path());
        command.args(args);
        command
    }

    fn run(&self, args: &[&str]) -> (Output, String, String) {
        let output = self.command(args).output().expect("run cadence");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output, stdout, stderr)
    }

    fn studio(&self) -> Studio {
        let catalog = Catalog::load(&self.catalog_path()).expect("the test catalogue loads");
        Studio::new(AppPaths::at(self.home.path()), catalog)
    }

    fn model_file(&self) -> PathBuf {
        self.home
            .path()
            .join("models")
            .join(MODEL)
            .join(&self.pinned.file)
    }

    fn part_file(&self) -> PathBuf {
        cadence::partial_download(&self.model_file())
    }

    /// Downloads through the library, against the fake Hub, collecting the progress.
    fn download_in_process(
        &self,
        cancel: &AtomicBool,
        mut on_progress: impl FnMut(&DownloadProgress),
    ) -> Result<download::Downloaded, DownloadError> {
        let studio = self.studio();
        let model = studio.local_model(MODEL).unwrap();
        let source = HubSource::at_endpoint(self.hub.endpoint(), &model.gguf).unwrap();
        download::download(
            &model.gguf,
            &studio.model_file(model),
            &source,
            cancel,
            &mut on_progress,
        )
    }

    fn status_in_list(&self) -> String {
        let (output, stdout, stderr) = self.run(&["models", "list"]);
        assert!(output.status.success(), "{stderr}");
        let header = stdout.lines().next().unwrap();
        let column = header.find("STATUS").unwrap();
        let row = stdout
            .lines()
            .find(|line| line.starts_with(&format!("{MODEL} ")))
            .unwrap_or_else(|| panic!("no {MODEL} row in\n{stdout}"));
        row[column..].trim().to_string()
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

#[test]
fn download_installs_the_verified_file() {
    let setup = Setup::serving(Behaviour::default());
    assert_eq!(setup.status_in_list(), "not installed");

    let (output, stdout, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(sha256_of(&setup.model_file()), setup.pinned.sha256());
    assert!(!setup.part_file().exists(), "the .part was left behind");
    assert!(stdout.contains("SHA-256 verified"), "{stdout}");
    assert!(
        stderr.contains("100.0%") && stderr.contains("6.0 MB") && stderr.contains("MB/s"),
        "{stderr}"
    );
    assert_eq!(setup.status_in_list(), "installed");

    // hf-hub's URL under HF_ENDPOINT: metadata from the Hub, bytes through its redirect.
    let resolve = format!(
        "/{}/resolve/{}/{}",
        setup.pinned.repo, setup.pinned.revision, setup.pinned.file
    );
    let requests = setup.hub.requests();
    assert_eq!(requests[0].method, "HEAD");
    assert_eq!(requests[0].path, resolve);
    let cdn_gets: Vec<_> = setup
        .hub
        .body_requests()
        .into_iter()
        .filter(|request| request.path.starts_with("/cdn/"))
        .collect();
    assert_eq!(cdn_gets.len(), 1, "{requests:?}");
    assert_eq!(cdn_gets[0].range(), None);

    // A second run finds it installed and fetches nothing.
    let before = setup.hub.requests().len();
    let (output, stdout, _) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success());
    assert!(stdout.contains("already installed"), "{stdout}");
    assert_eq!(setup.hub.requests().len(), before);

    let (output, stdout, stderr) = setup.run(&["models", "remove", MODEL]);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("removed smollm2-135m, freeing 6.0 MB"),
        "{stdout}"
    );
    assert!(!setup.model_file().exists());
    assert_eq!(setup.status_in_list(), "not installed");
}

#[test]
fn progress_is_monotonic_and_reaches_the_total() {
    // About 92 chunks of 64 KiB at 15 ms each take well over a second, so the 100 ms
    // progress throttle reports many times however fast the machine is.
    let setup = Setup::serving(Behaviour {
        delay_per_chunk: Duration::from_millis(15),
        ..Behaviour::default()
    });
    let mut reports = Vec::new();
    let downloaded = setup
        .download_in_process(&AtomicBool::new(false), |progress| {
            reports.push(progress.clone())
        })
        .expect("the download succeeds");
    assert!(!downloaded.already_installed);
    assert_eq!(downloaded.resumed_from, 0);
    assert_eq!(sha256_of(&downloaded.path), setup.pinned.sha256());

    let downloading: Vec<_> = reports
        .iter()
        .filter(|report| report.phase == DownloadPhase::Downloading)
        .collect();
    assert!(downloading.len() > 3, "too few reports: {reports:?}");
    assert!(reports.iter().all(|report| report.total == SIZE as u64));
    assert!(
        downloading
            .windows(2)
            .all(|pair| pair[0].done <= pair[1].done),
        "progress went backwards: {reports:?}"
    );
    assert_eq!(downloading.last().unwrap().done, SIZE as u64);
    assert!(downloading.last().unwrap().bytes_per_second > 0.0);
    assert_eq!(reports.last().unwrap().phase, DownloadPhase::Verifying);
}

#[test]
fn cancel_keeps_the_partial_download_and_resume_asks_for_the_rest() {
    let setup = Setup::serving(Behaviour {
        delay_per_chunk: Duration::from_millis(5),
        ..Behaviour::default()
    });
    let cancel = AtomicBool::new(false);
    let result = setup.download_in_process(&cancel, |progress| {
        if progress.done >= 2_000_000 {
            cancel.store(true, Ordering::SeqCst);
        }
    });
    let Err(DownloadError::Cancelled { done, total }) = result else {
        panic!("expected a cancel, got {result:?}");
    };
    assert_eq!(total, SIZE as u64);
    assert!(
        !setup.model_file().exists(),
        "a half file is under the final name"
    );
    let partial = file_len(&setup.part_file());
    assert_eq!(partial, done);
    assert!((2_000_000..SIZE as u64).contains(&partial), "{partial}");
    assert_eq!(
        setup.status_in_list(),
        format!("partly downloaded ({:.1} MB)", partial as f64 / 1e6)
    );

    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("checking the partial download"), "{stderr}");
    assert!(stderr.contains("resumed from"), "{stderr}");
    let last = setup.hub.body_requests().pop().unwrap();
    assert_eq!(last.range(), Some(format!("bytes={partial}-").as_str()));
    assert_eq!(sha256_of(&setup.model_file()), setup.pinned.sha256());
    assert!(!setup.part_file().exists());
}

/// Starts `command` with Ctrl-C's signal (SIGINT) acting as it does from a terminal: a
/// suite run as a background job inherits it ignored.
#[cfg(unix)]
fn as_from_a_terminal(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SIGINT is 2 and SIG_DFL is 0 on every unix Cadence builds for.
    const SIGINT: i32 = 2;
    const SIG_DFL: usize = 0;
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    // SAFETY: `signal` is async-signal-safe, and only the child's disposition changes.
    unsafe {
        command.pre_exec(|| {
            signal(SIGINT, SIG_DFL);
            Ok(())
        });
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_a_part_that_the_next_run_resumes() {
    // The Hub stops sending after two megabytes and holds the connection, so the download
    // is still running when Ctrl-C comes, however loaded the machine.
    let setup = Setup::serving(Behaviour {
        stall_first_get_after: Some(2 << 20),
        ..Behaviour::default()
    });
    let mut command = setup.command(&["models", "download", MODEL]);
    command
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    as_from_a_terminal(&mut command);
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while file_len(&setup.part_file()) < 1_000_000 {
        assert!(Instant::now() < deadline, "the download never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "the download finished before Ctrl-C");
    assert!(!setup.model_file().exists());
    let partial = file_len(&setup.part_file());
    assert!((1_000_000..SIZE as u64).contains(&partial), "{partial}");

    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success(), "{stderr}");
    let last = setup.hub.body_requests().pop().unwrap();
    assert_eq!(last.range(), Some(format!("bytes={partial}-").as_str()));
    assert_eq!(sha256_of(&setup.model_file()), setup.pinned.sha256());
}

#[test]
fn a_broken_connection_is_resumed_with_a_range_request() {
    let setup = Setup::serving(Behaviour {
        break_first_get_after: Some(1 << 20),
        ..Behaviour::default()
    });
    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success(), "{stderr}");
    let ranges: Vec<Option<String>> = setup
        .hub
        .body_requests()
        .iter()
        .filter(|request| request.path.starts_with("/cdn/"))
        .map(|request| request.range().map(str::to_string))
        .collect();
    assert_eq!(ranges, [None, Some(format!("bytes={}-", 1 << 20))]);
    assert_eq!(sha256_of(&setup.model_file()), setup.pinned.sha256());
}

#[test]
fn a_damaged_download_is_refused_and_deleted() {
    let mut damaged = hosted().content;
    damaged[SIZE / 2] ^= 0xff;
    let setup = Setup::serving(Behaviour {
        served_instead: Some(damaged),
        ..Behaviour::default()
    });
    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("is damaged (SHA-256")
            && stderr.contains("it was deleted: run the download again"),
        "{stderr}"
    );
    assert!(!setup.model_file().exists(), "a damaged file was installed");
    assert!(!setup.part_file().exists(), "a damaged .part was kept");
    assert_eq!(setup.status_in_list(), "not installed");
}

/// An installed file of the pinned size that is not a usable GGUF (damaged on disk after it
/// was verified) is listed as damaged, and downloading the model replaces it.
#[test]
fn an_installed_file_damaged_on_disk_is_downloaded_again() {
    let setup = Setup::serving(Behaviour::default());
    let mut damaged = hosted().content;
    damaged[..4].copy_from_slice(b"GGML");
    std::fs::create_dir_all(setup.model_file().parent().unwrap()).unwrap();
    std::fs::write(setup.model_file(), &damaged).unwrap();
    assert_eq!(
        setup.status_in_list(),
        "damaged (not a usable GGUF); download again"
    );

    let (output, stdout, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("SHA-256 verified"), "{stdout}");
    assert_eq!(sha256_of(&setup.model_file()), setup.pinned.sha256());
    assert_eq!(setup.status_in_list(), "installed");
}

#[test]
fn a_pin_the_hub_does_not_have_gives_a_404_that_names_it() {
    let pinned = HostedFile {
        revision: "fedcba9876543210fedcba9876543210fedcba98".into(),
        ..hosted()
    };
    let setup = Setup::new(pinned, hosted(), Behaviour::default());
    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("HTTP 404")
            && stderr.contains("fedcba9876543210fedcba9876543210fedcba98")
            && stderr.contains("check repo, file and revision of this model in models.toml"),
        "{stderr}"
    );
    assert!(!setup.part_file().exists(), "a wrong pin left a .part");
    assert!(!setup.model_file().exists());
}

#[test]
fn a_pin_whose_size_differs_from_the_hub_is_refused_before_downloading() {
    let pinned = HostedFile {
        content: test_bytes(SIZE + 1, 7),
        ..hosted()
    };
    let setup = Setup::new(pinned, hosted(), Behaviour::default());
    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("is 6000000 bytes but models.toml pins 6000001"),
        "{stderr}"
    );
    assert!(setup.hub.body_requests().is_empty(), "bytes were fetched");
}

#[test]
fn a_model_larger_than_the_free_space_is_refused_before_anything_is_written() {
    // A petabyte, pinned and described by the Hub alike: no disk the tests run on has it free.
    const PETABYTE: u64 = 1_000_000_000_000_000;
    let setup = Setup::serving(Behaviour {
        claimed_size: Some(PETABYTE),
        ..Behaviour::default()
    });
    let catalog = catalog_pinning(&setup.pinned).replacen(
        &format!("size = {SIZE}\n"),
        &format!("size = {PETABYTE}\n"),
        1,
    );
    std::fs::write(setup.catalog_path(), catalog).unwrap();

    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(!output.status.success());
    let folder = setup.model_file().parent().unwrap().display().to_string();
    assert!(
        stderr.contains(
            "SmolLM2-135M-Instruct (Q4_1) needs 1050000.00 GB free: 1000000.00 GB to download \
             and 50000.00 GB kept spare; "
        ) && stderr.contains(&format!("{folder} has "))
            && stderr.contains("GB free. Free some space or choose another models folder"),
        "{stderr}"
    );
    assert!(setup.hub.body_requests().is_empty(), "bytes were fetched");
    assert!(
        !setup.home.path().join("models").exists(),
        "the refused download wrote to the models folder"
    );
    assert_eq!(setup.status_in_list(), "not installed");
}

#[test]
fn an_unreachable_hub_says_to_check_the_network() {
    let setup = Setup::serving(Behaviour::default());
    let (output, _, stderr) = setup
        .command(&["models", "download", MODEL])
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .map(|output| {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            (output, (), stderr)
        })
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot download from http://127.0.0.1:9/")
            && stderr.contains("check the network connection"),
        "{stderr}"
    );
}

#[test]
fn an_unwritable_models_folder_says_what_to_do() {
    let setup = Setup::serving(Behaviour::default());
    // A file where the models folder should be: no folder can be made there, even as root.
    std::fs::write(setup.home.path().join("models"), b"not a folder").unwrap();
    let (output, _, stderr) = setup.run(&["models", "download", MODEL]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot write") && stderr.contains("choose another models folder"),
        "{stderr}"
    );
}

#[test]
fn unknown_and_cloud_ids_cannot_be_downloaded() {
    let setup = Setup::serving(Behaviour::default());
    for id in ["no-such-model", "gemini"] {
        let (output, _, stderr) = setup.run(&["models", "download", id]);
        assert!(!output.status.success());
        assert!(
            stderr.contains(&format!("`{id}` is not a local model in the catalogue")),
            "{stderr}"
        );
    }
    assert!(setup.hub.requests().is_empty());
}

#[test]
fn a_named_tokenizer_json_is_downloaded_verified_and_counted_as_part_of_the_model() {
    let gguf = hosted();
    let tokenizer = HostedFile {
        repo: "cadence-test/Tiny-Tokenizer".into(),
        revision: "89abcdef0123456789abcdef0123456789abcdef".into(),
        file: "tokenizer.json".into(),
        content: br#"{"version": "1.0", "model": {"type": "BPE"}}"#.to_vec(),
    };
    let home = tempfile::tempdir().unwrap();
    let pin = format!("sha256 = \"{}\"\n", gguf.sha256());
    let catalog = catalog_pinning(&gguf).replacen(
        &pin,
        &format!(
            "{pin}[local.tokenizer]\nsource = \"huggingface\"\nrepo = \"{}\"\nfile = \"{}\"\n\
             revision = \"{}\"\nsize = {}\nsha256 = \"{}\"\n",
            tokenizer.repo,
            tokenizer.file,
            tokenizer.revision,
            tokenizer.content.len(),
            tokenizer.sha256()
        ),
        1,
    );
    let catalog_path = home.path().join("test-models.toml");
    std::fs::write(&catalog_path, catalog).unwrap();
    let hub = FakeHf::start_many(vec![gguf.clone(), tokenizer.clone()], Behaviour::default());
    let run = |args: &[&str]| {
        hub.cadence(home.path(), &catalog_path)
            .args(args)
            .output()
            .unwrap()
    };
    let state = || {
        let output = run(&["models", "list", "--json"]);
        let models: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == MODEL)
            .unwrap()["availability"]["state"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let output = run(&["models", "download", MODEL]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let folder = home.path().join("models").join(MODEL);
    assert_eq!(sha256_of(&folder.join(&gguf.file)), gguf.sha256());
    assert_eq!(
        std::fs::read(folder.join("tokenizer.json")).unwrap(),
        tokenizer.content
    );
    let fetched: Vec<String> = hub.body_requests().into_iter().map(|r| r.path).collect();
    assert!(
        fetched
            .iter()
            .any(|path| path.ends_with(&tokenizer.sha256())),
        "{fetched:?}"
    );
    assert_eq!(state(), "installed");

    // Without its tokenizer the model is not installed; downloading again fetches only it.
    std::fs::remove_file(folder.join("tokenizer.json")).unwrap();
    assert_eq!(state(), "partial");
    let gets_before = hub.body_requests().len();
    let output = run(&["models", "download", MODEL]);
    assert!(output.status.success());
    assert_eq!(state(), "installed");
    let new_gets: Vec<String> = hub.body_requests()[gets_before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(
        new_gets
            .iter()
            .any(|path| path.ends_with(&tokenizer.sha256()))
            && new_gets
                .iter()
                .all(|path| !path.ends_with(&gguf.sha256()) && !path.ends_with(&gguf.file)),
        "{new_gets:?}"
    );

    // Removing the model removes its tokenizer too.
    let output = run(&["models", "remove", MODEL]);
    assert!(output.status.success());
    assert!(!folder.join("tokenizer.json").exists());
}
