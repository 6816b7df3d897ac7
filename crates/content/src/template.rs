//! The template generator: complete tutorials, exercises, assessments and curricula for
//! the common topics, in any key and level, with no model at all.
//!
//! Every musical fact comes from the theory engine: a payload is built from numerals,
//! scale names and rhythm patterns, then [`validate::music`] computes the chords, notes,
//! voicings and ABC, exactly as it does for a model's answer.

use std::str::FromStr;

use super::ContentError;
use super::standards;
use super::types::{
    Activity, Assessment, AssessmentKind, ChordEntry, ChordFunction, CommonMistake, Curriculum,
    CurriculumLesson, CurriculumModule, Exercise, ExerciseKind, ExerciseOutline, FunctionNote,
    LessonPlanDocument, LessonPlanPart, LessonRef, Level, MelodyNote, MusicPayload, NextSteps,
    NumeralStyle, Overview, PlanStep, PracticeGuide, PracticeStep, Question, QuestionSpec, Rhythm,
    RubricRow, SCHEMA_VERSION, ScaleChordRelation, ScaleEntry, SubjectConnection, Substitution,
    TechnologyTool, TheoryAnalysis, TheorySection, Tutorial,
};
use super::validate::{self, ValidationReport};
use cadence_theory::progression::tritone_substitute;
use cadence_theory::{
    Chord, Interval, Key, KeyMode, Note, PitchClass, Progression, ProgressionTemplate,
    RomanNumeral, Scale, ScaleKind, VoicingKind, voicing,
};

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
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn progression_name(template: ProgressionTemplate) -> &'static str {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Jazz,
    Gospel,
    Blues,
}

fn family(template: ProgressionTemplate) -> Family {
    use ProgressionTemplate as P;
    match template {
        P::GospelOneFourFive
        | P::GospelPlagal
        | P::GospelWalkUp
        | P::GospelTwoFiveOne
        | P::GospelThreeSixTwoFiveOne => Family::Gospel,
        P::TwelveBarBlues | P::JazzBlues | P::MinorBlues => Family::Blues,
        _ => Family::Jazz,
    }
}

/// What a level changes: tempo, length, voicings, comping rhythm, scale range.
struct LevelPlan {
    tempo: u32,
    minutes: u32,
    voicings: [VoicingKind; 3],
    gospel_voicings: [VoicingKind; 3],
    study_voicing: VoicingKind,
    comping: &'static [f64],
    scale_octaves: usize,
    beat: f64,
}

fn plan(level: Level) -> LevelPlan {
    use VoicingKind as V;
    match level {
        Level::Beginner => LevelPlan {
            tempo: 60,
            minutes: 30,
            voicings: [V::Shell, V::Close, V::Close],
            gospel_voicings: [V::Close, V::Shell, V::Close],
            study_voicing: V::Close,
            comping: &[2.0, 2.0],
            scale_octaves: 1,
            beat: 1.0,
        },
        Level::Intermediate => LevelPlan {
            tempo: 80,
            minutes: 45,
            voicings: [V::RootlessA, V::Shell, V::Close],
            gospel_voicings: [V::Gospel, V::RootlessA, V::Close],
            study_voicing: V::RootlessB,
            comping: &[1.5, 2.5],
            scale_octaves: 2,
            beat: 0.5,
        },
        Level::Advanced => LevelPlan {
            tempo: 100,
            minutes: 60,
            voicings: [V::Rootless, V::RootlessA, V::Close],
            gospel_voicings: [V::UpperStructure, V::Gospel, V::Close],
            study_voicing: V::Drop2,
            comping: &[0.5, 1.0, 1.0, 1.5],
            scale_octaves: 2,
            beat: 0.5,
        },
    }
}

fn parse_key(key: &str) -> Result<Key, ContentError> {
    Ok(Key::from_str(key)?)
}

/// Fills a payload's computed fields and refuses it if anything is left wrong.
fn complete(mut payload: MusicPayload) -> Result<MusicPayload, ContentError> {
    let mut report = ValidationReport::default();
    validate::music(&mut payload, "music", &mut report);
    if report.is_acceptable() {
        Ok(payload)
    } else {
        Err(ContentError::Invalid {
            what: "template payload",
            report,
        })
    }
}

fn empty_payload(key: &Key) -> MusicPayload {
    MusicPayload {
        key: key.to_string(),
        style: NumeralStyle::Jazz,
        voicing_kind: None,
        chords: Vec::new(),
        scale: None,
        rhythm: None,
        melody: Vec::new(),
    }
}

/// A template's chords in `key` (minor templates in its parallel minor), voiced with
/// the first of `kinds` that fits every chord.
fn progression_payload(
    template: ProgressionTemplate,
    key: &Key,
    kinds: &[VoicingKind],
) -> Result<MusicPayload, ContentError> {
    let progression = Progression::from_template(template, key)?;
    let mut payload = empty_payload(&progression.key);
    payload.chords = progression
        .bars
        .iter()
        .enumerate()
        .flat_map(|(bar, chords)| {
            chords.iter().filter_map(move |chord| {
                chord.numeral.as_ref().map(|numeral| ChordEntry {
                    bar: bar as u32 + 1,
                    numeral: numeral.to_string(),
                    symbol: String::new(),
                    notes: Vec::new(),
                    voicing: None,
                })
            })
        })
        .collect();
    let chords = progression.chords();
    payload.voicing_kind = kinds
        .iter()
        .find(|kind| voicing::voice_progression(&chords, **kind, None).is_ok())
        .map(|kind| kind.name().to_string());
    complete(payload)
}

/// The key a scale is taught in: minor for the minor-sounding scales.
fn scale_key(kind: ScaleKind, key: &Key) -> Key {
    let minor = matches!(
        kind,
        ScaleKind::NaturalMinor
            | ScaleKind::HarmonicMinor
            | ScaleKind::MelodicMinor
            | ScaleKind::MinorPentatonic
            | ScaleKind::Dorian
            | ScaleKind::Phrygian
    );
    let mode = if minor {
        KeyMode::Minor
    } else {
        KeyMode::Major
    };
    Key::new(key.tonic(), mode)
}

/// The chords the scale harmonises (triads on each degree), or the blues changes.
fn scale_numerals(kind: ScaleKind) -> &'static [&'static str] {
    match kind {
        ScaleKind::Major => &["I", "ii", "iii", "IV", "V", "vi", "viio"],
        ScaleKind::NaturalMinor => &["i", "iio", "III", "iv", "v", "VI", "VII"],
        ScaleKind::HarmonicMinor => &["i", "iio", "III+", "iv", "V", "VI", "viio"],
        ScaleKind::MelodicMinor => &["i", "ii", "III+", "IV", "V", "vio", "viio"],
        ScaleKind::MinorPentatonic => &["i7", "iv7", "v7"],
        _ => &["I7", "IV7", "V7"],
    }
}

fn scale_payload(kind: ScaleKind, key: &Key, level: Level) -> Result<MusicPayload, ContentError> {
    let key = scale_key(kind, key);
    let mut payload = empty_payload(&key);
    payload.chords = scale_numerals(kind)
        .iter()
        .enumerate()
        .map(|(index, numeral)| ChordEntry {
            bar: index as u32 + 1,
            numeral: (*numeral).to_string(),
            symbol: String::new(),
            notes: Vec::new(),
            voicing: None,
        })
        .collect();
    payload.voicing_kind = Some(VoicingKind::Close.name().to_string());
    let scale = Scale::new(key.tonic(), kind);
    payload.scale = Some(ScaleEntry {
        tonic: key.tonic().to_string(),
        kind: kind.name().to_string(),
        notes: Vec::new(),
    });
    payload.melody = scale_run(&scale, level);
    complete(payload)
}

/// The lowest note of `pitch` above `previous` (or at octave 4 when there is none).
fn above(pitch: PitchClass, previous: Option<Note>) -> Note {
    let Some(previous) = previous else {
        let start = pitch.at_octave(4);
        return if start.midi() > 66 {
            pitch.at_octave(3)
        } else {
            start
        };
    };
    (previous.octave()..=previous.octave().saturating_add(1))
        .map(|octave| Note::new(pitch, octave))
        .find(|note| note.midi() > previous.midi())
        .unwrap_or_else(|| Note::new(pitch, previous.octave().saturating_add(1)))
}

/// The note of `pitch` nearest `previous` (ties go towards E4), within octaves 3 to 5.
fn nearest(pitch: PitchClass, previous: i32) -> Note {
    (3..=5)
        .map(|octave| Note::new(pitch, octave))
        .min_by_key(|note| ((note.midi() - previous).abs(), (note.midi() - 64).abs()))
        .unwrap_or_else(|| pitch.at_octave(4))
}

/// Up and down the scale over the level's range; advanced students play it in thirds.
fn scale_run(scale: &Scale, level: Level) -> Vec<MelodyNote> {
    let plan = plan(level);
    let pitches = scale.notes();
    let count = pitches.len() * plan.scale_octaves + 1;
    let mut ascending: Vec<Note> = Vec::with_capacity(count);
    for index in 0..count {
        let pitch = pitches[index % pitches.len()];
        let note = above(pitch, ascending.last().copied());
        ascending.push(note);
    }
    let path: Vec<Note> = if level == Level::Advanced {
        // Diatonic thirds: 1-3, 2-4, 3-5 … up, then the same down.
        let up: Vec<Note> = (0..ascending.len().saturating_sub(2))
            .flat_map(|i| [ascending[i], ascending[i + 2]])
            .collect();
        let down: Vec<Note> = (2..ascending.len())
            .rev()
            .flat_map(|i| [ascending[i], ascending[i - 2]])
            .collect();
        up.into_iter().chain(down).collect()
    } else {
        let down = ascending.iter().rev().skip(1).copied();
        ascending.clone().into_iter().chain(down).collect()
    };
    path.into_iter()
        .map(|note| MelodyNote {
            note: note.to_string(),
            beats: plan.beat,
        })
        .collect()
}

/// A guide-tone line: each chord's third then its seventh (fifth for triads),
/// each placed nearest the note before.
fn guide_tones(payload: &MusicPayload) -> Vec<MelodyNote> {
    let mut line = Vec::new();
    let mut previous = 64;
    for entry in &payload.chords {
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        let in_bar = payload.chords.iter().filter(|c| c.bar == entry.bar).count();
        let beats = 4.0 / in_bar.max(1) as f64 / 2.0;
        let tones = chord.tones();
        let degree = |steps: i8| {
            tones
                .iter()
                .find(|(interval, _)| interval.steps() == steps)
                .map(|(_, p)| *p)
        };
        let third = degree(2).unwrap_or(chord.root());
        let upper = degree(6).or_else(|| degree(4)).unwrap_or(chord.root());
        for pitch in [third, upper] {
            let note = nearest(pitch, previous);
            previous = note.midi();
            line.push(MelodyNote {
                note: note.to_string(),
                beats,
            });
        }
    }
    line
}

fn comping_rhythm(level: Level) -> Rhythm {
    Rhythm {
        meter: "4/4".to_string(),
        pattern: plan(level).comping.to_vec(),
        abc: String::new(),
    }
}

/// `ii7 = Fm7 (F Ab C Eb)` for each distinct numeral of the payload.
fn chord_facts(payload: &MusicPayload) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    payload
        .chords
        .iter()
        .filter(|entry| {
            let new = !seen.contains(&entry.numeral.as_str());
            seen.push(&entry.numeral);
            new
        })
        .map(|entry| {
            format!(
                "{} in {} is {} ({})",
                entry.numeral,
                payload.key,
                entry.symbol,
                entry.notes.join(" ")
            )
        })
        .collect()
}

fn chart(payload: &MusicPayload) -> String {
    let bars = payload.chords.last().map_or(0, |c| c.bar);
    let cells: Vec<String> = (1..=bars)
        .map(|bar| {
            payload
                .chords
                .iter()
                .filter(|c| c.bar == bar)
                .map(|c| c.symbol.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!("| {} |", cells.join(" | "))
}

fn voicing_examples(payload: &MusicPayload, count: usize) -> Vec<String> {
    let kind = payload.voicing_kind.as_deref().unwrap_or("close");
    let mut seen: Vec<&str> = Vec::new();
    payload
        .chords
        .iter()
        .filter(|entry| {
            let new = !seen.contains(&entry.symbol.as_str());
            seen.push(&entry.symbol);
            new
        })
        .filter_map(|entry| {
            entry.voicing.as_ref().map(|voicing| {
                format!(
                    "{} as a {kind} voicing: {}",
                    entry.symbol,
                    voicing.notes.join(" ")
                )
            })
        })
        .take(count)
        .collect()
}

fn step(number: u32, title: &str, instruction: String, success: String) -> PracticeStep {
    PracticeStep {
        step: number,
        title: title.to_string(),
        instruction,
        success_criteria: success,
    }
}

fn mistake(mistake: &str, fix: &str) -> CommonMistake {
    CommonMistake {
        mistake: mistake.to_string(),
        fix: fix.to_string(),
    }
}

/// A complete tutorial on `topic` in `key` for `level`, computed without a model.
pub fn tutorial(topic: &str, key: &str, level: Level) -> Result<Tutorial, ContentError> {
    let topic = Topic::parse(topic)?;
    let key = parse_key(key)?;
    let plan = plan(level);
    match topic {
        Topic::Progression(template) => progression_tutorial(template, &key, level, &plan),
        Topic::Scale(kind) => scale_tutorial(kind, &key, level, &plan),
        Topic::Voicing(kind) => voicing_tutorial(kind, &key, level, &plan),
        Topic::VoicingTypes => voicing_tutorial(plan.voicings[0], &key, level, &plan),
    }
}

fn voicings_for(template: ProgressionTemplate, plan: &LevelPlan) -> [VoicingKind; 3] {
    if family(template) == Family::Gospel {
        plan.gospel_voicings
    } else {
        plan.voicings
    }
}

fn progression_tutorial(
    template: ProgressionTemplate,
    key: &Key,
    level: Level,
    plan: &LevelPlan,
) -> Result<Tutorial, ContentError> {
    let mut music = progression_payload(template, key, &voicings_for(template, plan))?;
    music.rhythm = Some(comping_rhythm(level));
    let music = complete(music)?;
    let name = progression_name(template);
    let kind = music.voicing_kind.clone().unwrap_or_else(|| "close".into());
    let numerals: Vec<&str> = music.chords.iter().map(|c| c.numeral.as_str()).collect();
    let numerals = numerals.join(" ");
    let (summary, points, mistakes, next) = match family(template) {
        Family::Jazz => (
            format!(
                "The {name} is built from roman numerals ({numerals}), so it sounds the same in every key. \
                 In {} it reads {}. Where roots move by a fourth or fifth, the \
                 thirds and sevenths (the guide tones) move by a half step or stay, and that is what \
                 makes the progression pull towards its goal chord.",
                music.key,
                chart(&music)
            ),
            vec![
                "The guide tones (3rd and 7th) define each chord's quality; play them first."
                    .to_string(),
                "The 7th of each chord falls by a half step to the 3rd of the next.".to_string(),
                format!(
                    "{} voicings keep the hands close and the voice leading smooth.",
                    capitalised(&kind)
                ),
            ],
            vec![
                mistake(
                    "Jumping the whole hand to each root position chord",
                    "Keep common tones and move the other voices by the smallest step",
                ),
                mistake(
                    "Playing the dominant without its tritone",
                    "Check that V7 contains both its 3rd and 7th",
                ),
                mistake(
                    "Rushing the resolution",
                    "Count the full bar on the goal chord before moving on",
                ),
            ],
            vec![
                "minor ii-V-i".to_string(),
                "rootless voicings".to_string(),
                "I-vi-ii-V".to_string(),
            ],
        ),
        Family::Gospel => (
            format!(
                "The {name} ({numerals}) is a cornerstone of church and gospel piano. In {} it reads {}. \
                 Gospel players colour the chords with 9ths and 13ths, voice them full in both hands, \
                 and lead the inner voices stepwise so the harmony sings like a choir.",
                music.key,
                chart(&music)
            ),
            vec![
                "Extensions (9, 11, 13) add colour; the 3rd and 7th still carry the function."
                    .to_string(),
                "Move inner voices by step, like choir parts.".to_string(),
                format!(
                    "{} voicings give the full gospel sound in this key.",
                    capitalised(&kind)
                ),
            ],
            vec![
                mistake(
                    "Letting the bass and the left hand double the same notes",
                    "Keep the left hand on roots and fifths and give colour tones to the right hand",
                ),
                mistake(
                    "Playing every chord at the same volume",
                    "Lean into the dominant and relax into the resolution",
                ),
                mistake(
                    "Stiff, on-the-beat changes",
                    "Anticipate the change by an eighth note once the chords are secure",
                ),
            ],
            vec![
                "gospel-3-6-2-5-1".to_string(),
                "gospel-walk-up".to_string(),
                "gospel voicings".to_string(),
            ],
        ),
        Family::Blues => (
            format!(
                "The {name} ({numerals}) is the form behind countless songs. In {} it reads {}. Its \
                 chords are dominant sevenths even on the tonic, which gives the blues its earthy \
                 sound, and the form repeats every twelve bars.",
                music.key,
                chart(&music)
            ),
            vec![
                "Every chord of the basic blues is a dominant seventh.".to_string(),
                "The form has three four-bar phrases: statement, answer, turnaround.".to_string(),
                "The blues scale fits over the whole form.".to_string(),
            ],
            vec![
                mistake(
                    "Losing the place in the twelve bars",
                    "Count the bars aloud and mark the change to IV in bar 5",
                ),
                mistake(
                    "Playing major sevenths on the tonic",
                    "Use the dominant seventh: the flat 7 is the blues sound",
                ),
                mistake(
                    "Comping with no rhythm",
                    "Use the comping pattern below and keep it steady",
                ),
            ],
            vec![
                "jazz blues".to_string(),
                "blues scale".to_string(),
                "minor blues".to_string(),
            ],
        ),
    };
    let mut key_points = points;
    key_points.extend(chord_facts(&music));
    let mut examples = vec![format!("The {name} in {}: {}", music.key, chart(&music))];
    examples.extend(voicing_examples(&music, 3));
    if level == Level::Advanced
        && let Some(dominant) = music
            .chords
            .iter()
            .filter_map(|c| Chord::from_str(&c.symbol).ok())
            .find(|c| cadence_theory::progression::tritone_substitute(c).is_some())
        && let Some(substitute) = cadence_theory::progression::tritone_substitute(&dominant)
    {
        examples.push(format!(
            "Tritone substitution: {substitute} can replace {dominant}; they share the same tritone."
        ));
    }
    let tempo = plan.tempo;
    let steps = vec![
        step(1, "Learn the chords", format!("Play each chord of the {name} in {} as a block chord, saying its numeral aloud: {}.", music.key, chart(&music)), "You can name and play every chord without pausing.".to_string()),
        step(2, "Play the guide tones", "Play only the 3rd and 7th of each chord with the left hand, moving each to the nearest note of the next chord.".to_string(), "The guide tones move by a half step or stay put at every change.".to_string()),
        step(3, "Add the voicings", format!("Play the {kind} voicings written below, one chord per bar, with the root in the left hand where the voicing has none."), format!("You play the progression twice through at {} bpm without a wrong note.", tempo / 2)),
        step(4, "Comp in time", format!("Play the voicings with the comping rhythm, with a metronome at {tempo} bpm."), format!("Three clean choruses in a row at {tempo} bpm.")),
        step(5, "Transpose", if level == Level::Beginner { "Play the progression in one more key, a fourth higher.".to_string() } else { "Play the progression around the cycle of fourths in all twelve keys.".to_string() }, "The new keys sound as smooth as the first.".to_string()),
    ];
    Ok(Tutorial {
        schema_version: SCHEMA_VERSION,
        title: format!("The {name} in {}", music.key),
        topic: Topic::Progression(template).title(),
        instrument: "piano".to_string(),
        overview: Overview {
            what_you_will_learn: vec![
                format!("The chords of the {name} in {}", music.key),
                format!("{} voicings with smooth voice leading", capitalised(&kind)),
                "Guide tones and how they resolve".to_string(),
                "Comping the progression in time".to_string(),
            ],
            duration_minutes: plan.minutes,
            difficulty: level,
        },
        theory: TheorySection {
            summary,
            key_points,
            examples,
        },
        practice_guide: PracticeGuide { steps },
        common_mistakes: mistakes,
        next_steps: NextSteps {
            topics: next,
            advice: format!(
                "When the {name} is comfortable at {tempo} bpm in three keys, move on."
            ),
        },
        music,
        standards: Vec::new(),
    })
}

fn scale_tutorial(
    kind: ScaleKind,
    key: &Key,
    level: Level,
    plan: &LevelPlan,
) -> Result<Tutorial, ContentError> {
    let music = scale_payload(kind, key, level)?;
    let scale = music.scale.clone().unwrap_or(ScaleEntry {
        tonic: key.tonic().to_string(),
        kind: kind.name().to_string(),
        notes: Vec::new(),
    });
    let scale_name = format!("{} {}", scale.tonic, scale.kind);
    let spelled = scale.notes.join(" ");
    let formula: Vec<String> = kind.intervals().iter().map(|i| i.degree_label()).collect();
    let signature = Key::from_str(&music.key)
        .map(|k| k.signature().to_string())
        .unwrap_or_default();
    let range = if plan.scale_octaves == 1 {
        "one octave"
    } else {
        "two octaves"
    };
    let mut key_points = vec![
        format!("Formula: {}", formula.join(" ")),
        format!("{scale_name}: {spelled}"),
        format!("Key signature of {}: {signature}", music.key),
        "Each letter name appears once per octave; spell with sharps or flats, never both."
            .to_string(),
    ];
    key_points.extend(chord_facts(&music));
    let tempo = plan.tempo;
    Ok(Tutorial {
        schema_version: SCHEMA_VERSION,
        title: format!("The {scale_name} scale"),
        topic: Topic::Scale(kind).title(),
        instrument: "piano".to_string(),
        overview: Overview {
            what_you_will_learn: vec![
                format!("The notes and formula of the {scale_name} scale"),
                format!("Playing it over {range} with a steady fingering"),
                "The chords the scale builds on each degree".to_string(),
            ],
            duration_minutes: plan.minutes,
            difficulty: level,
        },
        theory: TheorySection {
            summary: format!(
                "The {} scale is a pattern of intervals ({}) that can start on any note. \
                 Starting on {}, it is spelled {spelled}. Stacking thirds from its notes gives the \
                 chords of the key: {}.",
                kind.name(),
                formula.join(" "),
                scale.tonic,
                chart(&music)
            ),
            key_points,
            examples: vec![
                format!("{scale_name} ascending: {spelled} {}", scale.tonic),
                format!("Chords built on the scale in {}: {}", music.key, chart(&music)),
            ],
        },
        practice_guide: PracticeGuide {
            steps: vec![
                step(1, "Say the notes", format!("Say the notes of {scale_name} aloud, then play them slowly with one hand: {spelled}."), "You can spell the scale without looking.".to_string()),
                step(2, "Fingering", "Play with the right hand, thumb tucking under after the third or fourth finger; then the left hand.".to_string(), "No pauses at the thumb crossings.".to_string()),
                step(3, "Over the range", format!("Play the scale pattern written below over {range}, up and down, at {} bpm.", tempo / 2), "Even tone and time, both hands separately.".to_string()),
                step(4, "Up to tempo", format!("Raise the metronome to {tempo} bpm and play hands together."), format!("Three clean runs in a row at {tempo} bpm.")),
            ],
        },
        common_mistakes: vec![
            mistake("Mixing sharps and flats in the spelling", "Use each letter once and follow the key signature"),
            mistake("Uneven thumb crossings", "Practise the crossing alone, slowly, until it is silent"),
            mistake("Speeding up on the way down", "Keep the metronome on and count subdivisions"),
        ],
        next_steps: NextSteps {
            topics: vec!["ii-V-I".to_string(), "harmonic minor scale".to_string(), "blues scale".to_string()],
            advice: "Learn the scale in the keys a fifth above and below next.".to_string(),
        },
        music,
        standards: Vec::new(),
    })
}

fn voicing_tutorial(
    kind: VoicingKind,
    key: &Key,
    level: Level,
    plan: &LevelPlan,
) -> Result<Tutorial, ContentError> {
    let template = if kind == VoicingKind::Gospel || kind == VoicingKind::UpperStructure {
        ProgressionTemplate::GospelTwoFiveOne
    } else {
        ProgressionTemplate::TwoFiveOne
    };
    let music = progression_payload(template, key, &[kind, VoicingKind::Close])?;
    let used = music.voicing_kind.clone().unwrap_or_else(|| "close".into());
    let what = match kind {
        VoicingKind::Close => "all the chord tones stacked within an octave",
        VoicingKind::Drop2 => "a close voicing with its second note from the top dropped an octave",
        VoicingKind::Drop3 => "a close voicing with its third note from the top dropped an octave",
        VoicingKind::Shell | VoicingKind::ShellB => "just the root, third and seventh",
        VoicingKind::RootlessA | VoicingKind::RootlessB | VoicingKind::Rootless => {
            "the third, seventh and colour tones, leaving the root to the bass"
        }
        VoicingKind::Gospel => "a full two-handed sound with colour tones on top",
        VoicingKind::UpperStructure => "a triad from the upper extensions over the guide tones",
    };
    let mut key_points = vec![
        format!("A {} voicing uses {what}.", kind.name()),
        "Choose each voicing so the next chord is reached with the least movement.".to_string(),
    ];
    key_points.extend(voicing_examples(&music, 4));
    let tempo = plan.tempo;
    Ok(Tutorial {
        schema_version: SCHEMA_VERSION,
        title: format!("{} voicings in {}", capitalised(kind.name()), music.key),
        topic: Topic::Voicing(kind).title(),
        instrument: "piano".to_string(),
        overview: Overview {
            what_you_will_learn: vec![
                format!("How {} voicings are built", kind.name()),
                format!(
                    "Voicing the {} in {}",
                    progression_name(template),
                    music.key
                ),
                "Smooth voice leading from chord to chord".to_string(),
            ],
            duration_minutes: plan.minutes,
            difficulty: level,
        },
        theory: TheorySection {
            summary: format!(
                "A voicing is the choice and order of a chord's notes on the keyboard. A {} \
                 voicing uses {what}. Applied to the {} in {} ({}), the voicings below move by \
                 the smallest possible steps.",
                kind.name(),
                progression_name(template),
                music.key,
                chart(&music)
            ),
            key_points,
            examples: voicing_examples(&music, 5),
        },
        practice_guide: PracticeGuide {
            steps: vec![
                step(
                    1,
                    "Build one voicing",
                    format!("Build the {used} voicing of the first chord from its chord tones."),
                    "You can explain which chord tones are in the voicing and why.".to_string(),
                ),
                step(
                    2,
                    "Connect the chords",
                    "Play the written voicings in order, holding common tones.".to_string(),
                    "No voice jumps more than a third.".to_string(),
                ),
                step(
                    3,
                    "In time",
                    format!("Play the progression one chord per bar at {tempo} bpm."),
                    "Two clean passes without stopping.".to_string(),
                ),
                step(
                    4,
                    "New keys",
                    "Rebuild the voicings a whole step lower, then keep descending.".to_string(),
                    "You find each new voicing within a beat.".to_string(),
                ),
            ],
        },
        common_mistakes: vec![
            mistake(
                "Voicing every chord in root position",
                "Start each chord from the nearest inversion of the shape",
            ),
            mistake(
                "Leaving out the third or seventh",
                "Check the guide tones are in every voicing",
            ),
            mistake(
                "Playing too low, where chords turn muddy",
                "Keep the lowest voicing note above the C below middle C",
            ),
        ],
        next_steps: NextSteps {
            topics: vec![
                "drop-2 voicings".to_string(),
                "rootless voicings".to_string(),
                "gospel voicings".to_string(),
            ],
            advice: "Use the voicings to comp along with a recording of a standard.".to_string(),
        },
        music,
        standards: Vec::new(),
    })
}

fn exercise(
    title: String,
    kind: ExerciseKind,
    level: Level,
    instructions: String,
    music: MusicPayload,
) -> Exercise {
    let tempo = plan(level).tempo;
    Exercise {
        schema_version: SCHEMA_VERSION,
        title,
        kind,
        difficulty: level,
        instructions,
        tempo_bpm: tempo,
        music,
        success_criteria: vec![
            format!("Plays it through twice at {tempo} bpm with no wrong notes"),
            "Keeps a steady pulse with the metronome".to_string(),
        ],
    }
}

/// Exercises for a topic: each kind that suits it, with its music computed.
pub fn exercises(topic: &str, key: &str, level: Level) -> Result<Vec<Exercise>, ContentError> {
    let topic = Topic::parse(topic)?;
    let key = parse_key(key)?;
    let plan = plan(level);
    let mut list = Vec::new();
    match topic {
        Topic::Progression(template) => {
            let name = progression_name(template);
            let voiced = progression_payload(template, &key, &voicings_for(template, &plan))?;
            let kind = voiced
                .voicing_kind
                .clone()
                .unwrap_or_else(|| "close".into());
            let music_key = voiced.key.clone();
            list.push(exercise(
                format!("{name} in {music_key}: {kind} voicings"),
                ExerciseKind::Progression,
                level,
                "Play the voicings as written, one chord per bar, roots in the left hand.".into(),
                voiced.clone(),
            ));
            let study =
                progression_payload(template, &key, &[plan.study_voicing, VoicingKind::Close])?;
            let study_kind = study.voicing_kind.clone().unwrap_or_else(|| "close".into());
            list.push(exercise(
                format!("{name} in {music_key}: {study_kind} voicing study"),
                ExerciseKind::VoicingStudy,
                level,
                format!("Compare these {study_kind} voicings with the {kind} ones; play both versions back to back."),
                study,
            ));
            let mut lick = progression_payload(template, &key, &[])?;
            lick.melody = guide_tones(&lick);
            list.push(exercise(
                format!("{name} in {music_key}: guide-tone line"),
                ExerciseKind::Lick,
                level,
                "Play the line (thirds and sevenths of each chord) with the right hand over roots in the left.".into(),
                complete(lick)?,
            ));
            let mut rhythm = voiced;
            rhythm.rhythm = Some(comping_rhythm(level));
            list.push(exercise(
                format!("{name} in {music_key}: comping rhythm"),
                ExerciseKind::Rhythm,
                level,
                "Comp the voicings with this rhythm in every bar; clap it first.".into(),
                complete(rhythm)?,
            ));
            if family(template) == Family::Blues {
                let blues = scale_payload(ScaleKind::Blues, &key, level)?;
                list.push(exercise(
                    format!("{} blues scale pattern", key.tonic()),
                    ExerciseKind::ScalePattern,
                    level,
                    "Play the blues scale up and down; then improvise with it over the form."
                        .into(),
                    blues,
                ));
            }
        }
        Topic::Scale(kind) => {
            let music = scale_payload(kind, &key, level)?;
            let scale_name = music
                .scale
                .as_ref()
                .map(|s| format!("{} {}", s.tonic, s.kind))
                .unwrap_or_default();
            list.push(exercise(
                format!("{scale_name} scale pattern"),
                ExerciseKind::ScalePattern,
                level,
                "Play the pattern as written, hands separately, then together.".into(),
                music.clone(),
            ));
            let mut chords = music;
            chords.melody.clear();
            list.push(exercise(
                format!("Chords of the {scale_name} scale"),
                ExerciseKind::Progression,
                level,
                "Play the chord on each degree, saying its numeral.".into(),
                chords,
            ));
        }
        Topic::Voicing(_) | Topic::VoicingTypes => {
            let kind = match topic {
                Topic::Voicing(kind) => kind,
                _ => plan.voicings[0],
            };
            for template in [
                ProgressionTemplate::TwoFiveOne,
                ProgressionTemplate::OneSixTwoFive,
            ] {
                let music = progression_payload(template, &key, &[kind, VoicingKind::Close])?;
                let used = music.voicing_kind.clone().unwrap_or_else(|| "close".into());
                list.push(exercise(
                    format!(
                        "{} in {}: {used} voicings",
                        progression_name(template),
                        music.key
                    ),
                    ExerciseKind::VoicingStudy,
                    level,
                    "Play the voicings as written; then find them again without looking.".into(),
                    music,
                ));
            }
        }
    }
    Ok(list)
}

/// `count` distinct wrong chords of the same quality, for multiple choice.
fn distractors(chord: &Chord) -> Vec<String> {
    [
        Interval::MAJOR_SECOND,
        Interval::PERFECT_FOURTH,
        Interval::PERFECT_FIFTH,
        Interval::MINOR_THIRD,
    ]
    .into_iter()
    .map(|interval| chord.transpose(interval).to_string())
    .filter(|symbol| *symbol != chord.to_string())
    .take(3)
    .collect()
}

/// An assessment on `topic` whose answer keys the engine computes.
pub fn assessment(
    topic: &str,
    key: &str,
    level: Level,
    kind: AssessmentKind,
) -> Result<Assessment, ContentError> {
    let tutorial = tutorial(topic, key, level)?;
    let music = &tutorial.music;
    let chord_count = match level {
        Level::Beginner => 3,
        Level::Intermediate => 4,
        Level::Advanced => 6,
    };
    let mut specs: Vec<(String, QuestionSpec, Vec<String>, u32)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for entry in &music.chords {
        if seen.contains(&entry.numeral.as_str()) || seen.len() >= chord_count {
            continue;
        }
        seen.push(&entry.numeral);
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        let mut choices = distractors(&chord);
        choices.push(chord.to_string());
        choices.sort();
        specs.push((
            format!("Which chord is {} in {}?", entry.numeral, music.key),
            QuestionSpec::ChordForNumeral {
                key: music.key.clone(),
                numeral: entry.numeral.clone(),
                style: music.style,
            },
            choices,
            1,
        ));
        specs.push((
            format!("Which notes make up {}?", entry.symbol),
            QuestionSpec::ChordNotes {
                symbol: entry.symbol.clone(),
            },
            Vec::new(),
            2,
        ));
        if level != Level::Beginner {
            specs.push((
                format!(
                    "What is {} in {}, as a roman numeral?",
                    entry.symbol, music.key
                ),
                QuestionSpec::NumeralForChord {
                    key: music.key.clone(),
                    symbol: entry.symbol.clone(),
                    style: music.style,
                },
                Vec::new(),
                2,
            ));
        }
    }
    let (tonic, scale) = match &music.scale {
        Some(scale) => (scale.tonic.clone(), scale.kind.clone()),
        None => {
            let key = Key::from_str(&music.key)?;
            let scale = if key.is_minor() {
                "natural minor"
            } else {
                "major"
            };
            (key.tonic().to_string(), scale.to_string())
        }
    };
    specs.push((
        format!("Spell the {tonic} {scale} scale."),
        QuestionSpec::ScaleNotes { tonic, scale },
        Vec::new(),
        2,
    ));
    specs.push((
        format!("What is the key signature of {}?", music.key),
        QuestionSpec::KeySignature {
            key: music.key.clone(),
        },
        Vec::new(),
        1,
    ));
    let questions = specs
        .into_iter()
        .enumerate()
        .map(|(index, (prompt, spec, choices, points))| {
            let answer = validate::answer_key(&spec)?;
            Ok(Question {
                number: index as u32 + 1,
                prompt,
                spec,
                choices,
                answer,
                points,
            })
        })
        .collect::<Result<Vec<_>, ContentError>>()?;
    let kind_name = match kind {
        AssessmentKind::Diagnostic => "Diagnostic",
        AssessmentKind::Milestone => "Milestone",
        AssessmentKind::Module => "Module",
        AssessmentKind::Final => "Final",
    };
    Ok(Assessment {
        schema_version: SCHEMA_VERSION,
        title: format!("{kind_name} check: {}", tutorial.title),
        kind,
        level,
        topic: tutorial.topic,
        questions,
    })
}

/// The topics a curriculum of this level walks through, one per week.
fn curriculum_topics(level: Level) -> [&'static str; 4] {
    match level {
        Level::Beginner => ["major scale", "ii-V-I", "gospel-1-4-5", "blues"],
        Level::Intermediate => ["ii-V-I", "rootless voicings", "gospel-2-5-1", "jazz blues"],
        Level::Advanced => [
            "minor ii-V-i",
            "drop-2 voicings",
            "gospel-3-6-2-5-1",
            "jazz blues",
        ],
    }
}

/// A curriculum of `weeks` weeks (one lesson a week, two weeks a module), moving up a
/// fourth each week from `key`, with each lesson's exercises outlined.
pub fn curriculum(key: &str, level: Level, weeks: u32) -> Result<Curriculum, ContentError> {
    let start = parse_key(key)?;
    let weeks = weeks.clamp(1, 104);
    let topics = curriculum_topics(level);
    let mut modules: Vec<CurriculumModule> = Vec::new();
    let mut lesson_key = start;
    for week in 1..=weeks {
        let topic = topics[(week as usize - 1) % topics.len()];
        let tutorial = tutorial(topic, &lesson_key.to_string(), level)?;
        let exercises = exercises(topic, &lesson_key.to_string(), level)?
            .into_iter()
            .map(|e| ExerciseOutline {
                kind: e.kind,
                title: e.title,
            })
            .collect();
        let module_index = (week as usize - 1) / 2;
        if modules.len() <= module_index {
            modules.push(CurriculumModule {
                title: format!("Weeks {}-{}", week, (week + 1).min(weeks)),
                week_start: week,
                week_end: (week + 1).min(weeks),
                lessons: Vec::new(),
            });
        }
        let previous = (week > 1).then(|| {
            let index = week as usize - 2;
            LessonRef {
                module: (index / 2) as u32,
                lesson: (index % 2) as u32,
            }
        });
        if let Some(module) = modules.get_mut(module_index) {
            module.lessons.push(CurriculumLesson {
                title: tutorial.title.clone(),
                topic: topic.to_string(),
                key: lesson_key.to_string(),
                concepts: tutorial.overview.what_you_will_learn.clone(),
                difficulty: level,
                duration_minutes: tutorial.overview.duration_minutes,
                prerequisites: previous.into_iter().collect(),
                exercises,
            });
        }
        lesson_key = lesson_key
            .transpose(Interval::PERFECT_FOURTH)
            .simplest_spelling();
    }
    for module in &mut modules {
        let topics: Vec<String> = module.lessons.iter().map(|l| l.topic.clone()).collect();
        module.title = format!("{}: {}", module.title, topics.join(" and "));
    }
    Ok(Curriculum {
        schema_version: SCHEMA_VERSION,
        title: format!(
            "{} piano, {weeks} weeks from {start}",
            capitalised(level.as_str())
        ),
        instrument: "piano".to_string(),
        level,
        duration_weeks: weeks,
        description: format!(
            "One lesson a week: {}. Each lesson moves up a fourth, so every topic is met in a new key.",
            topics.join(", ")
        ),
        modules,
    })
}

fn function_explanation(function: ChordFunction, symbol: &str, key: &Key) -> String {
    match function {
        ChordFunction::Diatonic => format!("{symbol} is built only from notes of {key}."),
        ChordFunction::Applied => {
            format!(
                "{symbol} is an applied chord: it acts as the dominant of the chord it leads to."
            )
        }
        ChordFunction::Borrowed => format!("{symbol} is borrowed from {}.", key.parallel()),
        ChordFunction::Neapolitan => {
            format!("{symbol} is the Neapolitan chord, built on the lowered second degree.")
        }
        ChordFunction::Chromatic => {
            format!("{symbol} brings in notes from outside {key} for colour and tension.")
        }
    }
}

/// Scales on the chord's root that contain every chord tone (at most three).
fn scales_for(chord: &Chord) -> Vec<String> {
    let notes = chord.notes();
    ScaleKind::ALL
        .into_iter()
        .map(|kind| Scale::new(chord.root(), kind))
        .filter(|scale| notes.iter().all(|p| scale.contains(*p)))
        .take(3)
        .map(|scale| scale.to_string())
        .collect()
}

/// A harmonic analysis of a progression topic: functions, scale choices, voice leading
/// and tritone substitutions, all computed.
pub fn theory_analysis(
    topic: &str,
    key: &str,
    level: Level,
) -> Result<TheoryAnalysis, ContentError> {
    let parsed = Topic::parse(topic)?;
    let Topic::Progression(template) = parsed else {
        return Err(ContentError::UnknownTopic {
            input: topic.to_string(),
            known: "a progression, e.g. ii-V-I, gospel-2-5-1, blues".to_string(),
        });
    };
    let key = parse_key(key)?;
    let music = progression_payload(template, &key, &voicings_for(template, &plan(level)))?;
    let music_key = Key::from_str(&music.key)?;
    let style = music.style.theory();
    let mut functions = Vec::new();
    let mut scale_chord: Vec<ScaleChordRelation> = Vec::new();
    let mut substitutions = Vec::new();
    for entry in &music.chords {
        let Ok(chord) = Chord::from_str(&entry.symbol) else {
            continue;
        };
        if let Ok(reading) = RomanNumeral::for_chord(&chord, &music_key, style) {
            let function = ChordFunction::from(reading.function);
            functions.push(FunctionNote {
                bar: entry.bar,
                numeral: entry.numeral.clone(),
                function,
                explanation: function_explanation(function, &entry.symbol, &music_key),
            });
        }
        if !scale_chord.iter().any(|r| r.symbol == entry.symbol) {
            scale_chord.push(ScaleChordRelation {
                symbol: entry.symbol.clone(),
                scales: scales_for(&chord),
            });
            if let Some(substitute) = tritone_substitute(&chord) {
                substitutions.push(Substitution {
                    bar: entry.bar,
                    original: chord.to_string(),
                    substitute: substitute.to_string(),
                    explanation: format!(
                        "{substitute} shares the tritone of {chord} and resolves down by a half step."
                    ),
                });
            }
        }
    }
    let voice_leading = music
        .chords
        .windows(2)
        .filter_map(|pair| {
            let from = pair[0].voicing.as_ref()?;
            let to = pair[1].voicing.as_ref()?;
            let from_notes: Vec<Note> = from.notes.iter().filter_map(|n| n.parse().ok()).collect();
            let to_notes: Vec<Note> = to.notes.iter().filter_map(|n| n.parse().ok()).collect();
            let common: Vec<String> = from_notes
                .iter()
                .filter(|n| to_notes.contains(n))
                .map(|n| n.to_string())
                .collect();
            let held = if common.is_empty() {
                "no common tones".to_string()
            } else {
                format!("holding {}", common.join(" "))
            };
            Some(format!(
                "{} to {}: the voices move {} semitones in all, {held}.",
                pair[0].symbol,
                pair[1].symbol,
                voicing::motion(&from_notes, &to_notes)
            ))
        })
        .collect();
    let name = progression_name(template);
    Ok(TheoryAnalysis {
        schema_version: SCHEMA_VERSION,
        title: format!("Analysis: the {name} in {}", music.key),
        summary: format!(
            "The {name} in {}: {}. Each chord's function, the scales that fit it, how the \
             voicings connect and where a tritone substitution can go.",
            music.key,
            chart(&music)
        ),
        music,
        functions,
        scale_chord,
        voice_leading,
        substitutions,
    })
}

/// The lesson-plan parts, as named in documents and on the command line.
pub const LESSON_PLAN_PARTS: [&str; 9] = [
    "lesson_plan",
    "activities",
    "assessment_strategies",
    "differentiation",
    "cross_curricular_connections",
    "reflection_questions",
    "parent_communication",
    "technology_integration",
    "culturally_responsive_teaching",
];

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// A lesson-plan part on `topic` for an NCAS `grade`, citing that grade's standards for
/// creating, performing and responding.
pub fn lesson_plan(
    topic: &str,
    grade: &str,
    part: &str,
) -> Result<LessonPlanDocument, ContentError> {
    let grade = standards::normalize_grade(grade).ok_or_else(|| ContentError::UnknownGrade {
        input: grade.to_string(),
    })?;
    let part_name = part.trim().to_lowercase().replace([' ', '-'], "_");
    let codes: Vec<String> = ["Cr1.1", "Pr4.2", "Re7.2"]
        .iter()
        .map(|stem| format!("MU:{stem}.{grade}a"))
        .filter(|code| standards::lookup(code).is_some())
        .collect();
    let t = topic.trim();
    let content = match part_name.as_str() {
        "lesson_plan" => LessonPlanPart::LessonPlan {
            objectives: vec![
                format!("Students describe {t} in their own words."),
                format!("Students perform an example of {t} with a steady beat."),
                format!("Students create a short idea that uses {t}."),
            ],
            materials: texts(&[
                "Piano or keyboard",
                "Classroom percussion",
                "Projector or board for notation",
            ]),
            sequence: vec![
                PlanStep {
                    minutes: 5,
                    activity: format!("Warm-up: echo patterns that lead into {t}."),
                },
                PlanStep {
                    minutes: 10,
                    activity: format!("Listen and discuss: hear {t} in a short recording."),
                },
                PlanStep {
                    minutes: 15,
                    activity: format!("Perform: learn and play {t} together."),
                },
                PlanStep {
                    minutes: 10,
                    activity: format!("Create: small groups make their own version of {t}."),
                },
                PlanStep {
                    minutes: 5,
                    activity: "Share and reflect.".to_string(),
                },
            ],
        },
        "activities" => LessonPlanPart::Activities {
            activities: vec![
                Activity {
                    title: "Echo and respond".into(),
                    minutes: 10,
                    grouping: "whole class".into(),
                    description: format!(
                        "The teacher plays short examples of {t}; students echo them."
                    ),
                },
                Activity {
                    title: "Pattern stations".into(),
                    minutes: 15,
                    grouping: "small groups".into(),
                    description: format!(
                        "Groups rotate between keyboard, percussion and listening stations, each exploring {t}."
                    ),
                },
                Activity {
                    title: "Compose a phrase".into(),
                    minutes: 15,
                    grouping: "pairs".into(),
                    description: format!(
                        "Pairs create and notate a short phrase using {t} and perform it."
                    ),
                },
            ],
        },
        "assessment_strategies" => LessonPlanPart::AssessmentStrategies {
            formative: texts(&[
                "Observe performance during echo activities",
                "Thumbs up/down self-check after each activity",
                "Exit ticket: one sentence about what was learned",
            ]),
            summative: vec![
                format!("Perform a short example of {t} alone or in a pair"),
                "Notate and perform an original phrase".to_string(),
            ],
            rubric: vec![
                RubricRow {
                    criterion: "Accuracy".into(),
                    levels: texts(&[
                        "Many errors",
                        "Some errors",
                        "Few errors",
                        "Accurate throughout",
                    ]),
                },
                RubricRow {
                    criterion: "Steady beat".into(),
                    levels: texts(&[
                        "Beat not kept",
                        "Beat kept at times",
                        "Beat mostly steady",
                        "Beat steady throughout",
                    ]),
                },
            ],
        },
        "differentiation" => LessonPlanPart::Differentiation {
            support: texts(&[
                "Demonstrate each step slowly before students try it",
                "Offer colour-coded notation",
                "Pair students with a peer helper",
            ]),
            extension: vec![
                format!("Vary {t} in a new key or tempo"),
                "Add a second part or harmony".to_string(),
            ],
            english_learners: texts(&[
                "Show vocabulary with pictures and gestures",
                "Model before explaining",
                "Allow responses by demonstration",
            ]),
            accommodations: texts(&[
                "Adapted instruments or one-handed parts",
                "Extra time for performance tasks",
                "Large-print notation",
            ]),
        },
        "cross_curricular_connections" => LessonPlanPart::CrossCurricularConnections {
            connections: vec![
                SubjectConnection {
                    subject: "Mathematics".into(),
                    description: "Count beats and compare note lengths as fractions of a bar."
                        .into(),
                },
                SubjectConnection {
                    subject: "Language arts".into(),
                    description: format!("Write a short description of how {t} sounds and feels."),
                },
                SubjectConnection {
                    subject: "Social studies".into(),
                    description: format!(
                        "Discuss where and when music with {t} was made and by whom."
                    ),
                },
            ],
        },
        "reflection_questions" => LessonPlanPart::ReflectionQuestions {
            questions: vec![
                format!("What did you notice about {t} today?"),
                "Which part was hardest, and what helped you?".to_string(),
                format!("Where else have you heard {t}?"),
                "What would you change in your group's version, and why?".to_string(),
            ],
        },
        "parent_communication" => LessonPlanPart::ParentCommunication {
            subject: format!("This week in music: {t}"),
            message: format!(
                "This week our class explored {t}. Students listened, performed and created their own short pieces. Ask your child to show you what they learned!"
            ),
            home_activities: vec![
                format!("Listen to a favourite song together and look for {t}"),
                "Tap or clap a steady beat along with music at home".to_string(),
            ],
        },
        "technology_integration" => LessonPlanPart::TechnologyIntegration {
            tools: vec![
                TechnologyTool {
                    name: "Cadence".into(),
                    purpose: format!("Play back and loop examples of {t} at slower tempos."),
                },
                TechnologyTool {
                    name: "Notation software".into(),
                    purpose: "Notate and play back student phrases.".into(),
                },
                TechnologyTool {
                    name: "Audio recorder".into(),
                    purpose: "Record performances for self-assessment.".into(),
                },
            ],
        },
        "culturally_responsive_teaching" => LessonPlanPart::CulturallyResponsiveTeaching {
            practices: texts(&[
                "Invite students to share music from their families and communities",
                "Present examples from several cultures and traditions",
                "Let students choose repertoire for the creative task",
            ]),
            repertoire: vec![
                format!("Examples of {t} from gospel, jazz and folk traditions"),
                "Music students bring from home".to_string(),
            ],
        },
        _ => {
            return Err(ContentError::UnknownPart {
                input: part.to_string(),
                known: LESSON_PLAN_PARTS.join(", "),
            });
        }
    };
    Ok(LessonPlanDocument {
        schema_version: SCHEMA_VERSION,
        title: format!(
            "{}: {t} (grade {grade})",
            capitalised(&part_name.replace('_', " "))
        ),
        topic: t.to_string(),
        grade: grade.to_string(),
        standards: codes,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_theory::RomanNumeral;

    const KEYS: [&str; 15] = [
        "C", "G", "D", "A", "E", "B", "F#", "C#", "F", "Bb", "Eb", "Ab", "Db", "Gb", "Cb",
    ];

    fn topics() -> Vec<String> {
        let mut topics: Vec<String> = ProgressionTemplate::ALL
            .iter()
            .map(|t| t.name().to_string())
            .collect();
        topics.extend(
            [
                "major",
                "natural minor",
                "harmonic minor",
                "melodic minor",
                "blues",
                "major pentatonic",
                "minor pentatonic",
            ]
            .map(|s| format!("{s} scale")),
        );
        topics.extend(
            VoicingKind::ALL
                .iter()
                .map(|k| format!("{} voicings", k.name())),
        );
        topics.push("voicing types".into());
        topics
    }

    /// Every chord of a payload is its numeral's chord in its key, notes included.
    fn assert_chords_correct(payload: &MusicPayload, context: &str) {
        let key: Key = payload.key.parse().unwrap();
        let style = payload.style.theory();
        for entry in &payload.chords {
            let numeral: RomanNumeral = entry.numeral.parse().unwrap();
            let chord = numeral.chord(&key, style).unwrap();
            assert_eq!(
                entry.symbol,
                chord.to_string(),
                "{context}: {}",
                entry.numeral
            );
            let notes: Vec<String> = numeral
                .notes(&key, style)
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect();
            assert_eq!(entry.notes, notes, "{context}");
            if let Some(voicing) = &entry.voicing {
                let kind: VoicingKind = voicing.kind.parse().unwrap();
                let notes: Vec<Note> = voicing.notes.iter().map(|n| n.parse().unwrap()).collect();
                assert!(
                    voicing::check_voicing(&chord, kind, &notes).is_empty(),
                    "{context}: {voicing:?}"
                );
            }
        }
    }

    #[test]
    fn every_topic_key_and_level_gives_a_valid_tutorial_and_exercises() {
        for topic in topics() {
            for key in KEYS {
                for level in Level::ALL {
                    let context = format!("{topic} in {key} ({level})");
                    let mut tutorial =
                        tutorial(&topic, key, level).unwrap_or_else(|e| panic!("{context}: {e}"));
                    assert_chords_correct(&tutorial.music, &context);
                    assert!(!tutorial.practice_guide.steps.is_empty());
                    let report = validate::tutorial(&mut tutorial);
                    assert!(report.issues.is_empty(), "{context}: {report}");
                    for mut exercise in exercises(&topic, key, level).unwrap() {
                        assert_chords_correct(&exercise.music, &context);
                        let report = validate::exercise(&mut exercise);
                        assert!(
                            report.issues.is_empty(),
                            "{context} {}: {report}",
                            exercise.title
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ii_v_i_in_eb_is_spelled_and_voiced_by_the_engine() {
        let tutorial = tutorial("ii-V-I", "Eb", Level::Intermediate).unwrap();
        assert_eq!(tutorial.music.key, "Eb major");
        let symbols: Vec<&str> = tutorial
            .music
            .chords
            .iter()
            .map(|c| c.symbol.as_str())
            .collect();
        assert_eq!(symbols, ["Fm7", "Bb7", "Ebmaj7", "Ebmaj7"]);
        assert_eq!(tutorial.music.chords[1].notes, ["Bb", "D", "F", "Ab"]);
        assert_eq!(tutorial.music.voicing_kind.as_deref(), Some("rootless-a"));
        let voiced = tutorial.music.chords[0].voicing.as_ref().unwrap();
        assert!(
            !voiced
                .notes
                .iter()
                .any(|n| n.starts_with("F") && !n.starts_with("F#")),
            "rootless: {voiced:?}"
        );
        let abc = &tutorial.music.rhythm.as_ref().unwrap().abc;
        assert!(abc.contains("M:4/4") && abc.contains("|c3 c5|]"), "{abc}");
    }

    #[test]
    fn minor_templates_and_scales_use_the_minor_key() {
        let minor = tutorial("minor ii-V-i", "C", Level::Beginner).unwrap();
        assert_eq!(minor.music.key, "C minor");
        assert_eq!(minor.music.chords[0].symbol, "Dm7b5");
        let scale = tutorial("harmonic minor scale", "A", Level::Beginner).unwrap();
        let entry = scale.music.scale.unwrap();
        assert_eq!(entry.notes, ["A", "B", "C", "D", "E", "F", "G#"]);
        // One octave up and down: 8 notes up, 7 down.
        assert_eq!(scale.music.melody.len(), 15);
        assert_eq!(scale.music.melody[7].note, "A4");
    }

    #[test]
    fn guide_tone_line_uses_thirds_and_sevenths() {
        let lick = exercises("ii-V-I", "C", Level::Beginner)
            .unwrap()
            .into_iter()
            .find(|e| e.kind == ExerciseKind::Lick)
            .unwrap();
        let notes: Vec<&str> = lick.music.melody.iter().map(|m| m.note.as_str()).collect();
        assert_eq!(&notes[..4], ["F4", "C4", "B3", "F4"]);
    }

    #[test]
    fn assessment_answers_are_computed() {
        let assessment = assessment(
            "ii-V-I",
            "Eb",
            Level::Intermediate,
            AssessmentKind::Milestone,
        )
        .unwrap();
        let first = &assessment.questions[0];
        assert_eq!(first.answer, ["Fm7"]);
        assert!(first.choices.contains(&"Fm7".to_string()) && first.choices.len() == 4);
        let signature = assessment.questions.last().unwrap();
        assert_eq!(signature.answer, ["3 flats (Bb Eb Ab)"]);
        for question in &assessment.questions {
            assert_eq!(
                validate::answer_key(&question.spec).unwrap(),
                question.answer
            );
        }
    }

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
    fn theory_analysis_is_computed_and_passes_validation() {
        let mut analysis = theory_analysis("ii-V-I", "C", Level::Intermediate).unwrap();
        assert_eq!(analysis.functions.len(), 4);
        assert!(
            analysis
                .functions
                .iter()
                .all(|f| f.function == ChordFunction::Diatonic)
        );
        let g7 = analysis
            .scale_chord
            .iter()
            .find(|r| r.symbol == "G7")
            .unwrap();
        assert!(g7.scales.contains(&"G mixolydian".to_string()), "{g7:?}");
        assert_eq!(analysis.substitutions[0].substitute, "Db7");
        assert_eq!(analysis.voice_leading.len(), 3);
        let report = validate::theory_analysis(&mut analysis);
        assert!(report.issues.is_empty(), "{report}");
        assert!(theory_analysis("major scale", "C", Level::Beginner).is_err());
    }

    #[test]
    fn every_lesson_plan_part_cites_real_standards_for_its_grade() {
        for grade in standards::GRADES {
            for part in LESSON_PLAN_PARTS {
                let mut plan = lesson_plan("steady beat", grade, part).unwrap();
                assert_eq!(plan.standards.len(), 3, "{grade} {part}");
                let report = validate::lesson_plan(&mut plan);
                assert!(report.issues.is_empty(), "{grade} {part}: {report}");
            }
        }
        assert!(matches!(
            lesson_plan("beat", "12", "activities"),
            Err(ContentError::UnknownGrade { .. })
        ));
        assert!(matches!(
            lesson_plan("beat", "3", "homework"),
            Err(ContentError::UnknownPart { .. })
        ));
    }

    #[test]
    fn curriculum_spans_its_weeks_with_valid_prerequisites() {
        let mut curriculum = curriculum("F", Level::Intermediate, 4).unwrap();
        assert_eq!(curriculum.modules.len(), 2);
        assert_eq!(curriculum.modules[1].week_start, 3);
        let lessons: Vec<&CurriculumLesson> =
            curriculum.modules.iter().flat_map(|m| &m.lessons).collect();
        assert_eq!(lessons.len(), 4);
        assert_eq!(lessons[1].key, "Bb major");
        assert!(lessons.iter().all(|l| !l.exercises.is_empty()));
        let report = validate::curriculum(&mut curriculum);
        assert!(report.issues.is_empty(), "{report}");
    }
}
