//! A data folder's library read back whole, as a test checks it after something went
//! wrong (a killed process): the SQLite file itself passes its integrity and foreign-key
//! checks, and every stored document comes out through the library's own API, valid
//! against its committed schema in assets/schema and accepted by the theory engine.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use cadence::content::schema::DocumentKind;
use cadence::store::{CurriculumTree, curricula};
use cadence::{AppPaths, Catalog, Studio};
use serde_json::{Value, json};

/// Asserts that `document` is valid against its kind's committed schema in assets/schema
/// (each schema compiled once).
pub fn assert_valid(kind: DocumentKind, document: &Value, what: &dyn fmt::Display) {
    static VALIDATORS: OnceLock<HashMap<DocumentKind, jsonschema::Validator>> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(|| {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/schema");
        DocumentKind::ALL
            .into_iter()
            .map(|kind| {
                let path = folder.join(kind.file_name());
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let schema: Value = serde_json::from_str(&text).unwrap();
                (kind, jsonschema::validator_for(&schema).unwrap())
            })
            .collect()
    });
    let problems: Vec<String> = validators[&kind]
        .iter_errors(document)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "{what}: the stored {} breaks its schema: {problems:#?}",
        kind.name()
    );
}

/// A stored curriculum.
#[derive(Debug)]
pub struct Course {
    /// The tree as the batch or the import wrote it: no row ids or times, no tutorials,
    /// prerequisites by position.
    pub outline: Value,
    /// Each lesson's tutorial, in order, where one is written.
    pub tutorials: Vec<Option<i64>>,
    /// The curriculum's document, once every lesson has its tutorial.
    pub document: Option<Value>,
}

/// What a data folder's library holds, each document read back through the library.
#[derive(Debug, Default)]
pub struct Library {
    pub courses: Vec<Course>,
    /// Every tutorial's exported JSON, by id.
    pub tutorials: BTreeMap<i64, Value>,
    pub materials: usize,
    /// Batch requests with the curriculum each planned.
    pub batch_jobs: usize,
}

impl Library {
    /// Each lesson's tutorial document, in order (`None` where none is written yet).
    pub fn lesson_documents(&self, course: &Course) -> Vec<Option<Value>> {
        course
            .tutorials
            .iter()
            .map(|id| id.map(|id| self.tutorials[&id].clone()))
            .collect()
    }
}

/// Checks the SQLite file as the kill left it, then reads every document through the
/// library, each checked against its committed schema and by the theory engine.
pub fn read_library(home: &Path, what: &dyn fmt::Display) -> Library {
    let database = AppPaths::at(home).database();
    if !database.exists() {
        // Killed before the library was made.
        return Library::default();
    }
    assert_sound_file(&database, what);
    let studio = Studio::new(AppPaths::at(home), Catalog::builtin().unwrap());
    let store = studio
        .open_store()
        .unwrap_or_else(|e| panic!("{what}: the library does not open: {e}"));
    let ids = |table: &str| -> Vec<i64> {
        store
            .read(|conn| {
                let mut statement = conn.prepare(&format!("SELECT id FROM {table} ORDER BY id"))?;
                let ids = statement.query_map([], |row| row.get(0))?;
                Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
            })
            .unwrap()
    };
    let mut library = Library::default();
    for id in ids("tutorials") {
        let json = studio
            .export_tutorial(&store, id)
            .unwrap_or_else(|e| panic!("{what}: tutorial {id} does not read back: {e}"));
        let document: Value = serde_json::from_str(&json).unwrap();
        assert_valid(DocumentKind::Tutorial, &document, what);
        library.tutorials.insert(id, document);
    }
    for id in ids("materials") {
        let kind = studio.open_material(&store, id).unwrap().kind.document();
        let json = studio
            .export_material(&store, id)
            .unwrap_or_else(|e| panic!("{what}: material {id} does not read back: {e}"));
        assert_valid(kind, &serde_json::from_str(&json).unwrap(), what);
        library.materials += 1;
    }
    for id in ids("curricula") {
        let tree = store
            .read(|conn| curricula::get(conn, id))
            .unwrap()
            .unwrap();
        let tutorials: Vec<Option<i64>> = tree
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .map(|lesson| lesson.tutorial_id)
            .collect();
        let document = tutorials.iter().all(Option::is_some).then(|| {
            let curriculum = studio
                .curriculum_document(&store, id)
                .unwrap_or_else(|e| panic!("{what}: curriculum {id} does not read back: {e}"));
            let document = serde_json::to_value(curriculum).unwrap();
            assert_valid(DocumentKind::Curriculum, &document, what);
            document
        });
        library.courses.push(Course {
            outline: outline(&tree),
            tutorials,
            document,
        });
    }
    library.batch_jobs = store
        .read(|conn| {
            let count: i64 =
                conn.query_row("SELECT count(*) FROM batch_jobs", [], |row| row.get(0))?;
            Ok(count as usize)
        })
        .unwrap();
    library
}

/// `PRAGMA integrity_check` and the foreign-key check on the file itself, and WAL mode
/// wherever the schema was written.
pub fn assert_sound_file(database: &Path, what: &dyn fmt::Display) {
    let conn = rusqlite::Connection::open(database).unwrap();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(integrity, ["ok"], "{what}: integrity_check");
    let broken_keys = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    assert_eq!(
        broken_keys, 0,
        "{what}: rows point at rows that are not there"
    );
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    // Cadence turns WAL on before the first migration; a file killed before that is empty.
    assert!(
        version == 0 || journal == "wal",
        "{what}: a library at schema version {version} in journal mode {journal}"
    );
}

/// A curriculum tree without what differs between two libraries holding the same course.
pub fn outline(tree: &CurriculumTree) -> Value {
    let positions: HashMap<i64, (usize, usize)> = tree
        .modules
        .iter()
        .enumerate()
        .flat_map(|(m, module)| {
            module
                .lessons
                .iter()
                .enumerate()
                .map(move |(l, lesson)| (lesson.id, (m, l)))
        })
        .collect();
    let modules: Vec<Value> = tree
        .modules
        .iter()
        .map(|module| {
            let lessons: Vec<Value> = module
                .lessons
                .iter()
                .map(|lesson| {
                    let exercises: Vec<Value> = lesson
                        .exercises
                        .iter()
                        .map(|e| json!([e.kind, e.title, e.difficulty, e.content]))
                        .collect();
                    let prerequisites: Vec<Option<(usize, usize)>> = lesson
                        .prerequisite_ids
                        .iter()
                        .map(|id| positions.get(id).copied())
                        .collect();
                    json!({
                        "title": lesson.title,
                        "topic": lesson.topic,
                        "key": lesson.music_key,
                        "concepts": lesson.concepts,
                        "difficulty": lesson.difficulty,
                        "minutes": lesson.duration_minutes,
                        "prerequisites": prerequisites,
                        "exercises": exercises,
                    })
                })
                .collect();
            json!({
                "title": module.title,
                "weeks": [module.week_start, module.week_end],
                "lessons": lessons,
            })
        })
        .collect();
    json!({
        "title": tree.title,
        "instrument": tree.instrument,
        "level": tree.level,
        "weeks": tree.duration_weeks,
        "description": tree.description,
        "modules": modules,
    })
}
