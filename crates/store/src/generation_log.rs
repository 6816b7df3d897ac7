//! The usage ledger: one row for every generation, served from cache or not.

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, now_unix};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenerationOutcome {
    Ok,
    /// The answer failed validation after repairs and retries.
    Invalid,
    Failed,
    Cancelled,
}

impl GenerationOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            GenerationOutcome::Ok => "ok",
            GenerationOutcome::Invalid => "invalid",
            GenerationOutcome::Failed => "failed",
            GenerationOutcome::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRecord {
    pub task: String,
    pub tier: String,
    pub model: String,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub latency_ms: u64,
    pub cost_usd: f64,
    pub cache_hit: bool,
    pub outcome: GenerationOutcome,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageByModel {
    pub model: String,
    pub requests: i64,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub cost_usd: f64,
    pub cache_hits: i64,
}

pub fn record(tx: &Transaction<'_>, entry: &GenerationRecord) -> Result<i64> {
    tx.execute(
        "INSERT INTO generation_log (task, tier, model, tokens_in, tokens_out, latency_ms, cost_usd, cache_hit, outcome, detail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            entry.task,
            entry.tier,
            entry.model,
            entry.tokens_in,
            entry.tokens_out,
            i64::try_from(entry.latency_ms).unwrap_or(i64::MAX),
            entry.cost_usd,
            entry.cache_hit,
            entry.outcome.as_str(),
            entry.detail,
            now_unix()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Totals per model for generations at or after `since` (Unix seconds).
pub fn usage_by_model(conn: &Connection, since: i64) -> Result<Vec<UsageByModel>> {
    let mut statement = conn.prepare_cached(
        "SELECT model, count(*), sum(tokens_in), sum(tokens_out), sum(cost_usd), sum(cache_hit)
         FROM generation_log WHERE created_at >= ?1 GROUP BY model ORDER BY model",
    )?;
    let rows = statement.query_map([since], |row| {
        Ok(UsageByModel {
            model: row.get(0)?,
            requests: row.get(1)?,
            tokens_in: row.get(2)?,
            tokens_out: row.get(3)?,
            cost_usd: row.get(4)?,
            cache_hits: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
