//! Students, and what a teacher assigns them: a tutorial's or a curriculum's items, with
//! the lessons each builds on.

use super::item::{Item, items_from_music};
use super::session::DEFAULT_PASS_THRESHOLD;
use super::{Assignable, Assigned, PracticeError, StudentView};
use crate::content::{Level, Tutorial};
use crate::store::practice::{self as rows, NewAssignment, NewItem};
use crate::store::{Store, students, tutorials};
use crate::{Studio, StudioError};

/// The tempo a play-along aims for when its lesson names none.
const DEFAULT_TEMPO_BPM: u32 = 80;

/// A lesson's items, with where they come from in the curriculum.
struct LessonItems {
    lesson: Option<i64>,
    prerequisites: Vec<i64>,
    items: Vec<Item>,
}

impl Studio {
    pub(super) fn student(
        &self,
        store: &Store,
        id: i64,
    ) -> Result<students::Student, PracticeError> {
        store
            .read(|conn| students::get(conn, id))?
            .ok_or(PracticeError::NoSuchStudent(id))
    }

    /// Adds a student: a name, a level (beginner, intermediate or advanced) and an
    /// instrument (piano when none is given).
    pub fn add_student(
        &self,
        store: &Store,
        name: &str,
        level: &str,
        instrument: &str,
    ) -> Result<StudentView, PracticeError> {
        let name = crate::limits::short_field("name", name)?;
        let level: Level = level
            .parse()
            .map_err(|e: crate::content::ContentError| PracticeError::Invalid(e.to_string()))?;
        let instrument = match instrument.trim() {
            "" => "piano".to_string(),
            other => crate::limits::short_field("instrument", other)?,
        };
        let new = students::NewStudent {
            name,
            instrument,
            level: level.as_str().to_string(),
        };
        let id = store.write(|tx| students::insert(tx, &new))?;
        Ok(self.student(store, id)?.into())
    }

    pub fn list_students(&self, store: &Store) -> Result<Vec<StudentView>, PracticeError> {
        Ok(store
            .read(students::list)?
            .into_iter()
            .map(StudentView::from)
            .collect())
    }

    /// Assigns a tutorial or a curriculum to a student and draws its practice items. A
    /// curriculum's lessons open in order: each waits for the lessons it builds on to be
    /// passed at `pass_threshold` (80% when None).
    pub fn assign(
        &self,
        store: &Store,
        student: i64,
        what: Assignable,
        pass_threshold: Option<f64>,
        now: i64,
    ) -> Result<Assigned, PracticeError> {
        self.student(store, student)?;
        let pass_threshold = pass_threshold.unwrap_or(DEFAULT_PASS_THRESHOLD);
        if !(pass_threshold > 0.0 && pass_threshold <= 1.0) {
            return Err(PracticeError::Invalid(format!(
                "the pass threshold must be a share above 0 and at most 1 (0.8 is 80%); got {pass_threshold}"
            )));
        }
        let (title, lessons) = match what {
            Assignable::Tutorial(id) => {
                let opened = self.open_tutorial(store, id)?;
                let items = tutorial_items(&opened.tutorial, DEFAULT_TEMPO_BPM);
                (
                    opened.tutorial.title.clone(),
                    vec![LessonItems {
                        lesson: None,
                        prerequisites: Vec::new(),
                        items,
                    }],
                )
            }
            Assignable::Curriculum(id) => self.curriculum_items(store, id)?,
        };
        let count: usize = lessons.iter().map(|l| l.items.len()).sum();
        if count == 0 {
            return Err(PracticeError::NothingToPractise(title));
        }
        let (tutorial_id, curriculum_id) = match what {
            Assignable::Tutorial(id) => (Some(id), None),
            Assignable::Curriculum(id) => (None, Some(id)),
        };
        let assignment = store.write(|tx| {
            let assignment = rows::insert_assignment(
                tx,
                &NewAssignment {
                    student_id: student,
                    tutorial_id,
                    curriculum_id,
                    pass_threshold,
                    assigned_at: now,
                },
            )?;
            let mut position = 0;
            for lesson in &lessons {
                for item in &lesson.items {
                    rows::insert_item(
                        tx,
                        &NewItem {
                            assignment_id: assignment,
                            student_id: student,
                            lesson_id: lesson.lesson,
                            prerequisites: lesson.prerequisites.clone(),
                            position,
                            skill: item.skill().as_str().to_string(),
                            item: serde_json::to_value(item)?,
                            due: now,
                        },
                    )?;
                    position += 1;
                }
            }
            Ok(assignment)
        })?;
        Ok(Assigned {
            assignment,
            title,
            items: count,
        })
    }

    /// Each lesson of a curriculum that has its tutorial, with the lessons it builds on: the
    /// ones the curriculum names, or else the lesson before it.
    fn curriculum_items(
        &self,
        store: &Store,
        id: i64,
    ) -> Result<(String, Vec<LessonItems>), PracticeError> {
        let tree = crate::library::curriculum_tree(store, id)?;
        let mut lessons: Vec<LessonItems> = Vec::new();
        for lesson in tree.modules.iter().flat_map(|m| &m.lessons) {
            let Some(tutorial_id) = lesson.tutorial_id else {
                continue;
            };
            let Some(row) = store.read(|conn| tutorials::get(conn, tutorial_id))? else {
                continue;
            };
            let (tutorial, _) = crate::content::export::tutorial_from_value(row.document)
                .map_err(StudioError::from)?;
            let tempo = lesson
                .exercises
                .iter()
                .find_map(|e| e.content.get("tempo_bpm").and_then(|t| t.as_u64()))
                .map_or(DEFAULT_TEMPO_BPM, |t| t as u32);
            let items = tutorial_items(&tutorial, tempo);
            if items.is_empty() {
                continue;
            }
            let with_items: Vec<i64> = lessons.iter().filter_map(|l| l.lesson).collect();
            let named: Vec<i64> = lesson
                .prerequisite_ids
                .iter()
                .copied()
                .filter(|p| with_items.contains(p))
                .collect();
            let prerequisites = if named.is_empty() {
                with_items.last().copied().into_iter().collect()
            } else {
                named
            };
            lessons.push(LessonItems {
                lesson: Some(lesson.id),
                prerequisites,
                items,
            });
        }
        Ok((tree.title, lessons))
    }
}

/// A tutorial's practice items.
fn tutorial_items(tutorial: &Tutorial, tempo_bpm: u32) -> Vec<Item> {
    items_from_music(&tutorial.title, &tutorial.music, tempo_bpm)
}
