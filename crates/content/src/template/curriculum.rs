//! Curricula: a lesson a week, each with its tutorial's concepts and exercises outlined.

use super::{exercises_for, parse_key, tutorial_for};
use crate::ContentError;
use crate::topic::capitalised;
use crate::types::{
    Curriculum, CurriculumLesson, CurriculumModule, ExerciseOutline, Instrument, LessonRef, Level,
    SCHEMA_VERSION,
};
use cadence_theory::Interval;

/// The topics a curriculum of this level walks through, one per week. Voicings are the
/// piano's; the other instruments meet another progression in their place.
fn curriculum_topics(level: Level, instrument: Instrument) -> [&'static str; 4] {
    let piano = instrument == Instrument::Piano;
    match level {
        Level::Beginner => ["major scale", "ii-V-I", "gospel-1-4-5", "blues"],
        Level::Intermediate => [
            "ii-V-I",
            if piano {
                "rootless voicings"
            } else {
                "I-vi-ii-V"
            },
            "gospel-2-5-1",
            "jazz blues",
        ],
        Level::Advanced => [
            "minor ii-V-i",
            if piano {
                "drop-2 voicings"
            } else {
                "iii-vi-ii-V"
            },
            "gospel-3-6-2-5-1",
            "jazz blues",
        ],
    }
}

/// A piano curriculum of `weeks` weeks; see [`curriculum_for`].
pub fn curriculum(key: &str, level: Level, weeks: u32) -> Result<Curriculum, ContentError> {
    curriculum_for(Instrument::Piano, key, level, weeks)
}

/// A curriculum for `instrument` of `weeks` weeks (one lesson a week, two weeks a module),
/// moving up a fourth each week from `key`, with each lesson's exercises outlined.
pub fn curriculum_for(
    instrument: Instrument,
    key: &str,
    level: Level,
    weeks: u32,
) -> Result<Curriculum, ContentError> {
    let start = parse_key(key)?;
    let weeks = weeks.clamp(1, 104);
    let topics = curriculum_topics(level, instrument);
    let mut modules: Vec<CurriculumModule> = Vec::new();
    let mut lesson_key = start;
    for week in 1..=weeks {
        let topic = topics[(week as usize - 1) % topics.len()];
        let tutorial = tutorial_for(instrument, topic, &lesson_key.to_string(), level)?;
        let exercises = exercises_for(instrument, topic, &lesson_key.to_string(), level)?
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
            "{} {instrument}, {weeks} weeks from {start}",
            capitalised(level.as_str())
        ),
        instrument: instrument.to_string(),
        level,
        duration_weeks: weeks,
        description: format!(
            "One lesson a week: {}. Each lesson moves up a fourth, so every topic is met in a new key.",
            topics.join(", ")
        ),
        modules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

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

    #[test]
    fn a_bass_curriculum_is_for_the_bass_and_teaches_no_piano_voicings() {
        let mut curriculum = curriculum_for(Instrument::Bass, "G", Level::Advanced, 4).unwrap();
        assert_eq!(curriculum.instrument, "bass");
        assert_eq!(curriculum.title, "Advanced bass, 4 weeks from G major");
        let topics: Vec<&str> = curriculum
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .map(|l| l.topic.as_str())
            .collect();
        assert_eq!(
            topics,
            [
                "minor ii-V-i",
                "iii-vi-ii-V",
                "gospel-3-6-2-5-1",
                "jazz blues"
            ]
        );
        let report = validate::curriculum(&mut curriculum);
        assert!(report.issues.is_empty(), "{report}");
    }
}
