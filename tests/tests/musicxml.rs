//! MusicXML export read back by an independent reader: tutorials made through the real
//! command line in flat, sharp and minor keys (slash chords, secondary dominants, altered
//! and extended chords, double flats, a line), for the guitar and the bass, and an exercise
//! exported by the library are read with music21 (`scripts/musicxml_chords.py`), and what
//! music21 finds — key, time, tempo, the parts and their clefs, every chord symbol's bar,
//! beat, root, bass and pitch classes, the notes sounding in each bar (a guitar's on its
//! notation staff and in its tablature, with each note's string and fret) and the line —
//! must be the document's own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use cadence::commissions::MaterialKind;
use cadence::content::{ExerciseKind, Level};
use cadence::llm::CancelToken;
use cadence::materials::MaterialRequest;
use cadence::sources::Writers;
use cadence::theory::{Chord, Note, PitchClass};
use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::{cadence, music21_python};
use serde_json::Value;

/// (topic, key, level): each brings something a MusicXML writer can get wrong.
const TUTORIALS: [(&str, &str, &str); 8] = [
    // Flat key; V65/IV and I64 as slash chords, #ivo7.
    ("gospel-walk-up", "Eb", "intermediate"),
    // Sharp key; secondary dominants (VI7), #ivo7, two chords in a bar.
    ("jazz blues", "A", "intermediate"),
    // Minor key; V7b9.
    ("minor ii-V-i", "C minor", "advanced"),
    // Ninths and thirteenths, VI7b9.
    ("gospel-3-6-2-5-1", "E", "advanced"),
    // Double flats: Gbm7 (Bbb, Fb) and Cb7 in Db.
    ("backdoor", "Db", "advanced"),
    // Sharp minor key.
    ("minor blues", "F# minor", "beginner"),
    // IV64 in six sharps.
    ("gospel-1-4-5", "F#", "beginner"),
    // A line, written as a second part.
    ("major scale", "Bb", "beginner"),
];

/// (instrument, topic, key, level): a guitar's shapes in flat and sharp keys (open and
/// barred, two chords in a bar), and a bass's line under slash chords and a blues.
const INSTRUMENT_TUTORIALS: [(&str, &str, &str, &str); 4] = [
    ("guitar", "ii-V-I", "Bb", "intermediate"),
    ("guitar", "jazz blues", "E", "intermediate"),
    ("bass", "gospel-walk-up", "Eb", "intermediate"),
    ("bass", "jazz blues", "A", "beginner"),
];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/musicxml_chords.py")
}

fn succeeded(what: &str, output: Output) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What music21 reads in a MusicXML file; a file it cannot read fails the test.
fn read_with_music21(file: &Path) -> Value {
    let output = std::process::Command::new(music21_python())
        .arg(script())
        .arg(file)
        .output()
        .expect("cannot run the music21 Python");
    let text = succeeded(&format!("music21 reading {}", file.display()), output);
    serde_json::from_str(&text).unwrap()
}

/// Quarter notes from the barline in divisions of 960, so that offsets compare exactly.
fn position(quarters: f64) -> i64 {
    (quarters * 960.0).round() as i64
}

fn quarters_per_bar(music: &Value) -> f64 {
    let meter = music["meter"].as_str().unwrap_or("4/4");
    let (beats, unit) = meter.split_once('/').unwrap();
    beats.parse::<f64>().unwrap() * 4.0 / unit.parse::<f64>().unwrap()
}

fn strings(values: &Value) -> Vec<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The notes a chord sounds: its guitar shape's, else its voicing, else its notes stacked
/// up from octave 3, bass first.
fn sounding(chord: &Value) -> Vec<String> {
    if let Some(shape) = chord.get("guitar") {
        return strings(&shape["notes"]);
    }
    if let Some(voicing) = chord.get("voicing") {
        return strings(&voicing["notes"]);
    }
    let mut notes: Vec<Note> = Vec::new();
    for name in strings(&chord["notes"]) {
        let mut note = name.parse::<PitchClass>().unwrap().at_octave(3);
        while notes.last().is_some_and(|last| note.midi() <= last.midi()) {
            note = note.shift_octaves(1);
        }
        notes.push(note);
    }
    notes.iter().map(ToString::to_string).collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// A guitar shape's sounding strings as (string, fret), string 1 the highest.
fn strings_and_frets(shape: &Value) -> Vec<(u64, u64)> {
    let frets = shape["frets"].as_array().unwrap();
    frets
        .iter()
        .enumerate()
        .filter_map(|(index, fret)| Some(((frets.len() - index) as u64, fret.as_u64()?)))
        .collect()
}

/// A staff the instrument's part has: its clef as music21 names it, the clef's sign and
/// octave change, and its staff lines where the file sets them.
type Staff = (&'static str, &'static str, i64, Option<u64>);

/// A staff as music21 reads it: its part's name, its number among the part's staves, its
/// clefs as (music21's clef, sign, octave change) and its staff lines where the file sets
/// them.
type ReadStaff = (String, u64, Vec<(String, String, i64)>, Option<u64>);

/// The instrument's part: its name and its staves, in order.
fn instrument_part(music: &Value) -> (&'static str, Vec<Staff>) {
    match music["instrument"].as_str().unwrap_or("piano") {
        "guitar" => (
            "Guitar",
            vec![
                ("Treble8vbClef", "G", -1, None),
                ("TabClef", "TAB", 0, Some(6)),
            ],
        ),
        "bass" => ("Bass", vec![("Bass8vbClef", "F", -1, None)]),
        _ => (
            "Piano",
            vec![("TrebleClef", "G", 0, None), ("BassClef", "F", 0, None)],
        ),
    }
}

/// Asserts that music21's reading of a document's MusicXML is the document's music.
fn assert_reads_as(read: &Value, music: &Value, tempo: u32, what: &str) {
    let bar = quarters_per_bar(music);
    let (part_name, staves) = instrument_part(music);
    let bass = part_name == "Bass";
    assert_eq!(read["key"], music["key"], "{what}: key");
    assert_eq!(
        read["time"].as_str(),
        Some(music["meter"].as_str().unwrap_or("4/4")),
        "{what}: time"
    );
    assert_eq!(
        read["tempo"].as_u64(),
        Some(u64::from(tempo)),
        "{what}: tempo"
    );

    // Each chord symbol: bar, place in the bar, root, bass and pitch classes.
    let chords = music["chords"].as_array().unwrap();
    let mut expected_chords = Vec::new();
    // (staff, bar, place in the bar) → the notes sounding there.
    let mut expected_sounding: BTreeMap<(u64, u64, i64), Vec<String>> = BTreeMap::new();
    let mut expected_frets: BTreeMap<(u64, i64), Vec<(u64, u64)>> = BTreeMap::new();
    for chord in chords {
        let number = chord["bar"].as_u64().unwrap();
        let in_bar: Vec<&Value> = chords.iter().filter(|c| c["bar"] == chord["bar"]).collect();
        let index = in_bar.iter().position(|c| std::ptr::eq(*c, chord)).unwrap();
        let offset = match chord["beat"].as_f64() {
            Some(beat) => beat - 1.0,
            None => bar * index as f64 / in_bar.len() as f64,
        };
        let symbol: Chord = chord["symbol"].as_str().unwrap().parse().unwrap();
        expected_chords.push((
            number,
            position(offset),
            symbol.root().to_string(),
            symbol.bass().map(|b| b.to_string()),
            sorted(strings(&chord["notes"])),
        ));
        // The piano's notes are gathered across its two staves, the guitar's are on each of
        // its staves (a chord with no shape has no tablature), and the bass plays no chords.
        let sounding_staves: &[u64] = match (part_name, chord.get("guitar")) {
            ("Bass", _) => &[],
            ("Guitar", Some(_)) => &[1, 2],
            _ => &[1],
        };
        for &staff in sounding_staves {
            expected_sounding
                .entry((staff, number, position(offset)))
                .or_default()
                .extend(sounding(chord));
        }
        if let Some(shape) = chord.get("guitar") {
            expected_frets
                .entry((number, position(offset)))
                .or_default()
                .extend(strings_and_frets(shape));
        }
    }
    let mut found_chords: Vec<_> = read["chords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["measure"].as_u64().unwrap(),
                position(c["offset"].as_f64().unwrap()),
                c["root"].as_str().unwrap().to_string(),
                c["bass"].as_str().map(str::to_string),
                strings(&c["pitch_classes"]),
            )
        })
        .collect();
    expected_chords.sort();
    found_chords.sort();
    assert_eq!(found_chords, expected_chords, "{what}: chord symbols");

    // The instrument's part, staff by staff, and the line's when it has one of its own.
    let found_parts: Vec<ReadStaff> = read["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| {
            let clefs = part["clefs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|clef| {
                    (
                        clef["name"].as_str().unwrap().to_string(),
                        clef["sign"].as_str().unwrap().to_string(),
                        clef["octave_change"].as_i64().unwrap(),
                    )
                })
                .collect();
            (
                part["name"].as_str().unwrap().to_string(),
                part["staff"].as_u64().unwrap(),
                clefs,
                part["staff_lines"].as_u64(),
            )
        })
        .collect();
    let expected_parts: Vec<_> = (1u64..)
        .zip(&staves)
        .map(|(staff, (clef, sign, octave_change, lines))| {
            let clef = (clef.to_string(), sign.to_string(), *octave_change);
            (part_name.to_string(), staff, vec![clef], *lines)
        })
        .collect();
    let found_instrument: Vec<_> = found_parts
        .iter()
        .filter(|(name, ..)| name == part_name)
        .cloned()
        .collect();
    assert_eq!(
        found_instrument, expected_parts,
        "{what}: the {part_name} part"
    );
    let line_part = !bass
        && music["melody"]
            .as_array()
            .is_some_and(|line| !line.is_empty());
    let parts: Vec<&str> = found_parts.iter().map(|(name, ..)| name.as_str()).collect();
    let mut expected_names = vec![part_name; staves.len()];
    if line_part {
        expected_names.push("Line");
    }
    assert_eq!(parts, expected_names, "{what}: parts");

    // The notes sounding in each bar: across both staves of the piano, on each staff of
    // the guitar (its notation and its tablature), none but the line's on the bass.
    let guitar = part_name == "Guitar";
    let mut found_sounding: BTreeMap<(u64, u64, i64), Vec<String>> = BTreeMap::new();
    let mut found_frets: BTreeMap<(u64, i64), Vec<(u64, u64)>> = BTreeMap::new();
    let mut found_line = Vec::new();
    for note in read["notes"].as_array().unwrap() {
        let measure = note["measure"].as_u64().unwrap();
        let offset = note["offset"].as_f64().unwrap();
        let staff = note["staff"].as_u64().unwrap();
        let pitches = strings(&note["pitches"]);
        let frets: Vec<(u64, u64)> = note["frets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| (pair[0].as_u64().unwrap(), pair[1].as_u64().unwrap()))
            .collect();
        if !frets.is_empty() {
            assert!(
                guitar && staff == 2,
                "{what}: frets off the tablature: {note}"
            );
            found_frets
                .entry((measure, position(offset)))
                .or_default()
                .extend(frets);
        }
        let part = note["part"].as_str().unwrap();
        if part == "Line" || bass && part == "Bass" {
            found_line.push((position((measure - 1) as f64 * bar + offset), pitches));
        } else if part == part_name {
            let staff = if guitar { staff } else { 1 };
            found_sounding
                .entry((staff, measure, position(offset)))
                .or_default()
                .extend(pitches);
        } else {
            panic!("{what}: a part named {part}");
        }
    }
    let expected_sounding: BTreeMap<_, _> = expected_sounding
        .into_iter()
        .map(|(at, notes)| (at, sorted(notes)))
        .collect();
    let found_sounding: BTreeMap<_, _> = found_sounding
        .into_iter()
        .map(|(at, notes)| (at, sorted(notes)))
        .collect();
    assert_eq!(found_sounding, expected_sounding, "{what}: sounding notes");
    for pairs in found_frets.values_mut().chain(expected_frets.values_mut()) {
        pairs.sort_unstable();
    }
    assert_eq!(found_frets, expected_frets, "{what}: strings and frets");

    // The line, note after note from the first barline.
    let mut at = 0.0;
    let mut expected_line = Vec::new();
    for note in music["melody"].as_array().map_or(&[][..], Vec::as_slice) {
        expected_line.push((
            position(at),
            vec![note["note"].as_str().unwrap().to_string()],
        ));
        at += note["beats"].as_f64().unwrap();
    }
    assert_eq!(found_line, expected_line, "{what}: the line");

    // Every bar of every part is full, and there are as many as the music needs.
    let last_chord_bar = chords
        .iter()
        .filter_map(|c| c["bar"].as_u64())
        .max()
        .unwrap_or(0);
    let line_bars = (at / bar).ceil() as u64;
    let bars = last_chord_bar.max(line_bars).max(1);
    let measures = read["measures"].as_array().unwrap();
    for measure in measures {
        assert_eq!(
            measure["quarters"].as_f64(),
            Some(bar),
            "{what}: {measure} is not a full bar"
        );
    }
    let instrument_bars = measures.iter().filter(|m| m["part"] == part_name).count() as u64;
    // music21 reads a part's staves (the grand staff, notation and tablature) as parts.
    assert_eq!(instrument_bars, staves.len() as u64 * bars, "{what}: bars");
}

fn run_cadence(home: &Path, args: &[&str]) -> String {
    let output = cadence(home).args(args).output().unwrap();
    succeeded(&format!("cadence {}", args.join(" ")), output)
}

#[test]
fn tutorials_exported_as_musicxml_read_back_in_music21_as_their_own_music() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for (number, (topic, key, level)) in TUTORIALS.iter().enumerate() {
        let id = (number + 1).to_string();
        run_cadence(
            home.path(),
            &[
                "tutorial",
                "--topic",
                topic,
                "--key",
                key,
                "--level",
                level,
                "--template",
            ],
        );
        let document: Value =
            serde_json::from_str(&run_cadence(home.path(), &["export", "tutorial", &id])).unwrap();
        let what = format!("{topic} in {key}");
        assert!(
            document["title"]
                .as_str()
                .unwrap()
                .contains(key.split(' ').next().unwrap()),
            "{what}: tutorial {id} is {}",
            document["title"]
        );

        // Named format and tempo, then the format from the extension at the default tempo.
        let (file, tempo) = if number % 2 == 0 {
            let file = out.path().join(format!("{id}.xml"));
            let path = file.to_str().unwrap();
            run_cadence(
                home.path(),
                &[
                    "export", "tutorial", &id, "--format", "musicxml", "--out", path, "--tempo",
                    "96",
                ],
            );
            (file, 96)
        } else {
            let file = out.path().join(format!("{id}.musicxml"));
            run_cadence(
                home.path(),
                &["export", "tutorial", &id, "--out", file.to_str().unwrap()],
            );
            (file, 80)
        };
        let read = read_with_music21(&file);
        assert_reads_as(&read, &document["music"], tempo, &what);
    }
}

#[test]
fn guitar_and_bass_tutorials_export_as_their_instruments() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for (number, (instrument, topic, key, level)) in INSTRUMENT_TUTORIALS.iter().enumerate() {
        let id = (number + 1).to_string();
        run_cadence(
            home.path(),
            &[
                "tutorial",
                "--topic",
                topic,
                "--key",
                key,
                "--level",
                level,
                "--instrument",
                instrument,
                "--template",
            ],
        );
        let document: Value =
            serde_json::from_str(&run_cadence(home.path(), &["export", "tutorial", &id])).unwrap();
        let what = format!("{topic} in {key} on the {instrument}");
        let music = &document["music"];
        assert_eq!(music["instrument"], *instrument, "{what}");
        let chords = music["chords"].as_array().unwrap();
        assert!(!chords.is_empty(), "{what}: no chords");
        if *instrument == "guitar" {
            // Every chord is fretted, so every chord's strings and frets are compared.
            assert!(
                chords.iter().all(|chord| chord.get("guitar").is_some()),
                "{what}: a chord without a shape"
            );
        } else {
            assert!(
                music["melody"]
                    .as_array()
                    .is_some_and(|line| !line.is_empty()),
                "{what}: no line"
            );
        }
        let file = out.path().join(format!("{id}.musicxml"));
        run_cadence(
            home.path(),
            &[
                "export",
                "tutorial",
                &id,
                "--format",
                "musicxml",
                "--out",
                file.to_str().unwrap(),
                "--tempo",
                "100",
            ],
        );
        assert_reads_as(&read_with_music21(&file), music, 100, &what);
    }
}

#[test]
fn musicxml_goes_to_standard_output_and_a_wrong_request_says_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    run_cadence(
        home.path(),
        &["tutorial", "--topic", "ii-V-I", "--key", "G", "--template"],
    );
    let printed = run_cadence(
        home.path(),
        &["export", "tutorial", "1", "--format", "musicxml"],
    );
    assert!(printed.starts_with("<?xml"), "{printed}");
    let file = home.path().join("printed.musicxml");
    std::fs::write(&file, &printed).unwrap();
    let read = read_with_music21(&file);
    assert_eq!(read["key"], "G major");
    assert_eq!(read["chords"].as_array().unwrap().len(), 4);

    let refused = |args: &[&str]| {
        let output = cadence(home.path()).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let error = refused(&["export", "tutorial", "1", "--out", "lesson.pdf"]);
    assert!(
        error.contains("give --format json, midi or musicxml"),
        "{error}"
    );
    let error = refused(&["export", "tutorial", "1", "--format", "midi"]);
    assert!(error.contains("--out lesson.mid"), "{error}");
    let error = refused(&[
        "export", "tutorial", "1", "--format", "musicxml", "--tempo", "5",
    ]);
    assert!(error.contains("between 20 and 400"), "{error}");
}

#[test]
fn an_exercise_exports_as_musicxml_at_its_tempo_and_other_materials_say_to_use_json() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let make = |request: MaterialRequest| {
        studio
            .create_material(
                &store,
                &request,
                Writers::TemplateOnly,
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap()
    };
    let exercise = make(MaterialRequest::Exercise {
        topic: "gospel-walk-up".into(),
        key: "Ab".into(),
        level: Level::Advanced,
        instrument: "piano".into(),
        exercise_kind: Some(ExerciseKind::Rhythm),
    });
    let plan = make(MaterialRequest::LessonPlanPart {
        topic: "steady beat".into(),
        grade: "3".into(),
        part: "differentiation".into(),
        standards: Vec::new(),
        instrument: "voice".into(),
    });
    assert_eq!(exercise.kind, MaterialKind::Exercise);

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("exercise.musicxml");
    let written = studio
        .export_material_file(&store, exercise.id, &file)
        .unwrap();
    assert_eq!(written.bytes, std::fs::metadata(&file).unwrap().len());
    let document = studio.open_material(&store, exercise.id).unwrap().document;
    let tempo = u32::try_from(document["tempo_bpm"].as_u64().unwrap()).unwrap();
    assert_reads_as(
        &read_with_music21(&file),
        &document["music"],
        tempo,
        "the exercise",
    );

    let error = studio
        .export_material_file(&store, plan.id, &out.path().join("plan.musicxml"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("MusicXML; export this lesson-plan part as JSON"),
        "{error}"
    );
}
