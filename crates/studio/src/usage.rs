//! What generation has cost: a calendar month of the generation log, by model and by task,
//! and that month's spending against the monthly budget for paid models. The command line
//! and the Usage screen show the same report.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::limits::InputError;
use crate::store::generation_log::{self, LoggedGeneration};
use crate::store::{GenerationOutcome, Store};
use crate::{Studio, StudioError};

/// The share of the monthly budget from which the window and the command line warn.
pub const BUDGET_WARNING_SHARE: f64 = 0.8;
/// Costs are sums of fractions of a cent: a share this close below a threshold has reached it.
const SHARE_TOLERANCE: f64 = 1e-9;

/// The requests of one model, one task, or all of a month.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageRow {
    /// A model id or a task kind, depending on the table; "total" for the month's totals.
    pub name: String,
    pub requests: u32,
    #[ts(type = "number")]
    pub tokens_in: u64,
    #[ts(type = "number")]
    pub tokens_out: u64,
    pub cost_usd: f64,
    pub cache_hits: u32,
    /// Median latency in milliseconds (nearest rank) of the requests that ran: cache hits
    /// (answered at once) and cancelled requests (stopped by the user) are left out, so it
    /// is the wait for an answer. `None` when no request ran.
    #[ts(type = "number | null")]
    pub latency_p50_ms: Option<u64>,
    /// The 95th percentile of the same latencies.
    #[ts(type = "number | null")]
    pub latency_p95_ms: Option<u64>,
}

/// A month's spending against the monthly budget for paid (cloud) models.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BudgetStatus {
    /// "YYYY-MM", in local time.
    pub month: String,
    pub budget_usd: f64,
    pub spent_usd: f64,
    /// `spent_usd / budget_usd`; `None` when the budget is 0.
    pub share: Option<f64>,
    /// From 80% of the budget (`BUDGET_WARNING_SHARE`): how much is spent of how much, and
    /// that cloud calls stop at 100%, the local models taking over.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageReport {
    /// "YYYY-MM", in local time.
    pub month: String,
    pub totals: UsageRow,
    pub by_model: Vec<UsageRow>,
    pub by_task: Vec<UsageRow>,
    /// Share of requests answered from the cache; `None` without requests.
    pub cache_hit_rate: Option<f64>,
    /// Share of the answers models wrote under a schema (ok or invalid: every task but
    /// coaching, cache hits left out) that passed validation.
    pub json_valid_rate: Option<f64>,
    /// The month's spending against the budget set now.
    pub budget: BudgetStatus,
}

impl BudgetStatus {
    pub fn new(month: String, budget_usd: f64, spent_usd: f64) -> BudgetStatus {
        let share = (budget_usd > 0.0).then(|| spent_usd / budget_usd);
        let warning = share
            .filter(|share| share + SHARE_TOLERANCE >= BUDGET_WARNING_SHARE)
            .map(|share| {
                let spent = format!(
                    "{} of the {} monthly budget is spent ({}%)",
                    dollars(spent_usd),
                    dollars(budget_usd),
                    whole_percent(share)
                );
                if share + SHARE_TOLERANCE >= 1.0 {
                    format!(
                        "{spent}: cloud calls stop at 100%, so tasks fall back to the local models for the rest of the month."
                    )
                } else {
                    format!(
                        "{spent}; cloud calls stop at 100%, and tasks then fall back to the local models."
                    )
                }
            });
        BudgetStatus {
            month,
            budget_usd,
            spent_usd,
            share,
            warning,
        }
    }
}

/// A share as whole percent, rounded down so that it never reads as a threshold not reached.
pub fn whole_percent(share: f64) -> u64 {
    (share * 100.0 + SHARE_TOLERANCE).floor().max(0.0) as u64
}

/// US dollars in cents, or to a hundredth of a cent where cents would show a small cost as
/// nothing (one Gemini request costs a fraction of a cent).
pub fn dollars(amount: f64) -> String {
    if amount > 0.0 && amount < 0.005 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

/// Checks a month written "YYYY-MM" (a month from 01 to 12).
pub fn parse_month(month: &str) -> Result<&str, InputError> {
    let month = month.trim();
    let well_formed = match month.as_bytes() {
        [y1, y2, y3, y4, b'-', m1, m2] => {
            [y1, y2, y3, y4, m1, m2].iter().all(|b| b.is_ascii_digit())
                && (1..=12).contains(&((m1 - b'0') * 10 + (m2 - b'0')))
        }
        _ => false,
    };
    if !well_formed {
        return Err(InputError::Month(month.chars().take(20).collect()));
    }
    Ok(month)
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `percent`
/// of them at or below it.
fn percentile(sorted: &[u64], percent: usize) -> Option<u64> {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The running sums of one row of the report.
#[derive(Default)]
struct Tally {
    requests: u32,
    tokens_in: u64,
    tokens_out: u64,
    cost_usd: f64,
    cache_hits: u32,
    latencies_ms: Vec<u64>,
}

impl Tally {
    fn add(&mut self, generation: &LoggedGeneration) {
        self.requests += 1;
        self.tokens_in += u64::from(generation.tokens_in);
        self.tokens_out += u64::from(generation.tokens_out);
        self.cost_usd += generation.cost_usd;
        if generation.cache_hit {
            self.cache_hits += 1;
        } else if generation.outcome != GenerationOutcome::Cancelled {
            self.latencies_ms.push(generation.latency_ms);
        }
    }

    fn into_row(mut self, name: String) -> UsageRow {
        self.latencies_ms.sort_unstable();
        UsageRow {
            name,
            requests: self.requests,
            tokens_in: self.tokens_in,
            tokens_out: self.tokens_out,
            cost_usd: self.cost_usd,
            cache_hits: self.cache_hits,
            latency_p50_ms: percentile(&self.latencies_ms, 50),
            latency_p95_ms: percentile(&self.latencies_ms, 95),
        }
    }
}

/// One row per value of `key`, the most requested first.
fn grouped(
    generations: &[LoggedGeneration],
    key: impl Fn(&LoggedGeneration) -> &str,
) -> Vec<UsageRow> {
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for generation in generations {
        tallies.entry(key(generation)).or_default().add(generation);
    }
    let mut rows: Vec<UsageRow> = tallies
        .into_iter()
        .map(|(name, tally)| tally.into_row(name.to_string()))
        .collect();
    // Stable: equal counts stay in name order.
    rows.sort_by_key(|row| std::cmp::Reverse(row.requests));
    rows
}

/// The report of one month's generations, against a monthly budget of `budget_usd`.
fn report(month: &str, generations: &[LoggedGeneration], budget_usd: f64) -> UsageReport {
    let mut totals = Tally::default();
    let (mut ok, mut invalid) = (0u32, 0u32);
    for generation in generations {
        totals.add(generation);
        // Validity is of answers a model just wrote under a schema: the coach writes prose,
        // and a cache hit was counted when it was written.
        if generation.cache_hit || generation.task == "coaching" {
            continue;
        }
        match generation.outcome {
            GenerationOutcome::Ok => ok += 1,
            GenerationOutcome::Invalid => invalid += 1,
            GenerationOutcome::Failed | GenerationOutcome::Cancelled => {}
        }
    }
    let rate = |part: u32, whole: u32| (whole > 0).then(|| f64::from(part) / f64::from(whole));
    let totals = totals.into_row("total".into());
    UsageReport {
        month: month.to_string(),
        cache_hit_rate: rate(totals.cache_hits, totals.requests),
        json_valid_rate: rate(ok, ok + invalid),
        by_model: grouped(generations, |g| &g.model),
        by_task: grouped(generations, |g| &g.task),
        budget: BudgetStatus::new(month.to_string(), budget_usd, totals.cost_usd),
        totals,
    }
}

impl Studio {
    /// The monthly budget; unreadable settings (which the Settings screen reports)
    /// leave the default in force.
    fn monthly_budget_usd(&self) -> f64 {
        self.settings().unwrap_or_default().monthly_budget_usd
    }

    /// The usage report for a month written "YYYY-MM" in local time; `None` is this month.
    pub fn usage(&self, store: &Store, month: Option<&str>) -> Result<UsageReport, StudioError> {
        let month = month.map(parse_month).transpose()?;
        let budget_usd = self.monthly_budget_usd();
        Ok(store.read(|conn| {
            let month = match month {
                Some(month) => month.to_string(),
                None => generation_log::current_month(conn)?,
            };
            let (start, end) = generation_log::month_span(conn, &month)?;
            let generations = generation_log::between(conn, start, end)?;
            Ok(report(&month, &generations, budget_usd))
        })?)
    }

    /// This month's spending against the monthly budget, as the settings have it now.
    pub fn budget_status(&self, store: &Store) -> Result<BudgetStatus, StudioError> {
        let budget_usd = self.monthly_budget_usd();
        Ok(store.read(|conn| {
            let month = generation_log::current_month(conn)?;
            let (start, end) = generation_log::month_span(conn, &month)?;
            let spent_usd = generation_log::cost_between(conn, start, end)?;
            Ok(BudgetStatus::new(month, budget_usd, spent_usd))
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::store::GenerationRecord;
    use crate::{AppPaths, Catalog};

    /// A Studio with its data folder, and its store, in a temporary folder.
    fn studio() -> (tempfile::TempDir, Studio, Store) {
        let dir = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(dir.path()), Catalog::builtin().unwrap());
        let store = studio.open_store().unwrap();
        (dir, studio, store)
    }

    fn set_budget(studio: &Studio, monthly_budget_usd: f64) {
        let settings = Settings {
            monthly_budget_usd,
            ..Settings::default()
        };
        settings.save(&studio.settings_file()).unwrap();
    }

    struct Entry {
        task: &'static str,
        model: &'static str,
        latency_ms: u64,
        cost_usd: f64,
        cache_hit: bool,
        outcome: GenerationOutcome,
    }

    fn entry(task: &'static str, model: &'static str, latency_ms: u64) -> Entry {
        Entry {
            task,
            model,
            latency_ms,
            cost_usd: 0.0,
            cache_hit: false,
            outcome: GenerationOutcome::Ok,
        }
    }

    /// Logs `entries` as made at `created_at` (Unix seconds).
    fn log_at(store: &Store, created_at: i64, entries: &[Entry]) {
        store
            .write(|tx| {
                for entry in entries {
                    let record = GenerationRecord {
                        task: entry.task.into(),
                        tier: "t".into(),
                        model: entry.model.into(),
                        tokens_in: 10,
                        tokens_out: 20,
                        latency_ms: entry.latency_ms,
                        cost_usd: entry.cost_usd,
                        cache_hit: entry.cache_hit,
                        outcome: entry.outcome,
                        detail: String::new(),
                    };
                    let id = generation_log::record(tx, &record)?;
                    tx.execute(
                        "UPDATE generation_log SET created_at = ?1 WHERE id = ?2",
                        [created_at, id],
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }

    fn span(store: &Store, month: &str) -> (i64, i64) {
        store
            .read(|conn| generation_log::month_span(conn, month))
            .unwrap()
    }

    #[test]
    fn an_empty_month_has_no_rates_or_latencies() {
        let (_dir, studio, store) = studio();
        let usage = studio.usage(&store, None).unwrap();
        assert_eq!(usage.totals.requests, 0);
        assert!(usage.by_model.is_empty() && usage.by_task.is_empty());
        assert_eq!(usage.cache_hit_rate, None);
        assert_eq!(usage.json_valid_rate, None);
        assert_eq!(usage.totals.latency_p50_ms, None);
        assert_eq!(usage.month, usage.budget.month);
        assert_eq!(usage.budget.share, Some(0.0));
    }

    #[test]
    fn a_month_spans_its_local_days() {
        let (_dir, _studio, store) = studio();
        let (start, end) = span(&store, "2026-02");
        // 28 days, give or take a daylight-saving hour.
        assert!((end - start - 28 * 86_400).abs() <= 3600, "{start}..{end}");
        assert_eq!(span(&store, "2026-03").0, end);
        let (_, december_end) = span(&store, "2025-12");
        assert_eq!(span(&store, "2026-01").0, december_end);
    }

    #[test]
    fn totals_rates_and_groups_come_from_the_month_asked_for() {
        let (_dir, studio, store) = studio();
        let (march, april) = span(&store, "2026-03");
        log_at(
            &store,
            march,
            &[
                entry("tutorial_generation", "qwen2.5-7b", 100),
                Entry {
                    cache_hit: true,
                    ..entry("tutorial_generation", "qwen2.5-7b", 1)
                },
                Entry {
                    cost_usd: 0.25,
                    ..entry("curriculum_planning", "gemini", 900)
                },
                Entry {
                    outcome: GenerationOutcome::Invalid,
                    ..entry("exercise_generation", "phi-3.5-mini", 300)
                },
                Entry {
                    outcome: GenerationOutcome::Cancelled,
                    ..entry("exercise_generation", "phi-3.5-mini", 50_000)
                },
            ],
        );
        // The month's last second counts; the next month's first and the one before do not.
        log_at(&store, april - 1, &[entry("coaching", "qwen2.5-7b", 200)]);
        log_at(
            &store,
            april,
            &[Entry {
                cost_usd: 9.0,
                ..entry("coaching", "gemini", 10)
            }],
        );
        log_at(&store, march - 1, &[entry("coaching", "gemini", 10)]);

        let usage = studio.usage(&store, Some("2026-03")).unwrap();
        assert_eq!(usage.month, "2026-03");
        let totals = &usage.totals;
        assert_eq!(
            (totals.requests, totals.tokens_in, totals.tokens_out),
            (6, 60, 120)
        );
        assert!((totals.cost_usd - 0.25).abs() < 1e-9);
        // Two ok, one invalid, written under a schema; the cancelled one did not finish, the
        // hit and the coach's prose are not counted.
        assert_eq!(usage.json_valid_rate, Some(2.0 / 3.0));
        assert_eq!(usage.cache_hit_rate, Some(1.0 / 6.0));
        // Ran: 100, 200, 300, 900 ms; the hit (1 ms) and the cancelled one are left out.
        assert_eq!(
            (totals.latency_p50_ms, totals.latency_p95_ms),
            (Some(200), Some(900))
        );

        let models: Vec<_> = usage.by_model.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(models, ["qwen2.5-7b", "phi-3.5-mini", "gemini"]);
        let qwen = &usage.by_model[0];
        assert_eq!((qwen.requests, qwen.cache_hits), (3, 1));
        assert_eq!(
            (qwen.latency_p50_ms, qwen.latency_p95_ms),
            (Some(100), Some(200))
        );
        let tasks: Vec<_> = usage.by_task.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            tasks,
            [
                "exercise_generation",
                "tutorial_generation",
                "coaching",
                "curriculum_planning"
            ]
        );
        assert_eq!(usage.by_task[0].latency_p50_ms, Some(300));

        let april_usage = studio.usage(&store, Some("2026-04")).unwrap();
        assert_eq!(april_usage.totals.requests, 1);
        assert_eq!(april_usage.budget.month, "2026-04");
        assert_eq!(april_usage.budget.spent_usd, 9.0);
        assert!(
            studio
                .usage(&store, Some("2026-05"))
                .unwrap()
                .by_model
                .is_empty()
        );
    }

    #[test]
    fn cache_hits_alone_have_no_latency() {
        let (_dir, studio, store) = studio();
        let (march, _) = span(&store, "2026-03");
        let hit = || Entry {
            cache_hit: true,
            ..entry("coaching", "gemini", 2)
        };
        log_at(&store, march, &[hit(), hit()]);
        let usage = studio.usage(&store, Some("2026-03")).unwrap();
        assert_eq!(usage.by_model[0].cache_hits, 2);
        assert_eq!(usage.by_model[0].latency_p50_ms, None);
        assert_eq!(usage.cache_hit_rate, Some(1.0));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let twenty: Vec<u64> = (1..=20).map(|n| n * 10).collect();
        assert_eq!(percentile(&twenty, 50), Some(100));
        assert_eq!(percentile(&twenty, 95), Some(190));
        assert_eq!(percentile(&[7], 50), Some(7));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn the_budget_warns_from_80_percent_and_says_when_cloud_calls_stop() {
        let status = |spent| BudgetStatus::new("2026-03".into(), 5.0, spent);
        let below = status(3.95);
        assert!((below.share.unwrap() - 0.79).abs() < 1e-12);
        assert_eq!(below.warning, None);

        let at_80 = status(4.0);
        assert_eq!(at_80.share, Some(0.8));
        assert_eq!(
            at_80.warning.as_deref(),
            Some(
                "$4.00 of the $5.00 monthly budget is spent (80%); cloud calls stop at \
                 100%, and tasks then fall back to the local models."
            )
        );
        // A sum of costs a hair under 80% has reached it.
        assert!(status(0.1 + 0.7 + 3.2 - 1e-12).warning.is_some());

        let spent = status(5.0).warning.unwrap();
        assert!(
            spent.starts_with(
                "$5.00 of the $5.00 monthly budget is spent (100%): cloud calls stop at 100%"
            ),
            "{spent}"
        );
        assert!(spent.contains("local models for the rest of the month"));
        assert!(status(7.5).warning.unwrap().contains("(150%)"));

        let no_budget = BudgetStatus::new("2026-03".into(), 0.0, 1.0);
        assert_eq!((no_budget.share, no_budget.warning), (None, None));
    }

    #[test]
    fn budget_status_is_this_months_spending_against_the_setting() {
        let (_dir, studio, store) = studio();
        let this_month = store.read(generation_log::current_month).unwrap();
        let (start, _) = span(&store, &this_month);
        let spend = |cost_usd| Entry {
            cost_usd,
            ..entry("curriculum_planning", "gemini", 900)
        };
        log_at(&store, start, &[spend(3.0), spend(1.0)]);
        // Last month's spending is not this month's.
        log_at(&store, start - 1, &[spend(100.0)]);

        // No settings file: the default $5 budget.
        let status = studio.budget_status(&store).unwrap();
        assert_eq!(status.month, this_month);
        assert_eq!((status.budget_usd, status.spent_usd), (5.0, 4.0));
        assert!(status.warning.is_some());

        set_budget(&studio, 20.0);
        let status = studio.budget_status(&store).unwrap();
        assert_eq!(studio.usage(&store, None).unwrap().budget, status);
        assert_eq!((status.share, status.warning), (Some(0.2), None));

        // Unreadable settings leave the default in force.
        std::fs::write(studio.settings_file(), "{ not json").unwrap();
        assert_eq!(studio.budget_status(&store).unwrap().budget_usd, 5.0);
    }

    #[test]
    fn a_month_not_written_yyyy_mm_is_refused() {
        assert_eq!(parse_month(" 2026-03 "), Ok("2026-03"));
        assert_eq!(parse_month("1999-12"), Ok("1999-12"));
        for bad in [
            "2026-13",
            "2026-00",
            "June",
            "2026-3",
            "26-03",
            "2026/03",
            "",
            "２０２６-03",
        ] {
            assert_eq!(
                parse_month(bad),
                Err(InputError::Month(bad.trim().into())),
                "{bad}"
            );
        }
        let (_dir, studio, store) = studio();
        let error = studio.usage(&store, Some("2026-13")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the month must be written YYYY-MM, such as 2026-03; got “2026-13”"
        );
    }

    #[test]
    fn small_costs_keep_their_fractions_of_a_cent() {
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(0.0031), "$0.0031");
        assert_eq!(dollars(0.25), "$0.25");
        assert_eq!(dollars(12.5), "$12.50");
        assert_eq!(whole_percent(0.799), 79);
        assert_eq!(whole_percent(0.8 - 1e-12), 80);
    }
}
