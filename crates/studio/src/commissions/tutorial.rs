//! A tutorial on one topic: its commission, and its row in the library.

use std::collections::BTreeMap;

use rusqlite::Transaction;
use serde::Serialize;
use serde_json::json;

use super::{Commission, hold, hold_instrument, prompt_values, requested_key, with_held};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::export::to_json;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::structured::hold_constant;
use crate::content::topic::Topic;
use crate::content::validate::{self, Issue, Severity};
use crate::content::{self, ContentError, Instrument, Level, Tutorial, ValidationReport};
use crate::limits::{InputError, short_field};
use crate::store::{NewTutorial, StoreError, tutorials};

/// What the teacher asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TutorialRequest {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
}

impl TutorialRequest {
    /// The request with its text fields trimmed and bounded; the commission then checks the
    /// music.
    pub fn bounded(&self) -> Result<TutorialRequest, InputError> {
        Ok(TutorialRequest {
            topic: short_field("topic", &self.topic)?,
            key: short_field("key", &self.key)?,
            level: self.level,
            instrument: short_field("instrument", &self.instrument)?,
        })
    }
}

impl Commission for TutorialRequest {
    type Document = Tutorial;

    fn task(&self) -> TaskKind {
        TaskKind::TutorialGeneration
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::Tutorial
    }

    fn noun(&self) -> &'static str {
        "tutorial"
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        let key = requested_key(&self.key)?;
        Ok(prompt_values([
            ("instrument", self.instrument.clone()),
            ("topic", self.topic.clone()),
            ("key", key.to_string()),
            ("level", self.level.to_string()),
        ]))
    }

    fn check(&self, tutorial: &mut Tutorial) -> ValidationReport {
        let mut held = Vec::new();
        if let Ok(key) = requested_key(&self.key) {
            hold(
                &mut tutorial.music.key,
                key.to_string(),
                "music.key",
                &mut held,
            );
        }
        hold(
            &mut tutorial.overview.difficulty,
            self.level,
            "overview.difficulty",
            &mut held,
        );
        hold(
            &mut tutorial.instrument,
            self.instrument.clone(),
            "instrument",
            &mut held,
        );
        hold_instrument(
            &mut tutorial.music,
            &self.instrument,
            "music.instrument",
            &mut held,
        );
        if !same_topic(&tutorial.topic, &self.topic) {
            held.push(Issue {
                path: "topic".into(),
                severity: Severity::Repaired,
                message: format!("`{}` is not the requested {}", tutorial.topic, self.topic),
            });
            tutorial.topic = self.topic.clone();
        }
        // On a topic the engine knows, its own tutorial says what music the topic requires.
        let report = match (Topic::parse(&self.topic), self.template()) {
            (Ok(topic), Ok(required)) => {
                validate::tutorial_on_topic(tutorial, topic, &required.music)
            }
            _ => validate::tutorial(tutorial),
        };
        with_held(held, report)
    }

    /// The engine's tutorial for the request's instrument (the piano's music for one it
    /// writes none for), named as the request names the instrument.
    fn template(&self) -> Result<Tutorial, StudioError> {
        let tutorial = content::template::tutorial_for(
            Instrument::from_request(&self.instrument),
            &self.topic,
            &self.key,
            self.level,
        )?;
        Ok(Tutorial {
            instrument: self.instrument.clone(),
            ..tutorial
        })
    }

    /// On a topic the engine knows, the music is the topic's, as the engine writes it; the
    /// model writes the words around it.
    fn hold_schema(&self, schema: &mut serde_json::Value) -> Result<(), StudioError> {
        let music = match Topic::parse(&self.topic) {
            Ok(_) => serde_json::to_value(self.template()?.music).ok(),
            Err(_) => None,
        };
        let holds = [
            (&["topic"][..], json!(self.topic)),
            (&["instrument"][..], json!(self.instrument)),
            (&["overview", "difficulty"][..], json!(self.level)),
            match music {
                Some(music) => (&["music"][..], music),
                None => (
                    &["music", "key"][..],
                    json!(requested_key(&self.key)?.to_string()),
                ),
            },
        ];
        for (path, value) in holds {
            hold_constant(schema, path, value).map_err(ContentError::from)?;
        }
        Ok(())
    }

    fn store(&self, tx: &Transaction<'_>, tutorial: &Tutorial) -> Result<i64, StoreError> {
        let row = tutorial_row(tutorial).map_err(|error| StoreError::Invalid {
            field: "document",
            reason: error.to_string(),
        })?;
        tutorials::insert(tx, &row)
    }
}

/// Whether two topic names mean the same topic: the same known topic, or the same words.
fn same_topic(a: &str, b: &str) -> bool {
    match (Topic::parse(a), Topic::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// The library row of a tutorial: its searchable columns and the whole document.
pub fn tutorial_row(tutorial: &Tutorial) -> Result<NewTutorial, ContentError> {
    let document: serde_json::Value =
        serde_json::from_str(&to_json(tutorial)).map_err(|error| ContentError::Malformed {
            what: "tutorial",
            message: error.to_string(),
        })?;
    Ok(NewTutorial {
        title: tutorial.title.clone(),
        topic: tutorial.topic.clone(),
        music_key: Some(tutorial.music.key.clone()),
        level: tutorial.overview.difficulty.to_string(),
        instrument: tutorial.instrument.clone(),
        schema_version: tutorial.schema_version,
        document,
    })
}
