//! Today's session and its answers: items chosen by the schedule and the lessons' order,
//! answers judged by the theory engine and kept with the item's next due date.

use std::collections::BTreeMap;

use super::item::Item;
use super::progress::rfc3339;
use super::schedule::{Schedule, play_along_tempo, review};
use super::session::{Candidate, Lesson, NEW_ITEMS, SESSION_ITEMS, todays_items};
use super::{AnswerResult, PracticeError, PracticeItemView, item, score};
use crate::Studio;
use crate::store::practice::{self as rows, ItemRow, NewAnswer};
use crate::store::{Store, StoreError};

fn item_of(row: &ItemRow) -> Result<Item, PracticeError> {
    serde_json::from_value(row.item.clone())
        .map_err(|e| PracticeError::Studio(StoreError::from(e).into()))
}

fn schedule_of(row: &ItemRow) -> Schedule {
    Schedule {
        memory: row
            .stability
            .zip(row.difficulty)
            .map(|(s, d)| (s as f32, d as f32)),
        due: row.due,
        last_review: row.last_review,
        reviews: row.reviews as u32,
        lapses: row.lapses as u32,
        streak: row.streak as u32,
    }
}

pub(super) fn candidates(items: &[ItemRow]) -> (Vec<Candidate>, Vec<Lesson>) {
    let mut lessons: BTreeMap<i64, Lesson> = BTreeMap::new();
    let candidates = items
        .iter()
        .map(|row| {
            if let Some(lesson) = row.lesson_id {
                lessons.entry(lesson).or_insert_with(|| Lesson {
                    id: lesson,
                    prerequisites: row.prerequisites.clone(),
                    pass_threshold: row.pass_threshold,
                });
            }
            Candidate {
                id: row.id,
                lesson: row.lesson_id,
                schedule: schedule_of(row),
                last_correct: row.last_correct,
                first_answered: row.first_answered,
            }
        })
        .collect();
    (candidates, lessons.into_values().collect())
}

impl Studio {
    /// Today's session: due items first, then new ones, of the lessons open to the student.
    pub fn practice_today(
        &self,
        store: &Store,
        student: i64,
        now: i64,
    ) -> Result<Vec<PracticeItemView>, PracticeError> {
        self.student(store, student)?;
        let items = store.read(|conn| rows::items_of(conn, student))?;
        let (candidates, lessons) = candidates(&items);
        let chosen = todays_items(&candidates, &lessons, now, SESSION_ITEMS, NEW_ITEMS);
        chosen
            .into_iter()
            .filter_map(|id| items.iter().find(|row| row.id == id))
            .map(|row| {
                let item = item_of(row)?;
                let schedule = schedule_of(row);
                let (chords, tempo_bpm) = match &item {
                    Item::PlayAlong {
                        chords, target_bpm, ..
                    } => (
                        chords.clone(),
                        Some(play_along_tempo(*target_bpm, schedule.streak)),
                    ),
                    _ => (Vec::new(), None),
                };
                let voicings = chords
                    .iter()
                    .map(|symbol| {
                        symbol
                            .parse::<crate::theory::Chord>()
                            .map(|chord| item::stacked(&chord.notes(), 3))
                            .unwrap_or_default()
                    })
                    .collect();
                Ok(PracticeItemView {
                    id: row.id,
                    kind: item.kind().to_string(),
                    skill: item.skill(),
                    question: item.question(),
                    key: item.key().map(str::to_string),
                    numeral: item.numeral().map(str::to_string),
                    choices: item.choices().to_vec(),
                    sound: item.sound(),
                    chords,
                    voicings,
                    tempo_bpm,
                    new: schedule.is_new(),
                    playable: !matches!(item, Item::PlayAlong { .. }) && item.chord_notes().is_ok(),
                })
            })
            .collect()
    }

    fn student_item(
        &self,
        store: &Store,
        student: i64,
        item: i64,
    ) -> Result<ItemRow, PracticeError> {
        self.student(store, student)?;
        store
            .read(|conn| rows::item_of(conn, student, item))?
            .ok_or(PracticeError::NoSuchItem { student, item })
    }

    /// Scores an answer with the theory engine, keeps it, and moves the item in the schedule.
    pub fn answer_item(
        &self,
        store: &Store,
        student: i64,
        item_id: i64,
        answer: &str,
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        let answer = crate::limits::answer(answer)?;
        let row = self.student_item(store, student, item_id)?;
        let scored = score::score(&item_of(&row)?, answer)?;
        self.record(store, student, &row, &scored, answer, now)
    }

    /// Scores the keys played on the on-screen or a MIDI keyboard against the item's chord,
    /// keeps the answer and moves the item in the schedule.
    pub fn answer_played(
        &self,
        store: &Store,
        student: i64,
        item_id: i64,
        keys: &[u8],
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        let keys = crate::limits::played_keys(keys)?;
        if let Some(key) = keys.iter().find(|key| **key > 127) {
            return Err(PracticeError::Invalid(format!(
                "{key} is not a MIDI key; keys run from 0 to 127"
            )));
        }
        let row = self.student_item(store, student, item_id)?;
        let scored = score::score_played(&item_of(&row)?, keys)?;
        let played: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let answer = format!("played keys {}", played.join(" "));
        self.record(store, student, &row, &scored, &answer, now)
    }

    /// Keeps a scored answer and moves its item in the schedule, together.
    fn record(
        &self,
        store: &Store,
        student: i64,
        row: &ItemRow,
        scored: &score::Scored,
        answer: &str,
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        let next = review(&schedule_of(row), scored.rating, now)
            .map_err(|e| PracticeError::Invalid(e.to_string()))?;
        let (stability, difficulty) = next.memory.unwrap_or_default();
        store.write(|tx| {
            rows::record_answer(
                tx,
                &NewAnswer {
                    item_id: row.id,
                    student_id: student,
                    answered_at: now,
                    answer: answer.to_string(),
                    correct: scored.correct,
                    rating: scored.rating.as_str(),
                },
                &rows::ScheduleUpdate {
                    stability: f64::from(stability),
                    difficulty: f64::from(difficulty),
                    due: next.due,
                    reviews: i64::from(next.reviews),
                    lapses: i64::from(next.lapses),
                    streak: i64::from(next.streak),
                },
            )
        })?;
        Ok(AnswerResult {
            correct: scored.correct,
            expected: scored.expected.clone(),
            feedback: scored.feedback.clone(),
            due: rfc3339(next.due),
        })
    }
}
