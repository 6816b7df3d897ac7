//! A curriculum made by the batch job, exported from the SQLite library as its JSON document
//! and imported back; an unfinished one is refused with what to do.

use cadence::commissions::BatchRequest;
use cadence::content::export::import_curriculum;
use cadence::content::topic::Topic;
use cadence::content::{Level, template};
use cadence::llm::CancelToken;
use cadence::sources::Writers;
use cadence::{AppPaths, Catalog, Studio};

fn request() -> BatchRequest {
    BatchRequest::new("F", Level::Intermediate, 4)
}

#[test]
fn a_batch_curriculum_exports_as_its_document_and_imports_back() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let outcome = studio
        .run_batch(
            &store,
            &request(),
            false,
            Writers::Models(&mut studio.installed_models()),
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("course.json");
    let exported = studio
        .export_curriculum_file(&store, outcome.curriculum_id, &path)
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(exported.bytes, text.len() as u64);
    let (imported, report) = import_curriculum(&text).unwrap();
    assert!(report.is_acceptable(), "{report}");

    // The plan the batch stored: its modules, lessons, topics, keys and prerequisites.
    let planned = template::curriculum("F", Level::Intermediate, 4).unwrap();
    assert_eq!(imported.title, planned.title);
    assert_eq!(imported.duration_weeks, 4);
    assert_eq!(imported.modules.len(), planned.modules.len());
    for (got, want) in imported.modules.iter().zip(&planned.modules) {
        assert_eq!(
            (got.week_start, got.week_end),
            (want.week_start, want.week_end)
        );
        assert_eq!(got.lessons.len(), want.lessons.len());
        for (lesson, planned_lesson) in got.lessons.iter().zip(&want.lessons) {
            assert_eq!(lesson.title, planned_lesson.title);
            // The tutorial may capitalise the topic; it must name the same one.
            assert_eq!(
                Topic::parse(&lesson.topic).unwrap(),
                Topic::parse(&planned_lesson.topic).unwrap()
            );
            assert_eq!(
                lesson.key.parse::<cadence::theory::Key>().unwrap(),
                planned_lesson.key.parse::<cadence::theory::Key>().unwrap()
            );
            assert_eq!(lesson.prerequisites, planned_lesson.prerequisites);
            // The stored exercises, one outline each.
            let stored =
                template::exercises(&lesson.topic, &lesson.key, lesson.difficulty).unwrap();
            assert_eq!(
                lesson
                    .exercises
                    .iter()
                    .map(|e| (e.kind, e.title.as_str()))
                    .collect::<Vec<_>>(),
                stored
                    .iter()
                    .map(|e| (e.kind, e.title.as_str()))
                    .collect::<Vec<_>>()
            );
        }
    }

    let midi = studio
        .export_curriculum_file(
            &store,
            outcome.curriculum_id,
            &out.path().join("course.mid"),
        )
        .unwrap_err();
    assert!(
        midi.to_string().contains("export this curriculum as JSON"),
        "{midi}"
    );
}

#[test]
fn an_unfinished_curriculum_is_not_exported_and_says_how_to_finish_it() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let cancel = CancelToken::new();
    let cancelled = studio.run_batch(
        &store,
        &request(),
        false,
        Writers::Models(&mut studio.installed_models()),
        &cancel,
        &mut |progress| {
            if progress.done == 2 {
                cancel.cancel();
            }
        },
    );
    assert!(cancelled.is_err());
    let id = studio.list_curricula(&store).unwrap()[0].id;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("course.json");
    let error = studio
        .export_curriculum_file(&store, id, &path)
        .unwrap_err();
    assert!(
        error.to_string().contains("run `cadence batch` again"),
        "{error}"
    );
    assert!(!path.exists());
}
