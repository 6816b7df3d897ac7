//! The providers that write elsewhere: Gemini and the `[[server]]`s of models.toml. Their
//! tokens are estimated (the tokenizers are not here) and priced at the catalogue's rates.

use cadence_llm::{CancelToken, Message};

use crate::catalog::{CloudModel, ServerModel};
use crate::{
    GEMINI_KEY_ENV, Provider, ProviderAnswer, ProviderError, ProviderRequest, ReportedUsage,
    env_value, gemini, keychain, openai,
};

/// US dollars per million tokens, in and out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    pub input_usd_per_million: f64,
    pub output_usd_per_million: f64,
}

impl Prices {
    /// US dollars for what a request used.
    pub fn cost_usd(self, usage: ReportedUsage) -> f64 {
        (usage.prompt_tokens as f64 * self.input_usd_per_million
            + usage.output_tokens as f64 * self.output_usd_per_million)
            / 1_000_000.0
    }

    /// What a request may cost, estimated before it is sent: its prompt's (estimated)
    /// tokens, and an answer as long as it may be.
    pub fn estimate_usd(self, prompt_tokens: usize, max_output_tokens: usize) -> f64 {
        self.cost_usd(ReportedUsage {
            prompt_tokens: prompt_tokens as u64,
            output_tokens: max_output_tokens as u64,
        })
    }
}

impl From<&CloudModel> for Prices {
    fn from(cloud: &CloudModel) -> Self {
        Prices {
            input_usd_per_million: cloud.input_usd_per_million,
            output_usd_per_million: cloud.output_usd_per_million,
        }
    }
}

impl From<&ServerModel> for Prices {
    fn from(server: &ServerModel) -> Self {
        Prices {
            input_usd_per_million: server.input_usd_per_million,
            output_usd_per_million: server.output_usd_per_million,
        }
    }
}

/// Tokens a conversation takes, estimated at four characters a token (rounded up) plus a
/// few per turn: remote models' tokenizers are not on this machine.
pub fn estimated_tokens(messages: &[Message]) -> usize {
    messages
        .iter()
        .map(|message| message.content.chars().count().div_ceil(4) + 4)
        .sum()
}

/// Gemini, through the streaming REST client.
pub struct CloudProvider {
    /// The catalogue id ("gemini"), not the API's model name.
    id: String,
    prices: Prices,
    client: gemini::GeminiClient,
}

impl CloudProvider {
    /// The catalogue's cloud model with the key the user saved (or `GEMINI_API_KEY`);
    /// without one, fails with a message that says how to set it.
    pub fn with_saved_key(cloud: &CloudModel) -> Result<Self, ProviderError> {
        let key = keychain::gemini_key()
            .ok_or_else(|| ProviderError::Cloud(gemini::GeminiError::MissingKey.to_string()))?;
        // A saved key was checked when it was saved; one from the environment is checked
        // here, before a character no header can carry fails the request as a network error.
        keychain::check_key(&key).map_err(|problem| {
            ProviderError::Cloud(format!("{GEMINI_KEY_ENV} holds no usable key: {problem}"))
        })?;
        Ok(Self {
            id: cloud.id.clone(),
            prices: Prices::from(cloud),
            client: gemini::GeminiClient::new(gemini::GeminiConfig::new(key, &cloud.model)),
        })
    }
}

impl Provider for CloudProvider {
    fn model(&self) -> &str {
        &self.id
    }

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError> {
        let cloud_request = gemini::GeminiRequest {
            system: None,
            messages: request.messages.clone(),
            schema: request.schema.clone(),
            temperature: Some(request.temperature),
            max_output_tokens: Some(request.max_tokens as u32),
        };
        let answer = self
            .client
            .generate(&cloud_request, cancel, on_delta)
            .map_err(|error| {
                ProviderError::remote(
                    matches!(error, gemini::GeminiError::Cancelled),
                    error.to_string(),
                    error.reported_usage(),
                    self.prices,
                )
            })?;
        Ok(answer_with_cost(
            answer.usage(),
            self.prices,
            answer.hit_token_limit(),
            answer.text,
        ))
    }

    /// An estimate: Gemini's context is so much larger than any lesson conversation that a
    /// round trip to its countTokens endpoint would cost more than it tells.
    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError> {
        Ok(estimated_tokens(messages))
    }

    fn context_tokens(&self) -> usize {
        GEMINI_CONTEXT_TOKENS
    }
}

fn answer_with_cost(
    usage: ReportedUsage,
    prices: Prices,
    truncated: bool,
    text: String,
) -> ProviderAnswer {
    ProviderAnswer {
        text,
        prompt_tokens: usage.prompt_tokens as u32,
        output_tokens: usage.output_tokens as u32,
        cost_usd: prices.cost_usd(usage),
        truncated,
    }
}

/// Gemini 2.5 Pro's input limit.
const GEMINI_CONTEXT_TOKENS: usize = 1_048_576;

/// A model on a `[[server]]` of models.toml, through its chat-completions API.
pub struct ServerProvider {
    id: String,
    context_length: usize,
    prices: Prices,
    client: openai::OpenAiClient,
}

impl ServerProvider {
    /// The server's key, from the variable models.toml names (`None` when it names none);
    /// fails, saying which variable to set, when that variable is empty.
    pub fn api_key(server: &ServerModel) -> Result<Option<String>, ProviderError> {
        let Some(variable) = &server.api_key_env else {
            return Ok(None);
        };
        env_value(variable).map(Some).ok_or_else(|| {
            ProviderError::Cloud(format!(
                "the server `{}` needs its API key in the environment variable {variable}, which is not set; set it, or remove api_key_env from its [[server]] table",
                server.id
            ))
        })
    }

    /// The server's client, with its key (see [`ServerProvider::api_key`]).
    pub fn new(server: &ServerModel) -> Result<Self, ProviderError> {
        let api_key = Self::api_key(server)?;
        Ok(Self {
            id: server.id.clone(),
            context_length: server.context_length as usize,
            prices: Prices::from(server),
            client: openai::OpenAiClient::new(openai::OpenAiConfig::new(
                &server.base_url,
                &server.model,
                api_key,
            )),
        })
    }
}

impl Provider for ServerProvider {
    fn model(&self) -> &str {
        &self.id
    }

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError> {
        let server_request = openai::OpenAiRequest {
            messages: request.messages.clone(),
            // Servers that constrain by schema (llama.cpp, vLLM) turn it into a grammar as a
            // local model does, so they get the schema tightened to the request.
            schema: request
                .decoder_schema
                .clone()
                .or_else(|| request.schema.clone()),
            temperature: Some(request.temperature),
            max_tokens: Some(request.max_tokens as u32),
            seed: Some(request.seed),
        };
        let answer = self
            .client
            .generate(&server_request, cancel, on_delta)
            .map_err(|error| {
                ProviderError::remote(
                    matches!(error, openai::OpenAiError::Cancelled),
                    error.to_string(),
                    error.reported_usage(),
                    self.prices,
                )
            })?;
        Ok(answer_with_cost(
            answer.usage(),
            self.prices,
            answer.hit_token_limit(),
            answer.text,
        ))
    }

    /// An estimate: the server's tokenizer is on the server.
    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError> {
        Ok(estimated_tokens(messages))
    }

    fn context_tokens(&self) -> usize {
        self.context_length
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_and_estimates_are_per_million_tokens() {
        let gemini = Prices {
            input_usd_per_million: 1.25,
            output_usd_per_million: 10.0,
        };
        let usage = ReportedUsage {
            prompt_tokens: 2_000_000,
            output_tokens: 100_000,
        };
        assert!((gemini.cost_usd(usage) - 3.5).abs() < 1e-12);
        assert!((gemini.estimate_usd(1_000, 2_000) - (0.00125 + 0.02)).abs() < 1e-12);
    }
}
