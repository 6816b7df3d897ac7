//! The usage ledger: one row for every generation, served from cache or not.

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, enum_from_sql, now_unix};

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

/// One generation as the usage report reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedGeneration {
    pub task: String,
    pub model: String,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub latency_ms: u64,
    pub cost_usd: f64,
    pub cache_hit: bool,
    pub outcome: GenerationOutcome,
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

// Months are reckoned in local time, as the user's calendar has them; SQLite's `localtime`
// and `utc` modifiers do the conversion, so no date library is needed.

/// This month in local time, as "YYYY-MM".
pub fn current_month(conn: &Connection) -> Result<String> {
    Ok(
        conn.query_row("SELECT strftime('%Y-%m', 'now', 'localtime')", [], |row| {
            row.get(0)
        })?,
    )
}

/// The Unix seconds at which a local-time month ("YYYY-MM", already checked) begins and the
/// next one begins: the month is `start <= created_at < end`.
pub fn month_span(conn: &Connection, month: &str) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT unixepoch(?1 || '-01', 'utc'), unixepoch(?1 || '-01', '+1 month', 'utc')",
        [month],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

/// Every generation logged at `start <= created_at < end` (Unix seconds), oldest first.
pub fn between(conn: &Connection, start: i64, end: i64) -> Result<Vec<LoggedGeneration>> {
    let mut statement = conn.prepare_cached(
        "SELECT task, model, tokens_in, tokens_out, latency_ms, cost_usd, cache_hit, outcome
         FROM generation_log WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
    )?;
    let rows = statement.query_map([start, end], |row| {
        Ok(LoggedGeneration {
            task: row.get(0)?,
            model: row.get(1)?,
            tokens_in: row.get(2)?,
            tokens_out: row.get(3)?,
            // Never negative: the table's CHECK.
            latency_ms: row.get::<_, i64>(4)?.max(0).unsigned_abs(),
            cost_usd: row.get(5)?,
            cache_hit: row.get(6)?,
            outcome: enum_from_sql(&row.get::<_, String>(7)?)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the generations logged at `start <= created_at < end` cost, in US dollars.
pub fn cost_between(conn: &Connection, start: i64, end: i64) -> Result<f64> {
    Ok(conn.query_row(
        "SELECT total(cost_usd) FROM generation_log WHERE created_at >= ?1 AND created_at < ?2",
        [start, end],
        |row| row.get(0),
    )?)
}
