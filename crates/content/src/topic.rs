//! What the template generator can teach: the topics, how a user may type them, their
//! titles, and the list a topic picker offers.

use std::str::FromStr;

use serde::Serialize;
use ts_rs::TS;

use super::ContentError;
use cadence_theory::{ProgressionTemplate, ScaleKind, VoicingKind};

/// What the template generator can teach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Progression(ProgressionTemplate),
    Scale(ScaleKind),
    Voicing(VoicingKind),
    /// Voicing types in general: the kind follows the level.
    VoicingTypes,
}

/// Topics as a user may type them, for error messages and help.
pub const KNOWN_TOPICS: &str = "ii-V-I, minor ii-V-i, I-vi-ii-V, iii-vi-ii-V, gospel, \
gospel-1-4-5, gospel-plagal, gospel-walk-up, gospel-2-5-1, gospel-3-6-2-5-1, blues, jazz blues, \
minor blues, backdoor, tadd-dameron, pop-axis, major scale, minor scale, harmonic minor scale, \
melodic minor scale, blues scale, major/minor pentatonic scale, voicing types, shell voicings, \
rootless voicings, drop-2 voicings, close voicings, gospel voicings, upper-structure voicings";

/// The scales offered as topics: those [`KNOWN_TOPICS`] names. [`Topic::parse`] reads any
/// scale.
const SCALE_TOPICS: [ScaleKind; 7] = [
    ScaleKind::Major,
    ScaleKind::NaturalMinor,
    ScaleKind::HarmonicMinor,
    ScaleKind::MelodicMinor,
    ScaleKind::Blues,
    ScaleKind::MajorPentatonic,
    ScaleKind::MinorPentatonic,
];

const TOPIC_COUNT: usize =
    ProgressionTemplate::ALL.len() + SCALE_TOPICS.len() + VoicingKind::ALL.len() + 1;

/// Built from the theory engine's lists, so that a progression or voicing kind added
/// there is offered here too.
static ALL_TOPICS: [Topic; TOPIC_COUNT] = {
    // Every slot is overwritten but the last, which stays `VoicingTypes`.
    let mut all = [Topic::VoicingTypes; TOPIC_COUNT];
    let mut next = 0;
    let mut index = 0;
    while index < ProgressionTemplate::ALL.len() {
        all[next] = Topic::Progression(ProgressionTemplate::ALL[index]);
        next += 1;
        index += 1;
    }
    index = 0;
    while index < SCALE_TOPICS.len() {
        all[next] = Topic::Scale(SCALE_TOPICS[index]);
        next += 1;
        index += 1;
    }
    index = 0;
    while index < VoicingKind::ALL.len() {
        all[next] = Topic::Voicing(VoicingKind::ALL[index]);
        next += 1;
        index += 1;
    }
    all
};

/// Which list a topic belongs to; a theory analysis takes only progressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TopicFamily {
    Progression,
    Scale,
    Voicing,
}

/// One topic as a picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TopicEntry {
    /// What to send back: [`Topic::parse`] reads it as this topic, e.g. "ii-v-i",
    /// "harmonic minor scale", "drop-2 voicings".
    pub id: String,
    /// What to show, e.g. "ii-V-I", "The harmonic minor scale", "Drop-2 voicings".
    pub title: String,
    pub family: TopicFamily,
}

impl Topic {
    pub fn parse(text: &str) -> Result<Topic, ContentError> {
        let wanted = text
            .trim()
            .to_lowercase()
            .replace(['–', '—', '_'], "-")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let unknown = || ContentError::UnknownTopic {
            input: text.to_string(),
            known: KNOWN_TOPICS.to_string(),
        };
        let plain = wanted
            .trim_end_matches(" progressions")
            .trim_end_matches(" progression");
        if let Ok(template) = ProgressionTemplate::from_str(plain) {
            return Ok(Topic::Progression(template));
        }
        let alias = match plain {
            "2-5-1" | "251" | "ii v i" | "ii-v" | "two-five-one" | "two five one" => {
                Some(ProgressionTemplate::TwoFiveOne)
            }
            "minor ii-v-i" | "minor 2-5-1" | "ii-v-i minor" | "minor ii v i" => {
                Some(ProgressionTemplate::MinorTwoFiveOne)
            }
            "1-6-2-5" | "turnaround" => Some(ProgressionTemplate::OneSixTwoFive),
            "3-6-2-5" => Some(ProgressionTemplate::ThreeSixTwoFive),
            "gospel" => Some(ProgressionTemplate::GospelTwoFiveOne),
            "12-bar blues" | "twelve-bar blues" | "twelve bar blues" | "12 bar blues" => {
                Some(ProgressionTemplate::TwelveBarBlues)
            }
            _ => None,
        };
        if let Some(template) = alias {
            return Ok(Topic::Progression(template));
        }
        if let Some(scale) = wanted
            .strip_suffix(" scales")
            .or_else(|| wanted.strip_suffix(" scale"))
        {
            return ScaleKind::from_str(scale)
                .map(Topic::Scale)
                .map_err(|_| unknown());
        }
        if matches!(
            wanted.as_str(),
            "voicings" | "voicing types" | "piano voicings"
        ) {
            return Ok(Topic::VoicingTypes);
        }
        if let Some(kind) = wanted
            .strip_suffix(" voicings")
            .or_else(|| wanted.strip_suffix(" voicing"))
        {
            return VoicingKind::from_str(kind)
                .map(Topic::Voicing)
                .map_err(|_| unknown());
        }
        Err(unknown())
    }

    /// The topic as a title.
    pub fn title(self) -> String {
        match self {
            Topic::Progression(template) => progression_name(template).to_string(),
            Topic::Scale(kind) => format!("The {} scale", kind.name()),
            Topic::Voicing(kind) => format!("{} voicings", capitalised(kind.name())),
            Topic::VoicingTypes => "Voicing types".to_string(),
        }
    }

    /// Every topic the generator teaches, in the order a picker shows them:
    /// progressions, scales, voicing kinds, then voicing types in general.
    pub fn all() -> &'static [Topic] {
        &ALL_TOPICS
    }

    /// The topic as [`Topic::parse`] reads it back.
    pub fn id(self) -> String {
        match self {
            Topic::Progression(template) => template.name().to_string(),
            Topic::Scale(kind) => format!("{} scale", kind.name()),
            Topic::Voicing(kind) => format!("{} voicings", kind.name()),
            Topic::VoicingTypes => "voicing types".to_string(),
        }
    }

    pub fn family(self) -> TopicFamily {
        match self {
            Topic::Progression(_) => TopicFamily::Progression,
            Topic::Scale(_) => TopicFamily::Scale,
            Topic::Voicing(_) | Topic::VoicingTypes => TopicFamily::Voicing,
        }
    }

    /// Every topic with its id, title and family, in the order of [`Topic::all`].
    pub fn entries() -> Vec<TopicEntry> {
        Topic::all()
            .iter()
            .map(|topic| TopicEntry {
                id: topic.id(),
                title: topic.title(),
                family: topic.family(),
            })
            .collect()
    }
}

pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(crate) fn progression_name(template: ProgressionTemplate) -> &'static str {
    match template {
        ProgressionTemplate::TwoFiveOne => "ii-V-I",
        ProgressionTemplate::MinorTwoFiveOne => "minor ii-V-i",
        ProgressionTemplate::OneSixTwoFive => "I-vi-ii-V turnaround",
        ProgressionTemplate::ThreeSixTwoFive => "iii-VI-ii-V turnaround",
        ProgressionTemplate::GospelOneFourFive => "gospel I-IV-V",
        ProgressionTemplate::GospelPlagal => "gospel plagal cadence",
        ProgressionTemplate::GospelWalkUp => "gospel walk-up",
        ProgressionTemplate::GospelTwoFiveOne => "gospel ii-V-I",
        ProgressionTemplate::GospelThreeSixTwoFiveOne => "gospel iii-VI-ii-V-I",
        ProgressionTemplate::TwelveBarBlues => "12-bar blues",
        ProgressionTemplate::JazzBlues => "jazz blues",
        ProgressionTemplate::MinorBlues => "minor blues",
        ProgressionTemplate::TaddDameron => "Tadd Dameron turnaround",
        ProgressionTemplate::Backdoor => "backdoor ii-V",
        ProgressionTemplate::PopAxis => "I-V-vi-IV axis",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::tutorial;
    use crate::types::Level;

    #[test]
    fn unknown_topics_and_keys_are_refused_with_guidance() {
        let error = tutorial("bebop heads", "C", Level::Beginner).unwrap_err();
        assert!(error.to_string().contains("ii-V-I"), "{error}");
        assert!(tutorial("ii-V-I", "H", Level::Beginner).is_err());
        assert!(Topic::parse("zither scale").is_err());
        assert_eq!(
            Topic::parse("2-5-1").unwrap(),
            Topic::Progression(ProgressionTemplate::TwoFiveOne)
        );
        assert_eq!(
            Topic::parse("Gospel progressions").unwrap(),
            Topic::Progression(ProgressionTemplate::GospelTwoFiveOne)
        );
        assert_eq!(
            Topic::parse("drop 2 voicings").unwrap(),
            Topic::Voicing(VoicingKind::Drop2)
        );
    }

    #[test]
    fn every_listed_topic_is_read_back_from_its_id() {
        let all = Topic::all();
        assert_eq!(
            all.len(),
            ProgressionTemplate::ALL.len() + SCALE_TOPICS.len() + VoicingKind::ALL.len() + 1
        );
        assert_eq!(all.last(), Some(&Topic::VoicingTypes));
        for topic in all {
            assert_eq!(Topic::parse(&topic.id()).unwrap(), *topic, "{}", topic.id());
        }
        let entries = Topic::entries();
        assert_eq!(
            entries[0],
            TopicEntry {
                id: "ii-v-i".into(),
                title: "ii-V-I".into(),
                family: TopicFamily::Progression,
            }
        );
        let mut titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), entries.len(), "titles repeat");
    }
}
