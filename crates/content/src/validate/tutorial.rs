//! Tutorials: their text lists, standards tags and music, and on a known topic the music
//! that topic requires.

use super::{check_version, code_problem, drop_items, require_text};
use crate::compute::music;
use crate::report::{Severity, ValidationReport};
use crate::topic::Topic;
use crate::types::{ChordEntry, MusicPayload, ScaleEntry, Tutorial};
use cadence_theory::{Chord, PitchClass, ScaleKind, VoicingKind};

pub fn tutorial(doc: &mut Tutorial) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    require_text("theory.summary", &doc.theory.summary, &mut report);
    if doc.practice_guide.steps.is_empty() {
        report.push(
            "practice_guide.steps",
            Severity::Error,
            "a tutorial needs practice steps",
        );
    }
    for (index, step) in doc.practice_guide.steps.iter_mut().enumerate() {
        let number = index as u32 + 1;
        if step.step != number {
            report.push(
                format!("practice_guide.steps[{index}].step"),
                Severity::Repaired,
                format!("numbered {}, renumbered {number}", step.step),
            );
            step.step = number;
        }
    }
    drop_blank(
        &mut doc.overview.what_you_will_learn,
        "overview.what_you_will_learn",
        &mut report,
    );
    drop_blank(&mut doc.theory.key_points, "theory.key_points", &mut report);
    drop_blank(&mut doc.theory.examples, "theory.examples", &mut report);
    music(&mut doc.music, "music", &mut report);
    drop_unknown_codes(&mut doc.standards, "standards", &mut report);
    report
}

/// Removes codes that are not standards, and repeats. A tutorial's standards are tags, so a
/// wrong one is dropped; a lesson plan, which is built on its standards, refuses it instead.
fn drop_unknown_codes(codes: &mut Vec<String>, path: &str, report: &mut ValidationReport) {
    // Every code is a fact checked; blank prose items are not.
    report.checked += codes.len();
    let mut seen = std::collections::HashSet::new();
    drop_items(codes, path, report, |code| {
        code_problem(code, None).or_else(|| {
            (!seen.insert(code.to_string())).then(|| format!("`{code}` is cited twice"))
        })
    });
}

/// Removes list items with no words in them, and repeats of an earlier item.
fn drop_blank(items: &mut Vec<String>, path: &str, report: &mut ValidationReport) {
    let mut seen = std::collections::HashSet::new();
    drop_items(items, path, report, |item| {
        let words = item.trim();
        if !words.chars().any(char::is_alphanumeric) {
            Some(format!("`{item}` says nothing"))
        } else if !seen.insert(words.to_lowercase()) {
            Some(format!("`{words}` repeats an earlier item"))
        } else {
            None
        }
    });
}

/// One field of each chord, space-separated.
fn joined(chords: &[ChordEntry], field: fn(&ChordEntry) -> &String) -> String {
    chords
        .iter()
        .map(|c| field(c).as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a tutorial on a topic the engine knows, holding it to the music that topic
/// requires, as the engine's own tutorial of the topic in the same key carries it
/// (`required`). What the answer left out (the progression, the scale, the voicing kind) is
/// filled in from the engine; what contradicts the topic is an error. Progressions are
/// compared by their chords' roots, so an answer may choose other extensions.
pub fn tutorial_on_topic(
    doc: &mut Tutorial,
    topic: Topic,
    required: &MusicPayload,
) -> ValidationReport {
    let music = &mut doc.music;
    let mut filled = ValidationReport::default();
    let numerals = |chords: &[ChordEntry]| joined(chords, |c| &c.numeral);
    let symbols = |chords: &[ChordEntry]| joined(chords, |c| &c.symbol);
    if music.chords.is_empty() && !required.chords.is_empty() {
        music.chords = required.chords.clone();
        if music.voicing_kind.is_none() {
            music.voicing_kind = required.voicing_kind.clone();
        }
        filled.push(
            "music.chords",
            Severity::Repaired,
            format!(
                "no chords were given; the topic's progression ({}) was filled in",
                numerals(&required.chords)
            ),
        );
    }
    if let (None, Some(scale)) = (&music.scale, &required.scale) {
        music.scale = Some(scale.clone());
        filled.push(
            "music.scale",
            Severity::Repaired,
            format!(
                "no scale was given; the {} {} scale was filled in",
                scale.tonic, scale.kind
            ),
        );
    }
    if matches!(topic, Topic::Voicing(_))
        && music.voicing_kind.is_none()
        && required.voicing_kind.is_some()
    {
        music.voicing_kind = required.voicing_kind.clone();
        filled.push(
            "music.voicing_kind",
            Severity::Repaired,
            "no voicing kind was given; the topic's was filled in",
        );
    }
    let mut report = tutorial(doc);
    report.issues.splice(0..0, filled.issues);
    let music = &doc.music;
    match topic {
        Topic::Progression(_) => {
            // A chord held for several bars counts once: "ii V I" and "ii V I I" agree.
            let roots = |chords: &[ChordEntry]| -> Vec<Option<u8>> {
                let mut roots: Vec<Option<u8>> = chords
                    .iter()
                    .map(|c| Chord::parse(&c.symbol).ok().map(|c| c.root().semitone()))
                    .collect();
                roots.dedup();
                roots
            };
            let wanted = roots(&required.chords);
            let found = roots(&music.chords);
            if !wanted.is_empty() && !found.windows(wanted.len()).any(|w| w == wanted) {
                report.push(
                    "music.chords",
                    Severity::Error,
                    format!(
                        "a tutorial on this topic carries its progression {} ({}) in {}, in order; \
                         these chords are {}",
                        numerals(&required.chords),
                        symbols(&required.chords),
                        required.key,
                        symbols(&music.chords)
                    ),
                );
            }
        }
        Topic::Scale(_) => {
            let same = |a: &ScaleEntry, b: &ScaleEntry| {
                let tonic =
                    |s: &ScaleEntry| s.tonic.parse::<PitchClass>().ok().map(|p| p.semitone());
                let kind = |s: &ScaleEntry| s.kind.parse::<ScaleKind>().ok();
                tonic(a).is_some()
                    && tonic(a) == tonic(b)
                    && kind(a).is_some()
                    && kind(a) == kind(b)
            };
            if let (Some(found), Some(wanted)) = (&music.scale, &required.scale)
                && !same(found, wanted)
            {
                report.push(
                    "music.scale",
                    Severity::Error,
                    format!(
                        "a tutorial on this topic teaches the {} {} scale, not the {} {} scale",
                        wanted.tonic, wanted.kind, found.tonic, found.kind
                    ),
                );
            }
        }
        // Voicings are the piano's: music for another instrument carries none.
        Topic::Voicing(kind) if required.voicing_kind.is_some() => {
            let found = music.voicing_kind.as_deref();
            if found.and_then(|k| k.parse::<VoicingKind>().ok()) != Some(kind) {
                report.push(
                    "music.voicing_kind",
                    Severity::Error,
                    format!(
                        "a tutorial on this topic uses {} voicings, not `{}`",
                        kind.name(),
                        found.unwrap_or("")
                    ),
                );
            }
        }
        Topic::Voicing(_) | Topic::VoicingTypes => {}
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::test_support::entry;
    use crate::types::Level;

    #[test]
    fn a_tutorial_is_held_to_its_topics_progression() {
        let required = template::tutorial("ii-V-I", "Eb", Level::Intermediate).unwrap();
        let topic = Topic::parse("ii-V-I").unwrap();
        // Three bars where the template has four: the same progression.
        let mut doc = required.clone();
        doc.music.chords = vec![
            entry(1, "ii7", ""),
            entry(2, "V7", ""),
            entry(3, "Imaj7", ""),
        ];
        let report = tutorial_on_topic(&mut doc, topic, &required.music);
        assert!(report.is_acceptable(), "{report}");
        // No chords at all: the topic's are filled in.
        doc.music.chords.clear();
        let report = tutorial_on_topic(&mut doc, topic, &required.music);
        assert!(report.is_acceptable(), "{report}");
        assert_eq!(report.issues[0].path, "music.chords");
        assert_eq!(doc.music.chords, required.music.chords);
        // Another progression: refused.
        doc.music.chords = vec![entry(1, "I", ""), entry(2, "IV", ""), entry(3, "V7", "")];
        assert_eq!(
            tutorial_on_topic(&mut doc, topic, &required.music).errors(),
            1
        );
    }

    #[test]
    fn blank_and_repeated_items_are_dropped() {
        let mut doc = template::tutorial("ii-V-I", "Eb", Level::Intermediate).unwrap();
        doc.theory.examples = vec!["".into(), "][".into(), "Fm7 Bb7".into(), "fm7 bb7 ".into()];
        doc.standards = vec!["MU:Pr4.2.5a".into(), "MU:Pr4.2.5a".into()];
        let report = tutorial(&mut doc);
        assert!(report.is_acceptable(), "{report}");
        assert_eq!(doc.theory.examples, ["Fm7 Bb7"]);
        assert_eq!(doc.standards, ["MU:Pr4.2.5a"]);
        assert_eq!(report.repaired(), 4, "{report}");
    }
}
