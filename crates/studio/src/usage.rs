//! What generation has cost: totals from the generation log for the Usage screen.

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::store::{Result, Store};
use crate::{Studio, StudioError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageRow {
    /// A model id or a task kind, depending on the table.
    pub name: String,
    pub requests: u32,
    pub cost_usd: f64,
    pub cache_hits: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageReport {
    /// Unix seconds; only generations at or after it are counted.
    pub since: i64,
    pub requests: u32,
    pub cost_usd: f64,
    pub by_model: Vec<UsageRow>,
    pub by_task: Vec<UsageRow>,
    /// Share of requests answered from the cache; `None` without requests.
    pub cache_hit_rate: Option<f64>,
    /// Share of finished generations (ok or invalid) whose JSON passed validation.
    pub json_valid_rate: Option<f64>,
}

fn grouped(conn: &Connection, column: &str, since: i64) -> Result<Vec<UsageRow>> {
    // `column` is one of two literals chosen below, never user input.
    let sql = format!(
        "SELECT {column}, count(*), total(cost_usd), total(cache_hit)
         FROM generation_log WHERE created_at >= ?1 GROUP BY {column} ORDER BY count(*) DESC, {column}"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map([since], |row| {
        Ok(UsageRow {
            name: row.get(0)?,
            requests: row.get(1)?,
            cost_usd: row.get(2)?,
            cache_hits: row.get::<_, f64>(3)? as u32,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The usage report for generations at or after `since` (Unix seconds).
pub fn report(store: &Store, since: i64) -> Result<UsageReport> {
    store.read(|conn| {
        let (requests, cost_usd, cache_hits, ok, invalid): (u32, f64, f64, u32, u32) = conn
            .query_row(
                "SELECT count(*), total(cost_usd), total(cache_hit),
                        count(*) FILTER (WHERE outcome = 'ok'),
                        count(*) FILTER (WHERE outcome = 'invalid')
                 FROM generation_log WHERE created_at >= ?1",
                [since],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )?;
        let rate = |part: f64, whole: u32| (whole > 0).then(|| part / f64::from(whole));
        Ok(UsageReport {
            since,
            requests,
            cost_usd,
            by_model: grouped(conn, "model", since)?,
            by_task: grouped(conn, "task", since)?,
            cache_hit_rate: rate(cache_hits, requests),
            json_valid_rate: rate(f64::from(ok), ok + invalid),
        })
    })
}

impl Studio {
    /// Usage since `since` (Unix seconds; 0 for all time).
    pub fn usage(&self, store: &Store, since: i64) -> Result<UsageReport, StudioError> {
        Ok(report(store, since.max(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{GenerationOutcome, GenerationRecord, generation_log};

    #[test]
    fn an_empty_log_has_no_rates() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let usage = report(&store, 0).unwrap();
        assert_eq!(usage.requests, 0);
        assert!(usage.by_model.is_empty() && usage.by_task.is_empty());
        assert_eq!(usage.cache_hit_rate, None);
        assert_eq!(usage.json_valid_rate, None);
    }

    #[test]
    fn totals_rates_and_groups_come_from_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let entries = [
            (
                "tutorial_generation",
                "qwen2.5-7b",
                0.0,
                false,
                GenerationOutcome::Ok,
            ),
            (
                "tutorial_generation",
                "qwen2.5-7b",
                0.0,
                true,
                GenerationOutcome::Ok,
            ),
            (
                "curriculum_planning",
                "gemini",
                0.25,
                false,
                GenerationOutcome::Ok,
            ),
            (
                "exercise_generation",
                "phi-3.5-mini",
                0.0,
                false,
                GenerationOutcome::Invalid,
            ),
            (
                "exercise_generation",
                "phi-3.5-mini",
                0.0,
                false,
                GenerationOutcome::Cancelled,
            ),
        ];
        store
            .write(|tx| {
                for (task, model, cost_usd, cache_hit, outcome) in entries {
                    generation_log::record(
                        tx,
                        &GenerationRecord {
                            task: task.into(),
                            tier: "t".into(),
                            model: model.into(),
                            tokens_in: 10,
                            tokens_out: 20,
                            latency_ms: 5,
                            cost_usd,
                            cache_hit,
                            outcome,
                            detail: String::new(),
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let usage = report(&store, 0).unwrap();
        assert_eq!(usage.requests, 5);
        assert!((usage.cost_usd - 0.25).abs() < 1e-9);
        assert_eq!(usage.cache_hit_rate, Some(0.2));
        // 3 ok of 4 finished (ok or invalid); the cancelled one is not counted.
        assert_eq!(usage.json_valid_rate, Some(0.75));
        let qwen = usage
            .by_model
            .iter()
            .find(|r| r.name == "qwen2.5-7b")
            .unwrap();
        assert_eq!((qwen.requests, qwen.cache_hits), (2, 1));
        let tasks: Vec<_> = usage.by_task.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(tasks[..2], ["exercise_generation", "tutorial_generation"]);
        assert!(report(&store, i64::MAX).unwrap().by_model.is_empty());
    }
}
