//! Limits that hold, against a fake Gemini over real HTTP: a rate limit or the monthly
//! budget holds Gemini back before anything is sent, and the tier's fallback writes the
//! document while the route says why; answers Gemini gave that were refused or cut off are
//! logged with the usage Gemini reported, not as free. One test: it sets the process
//! environment the Gemini client reads.

use std::collections::HashMap;
use std::path::Path;

use cadence::catalog::TaskKind;
use cadence::commissions::TutorialRequest;
use cadence::content::Level;
use cadence::generate::GeneratedTutorial;
use cadence::llm::CancelToken;
use cadence::providers::gemini::ENDPOINT_ENV;
use cadence::router::{Candidate, Runner};
use cadence::settings::Settings;
use cadence::sources::{ProviderSource, Writers};
use cadence::{GEMINI_KEY_ENV, Store, Studio};
use cadence_tests::fake_gemini::{FakeGemini, Reply};
use cadence_tests::scripted::{ScriptedModels, cloud_tier_studio, tutorial_answer};

/// Tutorials go to Gemini, falling back to the big local model.
fn cloud_studio(home: &Path, cloud_limits: &str, budget_usd: f64) -> Studio {
    let studio = cloud_tier_studio(home, TaskKind::TutorialGeneration, cloud_limits);
    studio
        .save_settings(&Settings {
            network_allowed: true,
            monthly_budget_usd: budget_usd,
            ..Settings::default()
        })
        .unwrap();
    studio
}

/// The real Gemini client for the cloud, a scripted `big` for the local model.
struct CloudThenScripted<'a> {
    studio: &'a Studio,
    local: ScriptedModels,
}

impl ProviderSource for CloudThenScripted<'_> {
    fn provider(
        &mut self,
        candidate: &Candidate,
    ) -> Result<Box<dyn cadence::providers::Provider>, cadence::providers::ProviderError> {
        match candidate.runner {
            Runner::Local { .. } => self.local.provider(candidate),
            _ => self.studio.installed_models().provider(candidate),
        }
    }
}

fn create(studio: &Studio, store: &Store) -> GeneratedTutorial {
    let answer = tutorial_answer("ii-V-I", "Eb", Level::Intermediate).to_string();
    let mut source = CloudThenScripted {
        studio,
        local: ScriptedModels(HashMap::from([("big".to_string(), vec![answer])])),
    };
    studio
        .create_tutorial(
            store,
            &TutorialRequest {
                topic: "ii-V-I".into(),
                key: "Eb".into(),
                level: Level::Intermediate,
                instrument: "piano".into(),
            },
            Writers::Models(&mut source),
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap()
}

/// Gemini's ledger rows: (outcome, tokens in, tokens out, cost).
fn gemini_rows(store: &Store) -> Vec<(String, u32, u32, f64)> {
    store
        .read(|conn| {
            let mut statement = conn.prepare(
                "SELECT outcome, tokens_in, tokens_out, cost_usd FROM generation_log
                 WHERE model = 'gemini' ORDER BY id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap()
}

#[test]
fn limits_hold_gemini_back_and_refused_answers_are_billed() {
    let server = FakeGemini::start([
        Reply::streamed(&["This is not ", "a tutorial."]),
        Reply::cut_off(&["{\"title\": \"ii-V-I", " in Eb\", \"over"]),
        Reply::streamed(&["Nor is this."]),
    ]);
    // SAFETY: this is the only test in this binary, and no other thread runs yet.
    unsafe {
        std::env::set_var(GEMINI_KEY_ENV, "test-key-AIza");
        std::env::set_var(ENDPOINT_ENV, server.endpoint());
    }

    // Gemini answers twice: a refused answer, then a stream cut off. Both are billed.
    let home = tempfile::tempdir().unwrap();
    let studio = cloud_studio(home.path(), "requests_per_minute = 2", 5.0);
    let store = studio.open_store().unwrap();
    let first = create(&studio, &store);
    assert_eq!(first.provenance.model.as_deref(), Some("big"));
    assert_eq!(server.requests().len(), 2);
    let rows = gemini_rows(&store);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, "invalid");
    assert_eq!(rows[1].0, "failed");
    for (outcome, tokens_in, tokens_out, cost) in &rows {
        assert!(
            *tokens_in > 0 && *tokens_out > 0 && *cost > 0.0,
            "{outcome}: {tokens_in} in, {tokens_out} out, ${cost}"
        );
    }

    // Two requests in the last minute reach the limit: Gemini is passed over, unasked.
    let second = create(&studio, &store);
    assert_eq!(second.provenance.model.as_deref(), Some("big"));
    assert_eq!(
        server.requests().len(),
        2,
        "Gemini was asked past its limit"
    );
    assert!(
        second.provenance.route.skipped.iter().any(|s| s
            == "gemini: its limit of 2 requests a minute (requests_per_minute in models.toml) is reached"),
        "{:?}",
        second.provenance.route.skipped
    );

    // A retry is weighed again: with one request a minute, the refused first answer leaves
    // no room for a second, and the fallback writes it.
    let strict = tempfile::tempdir().unwrap();
    let studio = cloud_studio(strict.path(), "requests_per_minute = 1", 5.0);
    let store = studio.open_store().unwrap();
    let retried = create(&studio, &store);
    assert_eq!(retried.provenance.model.as_deref(), Some("big"));
    assert_eq!(
        server.requests().len(),
        3,
        "Gemini was asked past its limit on a retry"
    );
    assert!(
        retried.provenance.fallbacks.iter().any(|f| f
            == "gemini: its limit of 1 request a minute (requests_per_minute in models.toml) is reached"),
        "{:?}",
        retried.provenance.fallbacks
    );

    // A budget the request could pass holds it back too, and says how much is spent.
    let poor = tempfile::tempdir().unwrap();
    let studio = cloud_studio(poor.path(), "", 0.01);
    let store = studio.open_store().unwrap();
    let third = create(&studio, &store);
    assert_eq!(third.provenance.model.as_deref(), Some("big"));
    assert_eq!(
        server.requests().len(),
        3,
        "Gemini was asked past the budget"
    );
    let reason = third
        .provenance
        .route
        .skipped
        .iter()
        .find(|s| s.starts_with("gemini: "))
        .unwrap();
    assert!(
        reason.contains("$0.00 of the $0.01 monthly budget is spent")
            && reason.contains("raise the budget in Settings"),
        "{reason}"
    );
}
