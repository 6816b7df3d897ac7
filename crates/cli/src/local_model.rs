//! A model named on the command line: a catalogue id of an installed model, or a GGUF path.

use std::path::PathBuf;

use cadence::{Studio, llm};

use crate::studio;

/// A model named on the command line, with what the catalogue says about it.
pub(crate) struct ResolvedModel {
    pub(crate) path: PathBuf,
    /// The catalogue's entry, when it was named by id.
    entry: Option<cadence::catalog::LocalModel>,
    tokenizer_json: Option<PathBuf>,
    /// For the Device setting and the memory check.
    studio: Studio,
}

impl ResolvedModel {
    /// The engine, loaded with the catalogue's tokenizer, chat template and context.
    pub(crate) fn load_engine(&self, threads: Option<usize>) -> anyhow::Result<llm::Engine> {
        let options = llm::LoadOptions {
            threads,
            device: self.studio.device_choice()?,
            ..Default::default()
        };
        let engine = match &self.entry {
            Some(entry) => {
                self.studio.check_memory(entry, &self.path, 0)?;
                cadence::providers::LocalProvider::load_engine(
                    entry,
                    &self.path,
                    self.tokenizer_json.as_deref(),
                    &options,
                )?
            }
            None => llm::Engine::load(&self.path, &options)?,
        };
        warn_on_device_fallback(engine.info().device_notice.as_deref());
        Ok(engine)
    }

    /// The Device setting, or `CADENCE_DEVICE`.
    pub(crate) fn device_choice(&self) -> anyhow::Result<llm::DeviceChoice> {
        Ok(self.studio.device_choice()?)
    }

    pub(crate) fn load_tokenizer(&self) -> anyhow::Result<llm::TextTokenizer> {
        let file = llm::gguf::GgufFile::open(&self.path)?;
        Ok(llm::TextTokenizer::load(
            &file,
            self.tokenizer_json.as_deref(),
        )?)
    }
}

/// A catalogue id of an installed model, or a path to a GGUF file.
pub(crate) fn resolve_model(model: &str) -> anyhow::Result<ResolvedModel> {
    let studio = studio()?;
    if let Some(entry) = studio.catalog().local_model(model).cloned() {
        let file = studio.model_file(&entry);
        anyhow::ensure!(
            file.exists(),
            "{} is not downloaded yet ({}); run `cadence models download {}` or pass a GGUF path",
            entry.name,
            file.display(),
            entry.id
        );
        let tokenizer_json = studio.tokenizer_json(&entry);
        if let Some(json) = &tokenizer_json {
            anyhow::ensure!(
                json.exists(),
                "{}'s tokenizer.json is missing ({}); run `cadence models download {}` to fetch it",
                entry.name,
                json.display(),
                entry.id
            );
        }
        return Ok(ResolvedModel {
            path: file,
            entry: Some(entry),
            tokenizer_json,
            studio,
        });
    }
    let path = PathBuf::from(model);
    anyhow::ensure!(
        path.is_file(),
        "`{model}` is neither a model id from `cadence models list` nor a GGUF file"
    );
    Ok(ResolvedModel {
        path,
        entry: None,
        tokenizer_json: None,
        studio,
    })
}

/// One warning line on standard error when the models run on the CPU although a GPU was
/// wanted: the answer still comes, only slower, so it is not an error.
pub(crate) fn warn_on_device_fallback(notice: Option<&str>) {
    if let Some(notice) = notice {
        eprintln!("warning: {notice}");
    }
}
