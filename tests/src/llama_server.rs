//! llama-cpp-python's OpenAI-compatible server on a GGUF: a real chat-completions server for
//! the OpenAI client's suite. It runs from a virtual environment made on first use in the
//! cache folder, with llama-cpp-python from PyPI built from source for this machine.

use std::fs::File;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::{PipVenv, cached_venv};

/// The server's package, with the extras its web stack needs (FastAPI, uvicorn, …).
pub const LLAMA_CPP_PYTHON: &str = "llama-cpp-python[server]==0.3.36";
const LLAMA_CPP_PYTHON_VERSION: &str = "0.3.36";

/// How long a server may take to load its model and answer `GET /v1/models`.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A build for the native CPU dies with SIGILL on virtual machines that advertise
/// instructions (AMX) they do not run, so on x86-64 it targets AVX2 machines in general.
const X86_64_CMAKE_ARGS: &str = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
     -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF";

/// The Python of a virtual environment with llama-cpp-python's server installed from PyPI,
/// made on first use in the cache folder beside the test models
/// (`~/.cache/cadence/llama-server-venv`). Building llama.cpp takes a few minutes.
///
/// Concurrent test processes wait on a file lock so it is made once; one left incomplete by
/// an interrupted run is made again.
pub fn llama_server_python() -> PathBuf {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY
        .get_or_init(|| {
            let cmake_args: &[(&str, &str)] = if cfg!(target_arch = "x86_64") {
                &[("CMAKE_ARGS", X86_64_CMAKE_ARGS)]
            } else {
                &[]
            };
            cached_venv(&PipVenv {
                name: "llama-server",
                requirement: LLAMA_CPP_PYTHON,
                check: &format!(
                    "import sys, llama_cpp, llama_cpp.server.app, uvicorn; \
                     sys.exit(llama_cpp.__version__ != '{LLAMA_CPP_PYTHON_VERSION}')"
                ),
                importable: &format!("llama_cpp.server {LLAMA_CPP_PYTHON_VERSION}"),
                quiet_check: true,
                // A wheel pip cached from an earlier build may have other CMAKE_ARGS.
                pip_args: &["--no-cache-dir"],
                pip_env: cmake_args,
                compiles: Some("llama.cpp"),
            })
        })
        .clone()
}

/// Runs `python -m llama_cpp.server` with the watcher's exit, so the server also stops
/// when the test process dies without dropping it (a server kept in a static is never
/// dropped): its stdin is a pipe only the test process holds, which closes when it exits.
const LAUNCHER: &str = "\
import os, runpy, sys, threading
def exit_with_the_test_process():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=exit_with_the_test_process, daemon=True).start()
runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)
";

/// A running llama-cpp-python server on 127.0.0.1; it is killed when dropped.
pub struct LlamaServer {
    child: Mutex<Child>,
    port: u16,
    model: String,
    /// The server's stdout and stderr.
    log: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl LlamaServer {
    /// Starts a server on `model` that wants no API key.
    pub fn start(model: &Path) -> LlamaServer {
        LlamaServer::start_with_api_key(model, None)
    }

    /// Starts a server on `model` with a context of 2048 tokens; with `api_key`, every
    /// request must carry it as a bearer token.
    pub fn start_with_api_key(model: &Path, api_key: Option<&str>) -> LlamaServer {
        LlamaServer::launch(model, api_key, 2048)
    }

    /// Starts a server on `model` with a context of `context` tokens, as a school's server
    /// runs a model for whole lesson prompts.
    pub fn start_with_context(model: &Path, context: u32) -> LlamaServer {
        LlamaServer::launch(model, None, context)
    }

    /// Starts the server and waits until it answers.
    ///
    /// It serves requests one after another and, unlike its default, lets each finish
    /// rather than cutting it short when another arrives, so tests may run in parallel.
    fn launch(model: &Path, api_key: Option<&str>, context: u32) -> LlamaServer {
        let python = llama_server_python();
        let port = free_port();
        let log_dir = tempfile::tempdir().expect("cannot make a folder for the server's log");
        let log = log_dir.path().join("llama-server.log");
        let log_file = File::create(&log).expect("cannot create the server's log");
        let mut command = Command::new(python);
        command
            .args(["-c", LAUNCHER, "--model"])
            .arg(model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--n_ctx",
                &context.to_string(),
                "--interrupt_requests",
                "False",
            ])
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone().expect("cannot share the log file"))
            .stderr(log_file);
        if let Some(key) = api_key {
            command.args(["--api_key", key]);
        }
        let child = command
            .spawn()
            .expect("cannot start python -m llama_cpp.server");
        let mut server = LlamaServer {
            child: Mutex::new(child),
            port,
            model: String::new(),
            log,
            _log_dir: log_dir,
        };
        server.model = server.wait_until_ready(api_key);
        server
    }

    /// Polls `GET /v1/models` until it answers, returning the first model's id.
    fn wait_until_ready(&self, api_key: Option<&str>) -> String {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let url = format!("{}/models", self.base_url());
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child().try_wait() {
                panic!(
                    "llama_cpp.server exited ({status}) before it answered; its log:\n{}",
                    self.log_tail()
                );
            }
            let mut get = agent.get(&url);
            if let Some(key) = api_key {
                get = get.header("authorization", format!("Bearer {key}"));
            }
            if let Ok(mut response) = get.call()
                && let Ok(body) = response.body_mut().read_to_string()
                && let Ok(models) = serde_json::from_str::<serde_json::Value>(&body)
                && let Some(id) = models.pointer("/data/0/id").and_then(|id| id.as_str())
            {
                return id.to_string();
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "llama_cpp.server did not answer GET {url} within {START_TIMEOUT:?}; its log:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:<port>/v1`, as a client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// The model id the server lists (llama-cpp-python names it by its path).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Kills the server at once (SIGKILL on Unix), as a crash would.
    pub fn kill(&self) {
        let mut child = self.child();
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Everything the server wrote to stdout and stderr, its access log among it.
    pub fn log(&self) -> String {
        let mut text = String::new();
        let _ = File::open(&self.log).and_then(|mut file| file.read_to_string(&mut text));
        text
    }

    /// The end of what the server wrote to stdout and stderr.
    pub fn log_tail(&self) -> String {
        let text = self.log();
        let start = text.len().saturating_sub(6000);
        let start = (start..text.len())
            .find(|&index| text.is_char_boundary(index))
            .unwrap_or(text.len());
        text[start..].to_string()
    }

    fn child(&self) -> MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port free a moment ago. Another process could take it before the server binds it; the
/// server then exits and `start` says so with its log.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("cannot bind 127.0.0.1:0")
        .port()
}
