//! What Cadence's HTTP clients (Gemini and OpenAI-compatible servers) share: the blocking
//! agent, the retry loop, cancellation that closes a connection blocked on a silent server,
//! server-sent events, `Retry-After`, and the token counts a service reports.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use cadence_llm::CancelToken;

/// How often a wait (between retries, or on a silent server) looks at the cancel token.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// Largest SSE line or error body read; answers' chunks are a few kilobytes.
const MAX_LINE_BYTES: u64 = 8 << 20;
const MAX_BODY_BYTES: u64 = 64 << 20;

/// Token counts a service reported for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReportedUsage {
    pub prompt_tokens: u64,
    /// As billed: for Gemini, the answer and the thinking together.
    pub output_tokens: u64,
}

/// When to try a request again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Requests made at most, the first included.
    pub(crate) max_attempts: u32,
    /// Wait before the second attempt; it doubles for each further attempt.
    pub(crate) first_backoff: Duration,
    /// Longest wait between attempts.
    pub(crate) max_retry_wait: Duration,
}

impl RetryPolicy {
    /// The wait before the attempt after `attempt` (counted from 1), when the server named none.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_backoff
            .saturating_mul(factor)
            .min(self.max_retry_wait)
    }

    /// The wait a server asked for, when it is one worth blocking a worker for.
    pub(crate) fn allows(&self, asked: Duration) -> Option<Duration> {
        (asked <= self.max_retry_wait).then_some(asked)
    }
}

/// An error a client's retry loop can act on.
pub(crate) trait Retryable {
    /// The error that says the caller cancelled.
    fn cancelled() -> Self;
    /// How long to wait before trying again, or `None` when trying again cannot help.
    fn retry_wait(&self, attempt: u32, policy: &RetryPolicy) -> Option<Duration>;
}

/// One failed attempt; once text has reached the caller it is not retried, since the
/// caller would see it twice.
pub(crate) struct Failure<E> {
    pub(crate) error: E,
    pub(crate) output_started: bool,
}

impl<E> From<E> for Failure<E> {
    fn from(error: E) -> Self {
        Failure {
            error,
            output_started: false,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, runs out of attempts or is cancelled.
///
/// Each attempt gets its own agent so that cancelling can close its connection while it
/// blocks on a silent server.
pub(crate) fn with_retries<T, E: Retryable>(
    policy: &RetryPolicy,
    connection: Connection,
    cancel: &CancelToken,
    mut attempt: impl FnMut(&ureq::Agent, u32) -> Result<T, Failure<E>>,
) -> Result<T, E> {
    let max_attempts = policy.max_attempts.max(1);
    let mut number = 1;
    loop {
        if cancel.is_cancelled() {
            return Err(E::cancelled());
        }
        let agent = agent(connection);
        let failure = match close_on_cancel(&agent, cancel, || attempt(&agent, number)) {
            Ok(value) => return Ok(value),
            Err(_) if cancel.is_cancelled() => return Err(E::cancelled()),
            Err(failure) => failure,
        };
        let wait = match failure.error.retry_wait(number, policy) {
            Some(wait) if !failure.output_started && number < max_attempts => wait,
            _ => return Err(failure.error),
        };
        if !sleep_unless_cancelled(wait, cancel) {
            return Err(E::cancelled());
        }
        number += 1;
    }
}

/// A blocking agent that hands every status to the caller, connecting as `connection` says.
fn agent(connection: Connection) -> ureq::Agent {
    let timeout = Some(connection.timeout);
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(timeout)
        .timeout_per_read(timeout)
        .timeout_per_write(timeout)
        // A redirect could send the prompt and the key to another host.
        .max_redirects(0)
        .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")));
    if connection.direct {
        config = config.proxy(None);
    }
    config.build().into()
}

/// How an attempt connects.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Connection {
    /// The longest wait for a connection, and for each read and write.
    pub(crate) timeout: Duration,
    /// Straight to the host, never through a proxy the environment names: a server on this
    /// machine is offline work, and its prompts and key stay on the machine.
    pub(crate) direct: bool,
}

/// Runs `work` while a watcher thread closes the agent's connections if `cancel` fires,
/// so a read blocked on a silent server returns at once.
fn close_on_cancel<T>(agent: &ureq::Agent, cancel: &CancelToken, work: impl FnOnce() -> T) -> T {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Acquire) {
                if cancel.is_cancelled() {
                    agent.clone().shutdown();
                    return;
                }
                std::thread::sleep(CANCEL_POLL);
            }
        });
        let result = work();
        finished.store(true, Ordering::Release);
        result
    })
}

/// Sleeps for `wait`; false when `cancel` fired first.
fn sleep_unless_cancelled(wait: Duration, cancel: &CancelToken) -> bool {
    let until = Instant::now() + wait;
    loop {
        if cancel.is_cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep(CANCEL_POLL.min(until - now));
    }
}

/// What a failed connection or request was, in words for an error message.
pub(crate) fn describe_network_error(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "no answer in time".to_string(),
        ureq::Error::HostNotFound => "the host name was not found".to_string(),
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
            "the connection was refused".to_string()
        }
        other => other.to_string(),
    }
}

/// The whole body of a response, such as an error's, up to a limit.
pub(crate) fn read_body(response: ureq::http::Response<ureq::Body>) -> io::Result<String> {
    let mut bytes = Vec::new();
    response_reader(response).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The body of a response as a reader, up to a limit.
pub(crate) fn response_reader(response: ureq::http::Response<ureq::Body>) -> impl Read {
    response
        .into_body()
        .into_with_config()
        .limit(MAX_BODY_BYTES)
        .reader()
}

/// `text` trimmed and cut to `max_chars` characters, for quoting in a message.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// " (it asks to wait 17 s)" when a service named a wait, for an error message.
pub(crate) fn wait_asked(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|after| format!(" (it asks to wait {} s)", after.as_secs_f64().ceil()))
        .unwrap_or_default()
}

/// The wait a response's `Retry-After` header asks for; an unreadable one is ignored.
pub(crate) fn retry_after(headers: &ureq::http::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(ureq::http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// `Retry-After` in either of its forms (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date
/// from which the wait is counted from `now` (a date already past asks for no wait).
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // More digits than u64 holds is still "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = UNIX_EPOCH + Duration::from_secs(parse_http_date(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the Unix epoch of an HTTP-date in any of the three forms HTTP/1.1
/// recipients must accept: `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate),
/// `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850) and `Sun Nov  6 08:49:37 1994` (asctime).
fn parse_http_date(text: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month_number = |name: &str| {
        MONTHS
            .iter()
            .position(|month| month.eq_ignore_ascii_case(name))
            .map(|index| index as u64 + 1)
    };
    let tokens: Vec<&str> = text
        .split([' ', ',', '-'])
        .filter(|token| !token.is_empty())
        .collect();
    // The weekday comes first in every form and says nothing the date does not.
    let (day, month, year, time) = match tokens.as_slice() {
        [_, month, day, time, year] => (*day, month_number(month)?, *year, *time),
        [_, day, month, year, time, zone] if zone.eq_ignore_ascii_case("GMT") => {
            (*day, month_number(month)?, *year, *time)
        }
        _ => return None,
    };
    let day: u64 = day.parse().ok()?;
    let mut year: u64 = year.parse().ok()?;
    if year < 100 {
        // RFC 850's two-digit years, read as the nearest century (RFC 9110 §5.6.7).
        year += if year < 70 { 2000 } else { 1900 };
    }
    let clock: Vec<u64> = time
        .split(':')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [hour, minute, second] = clock.as_slice() else {
        return None;
    };
    // HTTP writes four-digit years; a longer one would overflow the count of seconds.
    if !(1..=31).contains(&day)
        || *hour > 23
        || *minute > 59
        || *second > 60
        || !(1970..=9999).contains(&year)
    {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, from 1970 on
/// (Howard Hinnant's `days_from_civil`).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Reads server-sent events (`text/event-stream`), handing back each event's data.
///
/// Lines end in LF or CRLF; a lone CR, which the format also allows, is sent by no API
/// Cadence talks to. Only `data` fields carry anything these APIs use.
pub(crate) struct EventReader<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    data: String,
}

/// Why the next event could not be read.
#[derive(Debug)]
pub(crate) enum EventError {
    Io(io::Error),
    LineTooLong,
    NotUtf8,
}

impl EventError {
    /// In words for an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            EventError::Io(error) => format!("reading the answer failed: {error}"),
            EventError::LineTooLong => {
                format!("an event line is longer than {MAX_LINE_BYTES} bytes")
            }
            EventError::NotUtf8 => "an event is not UTF-8".to_string(),
        }
    }
}

impl<R: Read> EventReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        EventReader {
            reader: BufReader::new(reader),
            line: Vec::new(),
            data: String::new(),
        }
    }

    /// The data of the next event (its `data` lines joined by newlines), or `None` at the
    /// end of the stream. An event the end of the stream cuts short still counts.
    pub(crate) fn next_event(&mut self) -> Result<Option<String>, EventError> {
        loop {
            self.line.clear();
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES)
                .read_until(b'\n', &mut self.line)
                .map_err(EventError::Io)?;
            if read as u64 >= MAX_LINE_BYTES && !self.line.ends_with(b"\n") {
                return Err(EventError::LineTooLong);
            }
            let line = std::str::from_utf8(&self.line).map_err(|_| EventError::NotUtf8)?;
            let line = line.trim_end_matches(['\n', '\r']);
            // A blank line ends an event; so does the end of the stream.
            if line.is_empty() {
                if !self.data.is_empty() {
                    return Ok(Some(std::mem::take(&mut self.data)));
                }
                if read == 0 {
                    return Ok(None);
                }
                continue;
            }
            // Comments (`:`), `event:`, `id:` and `retry:` carry nothing these APIs use.
            if let Some(value) = line.strip_prefix("data:") {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(value.strip_prefix(' ').unwrap_or(value));
            }
        }
    }

    /// Whether part of an event has been read and not yet handed back.
    pub(crate) fn inside_event(&self) -> bool {
        !self.data.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(stream: &str) -> Vec<String> {
        let mut reader = EventReader::new(stream.as_bytes());
        std::iter::from_fn(|| reader.next_event().unwrap()).collect()
    }

    #[test]
    fn events_split_on_blank_lines_whatever_the_line_ends() {
        assert_eq!(
            events("data: a\r\n\r\ndata: b\n\n: ping\n\nevent: x\ndata:c\ndata: d\n\ndata: e"),
            ["a", "b", "c\nd", "e"]
        );
        assert!(events(": only a comment\n\n\n").is_empty());
    }

    #[test]
    fn an_event_cut_short_is_noticed() {
        let mut reader = EventReader::new(&b"data: a\n\ndata: b"[..]);
        assert_eq!(reader.next_event().unwrap().as_deref(), Some("a"));
        assert!(!reader.inside_event());
        // Reading "b" stops at the end of the stream, which also ends its event.
        assert_eq!(reader.next_event().unwrap().as_deref(), Some("b"));
        assert_eq!(reader.next_event().unwrap(), None);
        let mut reader = EventReader::new(&b"data: \xff\n\n"[..]);
        assert!(matches!(reader.next_event(), Err(EventError::NotUtf8)));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 5,
            first_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(3),
        };
        assert_eq!(policy.backoff(1), Duration::from_secs(1));
        assert_eq!(policy.backoff(2), Duration::from_secs(2));
        assert_eq!(policy.backoff(3), Duration::from_secs(3));
        assert_eq!(
            policy.allows(Duration::from_secs(3)),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.allows(Duration::from_secs(4)), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_all_three_date_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let parse = |value| parse_retry_after(value, now);
        assert_eq!(parse(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse("0"), Some(Duration::ZERO));
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:50:07 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse("Sunday, 06-Nov-94 08:50:37 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse("Sun Nov  6 08:51:37 1994"),
            Some(Duration::from_secs(120))
        );
        // A date already past asks for no wait.
        assert_eq!(parse("Sat, 05 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        for unreadable in [
            "",
            "-5",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn dates_count_days_across_leap_years() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        assert_eq!(
            parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(1_445_412_480)
        );
    }

    #[test]
    fn quotes_are_cut_at_a_character_boundary() {
        assert_eq!(shorten("  ♩♩♩♩  ", 2), "♩♩…");
        assert_eq!(shorten("ok", 2), "ok");
    }
}
