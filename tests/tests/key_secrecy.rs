//! The Gemini key never leaves the request that carries it. A distinctive key is stored in
//! a real Secret Service (a private gnome-keyring, cadence_tests::keyring) and set in
//! GEMINI_API_KEY; then the command line writes tutorials, a curriculum and a coach's answer
//! with Gemini (a fake over real HTTP), meets an invalid key, server errors retried, a
//! stream cut off, an unreachable endpoint and a key that cannot be sent, reports usage and
//! routes, and exports as JSON, MIDI and MusicXML. The key must appear in no output and in
//! no file of the data or export folders (the SQLite file, its WAL, settings, caches), as it
//! is or URL-encoded, and it travels only in the `x-goog-api-key` header.
//!
//! Cadence has no log output beyond the progress and warning lines it always prints;
//! RUST_LOG and RUST_BACKTRACE are set to their most verbose all the same, so a dependency
//! that logs, or a panic's backtrace, would be searched too.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use cadence::content::Level;
use cadence::providers::gemini::ENDPOINT_ENV;
use cadence::providers::keychain;
use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::fake_gemini::{FakeGemini, Reply, cloud_home};
use cadence_tests::keyring::inside_private_keyring;
use cadence_tests::scripted::{curriculum_answer, tutorial_answer};

#[test]
fn the_gemini_key_is_written_nowhere() {
    if inside_private_keyring("the_gemini_key_is_written_nowhere") {
        KeyHunt::new().run();
    }
}

/// A key no one else would write: random, shaped like a Gemini key, with a `+` so that its
/// URL-encoded form differs from it.
fn sentinel_key() -> String {
    let random = || RandomState::new().build_hasher().finish();
    format!("AIzaSentinel+{:016x}{:016x}", random(), random())
}

/// Where a key could turn up, in every form it could be written in.
fn forms(key: &str) -> Vec<String> {
    let encoded: String = key
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect();
    let lower = encoded.replace("%2B", "%2b");
    vec![key.to_string(), encoded, lower]
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Every file under `folder`, links not followed.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            files.extend(files_under(&entry.path()));
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
    files
}

/// The data folder, the export folder, the key, and everything the commands printed.
struct KeyHunt {
    key: String,
    home: tempfile::TempDir,
    exports: tempfile::TempDir,
    /// What each command printed, standard output and error together, by what it was.
    printed: Vec<(String, Vec<u8>)>,
    /// The fake servers, kept so their requests can be read at the end.
    servers: Vec<FakeGemini>,
}

impl KeyHunt {
    fn new() -> Self {
        let hunt = KeyHunt {
            key: sentinel_key(),
            home: tempfile::tempdir().unwrap(),
            exports: tempfile::tempdir().unwrap(),
            printed: Vec::new(),
            servers: Vec::new(),
        };
        cloud_home(
            hunt.home.path(),
            &["tutorial_generation", "curriculum_planning", "coaching"],
        );
        keychain::store(&hunt.key).expect("the keyring session stores the key");
        hunt
    }

    /// Runs `cadence args` against `endpoint`, with `environment_key` in GEMINI_API_KEY (the
    /// keychain's key without one); keeps what it printed and returns it.
    fn cadence(
        &mut self,
        what: &str,
        args: &[&str],
        endpoint: &str,
        environment_key: Option<&str>,
    ) -> String {
        let mut command = cadence_tests::cadence(self.home.path());
        command
            .args(args)
            .env(ENDPOINT_ENV, endpoint)
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "full");
        if let Some(key) = environment_key {
            command.env("GEMINI_API_KEY", key);
        }
        let output = command.output().unwrap();
        let mut printed = output.stdout;
        printed.extend_from_slice(&output.stderr);
        let text = String::from_utf8_lossy(&printed).into_owned();
        assert!(output.status.success(), "{what}: {text}");
        self.printed.push((what.to_string(), printed));
        text
    }

    /// A command that talks to a fake Gemini answering with `script`; returns what it printed.
    fn with_gemini(
        &mut self,
        what: &str,
        script: Vec<Reply>,
        args: &[&str],
        environment_key: Option<&str>,
    ) -> String {
        let server = FakeGemini::start(script);
        let stderr = self.cadence(what, args, &server.endpoint(), environment_key);
        self.servers.push(server);
        stderr
    }

    fn tutorial(&mut self, what: &str, script: Vec<Reply>, key: Option<&str>) -> String {
        let args = ["tutorial", "--topic", "ii-V-I", "--key", "Eb", "--no-cache"];
        self.with_gemini(what, script, &args, key)
    }

    fn run(mut self) {
        let key = self.key.clone();
        let answer = tutorial_answer("ii-V-I", "Eb", Level::Intermediate).to_string();
        let written = self.tutorial(
            "a tutorial, the key read from the keychain",
            vec![Reply::streamed(&[answer.as_str()])],
            None,
        );
        assert!(written.contains("written by gemini"), "{written}");
        let written = self.tutorial(
            "a tutorial, the key from GEMINI_API_KEY",
            vec![Reply::streamed(&[answer.as_str()])],
            Some(&key),
        );
        assert!(written.contains("written by gemini"), "{written}");
        self.failures(&key);
        self.curriculum_and_coach(&key);
        self.reports_and_exports(&key);
        self.nothing_holds_the_key();
    }

    /// Requests that fail: the key must not be quoted in any error.
    fn failures(&mut self, key: &str) {
        let refused = self.tutorial("an invalid key", vec![Reply::invalid_key()], Some(key));
        assert!(refused.contains("Gemini refused the API key"), "{refused}");
        let failed = self.tutorial(
            "server errors, retried",
            vec![
                Reply::internal_error(),
                Reply::unavailable(),
                Reply::internal_error(),
            ],
            Some(key),
        );
        assert!(failed.contains("Gemini failed on its side"), "{failed}");
        assert_eq!(self.servers.last().unwrap().requests().len(), 3);
        let cut = self.tutorial(
            "a stream cut off",
            vec![Reply::cut_off(&["{\"title\": \"The ii"])],
            Some(key),
        );
        assert!(
            cut.contains("ended before the answer was complete"),
            "{cut}"
        );

        // A port nothing listens on.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let unreachable = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let args = ["tutorial", "--topic", "ii-V-I", "--key", "Eb", "--no-cache"];
        let lost = self.cadence("an unreachable endpoint", &args, &unreachable, Some(key));
        assert!(lost.contains("cannot reach Gemini"), "{lost}");

        // A character no header may carry: the request cannot be made at all.
        let unsendable = format!("{key}\u{1}");
        let unsent = self.tutorial("a key that cannot be sent", Vec::new(), Some(&unsendable));
        assert!(
            unsent.contains("GEMINI_API_KEY holds no usable key"),
            "{unsent}"
        );
    }

    /// A curriculum planned and written by Gemini, and a coach's answer from it.
    fn curriculum_and_coach(&mut self, key: &str) {
        let replies = [
            curriculum_answer(),
            tutorial_answer("ii-V-I", "Bb", Level::Intermediate),
            tutorial_answer("blues", "F", Level::Intermediate),
            tutorial_answer("major scale", "G", Level::Intermediate),
        ]
        .map(|answer| Reply::streamed(&[answer.to_string().as_str()]));
        let args = [
            "batch",
            "--key",
            "Bb",
            "--level",
            "intermediate",
            "--weeks",
            "2",
            "--no-cache",
        ];
        let batch = self.with_gemini("a curriculum", replies.to_vec(), &args, Some(key));
        assert_eq!(self.servers.last().unwrap().replies_left(), 0, "{batch}");
        let coach = self.with_gemini(
            "the coach",
            vec![Reply::streamed(&["Slowly, ", "hands separately first."])],
            &["coach", "How should I practise a ii-V-I?"],
            Some(key),
        );
        assert!(coach.contains("hands separately first."), "{coach}");
    }

    /// Usage, routes and the catalogue, then every export of what was written.
    fn reports_and_exports(&mut self, key: &str) {
        let nowhere = "http://127.0.0.1:9";
        let usage = self.cadence("usage", &["usage"], nowhere, Some(key));
        assert!(usage.contains("gemini"), "{usage}");
        for args in [
            &["usage", "--json"][..],
            &["route", "tutorial_generation"],
            &["route", "tutorial_generation", "--json"],
            &["models", "list", "--json"],
            &["library"],
        ] {
            self.cadence(&args.join(" "), args, nowhere, Some(key));
        }

        let studio = Studio::new(AppPaths::at(self.home.path()), Catalog::builtin().unwrap());
        let store = studio.open_store().unwrap();
        let tutorial = studio.list_tutorials(&store, "").unwrap()[0].id.to_string();
        let curriculum = studio.list_curricula(&store).unwrap()[0].id;
        for file in ["lesson.json", "lesson.mid", "lesson.musicxml"] {
            let out = self.exports.path().join(file);
            let args = [
                "export",
                "tutorial",
                &tutorial,
                "--out",
                out.to_str().unwrap(),
            ];
            self.cadence(&format!("export {file}"), &args, nowhere, Some(key));
        }
        let args = ["export", "tutorial", &tutorial, "--format", "musicxml"];
        self.cadence("export to standard output", &args, nowhere, Some(key));
        let args = ["curriculum", "show", &curriculum.to_string(), "--json"];
        self.cadence("curriculum show --json", &args, nowhere, Some(key));
        studio
            .export_curriculum_file(&store, curriculum, &self.exports.path().join("course.json"))
            .unwrap();
    }

    fn nothing_holds_the_key(self) {
        let requests: Vec<_> = self.servers.iter().flat_map(FakeGemini::requests).collect();
        assert!(requests.len() >= 11, "{} requests", requests.len());
        for request in &requests {
            assert_eq!(request.header("x-goog-api-key"), Some(self.key.as_str()));
            assert!(
                !request.target.contains("key=")
                    && !forms(&self.key)
                        .iter()
                        .any(|f| request.target.contains(f.as_str())),
                "the key is in the URL {}",
                request.target
            );
        }
        let mut searched = Vec::new();
        for folder in [self.home.path(), self.exports.path()] {
            for file in files_under(folder) {
                let bytes = std::fs::read(&file).unwrap();
                searched.push((file.display().to_string(), bytes));
            }
        }
        let names: Vec<&str> = searched.iter().map(|(name, _)| name.as_str()).collect();
        assert!(
            names.iter().any(|name| name.ends_with("cadence.sqlite3"))
                && names.iter().any(|name| name.ends_with("settings.json"))
                && names.iter().any(|name| name.ends_with("lesson.mid")),
            "{names:#?}"
        );
        searched.extend(self.printed);
        let leaks: Vec<String> = searched
            .iter()
            .flat_map(|(place, bytes)| {
                forms(&self.key)
                    .into_iter()
                    .filter(|form| holds(bytes, form))
                    .map(move |form| format!("{place} holds {form}"))
            })
            .collect();
        assert!(leaks.is_empty(), "the key leaked: {leaks:#?}");
        // The search finds the key where it is.
        let probe = format!("?key={}", forms(&self.key)[1]);
        assert!(
            forms(&self.key)
                .iter()
                .any(|form| holds(probe.as_bytes(), form))
        );
    }
}
