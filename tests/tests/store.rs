//! The SQLite store on a real file: migrations, re-opening, refusal of newer schemas,
//! and the typed repositories.

use cadence::Store;
use cadence::store::{
    AssessmentKind, GenerationOutcome, GenerationRecord, LessonIndex, NewAssessment,
    NewPracticeRecord, NewResult, NewStudent, NewTutorial, SCHEMA_VERSION, StoreError, assessments,
    cache, curricula, generation_log, students, tutorials,
};
use cadence_tests::two_module_curriculum;
use rusqlite::Connection;

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    (dir, path)
}

fn table_names(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn opening_an_empty_file_applies_every_migration() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let report = store.check().unwrap();
    assert!(report.is_healthy(), "{report:?}");
    assert_eq!(report.journal_mode, "wal");
    drop(store);
    let tables = table_names(&path);
    for expected in [
        "assessment_results",
        "assessments",
        "curricula",
        "exercises",
        "generation_log",
        "lesson_prerequisites",
        "lessons",
        "modules",
        "practice_records",
        "response_cache",
        "students",
        "tutorials",
    ] {
        assert!(
            tables.iter().any(|t| t == expected),
            "missing table {expected}: {tables:?}"
        );
    }
}

#[test]
fn reopening_is_idempotent_and_keeps_data() {
    let (_dir, path) = temp_db();
    let id = {
        let store = Store::open(&path).unwrap();
        store
            .write(|tx| curricula::insert(tx, &two_module_curriculum()))
            .unwrap()
    };
    for _ in 0..3 {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let tree = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
        assert_eq!(tree.modules.len(), 2);
        assert_eq!(store.read(curricula::list).unwrap().len(), 1);
    }
}

#[test]
fn foreign_keys_are_enforced() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let error = store
        .write(|tx| {
            tx.execute(
                "INSERT INTO modules (curriculum_id, position, title, week_start, week_end) VALUES (999, 0, 'orphan', 1, 1)",
                [],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        error.to_string().contains("FOREIGN KEY constraint failed"),
        "{error}"
    );
}

#[test]
fn a_database_from_a_newer_cadence_is_refused_untouched() {
    let (_dir, path) = temp_db();
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 7)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    match &error {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, SCHEMA_VERSION + 7);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    let message = error.to_string();
    assert!(message.contains("written by a newer Cadence"), "{message}");
    assert!(message.contains("update Cadence"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file must not change"
    );
    assert!(
        !path.with_extension("sqlite3-wal").exists(),
        "no WAL may be created"
    );
}

#[test]
fn curriculum_tree_round_trips_in_order_with_prerequisites() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let new = two_module_curriculum();
    let id = store.write(|tx| curricula::insert(tx, &new)).unwrap();
    let tree = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
    assert_eq!(tree.title, new.title);
    let titles: Vec<_> = tree.modules.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["Shell voicings", "Rootless voicings"]);
    let shells = &tree.modules[0].lessons[0];
    let type_a = &tree.modules[1].lessons[0];
    let type_b = &tree.modules[1].lessons[1];
    assert_eq!(type_a.prerequisite_ids, [shells.id]);
    let mut expected = vec![shells.id, type_a.id];
    expected.sort();
    assert_eq!(type_b.prerequisite_ids, expected);
    assert_eq!(type_a.exercises.len(), 2);
    assert_eq!(type_a.exercises[1].title, "A voicings in 12 keys");
    assert_eq!(type_a.exercises[0].content["voicing"], "rootless-a");
    assert_eq!(type_a.concepts, ["rootless", "3-5-7-9"]);

    let summary = &store.read(curricula::list).unwrap()[0];
    assert_eq!((summary.module_count, summary.lesson_count), (2, 3));

    store
        .write(|tx| curricula::rename(tx, id, "Jazz piano, part 1"))
        .unwrap();
    assert_eq!(
        store
            .read(|c| curricula::get(c, id))
            .unwrap()
            .unwrap()
            .title,
        "Jazz piano, part 1"
    );

    // A curriculum left in the trash past its time is deleted with everything under it.
    store.write(|tx| curricula::trash(tx, id)).unwrap();
    store
        .write(|tx| {
            tx.execute(
                "UPDATE curricula SET deleted_at = deleted_at - ?1",
                [curricula::TRASH_DAYS * 86_400],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.write(curricula::empty_trash).unwrap(), 1);
    assert!(store.read(|c| curricula::get(c, id)).unwrap().is_none());
    let orphans: i64 = store
        .read(|c| Ok(c.query_row("SELECT (SELECT count(*) FROM modules) + (SELECT count(*) FROM lessons) + (SELECT count(*) FROM exercises)", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(
        orphans, 0,
        "deleting a curriculum deletes everything under it"
    );
}

#[test]
fn invalid_curriculum_is_refused_and_nothing_is_written() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let kept = store
        .write(|tx| curricula::insert(tx, &two_module_curriculum()))
        .unwrap();

    let mut backwards = two_module_curriculum();
    backwards.modules[1].week_end = 2;
    let error = store
        .write(|tx| curricula::insert(tx, &backwards))
        .unwrap_err();
    assert!(
        error.to_string().contains("runs from week 3 to week 2"),
        "{error}"
    );

    let mut dangling = two_module_curriculum();
    dangling.modules[1].lessons[0].prerequisites = vec![LessonIndex {
        module: 5,
        lesson: 0,
    }];
    let error = store
        .write(|tx| curricula::insert(tx, &dangling))
        .unwrap_err();
    assert!(
        error.to_string().contains("requires module 5 lesson 0"),
        "{error}"
    );

    let list = store.read(curricula::list).unwrap();
    assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), [kept]);
    assert!(matches!(
        store
            .write(|tx| curricula::rename(tx, 12345, "x"))
            .unwrap_err(),
        StoreError::NotFound {
            what: "curriculum",
            id: 12345
        }
    ));
}

#[test]
fn tutorials_are_searchable_and_linked_to_lessons() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let tutorial = |title: &str, topic: &str, key: &str| NewTutorial {
        title: title.into(),
        topic: topic.into(),
        music_key: Some(key.into()),
        level: "intermediate".into(),
        instrument: "piano".into(),
        schema_version: 1,
        document: serde_json::json!({ "overview": { "title": title } }),
    };
    let ii_v_i = store
        .write(|tx| tutorials::insert(tx, &tutorial("The ii–V–I in E♭", "ii-V-I", "Eb")))
        .unwrap();
    store
        .write(|tx| tutorials::insert(tx, &tutorial("Blues scale", "blues_scale", "G")))
        .unwrap();
    store
        .write(|tx| tutorials::insert(tx, &tutorial("100% shells", "shell_voicings", "C")))
        .unwrap();

    let found = store.read(|c| tutorials::search(c, "ii-v")).unwrap();
    assert_eq!(found.iter().map(|t| t.id).collect::<Vec<_>>(), [ii_v_i]);
    assert_eq!(
        store.read(|c| tutorials::search(c, "BLUES")).unwrap().len(),
        1
    );
    assert_eq!(
        store.read(|c| tutorials::search(c, "%")).unwrap().len(),
        1,
        "% is literal"
    );
    assert_eq!(store.read(|c| tutorials::search(c, "")).unwrap().len(), 3);

    let row = store.read(|c| tutorials::get(c, ii_v_i)).unwrap().unwrap();
    assert_eq!(row.document["overview"]["title"], "The ii–V–I in E♭");

    let curriculum = store
        .write(|tx| curricula::insert(tx, &two_module_curriculum()))
        .unwrap();
    let lesson = store
        .read(|c| curricula::get(c, curriculum))
        .unwrap()
        .unwrap()
        .modules[0]
        .lessons[0]
        .id;
    store
        .write(|tx| curricula::attach_tutorial(tx, lesson, ii_v_i))
        .unwrap();
    store.write(|tx| tutorials::delete(tx, ii_v_i)).unwrap();
    let lesson_after = &store
        .read(|c| curricula::get(c, curriculum))
        .unwrap()
        .unwrap()
        .modules[0]
        .lessons[0];
    assert_eq!(
        lesson_after.tutorial_id, None,
        "deleting a tutorial unlinks it from its lesson"
    );
}

#[test]
fn students_practice_and_assessment_results() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let student = store
        .write(|tx| {
            students::insert(
                tx,
                &NewStudent {
                    name: "Ada".into(),
                    instrument: "piano".into(),
                    level: "beginner".into(),
                },
            )
        })
        .unwrap();
    let assessment = store
        .write(|tx| {
            assessments::insert(
                tx,
                &NewAssessment {
                    curriculum_id: None,
                    module_id: None,
                    kind: AssessmentKind::Diagnostic,
                    title: "Where are you now?".into(),
                    document: serde_json::json!({ "questions": [] }),
                },
            )
        })
        .unwrap();
    store
        .write(|tx| {
            assessments::record_result(
                tx,
                &NewResult {
                    assessment_id: assessment,
                    student_id: student,
                    score: 0.75,
                    answers: serde_json::json!(["Dm7"]),
                },
            )
        })
        .unwrap();
    let error = store
        .write(|tx| {
            assessments::record_result(
                tx,
                &NewResult {
                    assessment_id: assessment,
                    student_id: student,
                    score: 1.5,
                    answers: serde_json::json!([]),
                },
            )
        })
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("1.5 is not a fraction between 0 and 1"),
        "{error}"
    );
    let results = store
        .read(|c| assessments::results_for_student(c, student))
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].score, 0.75);
    assert_eq!(
        store
            .read(|c| assessments::get(c, assessment))
            .unwrap()
            .unwrap()
            .kind,
        AssessmentKind::Diagnostic
    );

    let practice = NewPracticeRecord {
        student_id: student,
        exercise_id: None,
        tutorial_id: None,
        duration_seconds: 600,
        tempo_bpm: Some(90),
        accuracy: Some(0.9),
        notes: "even eighths".into(),
    };
    store
        .write(|tx| students::record_practice(tx, &practice))
        .unwrap();
    let zero = NewPracticeRecord {
        duration_seconds: 0,
        ..practice.clone()
    };
    assert!(
        store
            .write(|tx| students::record_practice(tx, &zero))
            .is_err()
    );
    let records = store.read(|c| students::practice_of(c, student)).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].tempo_bpm, Some(90));
    assert_eq!(store.read(students::list).unwrap()[0].name, "Ada");
}

#[test]
fn generation_log_sums_usage_by_model() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let entry = |model: &str, tokens_out: u32, cost: f64, cache_hit: bool| GenerationRecord {
        task: "tutorial_generation".into(),
        tier: "medium".into(),
        model: model.into(),
        tokens_in: 100,
        tokens_out,
        latency_ms: 1200,
        cost_usd: cost,
        cache_hit,
        outcome: GenerationOutcome::Ok,
        detail: String::new(),
    };
    for record in [
        entry("qwen2.5-7b", 500, 0.0, false),
        entry("qwen2.5-7b", 0, 0.0, true),
        entry("gemini", 800, 0.0093, false),
    ] {
        store
            .write(|tx| generation_log::record(tx, &record))
            .unwrap();
    }
    let usage = store
        .read(|c| generation_log::usage_by_model(c, 0))
        .unwrap();
    assert_eq!(usage.len(), 2);
    let gemini = usage.iter().find(|u| u.model == "gemini").unwrap();
    assert!((gemini.cost_usd - 0.0093).abs() < 1e-12);
    let qwen = usage.iter().find(|u| u.model == "qwen2.5-7b").unwrap();
    assert_eq!(
        (
            qwen.requests,
            qwen.tokens_in,
            qwen.tokens_out,
            qwen.cache_hits
        ),
        (2, 200, 500, 1)
    );
}

#[test]
fn response_cache_expires_entries() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .write(|tx| cache::put(tx, "fresh", "{\"a\":1}", 3600))
        .unwrap();
    store.write(|tx| cache::put(tx, "stale", "old", 0)).unwrap();
    assert_eq!(
        store
            .read(|c| cache::get(c, "fresh"))
            .unwrap()
            .unwrap()
            .value,
        "{\"a\":1}"
    );
    assert!(store.read(|c| cache::get(c, "stale")).unwrap().is_none());
    store
        .write(|tx| cache::put(tx, "fresh", "{\"a\":2}", 3600))
        .unwrap();
    assert_eq!(
        store
            .read(|c| cache::get(c, "fresh"))
            .unwrap()
            .unwrap()
            .value,
        "{\"a\":2}"
    );
    assert_eq!(store.write(cache::purge_expired).unwrap(), 1);
}
