//! `[[server]]` tables and request limits as written, and their checks.

use serde::Deserialize;
use toml::Spanned;

use super::{Problem, is_plain_id, problem};
use crate::catalog::{RateLimits, ServerModel, url_host};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    id: Spanned<String>,
    name: String,
    base_url: Spanned<String>,
    model: Spanned<String>,
    context_length: Spanned<u32>,
    api_key_env: Option<Spanned<String>>,
    input_usd_per_million: Option<Spanned<f64>>,
    output_usd_per_million: Option<Spanned<f64>>,
    requests_per_minute: Option<Spanned<i64>>,
    requests_per_day: Option<Spanned<i64>>,
}

pub(super) struct RawRateLimits {
    pub(super) requests_per_minute: Option<Spanned<i64>>,
    pub(super) requests_per_day: Option<Spanned<i64>>,
}

pub(super) fn rate_limits_of(raw: RawRateLimits) -> Result<RateLimits, Problem> {
    let limit = |value: Option<Spanned<i64>>, unit: &str| {
        match value {
        None => Ok(None),
        Some(value) => u32::try_from(*value.get_ref())
            .ok()
            .filter(|limit| *limit > 0)
            .map(Some)
            .ok_or_else(|| {
                problem(
                    value.span(),
                    format!("requests_per_{unit} is {}", value.get_ref()),
                    format!("give a whole number of requests per {unit}, at least 1, or remove the line for no limit"),
                )
            }),
    }
    };
    Ok(RateLimits {
        per_minute: limit(raw.requests_per_minute, "minute")?,
        per_day: limit(raw.requests_per_day, "day")?,
    })
}

pub(super) struct CheckedServer {
    pub(super) id: Spanned<String>,
    pub(super) model: ServerModel,
    pub(super) limits: RateLimits,
}

impl RawServer {
    pub(super) fn check(spanned: Spanned<RawServer>) -> Result<CheckedServer, Problem> {
        let server = spanned.into_inner();
        let id = server.id.get_ref();
        if !is_plain_id(id) {
            return Err(problem(
                server.id.span(),
                format!("server id `{id}` is not a valid id"),
                "use letters, digits, `-`, `.` and `_` only",
            ));
        }
        let base_url = server.base_url.get_ref().trim().trim_end_matches('/');
        if url_host(base_url).is_none() {
            return Err(problem(
                server.base_url.span(),
                format!("base_url `{base_url}` is not an http:// or https:// address"),
                "give the server's address up to the API version, e.g. base_url = \"http://192.168.1.20:8080/v1\"",
            ));
        }
        // A password in the address would be shown wherever the server is named.
        let authority = base_url.split("://").nth(1).unwrap_or("").split('/').next();
        if authority.is_some_and(|authority| authority.contains('@')) {
            return Err(problem(
                server.base_url.span(),
                format!("base_url of `{id}` carries a user name or password"),
                "remove it from the address; put the server's key in an environment variable and name it with api_key_env",
            ));
        }
        if base_url.ends_with("/chat/completions") {
            return Err(problem(
                server.base_url.span(),
                format!("base_url `{base_url}` names the endpoint, not the API's base"),
                "end it at the API version, e.g. `…/v1`: Cadence adds /chat/completions itself",
            ));
        }
        let model = server.model.get_ref().trim();
        if model.is_empty() {
            return Err(problem(
                server.model.span(),
                "the server's model name is empty",
                "give the name the server lists at <base_url>/models",
            ));
        }
        let context = *server.context_length.get_ref();
        if !(512..=1_048_576).contains(&context) {
            return Err(problem(
                server.context_length.span(),
                format!("context_length {context} is out of range"),
                "give the context the server runs the model with, between 512 and 1048576 tokens",
            ));
        }
        let api_key_env = match server.api_key_env {
            Some(name)
                if name.get_ref().is_empty()
                    || !name
                        .get_ref()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                return Err(problem(
                    name.span(),
                    format!(
                        "api_key_env `{}` is not an environment variable name",
                        name.get_ref()
                    ),
                    "name the variable that holds the key, e.g. api_key_env = \"SCHOOL_SERVER_KEY\" (never the key itself)",
                ));
            }
            name => name.map(Spanned::into_inner),
        };
        let prices = [
            &server.input_usd_per_million,
            &server.output_usd_per_million,
        ];
        for price in prices.into_iter().flatten() {
            if !(price.get_ref().is_finite() && *price.get_ref() >= 0.0) {
                return Err(problem(
                    price.span(),
                    format!("price {} is not a price", price.get_ref()),
                    "give US dollars per million tokens, 0 or more (0 for a school's own server)",
                ));
            }
        }
        Ok(CheckedServer {
            limits: rate_limits_of(RawRateLimits {
                requests_per_minute: server.requests_per_minute,
                requests_per_day: server.requests_per_day,
            })?,
            model: ServerModel {
                id: id.clone(),
                name: server.name,
                base_url: base_url.to_string(),
                model: model.to_string(),
                context_length: context,
                api_key_env,
                // A school's own server costs nothing per token unless it says so.
                input_usd_per_million: server
                    .input_usd_per_million
                    .map_or(0.0, Spanned::into_inner),
                output_usd_per_million: server
                    .output_usd_per_million
                    .map_or(0.0, Spanned::into_inner),
            },
            id: server.id,
        })
    }
}
