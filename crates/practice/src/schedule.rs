//! When an item comes back: FSRS spaced repetition. Each answer rates the item (right is
//! good, wrong is again; a play-along is rated by the student) and the rating moves its due
//! date. Times are Unix seconds.

use std::str::FromStr;

use fsrs::{FSRS, MemoryState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The retention FSRS schedules for: a due item should be recalled nine times in ten.
const DESIRED_RETENTION: f32 = 0.9;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }
}

impl FromStr for Rating {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text.trim().to_lowercase().as_str() {
            "again" | "1" => Ok(Rating::Again),
            "hard" | "2" => Ok(Rating::Hard),
            "good" | "3" => Ok(Rating::Good),
            "easy" | "4" => Ok(Rating::Easy),
            _ => Err(()),
        }
    }
}

/// An item's place in the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// FSRS memory state; None before the first review.
    pub memory: Option<(f32, f32)>,
    pub due: i64,
    pub last_review: Option<i64>,
    pub reviews: u32,
    pub lapses: u32,
    /// Answers right in a row, for the play-along's tempo.
    pub streak: u32,
}

impl Schedule {
    /// A new item, due at once.
    pub fn new(now: i64) -> Schedule {
        Schedule {
            due: now,
            ..Schedule::default()
        }
    }

    pub fn is_new(&self) -> bool {
        self.reviews == 0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the schedule could not be computed: {0}")]
pub struct ScheduleError(String);

/// The schedule after an answer rated `rating` at `now`.
pub fn review(schedule: &Schedule, rating: Rating, now: i64) -> Result<Schedule, ScheduleError> {
    let fsrs = FSRS::new(&[]).map_err(|e| ScheduleError(e.to_string()))?;
    let memory = schedule.memory.map(|(stability, difficulty)| MemoryState {
        stability,
        difficulty,
    });
    let elapsed_days = schedule
        .last_review
        .map_or(0, |last| ((now - last).max(0) / DAY) as u32);
    let next = fsrs
        .next_states(memory, DESIRED_RETENTION, elapsed_days)
        .map_err(|e| ScheduleError(e.to_string()))?;
    let state = match rating {
        Rating::Again => next.again,
        Rating::Hard => next.hard,
        Rating::Good => next.good,
        Rating::Easy => next.easy,
    };
    let seconds = (f64::from(state.interval) * DAY as f64).round() as i64;
    let correct = matches!(rating, Rating::Good | Rating::Easy);
    Ok(Schedule {
        memory: Some((state.memory.stability, state.memory.difficulty)),
        // At least ten minutes: a missed item comes back later in the session, not at once.
        due: now + seconds.max(600),
        last_review: Some(now),
        reviews: schedule.reviews + 1,
        lapses: schedule.lapses + u32::from(rating == Rating::Again && !schedule.is_new()),
        streak: if correct { schedule.streak + 1 } else { 0 },
    })
}

/// The tempo a play-along is practised at: 60% of the lesson's tempo at first, a tenth of
/// that faster for each success in a row, never above the lesson's own.
pub fn play_along_tempo(target_bpm: u32, streak: u32) -> u32 {
    let start = f64::from(target_bpm) * 0.6;
    let ramped = start * (1.0 + 0.1 * f64::from(streak));
    (ramped.round() as u32).clamp(30.min(target_bpm), target_bpm)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn ratings_order_the_next_due_dates() {
        let new = Schedule::new(NOW);
        let due = |rating| review(&new, rating, NOW).unwrap().due;
        assert!(due(Rating::Again) < due(Rating::Hard));
        assert!(due(Rating::Hard) < due(Rating::Good));
        assert!(due(Rating::Good) < due(Rating::Easy));
        assert!(due(Rating::Again) >= NOW + 600);
    }

    #[test]
    fn right_answers_space_an_item_out_and_a_miss_brings_it_back() {
        let mut schedule = Schedule::new(NOW);
        let mut now = NOW;
        let mut gaps = Vec::new();
        for _ in 0..4 {
            schedule = review(&schedule, Rating::Good, now).unwrap();
            gaps.push(schedule.due - now);
            now = schedule.due;
        }
        assert!(gaps.windows(2).all(|pair| pair[1] > pair[0]), "{gaps:?}");
        assert_eq!(
            (schedule.reviews, schedule.streak, schedule.lapses),
            (4, 4, 0)
        );
        let missed = review(&schedule, Rating::Again, now).unwrap();
        assert!(
            missed.due - now < gaps[3] / 4,
            "{} vs {}",
            missed.due - now,
            gaps[3]
        );
        assert_eq!((missed.streak, missed.lapses), (0, 1));
    }

    #[test]
    fn the_play_along_tempo_ramps_to_the_lessons() {
        assert_eq!(play_along_tempo(100, 0), 60);
        assert_eq!(play_along_tempo(100, 2), 72);
        assert_eq!(play_along_tempo(100, 20), 100);
        assert_eq!("Easy".parse::<Rating>(), Ok(Rating::Easy));
    }
}
