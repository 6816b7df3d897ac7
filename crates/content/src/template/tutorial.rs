//! Tutorials: explanation, guided practice and the music, for a progression, a scale or a
//! voicing kind.
//!
//! (Long because each kind of tutorial writes its whole text here, and the tests that hold
//! every topic, key, level and instrument to the engine sit beside them.)

use std::str::FromStr;

use super::payload::{
    chart, chord_facts, comping_rhythm, complete, instrument_examples, progression_payload,
    scale_payload,
};
use super::phrasing;
use super::{Family, LevelPlan, family, parse_key, plan, voicings_for};
use crate::ContentError;
use crate::topic::{Topic, capitalised, progression_name};
use crate::types::{
    CommonMistake, Instrument, Level, NextSteps, Overview, PracticeGuide, PracticeStep,
    SCHEMA_VERSION, ScaleEntry, TheorySection, Tutorial,
};
use cadence_theory::{Chord, Key, ProgressionTemplate, ScaleKind, VoicingKind};

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

/// A complete piano tutorial on `topic` in `key` for `level`, computed without a model.
pub fn tutorial(topic: &str, key: &str, level: Level) -> Result<Tutorial, ContentError> {
    tutorial_for(Instrument::Piano, topic, key, level)
}

/// A complete tutorial for `instrument` on `topic` in `key` for `level`, computed without a
/// model: its music is the piano's voicings, the guitar's shapes, or the root movement a
/// bass or a voice plays.
pub fn tutorial_for(
    instrument: Instrument,
    topic: &str,
    key: &str,
    level: Level,
) -> Result<Tutorial, ContentError> {
    let topic = Topic::parse(topic)?;
    let key = parse_key(key)?;
    let plan = plan(level);
    let lesson = Lesson {
        instrument,
        level,
        plan: &plan,
    };
    match topic {
        Topic::Progression(template) => progression_tutorial(template, &key, &lesson),
        Topic::Scale(kind) => scale_tutorial(kind, &key, &lesson),
        Topic::Voicing(kind) => voicing_tutorial(kind, &key, &lesson),
        Topic::VoicingTypes => voicing_tutorial(plan.voicings[0], &key, &lesson),
    }
}

/// Who the tutorial is for.
struct Lesson<'a> {
    instrument: Instrument,
    level: Level,
    plan: &'a LevelPlan,
}

fn progression_tutorial(
    template: ProgressionTemplate,
    key: &Key,
    lesson: &Lesson<'_>,
) -> Result<Tutorial, ContentError> {
    let Lesson {
        instrument,
        level,
        plan,
    } = *lesson;
    let mut music = progression_payload(template, key, &voicings_for(template, plan), instrument)?;
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
                phrasing::smooth_music(instrument, &kind),
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
                "The {name} ({numerals}) is a cornerstone of church and gospel {}. In {} it reads {}. \
                 Gospel players colour the chords with 9ths and 13ths and lead the inner voices \
                 stepwise so the harmony sings like a choir.",
                phrasing::playing(instrument),
                music.key,
                chart(&music)
            ),
            vec![
                "Extensions (9, 11, 13) add colour; the 3rd and 7th still carry the function."
                    .to_string(),
                "Move inner voices by step, like choir parts.".to_string(),
                match instrument {
                    Instrument::Piano => format!(
                        "{} voicings give the full gospel sound in this key.",
                        capitalised(&kind)
                    ),
                    _ => phrasing::smooth_music(instrument, &kind),
                },
            ],
            vec![
                phrasing::gospel_texture_mistake(instrument),
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
    examples.extend(instrument_examples(&music, 3));
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
    let (guide_tones, guide_tones_heard) = phrasing::guide_tone_step(instrument);
    let (music_title, music_instruction) = phrasing::music_step(instrument, &kind);
    let steps = vec![
        step(
            1,
            "Learn the chords",
            format!(
                "Play each chord of the {name} in {} {}, saying its numeral aloud: {}.",
                music.key,
                phrasing::each_chord(instrument),
                chart(&music)
            ),
            "You can name and play every chord without pausing.".to_string(),
        ),
        step(2, "Play the guide tones", guide_tones, guide_tones_heard),
        step(
            3,
            music_title,
            music_instruction,
            format!(
                "You play the progression twice through at {} bpm without a wrong note.",
                tempo / 2
            ),
        ),
        step(
            4,
            "Comp in time",
            phrasing::in_time(instrument, tempo),
            format!("Three clean choruses in a row at {tempo} bpm."),
        ),
        step(
            5,
            "Transpose",
            if level == Level::Beginner {
                "Play the progression in one more key, a fourth higher.".to_string()
            } else {
                "Play the progression around the cycle of fourths in all twelve keys.".to_string()
            },
            "The new keys sound as smooth as the first.".to_string(),
        ),
    ];
    Ok(Tutorial {
        schema_version: SCHEMA_VERSION,
        title: format!("The {name} in {}", music.key),
        topic: Topic::Progression(template).title(),
        instrument: instrument.to_string(),
        overview: Overview {
            what_you_will_learn: vec![
                format!("The chords of the {name} in {}", music.key),
                phrasing::music_learned(instrument, &kind),
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
    lesson: &Lesson<'_>,
) -> Result<Tutorial, ContentError> {
    let Lesson {
        instrument,
        level,
        plan,
    } = *lesson;
    let music = scale_payload(kind, key, level, instrument)?;
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
    let technique = phrasing::scale_technique(instrument);
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
        instrument: instrument.to_string(),
        overview: Overview {
            what_you_will_learn: vec![
                format!("The notes and formula of the {scale_name} scale"),
                phrasing::scale_goal(instrument, range),
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
                format!(
                    "Chords built on the scale in {}: {}",
                    music.key,
                    chart(&music)
                ),
            ],
        },
        practice_guide: PracticeGuide {
            steps: vec![
                step(
                    1,
                    "Say the notes",
                    format!(
                        "Say the notes of {scale_name} aloud, then {}: {spelled}.",
                        phrasing::scale_slowly(instrument)
                    ),
                    "You can spell the scale without looking.".to_string(),
                ),
                step(
                    2,
                    technique.0,
                    technique.1.to_string(),
                    technique.2.to_string(),
                ),
                step(
                    3,
                    "Over the range",
                    format!(
                        "Play the scale pattern written below over {range}, up and down, at {} bpm.",
                        tempo / 2
                    ),
                    phrasing::scale_range_manner(instrument).to_string(),
                ),
                step(
                    4,
                    "Up to tempo",
                    phrasing::scale_up_to_tempo(instrument, tempo),
                    format!("Three clean runs in a row at {tempo} bpm."),
                ),
            ],
        },
        common_mistakes: vec![
            mistake(
                "Mixing sharps and flats in the spelling",
                "Use each letter once and follow the key signature",
            ),
            phrasing::scale_technique_mistake(instrument),
            mistake(
                "Speeding up on the way down",
                "Keep the metronome on and count subdivisions",
            ),
        ],
        next_steps: NextSteps {
            topics: vec![
                "ii-V-I".to_string(),
                "harmonic minor scale".to_string(),
                "blues scale".to_string(),
            ],
            advice: "Learn the scale in the keys a fifth above and below next.".to_string(),
        },
        music,
        standards: Vec::new(),
    })
}

fn voicing_tutorial(
    kind: VoicingKind,
    key: &Key,
    lesson: &Lesson<'_>,
) -> Result<Tutorial, ContentError> {
    let Lesson {
        instrument,
        level,
        plan,
    } = *lesson;
    let template = if kind == VoicingKind::Gospel || kind == VoicingKind::UpperStructure {
        ProgressionTemplate::GospelTwoFiveOne
    } else {
        ProgressionTemplate::TwoFiveOne
    };
    let music = progression_payload(template, key, &[kind, VoicingKind::Close], instrument)?;
    let used = music
        .voicing_kind
        .clone()
        .unwrap_or_else(|| kind.name().to_string());
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
    let on_this_instrument = phrasing::voicing_music(instrument, kind.name());
    if !on_this_instrument.is_empty() {
        key_points.push(on_this_instrument);
    }
    key_points.extend(instrument_examples(&music, 4));
    let tempo = plan.tempo;
    Ok(Tutorial {
        schema_version: SCHEMA_VERSION,
        title: format!("{} voicings in {}", capitalised(kind.name()), music.key),
        topic: Topic::Voicing(kind).title(),
        instrument: instrument.to_string(),
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
                "A voicing is the choice and order of a chord's notes on the {}. A {} \
                 voicing uses {what}. {}",
                match instrument {
                    Instrument::Piano => "keyboard",
                    _ => "keyboard or the fretboard",
                },
                kind.name(),
                match instrument {
                    Instrument::Piano => format!(
                        "Applied to the {} in {} ({}), the voicings below move by the smallest possible steps.",
                        progression_name(template),
                        music.key,
                        chart(&music)
                    ),
                    _ => format!(
                        "Here it is applied to the {} in {} ({}) on the {instrument}.",
                        progression_name(template),
                        music.key,
                        chart(&music)
                    ),
                }
            ),
            key_points,
            examples: instrument_examples(&music, 5),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{exercises, exercises_for};
    use crate::types::MusicPayload;
    use crate::validate;
    use cadence_theory::{Note, RomanNumeral, voicing};

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
    fn every_topic_gives_music_for_every_instrument() {
        let guitar = cadence_theory::Fretboard::guitar();
        for instrument in [Instrument::Guitar, Instrument::Bass, Instrument::Voice] {
            for topic in topics() {
                for key in ["C", "F#", "Bb", "Cb", "E"] {
                    for level in Level::ALL {
                        let context = format!("{instrument}: {topic} in {key} ({level})");
                        let mut tutorial = tutorial_for(instrument, &topic, key, level)
                            .unwrap_or_else(|e| panic!("{context}: {e}"));
                        assert_eq!(tutorial.instrument, instrument.as_str());
                        let music = &tutorial.music;
                        assert_eq!(music.instrument, Some(instrument), "{context}");
                        assert_chords_correct(music, &context);
                        assert!(music.voicing_kind.is_none(), "{context}");
                        for entry in &music.chords {
                            let chord: Chord = entry.symbol.parse().unwrap();
                            match (instrument, &entry.guitar) {
                                (Instrument::Guitar, Some(shape)) => assert_eq!(
                                    guitar.shape_problems(&chord, &shape.frets),
                                    Vec::<String>::new(),
                                    "{context}: {}",
                                    entry.symbol
                                ),
                                (Instrument::Guitar, None) => panic!("{context}: no shape"),
                                (_, shape) => assert!(shape.is_none(), "{context}"),
                            }
                        }
                        if instrument != Instrument::Guitar
                            && matches!(Topic::parse(&topic), Ok(Topic::Progression(_)))
                        {
                            let first_bass = music.chords[0].notes[0].clone();
                            let first_note: Note = music.melody[0].note.parse().unwrap();
                            assert_eq!(first_note.pitch().to_string(), first_bass, "{context}");
                        }
                        let text = serde_json::to_string(&tutorial).unwrap();
                        for word in ["piano", "left hand", "right hand", "thumb"] {
                            assert!(!text.contains(word), "{context}: says {word}");
                        }
                        let report = validate::tutorial(&mut tutorial);
                        assert!(report.issues.is_empty(), "{context}: {report}");
                        for mut exercise in exercises_for(instrument, &topic, key, level).unwrap() {
                            assert_ne!(exercise.kind, crate::types::ExerciseKind::VoicingStudy);
                            let text = serde_json::to_string(&exercise).unwrap();
                            assert!(!text.contains("hand"), "{context}: {}", exercise.title);
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
    fn the_listed_topics_are_the_tested_ones() {
        let listed: Vec<String> = Topic::all().iter().map(|topic| topic.id()).collect();
        assert_eq!(listed, topics());
    }
}
