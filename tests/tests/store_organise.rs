//! Organising curricula in the store: the trash that makes a deletion undoable, and lessons
//! moved within and between modules, on a real SQLite file.

use cadence::Store;
use cadence::store::curricula;
use cadence_tests::two_module_curriculum;

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    (dir, path)
}

#[test]
fn a_trashed_curriculum_leaves_the_library_whole_and_comes_back_as_it_was() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let id = store
        .write(|tx| curricula::insert(tx, &two_module_curriculum()))
        .unwrap();
    let before = store.read(|c| curricula::get(c, id)).unwrap().unwrap();

    store.write(|tx| curricula::trash(tx, id)).unwrap();
    assert!(store.read(|c| curricula::get(c, id)).unwrap().is_none());
    assert!(store.read(curricula::list).unwrap().is_empty());
    assert!(
        store.write(|tx| curricula::trash(tx, id)).is_err(),
        "a trashed curriculum cannot be trashed again"
    );
    assert!(
        store
            .write(|tx| curricula::rename(tx, id, "Renamed in the trash"))
            .is_err()
    );
    // Nothing recent is emptied from the trash.
    assert_eq!(store.write(curricula::empty_trash).unwrap(), 0);

    store.write(|tx| curricula::restore(tx, id)).unwrap();
    let after = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
    assert_eq!(after, before);
    assert!(store.write(|tx| curricula::restore(tx, id)).is_err());

    store.write(|tx| curricula::trash(tx, id)).unwrap();
    assert_eq!(store.read(curricula::trashed).unwrap()[0].id, id);
    store
        .write(|tx| {
            tx.execute(
                "UPDATE curricula SET deleted_at = deleted_at - ?1",
                [curricula::TRASH_DAYS * 86_400],
            )?;
            Ok(())
        })
        .unwrap();
    // Past its time it can no longer be restored, and the trash no longer lists it.
    assert!(store.write(|tx| curricula::restore(tx, id)).is_err());
    assert!(store.read(curricula::trashed).unwrap().is_empty());
    assert_eq!(store.write(curricula::empty_trash).unwrap(), 1);
}

#[test]
fn lessons_move_within_and_between_modules() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let id = store
        .write(|tx| curricula::insert(tx, &two_module_curriculum()))
        .unwrap();
    let titles = |store: &Store| -> Vec<Vec<String>> {
        let tree = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
        tree.modules
            .iter()
            .map(|m| m.lessons.iter().map(|l| l.title.clone()).collect())
            .collect()
    };
    let tree = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
    let type_b = tree.modules[1].lessons[1].id;
    let shells = tree.modules[0].lessons[0].id;

    // Type B builds on Type A: moved before it, that link no longer points back and goes.
    let dropped = store
        .write(|tx| curricula::move_lesson(tx, id, type_b, 1, 0))
        .unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(
        titles(&store),
        [vec!["Root–3–7 shells"], vec!["Type B", "Type A"]]
    );
    let moved = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
    assert_eq!(moved.modules[1].lessons[0].prerequisite_ids, [shells]);
    // The shells, after both lessons that build on them, take both links with them.
    let dropped = store
        .write(|tx| curricula::move_lesson(tx, id, shells, 1, 99))
        .unwrap();
    assert_eq!(dropped, 2);
    assert_eq!(
        titles(&store),
        [
            Vec::<&str>::new(),
            vec!["Type B", "Type A", "Root–3–7 shells"]
        ]
    );
    assert!(
        store
            .write(|tx| curricula::move_lesson(tx, id, shells, 5, 0))
            .is_err()
    );
    assert!(
        store
            .write(|tx| curricula::move_lesson(tx, id + 1, shells, 0, 0))
            .is_err()
    );
    let moved = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
    assert!(
        moved
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .all(|l| l.prerequisite_ids.is_empty()),
        "no lesson builds on one after it"
    );
}

#[test]
fn an_edit_history_keeps_the_latest_versions_and_pops_them_newest_first() {
    use cadence::store::history::{self, Edited, KEPT_VERSIONS};
    use cadence::store::{NewTutorial, tutorials};
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let id = store
        .write(|tx| {
            tutorials::insert(
                tx,
                &NewTutorial {
                    title: "Blues in F".into(),
                    topic: "blues".into(),
                    music_key: Some("F major".into()),
                    level: "beginner".into(),
                    instrument: "piano".into(),
                    schema_version: 1,
                    document: serde_json::json!({"version": 0}),
                },
            )
        })
        .unwrap();
    let document = Edited::Tutorial(id);
    for version in 0..KEPT_VERSIONS + 5 {
        store
            .write(|tx| {
                history::record(
                    tx,
                    document,
                    &format!("v{version}"),
                    &serde_json::json!({ "version": version }),
                )
            })
            .unwrap();
    }
    let kept = store.read(|c| history::list(c, document)).unwrap();
    assert_eq!(kept.len() as i64, KEPT_VERSIONS);
    assert_eq!(kept[0].title, format!("v{}", KEPT_VERSIONS + 4));
    assert_eq!(kept.last().unwrap().title, "v5");
    let (title, latest) = store
        .write(|tx| history::take_latest(tx, document))
        .unwrap()
        .unwrap();
    assert_eq!(title, format!("v{}", KEPT_VERSIONS + 4));
    assert_eq!(latest["version"].as_i64(), Some(KEPT_VERSIONS + 4));
    store.write(|tx| tutorials::delete(tx, id)).unwrap();
    assert!(
        store
            .read(|c| history::list(c, document))
            .unwrap()
            .is_empty(),
        "a document's history goes with it"
    );
}
