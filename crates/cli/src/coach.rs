//! `cadence coach`: questions about practice, answered by the routed model.

use std::process::ExitCode;

use anyhow::Context;
use cadence::catalog::TaskKind;
use cadence::coach::{CoachContext, CoachRequest, CoachTurn, Speaker};
use cadence::content::Level;
use cadence::llm;
use cadence::sources::ResidentModels;
use clap::Args;

use crate::routing::{network_allowed, warn_if_model_cannot_start};
use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct CoachArgs {
    /// The question (omit it to hold a conversation on standard input).
    question: Option<String>,
    #[arg(long, default_value = "intermediate")]
    level: Level,
    #[arg(long, default_value = "piano")]
    instrument: String,
    /// A recent practice result the coach should know; repeat for several.
    #[arg(long = "result", value_name = "RESULT")]
    results: Vec<String>,
    /// The library id of the tutorial being practised (`cadence library` lists them).
    #[arg(long)]
    tutorial: Option<i64>,
}

pub(crate) fn run(args: CoachArgs) -> anyhow::Result<ExitCode> {
    let CoachArgs {
        question,
        level,
        instrument,
        results,
        tutorial,
    } = args;
    let context = CoachContext {
        instrument,
        level,
        recent_results: results,
        tutorial_id: tutorial,
    };
    coach(context, question)?;
    Ok(ExitCode::SUCCESS)
}

/// Answers `question`, or every line of standard input as one conversation; the answer
/// goes to standard output as it is written, the route to standard error.
fn coach(context: CoachContext, question: Option<String>) -> anyhow::Result<()> {
    use std::io::{BufRead, Write};

    let studio = studio()?;
    let store = studio.open_store()?;
    let network_allowed = network_allowed(&studio);
    warn_if_model_cannot_start(&studio, TaskKind::Coaching, network_allowed);
    // One model load for the whole conversation.
    let resident = ResidentModels::default();
    let mut providers = resident.source(&studio);
    let mut history: Vec<CoachTurn> = Vec::new();
    let mut ask = |question: String, history: &mut Vec<CoachTurn>| -> anyhow::Result<()> {
        let request = CoachRequest {
            context: context.clone(),
            history: history.clone(),
            question: question.clone(),
        };
        let mut stdout = std::io::stdout();
        let reply = studio.coach(
            &store,
            &request,
            network_allowed,
            &mut providers,
            &llm::CancelToken::new(),
            &mut |delta| {
                let _ = stdout.write_all(delta.as_bytes());
                let _ = stdout.flush();
            },
        )?;
        println!();
        eprintln!(
            "(coach: {}; {} prompt and {} answer tokens{})",
            reply.model,
            reply.prompt_tokens,
            reply.answer_tokens,
            match reply.dropped_turns {
                0 => String::new(),
                n => format!("; the {n} oldest turns no longer fit and were left out"),
            }
        );
        history.push(CoachTurn {
            speaker: Speaker::Student,
            text: question,
        });
        history.push(CoachTurn {
            speaker: Speaker::Coach,
            text: reply.text,
        });
        Ok(())
    };
    match question {
        Some(question) => ask(question, &mut history),
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("cannot read standard input")?;
                if !line.trim().is_empty() {
                    ask(line, &mut history)?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn results_repeat_and_the_question_is_optional() {
        assert_eq!(
            parse(&[
                "coach",
                "--level",
                "beginner",
                "--result",
                "C major scale: 90 bpm",
                "--result",
                "ii-V-I in F: hesitant",
                "--tutorial",
                "3",
            ])
            .unwrap(),
            Some(Command::Coach(CoachArgs {
                question: None,
                level: Level::Beginner,
                instrument: "piano".into(),
                results: vec![
                    "C major scale: 90 bpm".into(),
                    "ii-V-I in F: hesitant".into()
                ],
                tutorial: Some(3),
            }))
        );
        let Some(Command::Coach(args)) = parse(&["coach", "What next?"]).unwrap() else {
            panic!("not a coach command");
        };
        assert_eq!(args.question.as_deref(), Some("What next?"));
        assert!(args.results.is_empty());
    }
}
