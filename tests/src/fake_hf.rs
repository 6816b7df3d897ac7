//! A fake Hugging Face Hub over real HTTP, for download tests.
//!
//! It answers `HEAD` and `GET` on `/{repo}/resolve/{revision}/{file}` the way huggingface.co
//! does for a file in Git LFS: `x-repo-commit`, `etag`, `x-linked-etag` (the SHA-256) and
//! `x-linked-size`, then a 302 to a CDN URL (here `/cdn/{sha256}` on the same server) that
//! serves the bytes, with `Range` answered by 206 and `Content-Range`. Every request is
//! recorded so tests can assert what the client asked for.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// A file the fake Hub serves.
#[derive(Debug, Clone)]
pub struct HostedFile {
    pub repo: String,
    pub revision: String,
    pub file: String,
    /// The file as the Hub describes it (size and SHA-256 in the headers).
    pub content: Vec<u8>,
}

impl HostedFile {
    pub fn sha256(&self) -> String {
        hex_sha256(&self.content)
    }
}

/// How the fake Hub misbehaves, to test the client's answers.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Serve these bytes instead of the described content (a damaged mirror).
    pub served_instead: Option<Vec<u8>>,
    /// Pause this long after each 64 KiB of body, so a test can act mid-transfer.
    pub delay_per_chunk: Duration,
    /// Close the connection of the first GET after this many body bytes.
    pub break_first_get_after: Option<u64>,
    /// Stop sending the first GET's body after this many bytes, and hold the connection
    /// until the client hangs up: a download that stays in progress until it is stopped.
    pub stall_first_get_after: Option<u64>,
    /// Describe the file as this many bytes in the Hub's headers (a file too large to fit).
    pub claimed_size: Option<u64>,
}

/// One request as the fake Hub received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: HashMap<String, String>,
}

impl Request {
    pub fn range(&self) -> Option<&str> {
        self.headers.get("range").map(String::as_str)
    }
}

pub struct FakeHf {
    endpoint: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const CHUNK: usize = 64 * 1024;

impl FakeHf {
    pub fn start(hosted: HostedFile, behaviour: Behaviour) -> FakeHf {
        FakeHf::start_many(vec![hosted], behaviour)
    }

    /// A fake Hub serving several files (a model's GGUF and its tokenizer.json).
    pub fn start_many(hosted: Vec<HostedFile>, behaviour: Behaviour) -> FakeHf {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake Hub");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            endpoint: endpoint.clone(),
            hosted,
            behaviour,
            requests: Arc::clone(&requests),
            gets: AtomicU64::new(0),
        });
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || shared.serve(stream));
                }
            })
        };
        FakeHf {
            endpoint,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// What `HF_ENDPOINT` should be set to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A `cadence` command in `home` with `catalog` as its models.toml, downloading from
    /// this Hub with no token from this machine's Hugging Face login.
    pub fn cadence(&self, home: &Path, catalog: &Path) -> Command {
        let mut command = crate::cadence(home);
        command
            .env("CADENCE_MODELS_TOML", catalog)
            .env("HF_ENDPOINT", self.endpoint())
            .env("HF_HOME", home.join("hf"));
        command
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The GET requests that fetched bytes (at the CDN URL or the resolve URL).
    pub fn body_requests(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|request| request.method == "GET")
            .collect()
    }
}

impl Drop for FakeHf {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the stop flag.
        let _ = TcpStream::connect(self.endpoint.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Shared {
    endpoint: String,
    hosted: Vec<HostedFile>,
    behaviour: Behaviour,
    requests: Arc<Mutex<Vec<Request>>>,
    gets: AtomicU64,
}

impl Shared {
    fn serve(&self, stream: TcpStream) {
        let Some(request) = read_request(&stream) else {
            return;
        };
        self.requests.lock().unwrap().push(request.clone());
        let resolve = |hosted: &HostedFile| {
            format!(
                "/{}/resolve/{}/{}",
                hosted.repo, hosted.revision, hosted.file
            )
        };
        let cdn = |hosted: &HostedFile| format!("/cdn/{}", hosted.sha256());
        let mut out = stream;
        if let Some(hosted) = self.hosted.iter().find(|h| request.path == resolve(h)) {
            // The Hub's answer for an LFS file: metadata, then off to the CDN.
            let sha = hosted.sha256();
            let headers = [
                ("x-repo-commit", hosted.revision.clone()),
                ("etag", format!("\"{sha}\"")),
                ("x-linked-etag", format!("\"{sha}\"")),
                (
                    "x-linked-size",
                    self.behaviour
                        .claimed_size
                        .unwrap_or(hosted.content.len() as u64)
                        .to_string(),
                ),
                ("location", format!("{}{}", self.endpoint, cdn(hosted))),
            ];
            respond(&mut out, "302 Found", &headers, 0);
        } else if let Some(hosted) = self.hosted.iter().find(|h| request.path == cdn(h))
            && (request.method == "GET" || request.method == "HEAD")
        {
            self.serve_bytes(&mut out, &request, hosted);
        } else if request.path.contains("/resolve/") {
            let headers = [("x-error-code", "EntryNotFound".to_string())];
            respond(&mut out, "404 Not Found", &headers, 0);
        } else {
            respond(&mut out, "404 Not Found", &[], 0);
        }
    }

    fn serve_bytes(&self, out: &mut TcpStream, request: &Request, hosted: &HostedFile) {
        let sha = hosted.sha256();
        let body = self
            .behaviour
            .served_instead
            .as_deref()
            .unwrap_or(&hosted.content);
        let total = body.len() as u64;
        let start = match request.range().map(parse_range_start) {
            None => None,
            Some(Some(start)) if start < total => Some(start),
            Some(_) => {
                let headers = [("content-range", format!("bytes */{total}"))];
                respond(out, "416 Range Not Satisfiable", &headers, 0);
                return;
            }
        };
        let etag = ("etag", format!("\"{sha}\""));
        let from = start.unwrap_or(0);
        let length = total - from;
        match start {
            Some(start) => {
                let range = format!("bytes {start}-{}/{total}", total - 1);
                respond(
                    out,
                    "206 Partial Content",
                    &[("content-range", range), etag],
                    length,
                );
            }
            None => respond(out, "200 OK", &[etag], length),
        }
        if request.method == "HEAD" {
            return;
        }
        let first_get = self.gets.fetch_add(1, Ordering::SeqCst) == 0;
        let limit = match self.behaviour.break_first_get_after {
            Some(limit) if first_get => limit.min(length),
            _ => length,
        };
        let stall = self.behaviour.stall_first_get_after.filter(|_| first_get);
        let mut sent = 0u64;
        for chunk in body[from as usize..(from + limit) as usize].chunks(CHUNK) {
            if out.write_all(chunk).is_err() {
                // The client hung up (a cancel); nothing more to do.
                return;
            }
            sent += chunk.len() as u64;
            if stall.is_some_and(|after| sent >= after) {
                let _ = out.flush();
                wait_for_hang_up(out);
                return;
            }
            if !self.behaviour.delay_per_chunk.is_zero() && sent < limit {
                std::thread::sleep(self.behaviour.delay_per_chunk);
            }
        }
        let _ = out.flush();
    }
}

/// Waits, up to a minute, until the client closes the connection.
fn wait_for_hang_up(out: &mut TcpStream) {
    let _ = out.set_read_timeout(Some(Duration::from_millis(50)));
    let mut byte = [0u8; 1];
    for _ in 0..1200 {
        match out.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

fn respond(out: &mut TcpStream, status: &str, headers: &[(&str, String)], length: u64) {
    let mut head =
        format!("HTTP/1.1 {status}\r\ncontent-length: {length}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    Some(Request {
        method,
        path,
        headers,
    })
}

/// `bytes=N-` → N; other forms are not what a downloader sends.
fn parse_range_start(range: &str) -> Option<u64> {
    range
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `len` bytes that do not repeat or compress, the same on every run.
pub fn test_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The built-in models.toml with SmolLM2's GGUF pin replaced by `hosted`'s.
pub fn catalog_pinning(hosted: &HostedFile) -> String {
    let builtin = cadence::catalog::BUILTIN_TOML;
    let smol = cadence::catalog::Catalog::builtin()
        .expect("the built-in catalogue loads")
        .local_model("smollm2-135m")
        .expect("the built-in catalogue has smollm2-135m")
        .gguf
        .clone();
    let replaced = builtin
        .replace(
            &format!("repo = \"{}\"", smol.repo),
            &format!("repo = \"{}\"", hosted.repo),
        )
        .replace(
            &format!("file = \"{}\"", smol.file),
            &format!("file = \"{}\"", hosted.file),
        )
        .replace(
            &format!("revision = \"{}\"", smol.revision),
            &format!("revision = \"{}\"", hosted.revision),
        )
        .replace(
            &format!("size = {}", smol.size),
            &format!("size = {}", hosted.content.len()),
        )
        .replace(
            &format!("sha256 = \"{}\"", smol.sha256),
            &format!("sha256 = \"{}\"", hosted.sha256()),
        );
    assert_ne!(
        replaced, builtin,
        "SmolLM2's pin was not found in models.toml"
    );
    replaced
}
