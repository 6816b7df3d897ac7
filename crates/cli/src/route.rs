//! `cadence route`: what would run a task now, and why.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::anyhow;
use cadence::catalog::{COMPLEXITY, TaskKind};
use cadence::explain::RouteExplanation;
use clap::Args;

use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct RouteArgs {
    /// The task, as models.toml's [tasks] names it: tutorial_generation, coaching, …
    task: String,
    /// Route as if the task had this complexity (1–10) instead of models.toml's.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=10))]
    complexity: Option<u8>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: RouteArgs) -> anyhow::Result<ExitCode> {
    let task = TaskKind::from_key(&args.task).ok_or_else(|| {
        let known: Vec<_> = TaskKind::ALL.iter().map(|task| task.key()).collect();
        anyhow!(
            "there is no task `{}`; name one of: {}",
            args.task,
            known.join(", ")
        )
    })?;
    let studio = studio()?;
    let store = studio.open_store()?;
    let explanation = studio.explain_route(&store, task, args.complexity)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", explained(&explanation));
    }
    Ok(ExitCode::SUCCESS)
}

/// The explanation as the terminal shows it.
fn explained(explanation: &RouteExplanation) -> String {
    let mut text = String::new();
    let source = if explanation.complexity_given {
        "as given"
    } else {
        "from models.toml"
    };
    let _ = writeln!(
        text,
        "task {}: complexity {} ({source}, on the scale {}–{})",
        explanation.task,
        explanation.complexity,
        COMPLEXITY.start(),
        COMPLEXITY.end()
    );
    text.push_str("\ntiers:\n");
    for tier in &explanation.tiers {
        let fallback = tier
            .fallback
            .as_deref()
            .map(|model| format!(", falls back to {model}"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "  {} {:<8} {}–{} → {}{fallback}",
            if tier.chosen { "▶" } else { " " },
            tier.id,
            tier.complexity[0],
            tier.complexity[1],
            tier.model
        );
    }
    let _ = writeln!(
        text,
        "\nmodels (the network is {} in Settings):",
        if explanation.network_allowed {
            "allowed"
        } else {
            "not allowed"
        }
    );
    for provider in &explanation.providers {
        let _ = writeln!(
            text,
            "  {} {:<14} {:<6} {}",
            if provider.usable { "✓" } else { "✗" },
            provider.id,
            provider.kind,
            provider.state
        );
    }
    let budget = &explanation.budget;
    let _ = writeln!(
        text,
        "\nbudget: ${:.2} of ${:.2} spent in {}",
        budget.spent_usd, budget.budget_usd, budget.month
    );
    text.push_str("\nroute:\n");
    if explanation.route.candidates.is_empty() {
        text.push_str("  no model can take it: the template generator writes it\n");
    }
    for (place, candidate) in explanation.route.candidates.iter().enumerate() {
        let _ = writeln!(
            text,
            "  {}. {}: {}",
            place + 1,
            candidate.model,
            candidate.reason
        );
    }
    for skipped in &explanation.route.skipped {
        let _ = writeln!(text, "  passed over {skipped}");
    }
    text
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;
    use crate::{Command, parse};

    #[test]
    fn a_route_takes_a_task_and_an_optional_complexity() {
        assert_eq!(
            parse(&["route", "tutorial_generation", "--complexity", "9"]).unwrap(),
            Some(Command::Route(RouteArgs {
                task: "tutorial_generation".into(),
                complexity: Some(9),
                json: false,
            }))
        );
        for outside in ["0", "11"] {
            let error = parse(&["route", "coaching", "--complexity", outside]).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation, "{outside}");
        }
    }
}
