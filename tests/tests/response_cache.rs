//! The response cache in the generation pipeline: the same request to the same model is
//! answered again from the library's database, logged as a hit at no cost, and loads no
//! model; Regenerate (`ModelsAfresh`) asks again and replaces it; another request, an
//! expired entry or an answer the checks now refuse is written afresh.

use std::collections::HashMap;

use cadence::commissions::TutorialRequest;
use cadence::content::Level;
use cadence::generate::{GeneratedTutorial, Progress};
use cadence::llm::CancelToken;
use cadence::sources::Writers;
use cadence::{Store, Studio};
use cadence_tests::scripted::{ScriptedModels, studio_with, tutorial_answer};
use serde_json::Value;

fn cached_studio(home: &std::path::Path) -> Studio {
    studio_with(
        home,
        r#"
[[tiers]]
id = "medium"
complexity = [1, 10]
model = "big"

[cache_ttl_days]
tutorial_generation = 30
"#,
        |_| 7,
    )
}

fn request(key: &str) -> TutorialRequest {
    TutorialRequest {
        topic: "ii-V-I".into(),
        key: key.into(),
        level: Level::Intermediate,
        instrument: "piano".into(),
    }
}

/// `big`'s scripted answers; with none, a request that reaches the model fails.
fn big(answers: &[Value]) -> ScriptedModels {
    ScriptedModels(HashMap::from([(
        "big".to_string(),
        answers.iter().map(Value::to_string).collect(),
    )]))
}

fn create(
    studio: &Studio,
    store: &Store,
    key: &str,
    writers: Writers<'_>,
) -> (GeneratedTutorial, Vec<Progress>) {
    let mut events = Vec::new();
    let generated = studio
        .create_tutorial(
            store,
            &request(key),
            writers,
            &CancelToken::new(),
            &mut |p| events.push(p),
        )
        .unwrap();
    (generated, events)
}

/// Every ledger row: (model, cache hit, tokens in, cost).
fn ledger(store: &Store) -> Vec<(String, bool, u32, f64)> {
    store
        .read(|conn| {
            let mut statement = conn.prepare(
                "SELECT model, cache_hit, tokens_in, cost_usd FROM generation_log ORDER BY id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap()
}

fn answer(key: &str) -> Value {
    tutorial_answer("ii-V-I", key, Level::Intermediate)
}

/// The tutorial in `key`, `big` given a correct answer for it (served or written).
fn written_in(studio: &Studio, store: &Store, key: &str) -> GeneratedTutorial {
    create(
        studio,
        store,
        key,
        Writers::Models(&mut big(&[answer(key)])),
    )
    .0
}

/// Runs `sql` on the response cache's table, as time or a new version would change it.
fn alter_cache(store: &Store, sql: &str) {
    store
        .write(|tx| {
            tx.execute(sql, [])?;
            Ok(())
        })
        .unwrap();
}

fn cache_entries(store: &Store) -> i64 {
    store
        .read(|conn| Ok(conn.query_row("SELECT count(*) FROM response_cache", [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn the_same_request_is_served_from_the_cache_without_the_model() {
    let home = tempfile::tempdir().unwrap();
    let studio = cached_studio(home.path());
    let store = studio.open_store().unwrap();

    let first = written_in(&studio, &store, "Eb");
    assert_eq!(first.provenance.model.as_deref(), Some("big"));
    assert!(!first.provenance.cached);

    // No answers: the model would fail, so the document can only come from the cache.
    let mut silent = big(&[]);
    let (again, events) = create(&studio, &store, "Eb", Writers::Models(&mut silent));
    assert!(again.provenance.cached, "{:?}", again.provenance);
    assert_eq!(again.provenance.model.as_deref(), Some("big"));
    assert_eq!(again.document, first.document);
    assert_ne!(
        again.id, first.id,
        "the served answer is stored as a new document"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Progress::Cached { model } if model == "big")),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Progress::Attempt { .. })));
    assert!(
        silent.0.contains_key("big"),
        "the model was never asked for"
    );

    let rows = ledger(&store);
    assert_eq!(rows.len(), 2);
    assert!(!rows[0].1 && rows[0].2 > 0);
    assert_eq!(rows[1], ("big".to_string(), true, 0, 0.0));
    let usage = studio.usage(&store, None).unwrap();
    assert_eq!(usage.totals.requests, 2);
    assert_eq!(usage.totals.cache_hits, 1);
}

#[test]
fn regenerate_asks_the_model_again_and_replaces_the_cached_answer() {
    let home = tempfile::tempdir().unwrap();
    let studio = cached_studio(home.path());
    let store = studio.open_store().unwrap();
    written_in(&studio, &store, "Eb");

    let mut changed = answer("Eb");
    changed["title"] = Value::from("Regenerated ii-V-I in Eb");
    let (fresh, _) = create(
        &studio,
        &store,
        "Eb",
        Writers::ModelsAfresh(&mut big(&[changed])),
    );
    assert!(!fresh.provenance.cached);
    assert_eq!(fresh.document.title, "Regenerated ii-V-I in Eb");

    let (served, _) = create(&studio, &store, "Eb", Writers::Models(&mut big(&[])));
    assert!(served.provenance.cached);
    assert_eq!(served.document.title, "Regenerated ii-V-I in Eb");
}

#[test]
fn another_request_an_expired_entry_or_a_refused_answer_is_written_afresh() {
    let home = tempfile::tempdir().unwrap();
    let studio = cached_studio(home.path());
    let store = studio.open_store().unwrap();
    written_in(&studio, &store, "Eb");

    // Another key is another request.
    let other = written_in(&studio, &store, "F");
    assert!(!other.provenance.cached);

    // Expired entries are not served, and opening the store purges them.
    alter_cache(
        &store,
        "UPDATE response_cache SET expires_at = created_at - 1",
    );
    let expired = written_in(&studio, &store, "Eb");
    assert!(!expired.provenance.cached);
    alter_cache(
        &store,
        "UPDATE response_cache SET expires_at = created_at - 1",
    );
    assert_eq!(cache_entries(&studio.open_store().unwrap()), 0);

    // A cached answer the checks now refuse is not served: the model writes it again.
    written_in(&studio, &store, "Eb");
    alter_cache(
        &store,
        "UPDATE response_cache SET value = json_set(value, '$.text', 'not a tutorial')",
    );
    let rewritten = written_in(&studio, &store, "Eb");
    assert!(!rewritten.provenance.cached);
}

#[test]
fn an_answer_accepted_on_a_retry_is_cached_for_the_request_as_first_asked() {
    let home = tempfile::tempdir().unwrap();
    let studio = cached_studio(home.path());
    let store = studio.open_store().unwrap();
    let (retried, _) = create(
        &studio,
        &store,
        "Eb",
        Writers::Models(&mut big(&[Value::from("no JSON here"), answer("Eb")])),
    );
    assert_eq!(retried.provenance.attempts.len(), 2);
    let (served, _) = create(&studio, &store, "Eb", Writers::Models(&mut big(&[])));
    assert!(served.provenance.cached);
}

#[test]
fn a_task_without_a_lifetime_is_never_cached() {
    let home = tempfile::tempdir().unwrap();
    // The same studio without [cache_ttl_days].
    let studio = studio_with(
        home.path(),
        "[[tiers]]\nid = \"medium\"\ncomplexity = [1, 10]\nmodel = \"big\"\n",
        |_| 7,
    );
    let store = studio.open_store().unwrap();
    written_in(&studio, &store, "Eb");
    let again = written_in(&studio, &store, "Eb");
    assert!(!again.provenance.cached);
    assert_eq!(cache_entries(&store), 0);
}

/// A curriculum's lessons are served from the cache too: a second curriculum with the same
/// lessons (planned for another goal) takes their tutorials from it, and with the models
/// asked afresh (`--no-cache`) they are written again.
#[test]
fn a_curriculums_lessons_are_served_from_the_cache_unless_asked_afresh() {
    use cadence::commissions::BatchRequest;
    use cadence_tests::scripted::{ScriptedCalls, curriculum_answer};

    let home = tempfile::tempdir().unwrap();
    let studio = studio_with(
        home.path(),
        r#"
[[tiers]]
id = "medium"
complexity = [1, 10]
model = "big"

[cache_ttl_days]
curriculum_planning = 30
tutorial_generation = 30
"#,
        |_| 7,
    );
    let store = studio.open_store().unwrap();
    let lessons = [("ii-V-I", "Bb"), ("blues", "F"), ("major scale", "G")];
    let batch = |goal: &str, documents: Vec<Vec<Value>>, afresh: bool| {
        let mut source = ScriptedCalls::new("big", documents);
        studio
            .run_batch(
                &store,
                &BatchRequest {
                    goal: Some(goal.to_string()),
                    ..BatchRequest::new("Bb", Level::Intermediate, 2)
                },
                false,
                Writers::models(&mut source, afresh),
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap()
    };
    let mut first_run = vec![vec![curriculum_answer()]];
    first_run.extend(
        lessons
            .iter()
            .map(|(topic, key)| vec![tutorial_answer(topic, key, Level::Intermediate)]),
    );
    let first = batch("swing", first_run, false);
    assert_eq!(first.tutorials_by_model, 3);

    // Another goal: another outline request, but the same three lesson requests.
    let second = batch("gigs", vec![vec![curriculum_answer()]], false);
    assert_eq!(second.tutorials_by_model, 3, "{second:?}");
    let hits: i64 = store
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM generation_log WHERE cache_hit = 1 AND task = 'tutorial_generation'",
                [],
                |row| row.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(hits, 3);

    // Afresh, the model is asked for each lesson; with no answers, the template writes them.
    let third = batch("exams", vec![vec![curriculum_answer()]], true);
    assert_eq!(third.tutorials_written, 3);
    assert_eq!(third.tutorials_by_model, 0, "{third:?}");
}
