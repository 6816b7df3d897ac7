//! Killing a real process at random moments: a seeded random number generator, moments
//! spread over a command's measured run, and the SIGKILL itself.
//!
//! A moment is anchored to the command's progress: the last line it wrote to standard error
//! before that point of the measured run, and the time after it. A machine busier during
//! the kills than during the measurement then shifts a kill by a step's length at most,
//! not past the whole of the work.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Replays a run of kill trials: the seed they print.
pub const SEED_ENV: &str = "CADENCE_KILL_SEED";

/// The seed `CADENCE_KILL_SEED` names, else one from the clock: the same for every test of
/// a process, so that one printed seed replays them all.
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var(SEED_ENV) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{SEED_ENV}={text} is not a whole number")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_nanos() as u64),
    })
}

/// SplitMix64: small, seedable and the same on every platform.
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream of trials: the same seed and stream give the same numbers.
    pub fn new(seed: u64, stream: &str) -> Rng {
        let mut rng = Rng(seed);
        for byte in stream.bytes() {
            rng.0 ^= u64::from(byte);
            rng.next_u64();
        }
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `[0, n)`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
}

/// Line ends on standard error: `\r` too, with which a progress line redraws itself.
fn line_ends(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count()
}

/// A command run whole: how long it took, how much of that was the binary starting
/// (loading its libraries) before the command's own work began, and when each line of its
/// standard error came.
#[derive(Debug, Clone)]
pub struct Measured {
    pub startup: Duration,
    pub run: Duration,
    pub lines: Vec<Duration>,
}

impl Measured {
    /// Runs `command` whole, and `idle`, the same binary doing nothing (`--version`).
    pub fn time(command: &mut Command, idle: &mut Command) -> (Output, Measured) {
        let started = Instant::now();
        idle.output().expect("run the idle command");
        let startup = started.elapsed();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the command");
        let started = Instant::now();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            stdout.read_to_end(&mut text).map(|_| text)
        });
        let mut stderr = child.stderr.take().unwrap();
        let (mut text, mut lines) = (Vec::new(), Vec::new());
        let mut chunk = [0u8; 4096];
        loop {
            let read = stderr.read(&mut chunk).expect("read standard error");
            if read == 0 {
                break;
            }
            let now = started.elapsed();
            lines.extend(std::iter::repeat_n(now, line_ends(&chunk[..read])));
            text.extend_from_slice(&chunk[..read]);
        }
        let status = child.wait().expect("wait for the command");
        let run = started.elapsed();
        let stdout = reader.join().unwrap().expect("read standard output");
        let output = Output {
            status,
            stdout,
            stderr: text,
        };
        (
            output,
            Measured {
                startup,
                run,
                lines,
            },
        )
    }

    /// The moment `at` into the measured run, as the line before it and the time since.
    pub fn moment(&self, at: Duration) -> Moment {
        let line = self.lines.iter().take_while(|&&time| time <= at).count();
        let since = line
            .checked_sub(1)
            .map_or(Duration::ZERO, |i| self.lines[i]);
        Moment {
            line,
            after: at - since,
        }
    }
}

/// Runs a `cadence` command whole, timed, beside the binary doing nothing.
pub fn measure(command: &mut Command) -> (Output, Measured) {
    let idle = tempfile::tempdir().expect("a folder for the idle run");
    Measured::time(command, crate::cadence(idle.path()).arg("--version"))
}

/// When to kill: once `line` lines of standard error have come (none: from the start),
/// `after` later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub line: usize,
    pub after: Duration,
}

/// `count` kill moments over a measured run, in shuffled order. A sixth of them fall while
/// the binary starts; the rest are spread over the command's work (and a tenth more, for a
/// run slower than the measured one), one in each equal slice of it, so that the early,
/// middle and late moments of the work are all tried.
pub fn spread_moments(rng: &mut Rng, measured: &Measured, count: usize) -> Vec<Moment> {
    let starting = count.div_ceil(6).min(count);
    // The idle run is timed apart, and a busy moment can make it look as long as the whole
    // command: the work keeps at least the second half of the run.
    let startup = measured.startup.min(measured.run / 2);
    let work_end = measured.run.mul_f64(1.1);
    let mut times = stratified(rng, Duration::ZERO, startup, starting);
    times.extend(stratified(rng, startup, work_end, count - starting));
    for i in (1..times.len()).rev() {
        times.swap(i, rng.below(i + 1));
    }
    times.into_iter().map(|at| measured.moment(at)).collect()
}

/// `count` times from `from` to `to`, one drawn in each of `count` equal slices.
fn stratified(rng: &mut Rng, from: Duration, to: Duration, count: usize) -> Vec<Duration> {
    let span = to.saturating_sub(from);
    (0..count)
        .map(|slice| from + span.mul_f64((slice as f64 + rng.unit()) / count as f64))
        .collect()
}

/// How a killed command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// SIGKILL stopped it.
    Killed,
    /// It exited on its own before the signal came.
    Exited(Option<i32>),
}

/// Starts `command` (its standard output thrown away), sends it SIGKILL at `moment` (no
/// destructor, rollback or flush runs) and reaps it.
#[cfg(unix)]
pub fn kill_at(command: &mut Command, moment: Moment) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    const SIGKILL: i32 = 9;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the command");
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = 0;
    let mut chunk = [0u8; 4096];
    let mut ended = false;
    while seen < moment.line && !ended {
        match stderr.read(&mut chunk) {
            // It ended before that line: fewer steps were left than in the measured run.
            Ok(0) | Err(_) => ended = true,
            Ok(read) => seen += line_ends(&chunk[..read]),
        }
    }
    // Whatever it writes meanwhile is read, so that a full pipe cannot hold it up.
    let drain = std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    if !ended {
        std::thread::sleep(moment.after);
    }
    // Killing a child that already exited (and is not yet reaped) is harmless.
    let _ = child.kill();
    let status = child.wait().expect("reap the command");
    let _ = drain.join();
    if status.signal() == Some(SIGKILL) {
        Ended::Killed
    } else {
        Ended::Exited(status.code())
    }
}

/// One kill: its place in the test and its moment, which the printed seed replays.
pub struct Trial<'a> {
    pub command: &'a str,
    pub number: usize,
    pub seed: u64,
    pub moment: Moment,
}

impl fmt::Display for Trial<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} kill {} (seed {}, {} ms after standard error's line {}; {}={} replays it)",
            self.command,
            self.number,
            self.seed,
            self.moment.after.as_millis(),
            self.moment.line,
            SEED_ENV,
            self.seed
        )
    }
}

/// The trials of one command: the seed, its moments, and what the kills left, for the log.
pub struct Trials {
    pub command: &'static str,
    seed: u64,
    moments: Vec<Moment>,
    /// Kills in one data folder before the run that finishes the work.
    kills_per_episode: usize,
    /// What each kill found: how many ended by the signal, and the states left behind.
    killed_running: usize,
    left: BTreeMap<String, usize>,
}

impl Trials {
    /// `episodes` episodes of `kills_per_episode` kills over the measured run.
    pub fn new(
        command: &'static str,
        measured: &Measured,
        episodes: usize,
        kills_per_episode: usize,
    ) -> Trials {
        let seed = seed();
        eprintln!(
            "{command}: seed {seed} ({}={seed} replays it); a whole run took {} ms, {} ms of \
             it starting the binary",
            SEED_ENV,
            measured.run.as_millis(),
            measured.startup.as_millis()
        );
        let mut rng = Rng::new(seed, command);
        Trials {
            command,
            seed,
            moments: spread_moments(&mut rng, measured, episodes * kills_per_episode),
            kills_per_episode,
            killed_running: 0,
            left: BTreeMap::new(),
        }
    }

    /// The trials of each episode, in order.
    pub fn episodes(&self) -> Vec<Vec<Trial<'static>>> {
        let trials: Vec<Trial<'static>> = self
            .moments
            .iter()
            .enumerate()
            .map(|(number, &moment)| Trial {
                command: self.command,
                number: number + 1,
                seed: self.seed,
                moment,
            })
            .collect();
        let mut episodes = Vec::new();
        let mut trials = trials.into_iter().peekable();
        while trials.peek().is_some() {
            episodes.push(trials.by_ref().take(self.kills_per_episode).collect());
        }
        episodes
    }

    /// Names the run that finishes an episode's work after its kills.
    pub fn after(&self, episode: &[Trial]) -> String {
        let numbers: Vec<usize> = episode.iter().map(|trial| trial.number).collect();
        format!("{} (the run after kills {numbers:?})", self.command)
    }

    pub fn record(&mut self, ended: Ended, left: String) {
        if ended == Ended::Killed {
            self.killed_running += 1;
        }
        *self.left.entry(left).or_default() += 1;
    }
}

impl Drop for Trials {
    fn drop(&mut self) {
        eprintln!(
            "{}: {} kills ({} while it ran); left: {:?}",
            self.command,
            self.moments.len(),
            self.killed_running,
            self.left
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn moments_cover_the_start_and_every_slice_of_the_work_once() {
        let mut rng = Rng::new(7, "cover");
        let measured = Measured {
            startup: millis(100),
            run: millis(1000),
            lines: Vec::new(),
        };
        let mut times: Vec<Duration> = spread_moments(&mut rng, &measured, 12)
            .iter()
            .map(|moment| moment.after)
            .collect();
        times.sort();
        assert!(
            times[..2].iter().all(|t| *t < measured.startup),
            "{times:?}"
        );
        // The work runs from 100 ms to 1100 ms: ten slices of 100 ms.
        for (slice, time) in times[2..].iter().enumerate() {
            let low = millis(100 + 100 * slice as u64);
            assert!(*time >= low && *time < low + millis(100), "{times:?}");
        }
    }

    #[test]
    fn a_moment_is_anchored_to_the_last_line_before_it() {
        let measured = Measured {
            startup: millis(50),
            run: millis(400),
            lines: vec![millis(100), millis(100), millis(250)],
        };
        let moment = |ms| measured.moment(millis(ms));
        assert_eq!(
            moment(60),
            Moment {
                line: 0,
                after: millis(60)
            }
        );
        assert_eq!(
            moment(120),
            Moment {
                line: 2,
                after: millis(20)
            }
        );
        assert_eq!(
            moment(390),
            Moment {
                line: 3,
                after: millis(140)
            }
        );
    }

    #[test]
    fn one_seed_and_stream_give_one_sequence() {
        let draw = |stream| {
            let mut rng = Rng::new(42, stream);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw("batch"), draw("batch"));
        assert_ne!(draw("batch"), draw("import"));
    }
}
