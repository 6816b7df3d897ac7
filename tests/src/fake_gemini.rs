//! A fake Gemini API: a real HTTP/1.1 server on 127.0.0.1 that answers each request with the
//! next reply of a script, in the JSON and SSE shapes the v1beta API documents, and records
//! every request so a test can check what the client sent.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The model version the fake reports in its answers.
pub const MODEL_VERSION: &str = "gemini-2.5-pro-fake-001";

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with these `data:` events, sent with `gap` between them, then a clean end.
    Stream { events: Vec<Value>, gap: Duration },
    /// 200 with these events, then the socket is closed mid-body (no final chunk).
    CutOff { events: Vec<Value> },
    /// Any status with a JSON body, sent whole.
    Json { status: u16, body: Value },
    /// Reads the request, then says nothing for this long and closes the connection.
    Silent(Duration),
    /// Another reply with extra response headers, e.g. `Retry-After`.
    WithHeaders {
        reply: Box<Reply>,
        headers: Vec<(String, String)>,
    },
}

impl Reply {
    /// This reply with one more response header.
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        let header = (name.to_string(), value.to_string());
        match self {
            Reply::WithHeaders { reply, mut headers } => {
                headers.push(header);
                Reply::WithHeaders { reply, headers }
            }
            reply => Reply::WithHeaders {
                reply: Box::new(reply),
                headers: vec![header],
            },
        }
    }

    /// 429 RESOURCE_EXHAUSTED with no RetryInfo in the body, as a proxy in front of the API
    /// may answer; pair it with a `Retry-After` header.
    pub fn rate_limited_without_retry_info() -> Reply {
        google_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Resource has been exhausted (e.g. check quota).",
        )
    }

    /// A streamed answer: one chunk per piece of text, usage repeated in each, the last
    /// carrying finishReason STOP.
    pub fn streamed(pieces: &[&str]) -> Reply {
        Reply::Stream {
            events: answer_chunks(pieces, Some("STOP")),
            gap: Duration::ZERO,
        }
    }

    /// As [`Reply::streamed`], with a pause between the chunks.
    pub fn streamed_slowly(pieces: &[&str], gap: Duration) -> Reply {
        Reply::Stream {
            events: answer_chunks(pieces, Some("STOP")),
            gap,
        }
    }

    /// The chunks of an answer whose connection drops before the finishing chunk.
    pub fn cut_off(pieces: &[&str]) -> Reply {
        Reply::CutOff {
            events: answer_chunks(pieces, None),
        }
    }

    /// A whole `generateContent` answer.
    pub fn whole(text: &str) -> Reply {
        Reply::Json {
            status: 200,
            body: json!({
                "candidates": [{
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "STOP",
                    "index": 0
                }],
                "usageMetadata": usage(PROMPT_TOKENS, 7),
                "modelVersion": MODEL_VERSION,
                "responseId": "fake-whole"
            }),
        }
    }

    /// 429 RESOURCE_EXHAUSTED with a `google.rpc.RetryInfo` detail, e.g. `retry_delay = "1s"`.
    pub fn rate_limited(retry_delay: &str) -> Reply {
        Reply::Json {
            status: 429,
            body: json!({"error": {
                "code": 429,
                "message": "You exceeded your current quota, please check your plan and billing details.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [{
                            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
                        }]
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.Help",
                        "links": [{"description": "Learn more about Gemini API quotas",
                                   "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
                    },
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
                ]
            }}),
        }
    }

    /// 400 INVALID_ARGUMENT with an ErrorInfo of reason API_KEY_INVALID.
    pub fn invalid_key() -> Reply {
        Reply::Json {
            status: 400,
            body: json!({"error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"}
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                        "locale": "en-US",
                        "message": "API key not valid. Please pass a valid API key."
                    }
                ]
            }}),
        }
    }

    /// 400 INVALID_ARGUMENT about the request itself.
    pub fn bad_request(message: &str) -> Reply {
        google_error(400, "INVALID_ARGUMENT", message)
    }

    /// 500 INTERNAL.
    pub fn internal_error() -> Reply {
        google_error(
            500,
            "INTERNAL",
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
        )
    }

    /// 503 UNAVAILABLE, as Gemini answers when overloaded.
    pub fn unavailable() -> Reply {
        google_error(
            503,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        )
    }

    /// A prompt refused outright: HTTP 200, one event with promptFeedback.blockReason and
    /// no candidates.
    pub fn blocked_prompt(reason: &str) -> Reply {
        Reply::Stream {
            events: vec![json!({
                "promptFeedback": {
                    "blockReason": reason,
                    "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]
                },
                "usageMetadata": {"promptTokenCount": PROMPT_TOKENS, "totalTokenCount": PROMPT_TOKENS},
                "modelVersion": MODEL_VERSION
            })],
            gap: Duration::ZERO,
        }
    }

    /// An answer stopped partway with a blocking finishReason (SAFETY, RECITATION, …).
    pub fn blocked_answer(pieces: &[&str], finish_reason: &str) -> Reply {
        Reply::Stream {
            events: answer_chunks(pieces, Some(finish_reason)),
            gap: Duration::ZERO,
        }
    }
}

/// The prompt size every scripted answer reports.
pub const PROMPT_TOKENS: u64 = 42;

fn google_error(status: u16, name: &str, message: &str) -> Reply {
    Reply::Json {
        status,
        body: json!({"error": {"code": status, "message": message, "status": name}}),
    }
}

fn usage(prompt: u64, candidates: u64) -> Value {
    json!({
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]
    })
}

/// Stream chunks for `pieces`: each piece costs 2 tokens, usage is cumulative, and the last
/// chunk carries `finish_reason` when there is one.
pub fn answer_chunks(pieces: &[&str], finish_reason: Option<&str>) -> Vec<Value> {
    let count = pieces.len();
    pieces
        .iter()
        .enumerate()
        .map(|(index, piece)| {
            let mut candidate = json!({
                "content": {"role": "model", "parts": [{"text": piece}]},
                "index": 0
            });
            if index + 1 == count
                && let Some(reason) = finish_reason
            {
                candidate["finishReason"] = json!(reason);
            }
            json!({
                "candidates": [candidate],
                "usageMetadata": usage(PROMPT_TOKENS, 2 * (index as u64 + 1)),
                "modelVersion": MODEL_VERSION,
                "responseId": "fake-stream"
            })
        })
        .collect()
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`.
    pub target: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request had been read in full.
    pub received: Instant,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is not JSON")
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    requests: Vec<RecordedRequest>,
}

/// The running server; it stops when dropped.
pub struct FakeGemini {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeGemini {
    /// Starts a server that answers requests with `script`, in order. A request beyond the
    /// script gets a 400 that says so, which the client does not retry.
    pub fn start(script: impl IntoIterator<Item = Reply>) -> FakeGemini {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind 127.0.0.1:0");
        let address = listener.local_addr().expect("no local address");
        let state = Arc::new(Mutex::new(State {
            script: script.into_iter().collect(),
            requests: Vec::new(),
        }));
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let state = Arc::clone(&state);
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = Arc::clone(&state);
                    // Connections are served on their own threads so a silent reply blocks
                    // nobody else; they are not joined, so a long silence never delays a test.
                    std::thread::spawn(move || serve(stream, &state));
                }
            })
        };
        FakeGemini {
            address,
            state,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    /// The base URL to give the client as its endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .lock()
            .expect("fake server state")
            .requests
            .clone()
    }

    /// Scripted replies not yet used.
    pub fn replies_left(&self) -> usize {
        self.state.lock().expect("fake server state").script.len()
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let reply = {
        let mut state = state.lock().expect("fake server state");
        state.requests.push(request);
        state.script.pop_front()
    };
    let reply = reply.unwrap_or_else(|| {
        google_error(
            400,
            "INVALID_ARGUMENT",
            "the fake Gemini server has no scripted reply left for this request",
        )
    });
    // A client that hung up early is not the server's problem.
    let _ = send(stream, reply);
}

fn read_request(stream: &TcpStream) -> Option<RecordedRequest> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(RecordedRequest {
        method,
        target,
        headers,
        body,
        received: Instant::now(),
    })
}

fn send(mut stream: TcpStream, reply: Reply) -> std::io::Result<()> {
    let (reply, headers) = match reply {
        Reply::WithHeaders { reply, headers } => (*reply, headers),
        reply => (reply, Vec::new()),
    };
    // Each extra header on its own line, ready to go after the status line.
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    match reply {
        Reply::Json { status, body } => {
            let body = body.to_string();
            write!(
                stream,
                "HTTP/1.1 {status} {}\r\n{extra}content-type: application/json; charset=UTF-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                reason_phrase(status),
                body.len()
            )?;
            stream.flush()
        }
        Reply::Stream { events, gap } => {
            start_event_stream(&mut stream, &extra)?;
            for (index, event) in events.iter().enumerate() {
                if index > 0 && !gap.is_zero() {
                    std::thread::sleep(gap);
                }
                send_chunk(&mut stream, &event_text(event))?;
            }
            // The final empty chunk: the body ended cleanly.
            stream.write_all(b"0\r\n\r\n")?;
            stream.flush()
        }
        Reply::CutOff { events } => {
            start_event_stream(&mut stream, &extra)?;
            for event in &events {
                send_chunk(&mut stream, &event_text(event))?;
            }
            // Drop the connection in the middle of the chunked body.
            stream.shutdown(Shutdown::Both)
        }
        Reply::Silent(duration) => {
            std::thread::sleep(duration);
            stream.shutdown(Shutdown::Both)
        }
        // Unwrapped above; headers on headers would have been merged by `with_header`.
        Reply::WithHeaders { reply, .. } => send(stream, *reply),
    }
}

fn start_event_stream(stream: &mut TcpStream, extra_headers: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\n{extra_headers}content-type: text/event-stream\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )?;
    stream.flush()
}

/// One SSE event as the API writes it: `data: <json>` and a blank line, with CRLF.
fn event_text(event: &Value) -> String {
    format!("data: {event}\r\n\r\n")
}

fn send_chunk(stream: &mut TcpStream, text: &str) -> std::io::Result<()> {
    write!(stream, "{:x}\r\n{text}\r\n", text.len())?;
    stream.flush()
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Makes `home` a data folder whose `tasks` (models.toml's task names, such as
/// `tutorial_generation`) go to Gemini, with the network allowed and the free tier's request
/// limits raised for a suite's requests; the local model each falls back to is not
/// installed, so the template generator writes when Gemini cannot.
pub fn cloud_home(home: &std::path::Path, tasks: &[&str]) {
    use cadence::catalog::BUILTIN_TOML;
    let mut catalog = BUILTIN_TOML
        .replacen(
            "\nrequests_per_minute = 5\n",
            "\nrequests_per_minute = 1000\n",
            1,
        )
        .replacen(
            "\nrequests_per_day = 100\n",
            "\nrequests_per_day = 10000\n",
            1,
        );
    for task in tasks {
        let start = catalog
            .find(&format!("\n{task} = "))
            .unwrap_or_else(|| panic!("models.toml has no task {task}"));
        let end = start + 1 + catalog[start + 1..].find('\n').unwrap();
        catalog.replace_range(start..end, &format!("\n{task} = 9"));
    }
    std::fs::write(home.join("models.toml"), catalog).unwrap();
    let studio = cadence::Studio::new(
        cadence::AppPaths::at(home),
        cadence::Catalog::builtin().unwrap(),
    );
    studio
        .save_settings(&cadence::settings::Settings {
            network_allowed: true,
            ..cadence::settings::Settings::default()
        })
        .unwrap();
}
