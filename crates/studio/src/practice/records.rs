//! What practice leaves: a student's progress, the assessments taken, and the record a
//! teacher exports.

use super::assessment;
use super::item::Skill;
use super::progress::{Answered, progress, rfc3339};
use super::session::{NEW_ITEMS, SESSION_ITEMS, todays_items};
use super::sessions::candidates;
use super::{AssignmentView, AttemptView, PracticeError, StudentProgress};
use crate::Studio;
use crate::store::practice as rows;
use crate::store::{Store, StoreError};

impl Studio {
    /// A student's progress at `now`, days counted in a zone `utc_offset` seconds east of UTC.
    pub fn student_progress(
        &self,
        store: &Store,
        student: i64,
        now: i64,
        utc_offset: i64,
    ) -> Result<StudentProgress, PracticeError> {
        Ok(self
            .progress_and_answers(store, student, now, utc_offset)?
            .0)
    }

    /// The progress, and the answers it was counted from.
    fn progress_and_answers(
        &self,
        store: &Store,
        student: i64,
        now: i64,
        utc_offset: i64,
    ) -> Result<(StudentProgress, Vec<rows::AnswerRow>), PracticeError> {
        let profile = self.student(store, student)?;
        let (items, answers, assignments, attempts) = store.read(|conn| {
            Ok((
                rows::items_of(conn, student)?,
                rows::answers_of(conn, student)?,
                rows::assignments_of(conn, student)?,
                rows::attempts_of(conn, student)?,
            ))
        })?;
        let skills: Vec<(i64, Skill)> = items
            .iter()
            .filter_map(|row| Skill::parse(&row.skill).map(|skill| (row.id, skill)))
            .collect();
        let answered: Vec<Answered> = answers
            .iter()
            .filter_map(|answer| {
                Some(Answered {
                    item: answer.item_id,
                    skill: Skill::parse(&answer.skill)?,
                    at: answer.answered_at,
                    correct: answer.correct,
                })
            })
            .collect();
        let (candidates, lessons) = candidates(&items);
        let due_today = todays_items(&candidates, &lessons, now, SESSION_ITEMS, NEW_ITEMS).len();
        let summary = StudentProgress {
            student: profile.into(),
            assignments: assignments
                .into_iter()
                .map(|a| AssignmentView {
                    id: a.id,
                    title: a.title,
                    kind: if a.curriculum_id.is_some() {
                        "curriculum"
                    } else {
                        "tutorial"
                    }
                    .to_string(),
                    pass_threshold: a.pass_threshold,
                    items: a.items,
                })
                .collect(),
            assessments: attempts
                .into_iter()
                .map(|a| AttemptView {
                    material: a.material_id,
                    title: a.title,
                    score: a.score,
                    taken_at: rfc3339(a.taken_at),
                })
                .collect(),
            progress: progress(&answered, &skills, now, utc_offset),
            due_today,
        };
        Ok((summary, answers))
    }

    /// A student's record for the teacher: the profile, assignments, progress and every
    /// answer, as JSON.
    pub fn student_record(
        &self,
        store: &Store,
        student: i64,
        now: i64,
    ) -> Result<String, PracticeError> {
        let (summary, answers) = self.progress_and_answers(store, student, now, 0)?;
        let answers: Vec<serde_json::Value> = answers
            .iter()
            .map(|a| {
                serde_json::json!({
                    "item": a.item_id,
                    "skill": a.skill,
                    "answered_at": rfc3339(a.answered_at),
                    "answer": a.answer,
                    "correct": a.correct,
                    "rating": a.rating,
                })
            })
            .collect();
        let record = serde_json::json!({
            "student": summary.student,
            "assignments": summary.assignments,
            "assessments": summary.assessments,
            "progress": summary.progress,
            "answers": answers,
            "exported_at": rfc3339(now),
        });
        Ok(serde_json::to_string_pretty(&record).map_err(StoreError::from)?)
    }

    /// A student takes an assessment from the library: each answer (by question, in order)
    /// is judged by the theory engine, and the score is kept with the student's record.
    pub fn take_assessment(
        &self,
        store: &Store,
        material: i64,
        student: i64,
        answers: &[String],
        now: i64,
    ) -> Result<assessment::AssessmentScore, PracticeError> {
        self.student(store, student)?;
        let opened = self.open_material(store, material)?;
        if opened.kind != crate::materials::MaterialKind::Assessment {
            return Err(PracticeError::Invalid(format!(
                "material {material} is a {}, not an assessment",
                opened.kind.noun()
            )));
        }
        let document: crate::content::Assessment =
            serde_json::from_value(opened.document).map_err(StoreError::from)?;
        if answers.len() > document.questions.len() {
            return Err(PracticeError::Invalid(format!(
                "{} answers for {} questions",
                answers.len(),
                document.questions.len()
            )));
        }
        for answer in answers {
            crate::limits::answer(answer)?;
        }
        let scored = assessment::score_assessment(&document, answers);
        let kept = serde_json::json!({ "answers": answers, "questions": scored.questions });
        store.write(|tx| rows::insert_attempt(tx, material, student, scored.score, &kept, now))?;
        Ok(scored)
    }

    /// Writes a student's record to `path` as JSON, for the teacher.
    pub fn export_student_record_file(
        &self,
        store: &Store,
        student: i64,
        path: &std::path::Path,
        now: i64,
    ) -> Result<crate::library::ExportedFile, PracticeError> {
        let format = crate::library::validate_export_path(path)
            .map_err(|e| PracticeError::Invalid(e.to_string()))?;
        if format != crate::library::ExportFormat::Json {
            return Err(PracticeError::Invalid(
                "a student's record is written as JSON; end the file name in .json".into(),
            ));
        }
        let record = self.student_record(store, student, now)?;
        crate::library::write_export(path, format, record.as_bytes())
            .map_err(|e| PracticeError::Invalid(e.to_string()))
    }
}
