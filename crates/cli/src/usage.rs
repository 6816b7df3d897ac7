//! `cadence usage`: a month of the generation log and its spending against the budget.

use std::process::ExitCode;

use cadence::usage::{UsageReport, UsageRow, dollars, whole_percent};
use clap::Args;

use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct UsageArgs {
    /// The calendar month, in local time (default: this month).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: UsageArgs) -> anyhow::Result<ExitCode> {
    let studio = studio()?;
    let store = studio.open_store()?;
    let report = studio.usage(&store, args.month.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report_text(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as the terminal shows it: a table by model and one by task, the totals, and
/// the spending against the budget with its warning.
fn report_text(report: &UsageReport) -> String {
    let mut out = format!("Usage in {}\n", report.month);
    let totals = &report.totals;
    if totals.requests == 0 {
        out.push_str(&format!(
            "No model generations were logged in {}.\n",
            report.month
        ));
    } else {
        out.push_str(&format!(
            "\nBy model:\n{}\nBy task:\n{}\n",
            usage_table("MODEL", &report.by_model),
            usage_table("TASK", &report.by_task)
        ));
        let rate = |rate: Option<f64>| rate.map_or("-".into(), |r| format!("{:.0}%", r * 100.0));
        out.push_str(&format!(
            "Total: {} requests, {} tokens in, {} out, {}; cache hits {} ({}), valid JSON {}, \
             latency p50 {}, p95 {}\n",
            totals.requests,
            totals.tokens_in,
            totals.tokens_out,
            dollars(totals.cost_usd),
            totals.cache_hits,
            rate(report.cache_hit_rate),
            rate(report.json_valid_rate),
            latency(totals.latency_p50_ms),
            latency(totals.latency_p95_ms),
        ));
    }
    let budget = &report.budget;
    let share = budget.share.map_or(String::new(), |share| {
        format!(" ({}%)", whole_percent(share))
    });
    out.push_str(&format!(
        "Spent {} of the {} monthly budget{share}.\n",
        dollars(budget.spent_usd),
        dollars(budget.budget_usd)
    ));
    if let Some(warning) = &budget.warning {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out
}

fn latency(ms: Option<u64>) -> String {
    match ms {
        None => "-".into(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) => format!("{:.1} s", ms as f64 / 1000.0),
    }
}

/// One line per row under a header; names left-aligned, figures right-aligned, each column
/// as wide as its widest cell.
fn usage_table(name_header: &str, rows: &[UsageRow]) -> String {
    let header = [
        name_header,
        "REQUESTS",
        "TOKENS IN",
        "TOKENS OUT",
        "CACHE HITS",
        "P50",
        "P95",
        "COST",
    ]
    .map(String::from);
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|row| {
            [
                row.name.clone(),
                row.requests.to_string(),
                row.tokens_in.to_string(),
                row.tokens_out.to_string(),
                row.cache_hits.to_string(),
                latency(row.latency_p50_ms),
                latency(row.latency_p95_ms),
                dollars(row.cost_usd),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&cells)
        .map(|row| {
            let line: Vec<String> = row
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(column, (cell, width))| match column {
                    0 => format!("{cell:<width$}"),
                    _ => format!("{cell:>width$}"),
                })
                .collect();
            format!("  {}\n", line.join("  "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use cadence::usage::BudgetStatus;

    use super::*;
    use crate::{Command, parse};

    fn row(name: &str, requests: u32, cost_usd: f64, p50: Option<u64>) -> UsageRow {
        UsageRow {
            name: name.into(),
            requests,
            tokens_in: 1200,
            tokens_out: 3400,
            cost_usd,
            cache_hits: 1,
            latency_p50_ms: p50,
            latency_p95_ms: p50.map(|ms| ms * 3),
        }
    }

    fn report(rows: Vec<UsageRow>, spent_usd: f64) -> UsageReport {
        let totals = UsageRow {
            name: "total".into(),
            requests: rows.iter().map(|r| r.requests).sum(),
            ..row("total", 0, spent_usd, Some(450))
        };
        UsageReport {
            month: "2026-03".into(),
            by_model: rows.clone(),
            by_task: rows,
            cache_hit_rate: Some(0.25),
            json_valid_rate: Some(0.75),
            budget: BudgetStatus::new("2026-03".into(), 5.0, spent_usd),
            totals,
        }
    }

    #[test]
    fn the_arguments_are_a_month_and_json() {
        assert_eq!(
            parse(&["usage", "--json", "--month", "2026-02"]).unwrap(),
            Some(Command::Usage(UsageArgs {
                month: Some("2026-02".into()),
                json: true,
            }))
        );
    }

    #[test]
    fn the_tables_align_names_left_and_figures_right() {
        let text = report_text(&report(
            vec![
                row("gemini", 12, 0.0031, Some(1500)),
                row("qwen2.5-7b", 3, 0.0, None),
            ],
            4.2,
        ));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Usage in 2026-03");
        assert_eq!(
            lines[3],
            "  MODEL       REQUESTS  TOKENS IN  TOKENS OUT  CACHE HITS    P50    P95     COST"
        );
        assert_eq!(
            lines[4],
            "  gemini            12       1200        3400           1  1.5 s  4.5 s  $0.0031"
        );
        assert_eq!(
            lines[5],
            "  qwen2.5-7b         3       1200        3400           1      -      -    $0.00"
        );
        assert!(
            text.contains(
                "Total: 15 requests, 1200 tokens in, 3400 out, $4.20; cache hits 1 (25%), \
                 valid JSON 75%, latency p50 450 ms, p95 1.4 s\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("Spent $4.20 of the $5.00 monthly budget (84%).\nwarning: $4.20 of"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_month_says_so_and_still_shows_the_budget() {
        let text = report_text(&report(vec![], 0.0));
        assert_eq!(
            text,
            "Usage in 2026-03\nNo model generations were logged in 2026-03.\n\
             Spent $0.00 of the $5.00 monthly budget (0%).\n"
        );
    }
}
