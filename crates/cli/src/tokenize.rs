//! `cadence tokenize`: how a model's tokenizer splits text.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::local_model::resolve_model;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct TokenizeArgs {
    /// A catalogue model id (installed) or the path of a GGUF file.
    #[arg(long)]
    model: String,
    /// Print `{"ids": [...], "pieces": [...]}`.
    #[arg(long)]
    json: bool,
    text: String,
}

#[derive(Serialize)]
struct Tokens {
    ids: Vec<u32>,
    pieces: Vec<String>,
}

pub(crate) fn run(args: TokenizeArgs) -> anyhow::Result<ExitCode> {
    let TokenizeArgs { model, json, text } = args;
    let tokenizer = resolve_model(&model)?.load_tokenizer()?;
    let ids = tokenizer.encode_text(&text)?;
    let pieces = ids
        .iter()
        .map(|&id| tokenizer.piece(id).unwrap_or_default())
        .collect();
    let tokens = Tokens { ids, pieces };
    if json {
        println!("{}", serde_json::to_string(&tokens)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (id, piece) in tokens.ids.iter().zip(&tokens.pieces) {
        println!("{id:>7}  {piece:?}");
    }
    eprintln!("{} tokens", tokens.ids.len());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn the_text_is_positional_and_the_model_required() {
        assert_eq!(
            parse(&["tokenize", "--model", "phi-3.5-mini", "B♭ major"]).unwrap(),
            Some(Command::Tokenize(TokenizeArgs {
                model: "phi-3.5-mini".into(),
                json: false,
                text: "B♭ major".into(),
            }))
        );
        let error = parse(&["tokenize", "B♭ major"]).unwrap_err();
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }
}
