//! Coaching: the conversation window trimmed by real token counts, streaming, cancel,
//! fallbacks and the usage ledger, with scripted models over the real pipeline and with the
//! real SmolLM2 test model, in process and from the command line.

use std::io::Write;
use std::process::Stdio;

use cadence::coach::{
    self, ANSWER_TOKENS, CoachContext, CoachError, CoachRequest, CoachTurn, Speaker,
};
use cadence::commissions::TutorialRequest;
use cadence::content::Level;
use cadence::llm::{CancelToken, Role};
use cadence::providers::ProviderError;
use cadence::sources::{ProviderSource, Writers};
use cadence::{Store, Studio, StudioError};
use cadence_tests::scripted::{ScriptedModels, two_model_studio};

fn context(tutorial_id: Option<i64>) -> CoachContext {
    CoachContext {
        instrument: "piano".into(),
        level: Level::Beginner,
        recent_results: vec!["C major scale: 80 bpm, uneven thumb crossings".into()],
        tutorial_id,
    }
}

/// `exchanges` question-and-answer pairs of `words` words each.
fn history(exchanges: usize, words: usize) -> Vec<CoachTurn> {
    (0..exchanges)
        .flat_map(|i| {
            [
                CoachTurn {
                    speaker: Speaker::Student,
                    text: format!("question {i}: {}", "why ".repeat(words)),
                },
                CoachTurn {
                    speaker: Speaker::Coach,
                    text: format!("answer {i}: {}", "because ".repeat(words)),
                },
            ]
        })
        .collect()
}

fn ledger(store: &Store) -> Vec<(String, String, String)> {
    store
        .read(|conn| {
            let mut statement =
                conn.prepare("SELECT task, model, outcome FROM generation_log ORDER BY id")?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .unwrap()
}

fn scripted(answers: &[(&str, &[&str])]) -> ScriptedModels {
    ScriptedModels(
        answers
            .iter()
            .map(|(id, texts)| {
                (
                    id.to_string(),
                    texts.iter().map(|t| t.to_string()).collect(),
                )
            })
            .collect(),
    )
}

#[test]
fn the_window_keeps_the_system_prompt_and_drops_the_oldest_exchanges() {
    let system = "You are a coach.";
    let turns = history(10, 20);
    let count = |messages: &[cadence::llm::Message]| -> Result<usize, ProviderError> {
        Ok(messages
            .iter()
            .map(|m| m.content.split_whitespace().count())
            .sum())
    };
    // Everything fits.
    let all = coach::window(system, &turns, "and now?", 10_000, &count).unwrap();
    assert_eq!(all.dropped_turns, 0);
    assert_eq!(all.messages.len(), 22);

    // Room for the system prompt, the question and three exchanges of 22 words a turn.
    let budget = 4 + 2 + 3 * 44;
    let window = coach::window(system, &turns, "and now?", budget, &count).unwrap();
    assert_eq!(window.dropped_turns, 14);
    assert_eq!(window.tokens, budget);
    assert_eq!(window.messages[0].role, Role::System);
    assert_eq!(window.messages[0].content, system);
    assert_eq!(window.messages[1].role, Role::User);
    assert!(window.messages[1].content.starts_with("question 7:"));
    assert_eq!(window.messages.last().unwrap().content, "and now?");

    // A budget one word short of that drops one more exchange, never half of one.
    let window = coach::window(system, &turns, "and now?", budget - 1, &count).unwrap();
    assert_eq!(window.dropped_turns, 16);
    assert_eq!(window.messages[1].role, Role::User);

    let error = coach::window(system, &turns, "and now?", 5, &count).unwrap_err();
    assert!(error.to_string().contains("alone need 6 tokens"), "{error}");
}

/// The scripted two-model Studio, with a template tutorial (ii-V-I in Eb) in its library.
fn studio_with_a_tutorial() -> (tempfile::TempDir, Studio, Store, i64) {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let request = TutorialRequest {
        topic: "ii-V-I".into(),
        key: "Eb".into(),
        level: Level::Beginner,
        instrument: "piano".into(),
    };
    let tutorial = studio
        .create_tutorial(
            &store,
            &request,
            Writers::TemplateOnly,
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
    (home, studio, store, tutorial.id)
}

#[test]
fn the_studio_coaches_with_context_streams_and_records_usage() {
    let (_home, studio, store, tutorial_id) = studio_with_a_tutorial();
    // "big" fails (no answers scripted); "small" answers.
    let mut models = scripted(&[("small", &["Slow the left hand down and count aloud."])]);
    let request = CoachRequest {
        context: context(Some(tutorial_id)),
        history: history(2, 5),
        question: "  Why does it sound muddy?  ".into(),
    };
    let mut streamed = String::new();
    let reply = studio
        .coach(
            &store,
            &request,
            false,
            &mut models,
            &CancelToken::new(),
            &mut |delta| streamed.push_str(delta),
        )
        .unwrap();
    assert_eq!(reply.text, "Slow the left hand down and count aloud.");
    assert_eq!(streamed, reply.text);
    assert_eq!(reply.model, "small");
    assert_eq!(reply.dropped_turns, 0);
    assert!(
        reply.fallbacks.iter().any(|f| f.starts_with("big:")),
        "{:?}",
        reply.fallbacks
    );
    assert_eq!(
        ledger(&store),
        [
            ("coaching".into(), "big".into(), "failed".into()),
            ("coaching".into(), "small".into(), "ok".into())
        ]
    );
}

#[test]
fn the_prompt_carries_level_results_and_the_lessons_computed_chords() {
    let (_home, studio, store, tutorial_id) = studio_with_a_tutorial();
    let lesson = studio.open_tutorial(&store, tutorial_id).unwrap().tutorial;
    let system = coach::system_prompt(&context(Some(tutorial_id)), Some(&lesson)).unwrap();
    assert!(system.contains("beginner level"), "{system}");
    assert!(system.contains("uneven thumb crossings"), "{system}");
    // The chords as the theory engine computed them.
    assert!(!lesson.music.chords.is_empty());
    for chord in &lesson.music.chords {
        assert!(!chord.symbol.is_empty());
        let named = format!("{} ({})", chord.symbol, chord.numeral);
        assert!(system.contains(&named), "{named} missing from {system}");
    }
    assert!(!system.contains("{{"), "{system}");

    let no_lesson = coach::system_prompt(&context(None), None).unwrap();
    assert!(no_lesson.contains("working on: none"), "{no_lesson}");
}

#[test]
fn bad_questions_and_missing_models_say_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let ask = |question: String, tutorial_id: Option<i64>| {
        studio.coach(
            &store,
            &CoachRequest {
                context: context(tutorial_id),
                history: Vec::new(),
                question,
            },
            false,
            &mut scripted(&[]),
            &CancelToken::new(),
            &mut |_| {},
        )
    };
    let error = ask("   ".into(), None).unwrap_err();
    assert!(matches!(
        error,
        StudioError::Coach(CoachError::EmptyQuestion)
    ));
    let error = ask("a".repeat(2001), None).unwrap_err();
    assert!(error.to_string().contains("shorten it"), "{error}");
    let error = ask("hi".into(), Some(999)).unwrap_err();
    assert!(error.to_string().contains("cadence library"), "{error}");
    // Both scripted models fail: the error lists why.
    let error = ask("hi".into(), None).unwrap_err();
    assert!(error.to_string().contains("big:"), "{error}");
    assert!(error.to_string().contains("small:"), "{error}");

    let empty = tempfile::tempdir().unwrap();
    let builtin = Studio::new(
        cadence::AppPaths::at(empty.path()),
        cadence::Catalog::builtin().unwrap(),
    );
    let store = builtin.open_store().unwrap();
    let error = builtin
        .coach(
            &store,
            &CoachRequest {
                context: context(None),
                history: Vec::new(),
                question: "hi".into(),
            },
            false,
            &mut builtin.installed_models(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("download one on the Models screen"),
        "{message}"
    );
    assert!(message.contains("not downloaded"), "{message}");
}

#[test]
fn a_cancelled_answer_is_recorded_as_cancelled() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let long_answer = "practise slowly ".repeat(40);
    let mut models = scripted(&[("big", &[long_answer.as_str()])]);
    let cancel = CancelToken::new();
    let mut deltas = 0;
    let error = studio
        .coach(
            &store,
            &CoachRequest {
                context: context(None),
                history: Vec::new(),
                question: "How?".into(),
            },
            false,
            &mut models,
            &cancel,
            &mut |_| {
                deltas += 1;
                cancel.cancel();
            },
        )
        .unwrap_err();
    assert!(matches!(error, StudioError::Cancelled), "{error}");
    assert_eq!(deltas, 1);
    assert_eq!(
        ledger(&store),
        [("coaching".into(), "big".into(), "cancelled".into())]
    );
}

/// A data folder with the test model installed.
fn home_with_smollm2() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models").join("smollm2-135m");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        cadence_tests::smollm2_gguf(),
        dir.join(cadence_tests::SMOLLM2_FILE),
    )
    .unwrap();
    home
}

#[test]
fn smollm2_coaches_a_long_conversation_trimmed_by_its_own_token_counts() {
    // A short context keeps the prefill quick on a CPU; the trimming is the same at any size.
    const CONTEXT: usize = 1024;
    let home = home_with_smollm2();
    let mut catalog = cadence::Catalog::builtin().unwrap();
    let smollm2 = catalog
        .local
        .iter_mut()
        .find(|model| model.id == "smollm2-135m")
        .unwrap();
    smollm2.context_length = CONTEXT as u32;
    let studio = Studio::new(cadence::AppPaths::at(home.path()), catalog);
    let store = studio.open_store().unwrap();
    // About twice the context.
    let turns = history(16, 60);
    let request = CoachRequest {
        context: context(None),
        history: turns.clone(),
        question: "What should I practise tomorrow?".into(),
    };
    let mut streamed = String::new();
    let resident = cadence::sources::ResidentModels::default();
    let reply = studio
        .coach(
            &store,
            &request,
            false,
            &mut resident.source(&studio),
            &CancelToken::new(),
            &mut |delta| streamed.push_str(delta),
        )
        .unwrap();
    assert_eq!(reply.model, "smollm2-135m");
    assert!(!reply.text.is_empty());
    assert_eq!(streamed.trim(), reply.text);
    assert!(reply.dropped_turns > 0 && reply.dropped_turns.is_multiple_of(2));
    assert!(reply.prompt_tokens <= CONTEXT - ANSWER_TOKENS);
    assert_eq!(resident.resident(), ["smollm2-135m"]);

    // The window is the longest that fits: one more exchange, counted by the model's
    // tokenizer and chat template, would not.
    let candidate = studio.coach_route(&store, false).unwrap().candidates[0].clone();
    let provider = studio.installed_models().provider(&candidate).unwrap();
    let system = coach::system_prompt(&request.context, None).unwrap();
    let count = |messages: &[cadence::llm::Message]| provider.count_tokens(messages);
    let kept = &turns[reply.dropped_turns..];
    let window = coach::window(&system, kept, &request.question, usize::MAX, &count).unwrap();
    assert_eq!(window.tokens, reply.prompt_tokens);
    let one_more = &turns[reply.dropped_turns - 2..];
    let wider = coach::window(&system, one_more, &request.question, usize::MAX, &count).unwrap();
    assert!(wider.tokens > CONTEXT - ANSWER_TOKENS, "{}", wider.tokens);
}

#[test]
fn cli_coach_answers_a_question_and_holds_a_conversation_on_stdin() {
    let home = home_with_smollm2();
    let output = cadence_tests::cadence(home.path())
        .args([
            "coach",
            "--level",
            "beginner",
            "--result",
            "C major scale at 80 bpm",
            "How do I play a C major scale evenly?",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.trim().len() > 10, "{stdout:?}");
    assert!(stderr.contains("coach: smollm2-135m"), "{stderr}");

    let mut child = cadence_tests::cadence(home.path())
        .arg("coach")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"What is a ii-V-I?\n\nPlay it in C for me.\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("coach: smollm2-135m").count(), 2, "{stderr}");

    let store = Store::open(&cadence::AppPaths::at(home.path()).database()).unwrap();
    let rows = ledger(&store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|(task, model, outcome)| task == "coaching"
        && model == "smollm2-135m"
        && outcome == "ok"));
}

#[test]
fn cli_coach_without_a_model_says_how_to_get_one() {
    let home = tempfile::tempdir().unwrap();
    let output = cadence_tests::cadence(home.path())
        .args(["coach", "Hello?"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("cadence models download"), "{stderr}");
}
