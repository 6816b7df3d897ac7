//! The hybrid chain: with the network allowed, curriculum planning's complexity sends the
//! outline to Gemini (a fake Gemini over real HTTP, which first answers 503) while every
//! tutorial is written by the local model. This file holds one test because it sets the
//! process environment the Gemini client reads.

use cadence::commissions::BatchRequest;
use cadence::content::Level;
use cadence::llm::CancelToken;
use cadence::providers::gemini::ENDPOINT_ENV;
use cadence::sources::Writers;
use cadence::{GEMINI_KEY_ENV, Studio};
use cadence_tests::fake_gemini::{FakeGemini, Reply};
use cadence_tests::scripted::{ScriptedCalls, curriculum_answer, hybrid_studio, tutorial_answer};

#[test]
fn the_cloud_plans_the_outline_and_local_models_write_the_lessons() {
    let outline = curriculum_answer().to_string();
    let (first, rest) = outline.split_at(outline.len() / 2);
    let server = FakeGemini::start([Reply::unavailable(), Reply::streamed(&[first, rest])]);
    // SAFETY: this is the only test in this binary, and no other thread runs yet.
    unsafe {
        std::env::set_var(GEMINI_KEY_ENV, "test-key-AIza");
        std::env::set_var(ENDPOINT_ENV, server.endpoint());
    }
    let home = tempfile::tempdir().unwrap();
    let studio: Studio = hybrid_studio(home.path());
    let store = studio.open_store().unwrap();
    let local = ScriptedCalls::new(
        "big",
        vec![
            vec![tutorial_answer("ii-V-I", "Bb", Level::Intermediate)],
            vec![tutorial_answer("blues", "F", Level::Intermediate)],
            vec![tutorial_answer("major scale", "G", Level::Intermediate)],
        ],
    );
    // Cloud candidates get the real Gemini client; local ones the scripted model.
    struct Hybrid<'a> {
        studio: &'a Studio,
        local: ScriptedCalls,
    }
    impl cadence::sources::ProviderSource for Hybrid<'_> {
        fn provider(
            &mut self,
            candidate: &cadence::router::Candidate,
        ) -> Result<Box<dyn cadence::providers::Provider>, cadence::providers::ProviderError>
        {
            match candidate.runner {
                cadence::router::Runner::Local { .. } => self.local.provider(candidate),
                _ => self.studio.installed_models().provider(candidate),
            }
        }
    }
    let mut source = Hybrid {
        studio: &studio,
        local,
    };
    let mut lines = Vec::new();
    let outcome = studio
        .run_batch(
            &store,
            &BatchRequest::new("Bb", Level::Intermediate, 2),
            true,
            Writers::Models(&mut source),
            &CancelToken::new(),
            &mut |p| lines.push(p.message.clone()),
        )
        .unwrap();

    assert_eq!(
        outcome.outline_model.as_deref(),
        Some("gemini"),
        "{lines:#?}"
    );
    assert_eq!(outcome.lessons, 3);
    assert_eq!(
        (outcome.tutorials_written, outcome.tutorials_by_model),
        (3, 3)
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("curriculum_planning") && l.contains("tier cloud")),
        "{lines:#?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("tutorial_generation") && l.contains("tier medium"))
            .count(),
        3,
        "{lines:#?}"
    );
    // Only the outline went over the network: the 503 and its retry.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(request.target.contains("streamGenerateContent"));
        let body = String::from_utf8_lossy(&request.body);
        assert!(body.contains("curriculum designer"), "{body}");
    }
    let tree = store
        .read(|conn| cadence::store::curricula::get(conn, outcome.curriculum_id))
        .unwrap()
        .unwrap();
    assert_eq!(tree.title, "Jazz foundations in two weeks");
}
