//! Practice over a real SQLite library, offline: a student is assigned a tutorial and a
//! curriculum made by the template generator (no model), answers today's items, and the
//! schedule, the lessons' order and the progress follow, across a restart.

use cadence::commissions::BatchRequest;
use cadence::content::Level;
use cadence::llm::CancelToken;
use cadence::practice::{Assignable, PracticeError};
use cadence::sources::Writers;
use cadence::{AppPaths, Catalog, Store, Studio};

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

fn studio(home: &std::path::Path) -> Studio {
    Studio::new(AppPaths::at(home), Catalog::builtin().unwrap())
}

/// A template tutorial and curriculum in the library: (tutorial id, curriculum id).
fn library(studio: &Studio, store: &Store) -> (i64, i64) {
    let outcome = studio
        .run_batch(
            store,
            &BatchRequest::new("F", Level::Beginner, 2),
            false,
            Writers::Models(&mut studio.installed_models()),
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
    let tutorials = store
        .read(|conn| cadence::store::tutorials::search(conn, ""))
        .unwrap();
    (tutorials[0].id, outcome.curriculum_id)
}

/// The ids of a student's items today.
fn todays_ids(studio: &Studio, store: &Store, student: i64, now: i64) -> Vec<i64> {
    studio
        .practice_today(store, student, now)
        .unwrap()
        .iter()
        .map(|item| item.id)
        .collect()
}

/// The engine's answer to an item, as the student would give it.
fn right_answer(store: &Store, student: i64, item: i64) -> String {
    let row = store
        .read(|conn| cadence::store::practice::item_of(conn, student, item))
        .unwrap()
        .unwrap();
    let item: cadence::practice::item::Item = serde_json::from_value(row.item).unwrap();
    if matches!(item, cadence::practice::item::Item::PlayAlong { .. }) {
        return "good".into();
    }
    // Any answer is scored with the engine's expected one beside it.
    cadence::practice::score::score(&item, "?")
        .map(|scored| scored.expected)
        .unwrap()
}

#[test]
fn a_student_practises_a_tutorial_and_the_schedule_and_progress_follow() {
    let home = tempfile::tempdir().unwrap();
    let studio = studio(home.path());
    let store = studio.open_store().unwrap();
    let (tutorial, _) = library(&studio, &store);
    let ada = studio.add_student(&store, "Ada", "beginner", "").unwrap();
    assert_eq!(ada.instrument, "piano");
    let assigned = studio
        .assign(&store, ada.id, Assignable::Tutorial(tutorial), None, NOW)
        .unwrap();
    assert!(assigned.items >= 5, "{assigned:?}");

    let today = studio.practice_today(&store, ada.id, NOW).unwrap();
    assert_eq!(
        today.len(),
        assigned.items.min(10),
        "new items are rationed"
    );
    let kinds: std::collections::BTreeSet<&str> = today.iter().map(|i| i.kind.as_str()).collect();
    assert!(
        kinds.contains("chord_of_numeral") && kinds.contains("hear_chord"),
        "{kinds:?}"
    );

    // One right, one wrong: the right one goes days away, the wrong one comes back today.
    let first = &today[0];
    let answer = right_answer(&store, ada.id, first.id);
    let right = studio
        .answer_item(&store, ada.id, first.id, &answer, NOW)
        .unwrap();
    assert!(right.correct, "{right:?}");
    let second = &today[1];
    let wrong = studio
        .answer_item(&store, ada.id, second.id, "Cb Fb", NOW)
        .unwrap();
    assert!(!wrong.correct && !wrong.feedback.is_empty(), "{wrong:?}");
    assert!(wrong.due < right.due, "{} before {}", wrong.due, right.due);

    let later_today = studio
        .practice_today(&store, ada.id, NOW + DAY / 2)
        .unwrap();
    assert!(!later_today.iter().any(|i| i.id == first.id));
    assert!(later_today.iter().any(|i| i.id == second.id && !i.new));

    // A restart: the same file, a fresh Studio.
    drop(store);
    let studio = self::studio(home.path());
    let store = studio.open_store().unwrap();
    let progress = studio.student_progress(&store, ada.id, NOW, 0).unwrap();
    assert_eq!(
        (progress.progress.answered, progress.progress.correct),
        (2, 1)
    );
    assert_eq!(progress.progress.streak_days, 1);
    assert_eq!(progress.assignments.len(), 1);
    let mastered: usize = progress.progress.mastery.iter().map(|m| m.mastered).sum();
    assert_eq!(mastered, 1);
    let record: serde_json::Value =
        serde_json::from_str(&studio.student_record(&store, ada.id, NOW).unwrap()).unwrap();
    assert_eq!(record["answers"].as_array().unwrap().len(), 2);
    assert_eq!(record["student"]["name"], "Ada");

    // What a user can get wrong is refused with what to do, and stores nothing.
    let again = studio
        .assign(&store, ada.id, Assignable::Tutorial(tutorial), None, NOW)
        .unwrap_err();
    assert!(again.to_string().contains("already"), "{again}");
    assert!(matches!(
        studio.practice_today(&store, 99, NOW),
        Err(PracticeError::NoSuchStudent(99))
    ));
    let other = studio
        .add_student(&store, "Bo", "advanced", "guitar")
        .unwrap();
    assert!(matches!(
        studio.answer_item(&store, other.id, first.id, "x", NOW),
        Err(PracticeError::NoSuchItem { .. })
    ));
    assert!(studio.add_student(&store, "Cy", "expert", "").is_err());
    assert!(studio.add_student(&store, " ", "beginner", "").is_err());
    let empty = studio
        .answer_item(&store, ada.id, first.id, "   ", NOW)
        .unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
    let after = studio.student_progress(&store, ada.id, NOW, 0).unwrap();
    assert_eq!(after.progress.answered, 2);

    // A chord played on a keyboard: judged by its keys in any octave, and kept.
    let spelling = studio
        .practice_today(&store, ada.id, NOW)
        .unwrap()
        .into_iter()
        .find(|item| item.kind == "chord_of_numeral" && item.id != first.id)
        .expect("another spelling item");
    let notes = right_answer(&store, ada.id, spelling.id);
    let keys: Vec<u8> = notes
        .split(' ')
        .map(|name| {
            let pitch: cadence::theory::PitchClass = name.parse().unwrap();
            60 + pitch.semitone()
        })
        .collect();
    let played = studio
        .answer_played(&store, ada.id, spelling.id, &keys, NOW)
        .unwrap();
    assert!(played.correct, "{played:?}");
    let wrong = studio
        .answer_played(&store, ada.id, spelling.id, &keys[..1], NOW)
        .unwrap();
    assert!(
        !wrong.correct && wrong.feedback.contains("missing"),
        "{wrong:?}"
    );
    assert!(
        studio
            .answer_played(&store, ada.id, spelling.id, &[200], NOW)
            .unwrap_err()
            .to_string()
            .contains("not a MIDI key")
    );
    assert!(
        studio
            .answer_played(&store, ada.id, spelling.id, &vec![60; 1_000_000], NOW)
            .unwrap_err()
            .to_string()
            .contains("1000000 keys were played")
    );
    let answers = store
        .read(|conn| cadence::store::practice::answers_of(conn, ada.id))
        .unwrap();
    assert_eq!(answers.len(), 4);
    assert!(answers[2].answer.starts_with("played keys "));
}

#[test]
fn a_curriculums_lessons_open_as_the_ones_before_are_passed() {
    let home = tempfile::tempdir().unwrap();
    let studio = studio(home.path());
    let store = studio.open_store().unwrap();
    let (_, curriculum) = library(&studio, &store);
    let bo = studio
        .add_student(&store, "Bo", "beginner", "piano")
        .unwrap();
    studio
        .assign(
            &store,
            bo.id,
            Assignable::Curriculum(curriculum),
            Some(0.8),
            NOW,
        )
        .unwrap();
    let items = store
        .read(|conn| cadence::store::practice::items_of(conn, bo.id))
        .unwrap();
    let lessons: Vec<i64> =
        items
            .iter()
            .filter_map(|i| i.lesson_id)
            .fold(Vec::new(), |mut l, id| {
                if !l.contains(&id) {
                    l.push(id);
                }
                l
            });
    assert!(lessons.len() >= 2, "{lessons:?}");
    let in_lesson = |lesson: i64| -> Vec<i64> {
        items
            .iter()
            .filter(|i| i.lesson_id == Some(lesson))
            .map(|i| i.id)
            .collect()
    };
    let first_lesson = in_lesson(lessons[0]);
    let second_lesson = in_lesson(lessons[1]);

    let mut now = NOW;
    let today = todays_ids(&studio, &store, bo.id, now);
    assert!(
        today.iter().all(|id| first_lesson.contains(id)),
        "only the first lesson is open"
    );

    // Answer every item of the first lesson right, a session a day.
    while first_lesson.iter().any(|id| {
        store
            .read(|conn| cadence::store::practice::item_of(conn, bo.id, *id))
            .unwrap()
            .unwrap()
            .last_correct
            != Some(true)
    }) {
        for item in studio.practice_today(&store, bo.id, now).unwrap() {
            if first_lesson.contains(&item.id) {
                let answer = right_answer(&store, bo.id, item.id);
                let result = studio
                    .answer_item(&store, bo.id, item.id, &answer, now)
                    .unwrap();
                assert!(
                    result.correct,
                    "{} answered {answer}: {}",
                    item.question, result.feedback
                );
            }
        }
        now += DAY;
        assert!(now < NOW + 30 * DAY, "the first lesson never finished");
    }
    let today = todays_ids(&studio, &store, bo.id, now);
    assert!(
        today.iter().any(|id| second_lesson.contains(id)),
        "the second lesson opens: {today:?}"
    );

    // A deleted curriculum leaves practice with everything the student did in it, and comes
    // back with all of it when the deletion is undone.
    let before = studio.student_progress(&store, bo.id, now, 0).unwrap();
    assert!(before.progress.answered > 0);
    studio.delete_curriculum(&store, curriculum).unwrap();
    let trashed = studio.student_progress(&store, bo.id, now, 0).unwrap();
    assert!(trashed.assignments.is_empty());
    assert_eq!(trashed.progress.answered, 0);
    assert!(
        studio
            .practice_today(&store, bo.id, now)
            .unwrap()
            .is_empty()
    );
    studio.restore_curriculum(&store, curriculum).unwrap();
    let restored = studio.student_progress(&store, bo.id, now, 0).unwrap();
    assert_eq!(restored.progress.answered, before.progress.answered);
    assert_eq!(todays_ids(&studio, &store, bo.id, now), today);
}

/// The command line as the issue specifies it: JSON in the documented shapes.
#[test]
fn the_practice_commands_print_the_documented_json() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> serde_json::Value {
        let output = cadence_tests::cadence(home.path())
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    };
    let made = cadence_tests::cadence(home.path())
        .args(["tutorial", "--topic", "ii-V-I", "--key", "Bb", "--template"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let student = run(&[
        "student", "add", "--name", "Ada", "--level", "beginner", "--json",
    ]);
    assert_eq!(student, serde_json::json!({ "id": 1 }));
    run(&["assign", "--student", "1", "--tutorial", "1", "--json"]);
    let today = run(&["practice", "today", "--student", "1", "--json"]);
    let items = today["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert!(item["id"].is_i64() && item["kind"].is_string() && item["question"].is_string());
    }
    let spelling = items
        .iter()
        .find(|i| i["kind"] == "chord_of_numeral")
        .unwrap();
    assert_eq!(spelling["key"], "Bb major");
    assert!(spelling["numeral"].is_string());
    assert!(
        items
            .iter()
            .any(|i| i["choices"].as_array().is_some_and(|c| c.len() == 4))
    );
    let id = spelling["id"].as_i64().unwrap().to_string();
    let answer = run(&[
        "practice",
        "answer",
        "--student",
        "1",
        "--item",
        &id,
        "--answer",
        "C Eb G Bb",
        "--json",
    ]);
    assert_eq!(answer["correct"], true, "{answer}");
    assert_eq!(answer["expected"], "C Eb G Bb");
    let due = answer["due"].as_str().unwrap();
    assert!(
        due.len() == 20 && due.ends_with('Z') && due.as_bytes()[10] == b'T',
        "{due}"
    );
    let progress = run(&["progress", "--student", "1", "--json"]);
    assert_eq!(progress["progress"]["answered"], 1);
    assert_eq!(progress["progress"]["streak_days"], 1);

    let refused = cadence_tests::cadence(home.path())
        .args(["practice", "today", "--student", "9"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("student 9 does not exist"));
}

#[test]
fn an_assessment_from_the_library_is_taken_and_scored_by_the_engine() {
    use cadence::content::AssessmentKind;
    use cadence::materials::MaterialRequest;
    let home = tempfile::tempdir().unwrap();
    let studio = studio(home.path());
    let store = studio.open_store().unwrap();
    let request = |kind| MaterialRequest::Assessment {
        topic: "ii-V-I".into(),
        key: "Bb".into(),
        level: Level::Beginner,
        instrument: "piano".into(),
        assessment_kind: kind,
    };
    let made = studio
        .create_material(
            &store,
            &request(AssessmentKind::Milestone),
            Writers::TemplateOnly,
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
    let student = studio.add_student(&store, "Ada", "beginner", "").unwrap();
    let opened = studio.open_material(&store, made.id).unwrap();
    let assessment: cadence::content::Assessment = serde_json::from_value(opened.document).unwrap();
    let right: Vec<String> = assessment
        .questions
        .iter()
        .map(|q| {
            cadence::practice::assessment::score_question(&q.spec, "?")
                .unwrap()
                .expected
        })
        .collect();
    let full = studio
        .take_assessment(&store, made.id, student.id, &right, NOW)
        .unwrap();
    assert_eq!((full.points, full.total), (full.total, full.total));
    let mut half = right.clone();
    half[0] = "nonsense".into();
    let partial = studio
        .take_assessment(&store, made.id, student.id, &half, NOW + 60)
        .unwrap();
    assert!(partial.score < 1.0 && !partial.questions[0].correct);
    let progress = studio
        .student_progress(&store, student.id, NOW + 60, 0)
        .unwrap();
    assert_eq!(progress.assessments.len(), 2);
    assert!(progress.assessments[0].score < 1.0, "newest first");
    let too_many = vec![String::new(); assessment.questions.len() + 1];
    assert!(
        studio
            .take_assessment(&store, made.id, student.id, &too_many, NOW)
            .is_err()
    );
}
