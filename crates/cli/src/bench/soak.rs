//! `cadence bench --soak`: many documents written in one process, the model let go and
//! loaded again through the residency the window uses, and the resident memory sampled as
//! it goes, to show whether a long session grows.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use cadence::catalog::LocalModel;
use cadence::commissions::TutorialRequest;
use cadence::content::Level;
use cadence::content::topic::Topic;
use cadence::settings::Settings;
use cadence::sources::{ResidentModels, Writers};
use cadence::{AppPaths, Studio, llm};
use serde::Serialize;

/// Documents a soak writes unless told.
pub(crate) const DEFAULT_DOCUMENTS: usize = 200;
/// Documents between two memory samples; the first sample is the baseline.
const SAMPLE_EVERY: usize = 20;
/// Documents between letting the model go and loading it again.
const RELOAD_EVERY: usize = 10;
/// Growth of the resident set from the baseline to the end that is reported as too much.
const GROWTH_LIMIT: f64 = 0.05;

const KEYS: [&str; 12] = [
    "C", "G", "D", "A", "E", "B", "F#", "F", "Bb", "Eb", "Ab", "Db",
];
const LEVELS: [Level; 3] = [Level::Beginner, Level::Intermediate, Level::Advanced];
const INSTRUMENTS: [&str; 4] = ["piano", "guitar", "bass", "voice"];

/// How many documents a soak writes, and how they are shared between the model and the
/// template generator.
pub(crate) struct Plan {
    pub(crate) documents: usize,
    /// The model is asked for one document in this many: the first of each run of them.
    pub(crate) model_every: usize,
}

impl Plan {
    fn asks_the_model(&self, index: usize) -> bool {
        index.is_multiple_of(self.model_every)
    }
}

#[derive(Serialize)]
pub(crate) struct SoakReport {
    /// `template`, or the catalogue id of the model that wrote.
    writer: String,
    documents: usize,
    /// Documents the model was asked for (with a model, one in `model_every`).
    asked_of_model: usize,
    model_every: usize,
    /// Of those, documents the model's answer became; the template generator wrote the
    /// others, and every document it was not asked for.
    written_by_model: usize,
    /// Times the model was read from disk: once, then again after each unload.
    model_loads: usize,
    seconds: f64,
    /// The resident set every 20 documents and at the end.
    samples: Vec<Sample>,
    /// The resident set at the end over the one after the first 20 documents.
    growth_ratio: f64,
    within_5_percent: bool,
}

#[derive(Serialize)]
struct Sample {
    documents: usize,
    rss_bytes: u64,
}

/// Writes the plan's tutorials with `model` (a catalogue id or its GGUF) where the plan
/// asks it, and with the template generator otherwise or when there is no model, in a data
/// folder of its own that is deleted after: the library is not touched.
pub(crate) fn run(model: Option<&str>, plan: Plan) -> anyhow::Result<SoakReport> {
    let documents = plan.documents;
    let home = SoakHome::new(model)?;
    let store = home.studio.open_store()?;
    let resident = ResidentModels::default();
    let topics = Topic::all();
    let started = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut written_by_model = 0;
    let mut asked_of_model = 0;
    for index in 0..documents {
        let request = TutorialRequest {
            topic: topics[index % topics.len()].id(),
            key: KEYS[index % KEYS.len()].to_string(),
            level: LEVELS[index % LEVELS.len()],
            instrument: INSTRUMENTS[index % INSTRUMENTS.len()].to_string(),
        };
        let document_started = Instant::now();
        let mut source = resident.source(&home.studio);
        let by_model = home.model.is_some() && plan.asks_the_model(index);
        // Asked afresh, so that every document is decoded rather than served from the cache.
        let writers = if by_model {
            asked_of_model += 1;
            Writers::ModelsAfresh(&mut source)
        } else {
            Writers::TemplateOnly
        };
        let generated = home
            .studio
            .create_tutorial(
                &store,
                &request,
                writers,
                &llm::CancelToken::new(),
                &mut |_| {},
            )
            .with_context(|| {
                format!(
                    "document {} of the soak ({} in {})",
                    index + 1,
                    request.topic,
                    request.key
                )
            })?;
        if generated.provenance.model.is_some() {
            written_by_model += 1;
        }
        let done = index + 1;
        // A model's document takes a while on a CPU: each is announced.
        if by_model {
            eprintln!(
                "soak: document {done}/{documents} by {} in {:.1} s",
                generated
                    .provenance
                    .model
                    .as_deref()
                    .unwrap_or("the template generator (the model's answers were refused)"),
                document_started.elapsed().as_secs_f64()
            );
        }
        if done % SAMPLE_EVERY == 0 || done == documents {
            let rss_bytes = llm::bench::resident_bytes()
                .context("this system does not report the resident memory of a process")?;
            eprintln!(
                "soak: {done}/{documents} documents, resident {:.1} MB",
                rss_bytes as f64 / 1e6
            );
            samples.push(Sample {
                documents: done,
                rss_bytes,
            });
        }
        if let Some(model) = &home.model
            && done % RELOAD_EVERY == 0
        {
            resident.unload(model);
        }
    }
    let (Some(baseline), Some(last)) = (samples.first(), samples.last()) else {
        anyhow::bail!("the soak took no memory sample; it needs at least {SAMPLE_EVERY} documents");
    };
    let growth_ratio = last.rss_bytes as f64 / baseline.rss_bytes as f64;
    let within = growth_ratio <= 1.0 + GROWTH_LIMIT;
    eprintln!(
        "soak: resident {:.1} MB after {} documents, {:.1} MB after {}: ×{growth_ratio:.3}, {}",
        baseline.rss_bytes as f64 / 1e6,
        baseline.documents,
        last.rss_bytes as f64 / 1e6,
        last.documents,
        if within {
            "within 5%"
        } else {
            "MORE than 5% growth"
        }
    );
    Ok(SoakReport {
        writer: home.model.clone().unwrap_or_else(|| "template".into()),
        documents,
        asked_of_model,
        model_every: plan.model_every,
        written_by_model,
        model_loads: resident.loads(),
        seconds: started.elapsed().as_secs_f64(),
        samples,
        growth_ratio,
        within_5_percent: within,
    })
}

/// The soak's own data folder, with the real one's Device setting and, when a model is
/// named, that model alone installed (linked, not copied), so the router picks it.
struct SoakHome {
    studio: Studio,
    /// The catalogue id of the model that writes.
    model: Option<String>,
    /// Deleted when the soak ends.
    _folder: tempfile::TempDir,
}

impl SoakHome {
    fn new(model: Option<&str>) -> anyhow::Result<SoakHome> {
        let real = crate::studio()?;
        let folder = tempfile::Builder::new()
            .prefix("cadence-soak-")
            .tempdir()
            .context("cannot make a data folder for the soak in the temporary folder")?;
        let studio = Studio::new(AppPaths::at(folder.path()), real.catalog().clone());
        let settings = Settings {
            device: real.settings().map(|s| s.device).unwrap_or_default(),
            ..Settings::default()
        };
        studio.save_settings(&settings)?;
        let model = match model {
            Some(named) => {
                let (entry, gguf) = catalogue_model(&real, named)?;
                link(&gguf, &studio.model_file(&entry))?;
                if let Some(tokenizer) = real.tokenizer_json(&entry) {
                    anyhow::ensure!(
                        tokenizer.exists(),
                        "{}'s tokenizer.json is missing ({}); run `cadence models download {}` to fetch it",
                        entry.name,
                        tokenizer.display(),
                        entry.id
                    );
                    link(&tokenizer, &studio.tokenizer_file(&entry.id))?;
                }
                Some(entry.id)
            }
            None => None,
        };
        Ok(SoakHome {
            studio,
            model,
            _folder: folder,
        })
    }
}

/// The catalogue's entry for a model named by id (installed) or by its GGUF file, which
/// the pipeline needs for the model's context, stop tokens and chat template.
fn catalogue_model(studio: &Studio, named: &str) -> anyhow::Result<(LocalModel, PathBuf)> {
    if let Some(entry) = studio.catalog().local_model(named) {
        let file = studio.model_file(entry);
        anyhow::ensure!(
            file.exists(),
            "{} is not downloaded yet ({}); run `cadence models download {}` or pass its GGUF path",
            entry.name,
            file.display(),
            entry.id
        );
        return Ok((entry.clone(), file));
    }
    let path = PathBuf::from(named);
    anyhow::ensure!(
        path.is_file(),
        "`{named}` is neither a model id from `cadence models list` nor a GGUF file"
    );
    let size = std::fs::metadata(&path)?.len();
    let file_name = path.file_name().and_then(|name| name.to_str());
    let entry = studio
        .catalog()
        .local
        .iter()
        .find(|entry| Some(entry.gguf.file.as_str()) == file_name && entry.gguf.size == size)
        .with_context(|| {
            format!(
                "{} is not the GGUF of a model in the catalogue (models.toml names each by file and size); the soak writes through the app's pipeline, which needs the model's entry",
                path.display()
            )
        })?;
    Ok((entry.clone(), path))
}

/// Puts `file` at `at` without copying it where the system allows.
fn link(file: &Path, at: &Path) -> anyhow::Result<()> {
    let folder = at.parent().context("a model file has a folder")?;
    std::fs::create_dir_all(folder)?;
    let file = std::fs::canonicalize(file)?;
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(&file, at);
    #[cfg(not(unix))]
    let linked = std::fs::hard_link(&file, at).or_else(|_| std::fs::copy(&file, at).map(|_| ()));
    linked.with_context(|| format!("cannot put {} in the soak's data folder", file.display()))
}
