//! Checks every musical fact of a parsed document with the theory engine and repairs
//! what the engine can compute.
//!
//! A model writes keys, numerals, scale names and standard codes; chord symbols, notes,
//! voicings, ABC rhythms and answer keys are computed here and overwrite what was
//! written. A wrong computed field is a [`Severity::Repaired`] issue; a fact that
//! cannot be computed (an unreadable key or numeral, an invented standard code, a rhythm
//! that does not fill its bar) is a [`Severity::Error`]: the document must be
//! regenerated or fixed by hand.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::standards::{self, CodeProblem};
use super::template::Topic;
use super::types::{
    Assessment, ChordEntry, Curriculum, Exercise, ExerciseKind, LessonPlanDocument, MusicPayload,
    QuestionSpec, Rhythm, SCHEMA_VERSION, ScaleEntry, TheoryAnalysis, Tutorial, VoicingEntry,
};
use cadence_theory::{
    Chord, Key, Note, PitchClass, RomanNumeral, Scale, ScaleKind, Style, VoicingKind, voicing,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Was wrong and has been replaced by the computed value.
    Repaired,
    /// Questionable but usable as it is.
    Warning,
    /// Wrong and not computable: regenerate the document or fix it by hand.
    Error,
}

/// One problem, located by a JSON path such as `music.chords[2].symbol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub path: String,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Repaired => "repaired",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}: {} ({tag})", self.path, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    /// Musical facts checked (chords, notes, answers, codes…).
    pub checked: usize,
    pub issues: Vec<Issue>,
}

impl ValidationReport {
    /// True when nothing is left wrong (repairs and warnings are fine).
    pub fn is_acceptable(&self) -> bool {
        self.issues.iter().all(|i| i.severity != Severity::Error)
    }

    pub fn repaired(&self) -> usize {
        self.count(Severity::Repaired)
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    fn count(&self, severity: Severity) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == severity)
            .count()
    }

    /// The unrepaired problems as `path: message` lines.
    pub fn unrepaired(&self) -> Vec<String> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    fn push(&mut self, path: impl Into<String>, severity: Severity, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.into(),
            severity,
            message: message.into(),
        });
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} facts checked: {} repaired, {} errors",
            self.checked,
            self.repaired(),
            self.errors()
        )?;
        for issue in &self.issues {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}

fn names<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn check_version(found: u32, report: &mut ValidationReport) {
    if found != SCHEMA_VERSION {
        report.push(
            "schema_version",
            Severity::Error,
            format!("version {found} is not {SCHEMA_VERSION}, the version this Cadence writes"),
        );
    }
}

fn require_text(path: &str, value: &str, report: &mut ValidationReport) {
    if value.trim().is_empty() {
        report.push(path, Severity::Error, "must not be empty");
    }
}

/// Checks and completes a music payload in place.
pub fn music(payload: &mut MusicPayload, path: &str, report: &mut ValidationReport) {
    let key = match Key::from_str(&payload.key) {
        Ok(key) => key,
        Err(error) => {
            report.push(
                format!("{path}.key"),
                Severity::Error,
                format!("`{}` is not a key: {error}", payload.key),
            );
            return;
        }
    };
    let canonical_key = key.to_string();
    if payload.key != canonical_key {
        // A spelling variant ("Eb", "Ebmaj") of the same key: normalise quietly.
        payload.key = canonical_key;
    }
    let style = payload.style.theory();
    let voicing_kind = match payload.voicing_kind.as_deref().map(VoicingKind::from_str) {
        None => None,
        Some(Ok(kind)) => {
            payload.voicing_kind = Some(kind.name().to_string());
            Some(kind)
        }
        Some(Err(error)) => {
            report.push(
                format!("{path}.voicing_kind"),
                Severity::Error,
                error.to_string(),
            );
            None
        }
    };
    let chords = chords(&mut payload.chords, &key, style, path, report);
    if let Some(kind) = voicing_kind {
        voicings(&mut payload.chords, &chords, kind, path, report);
    }
    if let Some(scale) = payload.scale.as_mut() {
        scale_entry(scale, &format!("{path}.scale"), report);
    }
    if let Some(rhythm) = payload.rhythm.as_mut() {
        rhythm_entry(rhythm, &format!("{path}.rhythm"), report);
    }
    for (index, note) in payload.melody.iter().enumerate() {
        report.checked += 1;
        let note_path = format!("{path}.melody[{index}]");
        if let Err(error) = Note::from_str(&note.note) {
            report.push(
                format!("{note_path}.note"),
                Severity::Error,
                format!("`{}` is not a note with an octave: {error}", note.note),
            );
        }
        if !(note.beats.is_finite() && note.beats > 0.0 && note.beats <= 16.0) {
            report.push(
                format!("{note_path}.beats"),
                Severity::Error,
                format!("{} beats is not a length between 0 and 16", note.beats),
            );
        }
    }
}

/// Recomputes each chord from its numeral; returns the chords that could be read
/// (None where the numeral could not).
fn chords(
    entries: &mut [ChordEntry],
    key: &Key,
    style: Style,
    path: &str,
    report: &mut ValidationReport,
) -> Vec<Option<Chord>> {
    let mut computed = Vec::with_capacity(entries.len());
    let mut last_bar = 0;
    for (index, entry) in entries.iter_mut().enumerate() {
        report.checked += 1;
        let entry_path = format!("{path}.chords[{index}]");
        if entry.bar == 0 || entry.bar < last_bar {
            report.push(
                format!("{entry_path}.bar"),
                Severity::Error,
                format!(
                    "bar {} comes after bar {last_bar}; bars start at 1 and run forwards",
                    entry.bar
                ),
            );
        }
        last_bar = last_bar.max(entry.bar);
        let numeral = match RomanNumeral::from_str(&entry.numeral) {
            Ok(numeral) => numeral,
            Err(error) => {
                report.push(
                    format!("{entry_path}.numeral"),
                    Severity::Error,
                    format!(
                        "bar {}: `{}` is not a roman numeral: {error}",
                        entry.bar, entry.numeral
                    ),
                );
                computed.push(None);
                continue;
            }
        };
        let (chord, notes) = match numeral
            .chord(key, style)
            .and_then(|chord| Ok((chord, numeral.notes(key, style)?)))
        {
            Ok(found) => found,
            Err(error) => {
                report.push(
                    format!("{entry_path}.numeral"),
                    Severity::Error,
                    format!(
                        "bar {}: {} has no chord in {key}: {error}",
                        entry.bar, entry.numeral
                    ),
                );
                computed.push(None);
                continue;
            }
        };
        let symbol = chord.to_string();
        if !entry.symbol.is_empty() && entry.symbol != symbol {
            let same = Chord::from_str(&entry.symbol).is_ok_and(|given| given == chord);
            if !same {
                report.push(
                    format!("{entry_path}.symbol"),
                    Severity::Repaired,
                    format!(
                        "bar {}: {} is not {numeral} in {key}; {numeral} is {symbol}",
                        entry.bar, entry.symbol
                    ),
                );
            }
        }
        entry.symbol = symbol;
        let notes = names(&notes);
        if !entry.notes.is_empty() && entry.notes != notes {
            report.push(
                format!("{entry_path}.notes"),
                Severity::Repaired,
                format!(
                    "bar {}: {} are not the notes of {}; they are {}",
                    entry.bar,
                    entry.notes.join(" "),
                    entry.symbol,
                    notes.join(" ")
                ),
            );
        }
        entry.notes = notes;
        computed.push(Some(chord));
    }
    computed
}

/// Keeps a written voicing when it spells its chord; otherwise voices the whole
/// progression again so the voice leading stays smooth.
fn voicings(
    entries: &mut [ChordEntry],
    chords: &[Option<Chord>],
    kind: VoicingKind,
    path: &str,
    report: &mut ValidationReport,
) {
    let Some(chords) = chords.iter().cloned().collect::<Option<Vec<Chord>>>() else {
        return; // unreadable numerals are already errors
    };
    let mut all_fine = true;
    for (index, (entry, chord)) in entries.iter().zip(&chords).enumerate() {
        let Some(written) = &entry.voicing else {
            all_fine = false;
            continue;
        };
        report.checked += 1;
        let voicing_path = format!("{path}.chords[{index}].voicing");
        let notes: Result<Vec<Note>, _> = written.notes.iter().map(|n| Note::from_str(n)).collect();
        let problems = match (&notes, VoicingKind::from_str(&written.kind)) {
            (Ok(notes), Ok(written_kind)) if written_kind == kind => {
                voicing::check_voicing(chord, kind, notes)
            }
            (Ok(_), Ok(other)) => {
                vec![format!("is a {other} voicing, the payload asks for {kind}")]
            }
            (Ok(_), Err(error)) => vec![error.to_string()],
            (Err(error), _) => vec![format!("unreadable note: {error}")],
        };
        if !problems.is_empty() {
            all_fine = false;
            report.push(
                voicing_path,
                Severity::Repaired,
                format!(
                    "bar {}: {} {} for {chord}: {}; revoiced",
                    entry.bar,
                    written.notes.join(" "),
                    kind,
                    problems.join("; ")
                ),
            );
        }
    }
    if all_fine {
        return;
    }
    match voicing::voice_progression(&chords, kind, None) {
        Ok(voiced) => {
            for (entry, voiced) in entries.iter_mut().zip(voiced.voicings) {
                entry.voicing = Some(VoicingEntry {
                    kind: kind.name().to_string(),
                    notes: names(&voiced.notes),
                });
            }
        }
        Err(error) => report.push(
            format!("{path}.voicing_kind"),
            Severity::Error,
            format!("these chords cannot all be voiced as {kind}: {error}; choose another kind"),
        ),
    }
}

fn scale_entry(scale: &mut ScaleEntry, path: &str, report: &mut ValidationReport) {
    report.checked += 1;
    let parsed = format!("{} {}", scale.tonic, scale.kind).parse::<Scale>();
    let scale_value = match parsed {
        Ok(value) => value,
        Err(error) => {
            report.push(
                path,
                Severity::Error,
                format!("`{} {}` is not a scale: {error}", scale.tonic, scale.kind),
            );
            return;
        }
    };
    scale.tonic = scale_value.tonic.to_string();
    scale.kind = scale_value.kind.name().to_string();
    let notes = names(&scale_value.notes());
    if !scale.notes.is_empty() && scale.notes != notes {
        report.push(
            format!("{path}.notes"),
            Severity::Repaired,
            format!(
                "{} are not the notes of {scale_value}; they are {}",
                scale.notes.join(" "),
                notes.join(" ")
            ),
        );
    }
    scale.notes = notes;
}

/// Quarter-note beats in one bar of `meter` ("4/4", "6/8", "3/4").
pub fn beats_per_bar(meter: &str) -> Option<f64> {
    let (top, bottom) = meter.trim().split_once('/')?;
    let top: u32 = top.trim().parse().ok()?;
    let bottom: u32 = bottom.trim().parse().ok()?;
    if top == 0 || top > 32 || !matches!(bottom, 1 | 2 | 4 | 8 | 16) {
        return None;
    }
    Some(f64::from(top) * 4.0 / f64::from(bottom))
}

/// The pattern as a one-bar ABC tune on one pitch, or None when a duration is not a
/// whole number of sixteenths.
pub fn rhythm_abc(meter: &str, pattern: &[f64]) -> Option<String> {
    let sixteenths: Vec<u32> = pattern
        .iter()
        .map(|&beats| {
            let units = beats * 4.0;
            (units.is_finite() && units >= 1.0 && (units - units.round()).abs() < 1e-9)
                .then(|| units.round() as u32)
        })
        .collect::<Option<_>>()?;
    let eighths = sixteenths.iter().all(|units| units % 2 == 0);
    let (unit, divisor) = if eighths { ("1/8", 2) } else { ("1/16", 1) };
    let body: Vec<String> = sixteenths
        .iter()
        .map(|units| match units / divisor {
            1 => "c".to_string(),
            length => format!("c{length}"),
        })
        .collect();
    Some(format!(
        "X:1\nM:{}\nL:{unit}\nK:C\n|{}|]\n",
        meter.trim(),
        body.join(" ")
    ))
}

fn rhythm_entry(rhythm: &mut Rhythm, path: &str, report: &mut ValidationReport) {
    report.checked += 1;
    let Some(bar) = beats_per_bar(&rhythm.meter) else {
        report.push(
            format!("{path}.meter"),
            Severity::Error,
            format!("`{}` is not a time signature like 4/4 or 6/8", rhythm.meter),
        );
        return;
    };
    let total: f64 = rhythm.pattern.iter().sum();
    if rhythm.pattern.is_empty() || (total - bar).abs() > 1e-6 {
        report.push(
            format!("{path}.pattern"),
            Severity::Error,
            format!(
                "the durations add up to {total} beats but a bar of {} has {bar}",
                rhythm.meter
            ),
        );
        return;
    }
    let Some(abc) = rhythm_abc(&rhythm.meter, &rhythm.pattern) else {
        report.push(
            format!("{path}.pattern"),
            Severity::Error,
            "every duration must be a whole number of sixteenth notes (0.25 beats)",
        );
        return;
    };
    if !rhythm.abc.trim().is_empty() && rhythm.abc.trim() != abc.trim() {
        report.push(
            format!("{path}.abc"),
            Severity::Repaired,
            "the ABC did not match the pattern; rewritten from the pattern",
        );
    }
    rhythm.abc = abc;
}

/// What is wrong with a standard code for `grade`, if anything.
fn code_problem(code: &str, grade: Option<&str>) -> Option<String> {
    Some(match standards::check_code(code, grade) {
        Ok(_) => return None,
        Err(CodeProblem::Malformed) => {
            format!("`{code}` is not an NCAS music code (they look like MU:Cr1.1.3a)")
        }
        Err(CodeProblem::Unknown) => format!(
            "`{code}` is not an NCAS music standard; choose a code from assets/standards/ncas_music.csv"
        ),
        Err(CodeProblem::WrongGrade { code_grade }) => format!(
            "`{code}` is a grade {code_grade} standard, not grade {}",
            grade.unwrap_or("?")
        ),
    })
}

fn standard_codes(
    codes: &[String],
    grade: Option<&str>,
    path: &str,
    report: &mut ValidationReport,
) {
    for (index, code) in codes.iter().enumerate() {
        report.checked += 1;
        if let Some(message) = code_problem(code, grade) {
            report.push(format!("{path}[{index}]"), Severity::Error, message);
        }
    }
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

/// Removes every item `problem` finds fault with, reporting each removal as a repair at its
/// index in the list as it was.
fn drop_items(
    items: &mut Vec<String>,
    path: &str,
    report: &mut ValidationReport,
    mut problem: impl FnMut(&str) -> Option<String>,
) {
    let mut index = 0;
    items.retain(|item| {
        let fault = problem(item);
        if let Some(message) = &fault {
            report.push(
                format!("{path}[{index}]"),
                Severity::Repaired,
                format!("{message}; removed"),
            );
        }
        index += 1;
        fault.is_none()
    });
}

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
    if matches!(topic, Topic::Voicing(_)) && music.voicing_kind.is_none() {
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
        Topic::Voicing(kind) => {
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
        Topic::VoicingTypes => {}
    }
    report
}

pub fn exercise(doc: &mut Exercise) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    music(&mut doc.music, "music", &mut report);
    let needs = match doc.kind {
        ExerciseKind::Progression | ExerciseKind::VoicingStudy if doc.music.chords.is_empty() => {
            Some("music.chords")
        }
        ExerciseKind::VoicingStudy if doc.music.voicing_kind.is_none() => {
            Some("music.voicing_kind")
        }
        ExerciseKind::ScalePattern if doc.music.scale.is_none() => Some("music.scale"),
        ExerciseKind::ScalePattern | ExerciseKind::Lick if doc.music.melody.is_empty() => {
            Some("music.melody")
        }
        ExerciseKind::Rhythm if doc.music.rhythm.is_none() => Some("music.rhythm"),
        _ => None,
    };
    if let Some(field) = needs {
        report.push(
            field,
            Severity::Error,
            format!("a {:?} exercise needs it", doc.kind),
        );
    }
    if doc.kind == ExerciseKind::ScalePattern {
        scale_pattern_notes(&doc.music, &mut report);
    }
    report
}

/// Every note of a scale pattern must belong to its scale.
fn scale_pattern_notes(payload: &MusicPayload, report: &mut ValidationReport) {
    let Some(scale) = payload
        .scale
        .as_ref()
        .and_then(|s| format!("{} {}", s.tonic, s.kind).parse::<Scale>().ok())
    else {
        return;
    };
    for (index, entry) in payload.melody.iter().enumerate() {
        if let Ok(note) = Note::from_str(&entry.note)
            && !scale.contains(note.pitch())
        {
            report.push(
                format!("music.melody[{index}].note"),
                Severity::Error,
                format!(
                    "{} is not in {scale} ({})",
                    entry.note,
                    names(&scale.notes()).join(" ")
                ),
            );
        }
    }
}

/// The answer key of a question, computed by the theory engine.
pub fn answer_key(spec: &QuestionSpec) -> Result<Vec<String>, cadence_theory::TheoryError> {
    Ok(match spec {
        QuestionSpec::ChordForNumeral {
            key,
            numeral,
            style,
        } => {
            let key: Key = key.parse()?;
            vec![
                RomanNumeral::from_str(numeral)?
                    .chord(&key, style.theory())?
                    .to_string(),
            ]
        }
        QuestionSpec::NumeralForChord { key, symbol, style } => {
            let key: Key = key.parse()?;
            let chord: Chord = symbol.parse()?;
            vec![
                RomanNumeral::for_chord(&chord, &key, style.theory())?
                    .numeral
                    .to_string(),
            ]
        }
        QuestionSpec::ChordNotes { symbol } => names(&Chord::from_str(symbol)?.notes()),
        QuestionSpec::ScaleNotes { tonic, scale } => {
            names(&format!("{tonic} {scale}").parse::<Scale>()?.notes())
        }
        QuestionSpec::KeySignature { key } => {
            vec![key.parse::<Key>()?.signature().to_string()]
        }
    })
}

pub fn assessment(doc: &mut Assessment) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    if doc.questions.is_empty() {
        report.push(
            "questions",
            Severity::Error,
            "an assessment needs questions",
        );
    }
    for (index, question) in doc.questions.iter_mut().enumerate() {
        report.checked += 1;
        let path = format!("questions[{index}]");
        let number = index as u32 + 1;
        if question.number != number {
            question.number = number;
        }
        let answer = match answer_key(&question.spec) {
            Ok(answer) => answer,
            Err(error) => {
                report.push(
                    format!("{path}.spec"),
                    Severity::Error,
                    format!("the engine cannot answer this question: {error}"),
                );
                continue;
            }
        };
        if !question.answer.is_empty() && question.answer != answer {
            report.push(
                format!("{path}.answer"),
                Severity::Repaired,
                format!(
                    "the answer key said {}, the engine computes {}",
                    question.answer.join(" "),
                    answer.join(" ")
                ),
            );
        }
        question.answer = answer;
        let joined = question.answer.join(" ");
        if !question.choices.is_empty() && !question.choices.contains(&joined) {
            report.push(
                format!("{path}.choices"),
                Severity::Repaired,
                format!("no choice was the correct answer {joined}; it replaces the first choice"),
            );
            question.choices[0] = joined;
        }
    }
    report
}

pub fn theory_analysis(doc: &mut TheoryAnalysis) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    music(&mut doc.music, "music", &mut report);
    let Ok(key) = Key::from_str(&doc.music.key) else {
        return report;
    };
    let style = doc.music.style.theory();
    for (index, note) in doc.functions.iter_mut().enumerate() {
        report.checked += 1;
        let path = format!("functions[{index}]");
        let chord = doc
            .music
            .chords
            .iter()
            .find(|c| c.bar == note.bar && c.numeral == note.numeral)
            .and_then(|c| Chord::from_str(&c.symbol).ok());
        let Some(chord) = chord else {
            report.push(
                path,
                Severity::Error,
                format!(
                    "bar {}: {} is not among the analysed chords",
                    note.bar, note.numeral
                ),
            );
            continue;
        };
        if let Ok(reading) = RomanNumeral::for_chord(&chord, &key, style) {
            let function = reading.function.into();
            if note.function != function {
                report.push(
                    format!("{path}.function"),
                    Severity::Repaired,
                    format!(
                        "bar {}: {chord} in {key} is {function:?}, not {:?}",
                        note.bar, note.function
                    ),
                );
                note.function = function;
            }
        }
    }
    for (index, relation) in doc.scale_chord.iter_mut().enumerate() {
        let path = format!("scale_chord[{index}]");
        let Ok(chord) = Chord::from_str(&relation.symbol) else {
            report.push(
                format!("{path}.symbol"),
                Severity::Error,
                format!("`{}` is not a chord symbol", relation.symbol),
            );
            continue;
        };
        let mut kept = Vec::with_capacity(relation.scales.len());
        for name in relation.scales.drain(..) {
            report.checked += 1;
            match name.parse::<Scale>() {
                Ok(scale) if chord.notes().iter().all(|p| scale.contains(*p)) => kept.push(name),
                Ok(scale) => report.push(
                    format!("{path}.scales"),
                    Severity::Repaired,
                    format!("{scale} does not contain every note of {chord}; removed"),
                ),
                Err(error) => report.push(
                    format!("{path}.scales"),
                    Severity::Repaired,
                    format!("`{name}` is not a scale ({error}); removed"),
                ),
            }
        }
        relation.scales = kept;
    }
    for (index, substitution) in doc.substitutions.iter().enumerate() {
        report.checked += 1;
        for (field, symbol) in [
            ("original", &substitution.original),
            ("substitute", &substitution.substitute),
        ] {
            if let Err(error) = Chord::from_str(symbol) {
                report.push(
                    format!("substitutions[{index}].{field}"),
                    Severity::Error,
                    format!("`{symbol}` is not a chord symbol: {error}"),
                );
            }
        }
    }
    report
}

pub fn lesson_plan(doc: &mut LessonPlanDocument) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    let grade = standards::normalize_grade(&doc.grade);
    match grade {
        Some(grade) => doc.grade = grade.to_string(),
        None => report.push(
            "grade",
            Severity::Error,
            format!("`{}` is not an NCAS grade; use PK, K or 1 to 8", doc.grade),
        ),
    }
    if doc.standards.is_empty() {
        report.push(
            "standards",
            Severity::Error,
            "a lesson plan cites at least one standard",
        );
    }
    standard_codes(&doc.standards, grade, "standards", &mut report);
    report
}

/// Checks a curriculum; a lesson topic the template generator does not know is a warning,
/// since a model can still write its tutorial.
pub fn curriculum(doc: &mut Curriculum) -> ValidationReport {
    curriculum_with(doc, Severity::Warning)
}

/// Checks a curriculum whose every lesson the template generator must be able to write
/// (and whose exercises the engine computes from each lesson's topic): an unknown topic
/// is an error.
pub fn curriculum_with_known_topics(doc: &mut Curriculum) -> ValidationReport {
    curriculum_with(doc, Severity::Error)
}

fn curriculum_with(doc: &mut Curriculum, unknown_topic: Severity) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_version(doc.schema_version, &mut report);
    require_text("title", &doc.title, &mut report);
    let lesson_counts: Vec<usize> = doc.modules.iter().map(|m| m.lessons.len()).collect();
    if lesson_counts.iter().sum::<usize>() == 0 {
        report.push(
            "modules",
            Severity::Error,
            "a curriculum has at least one module with at least one lesson",
        );
    }
    for (m, module) in doc.modules.iter().enumerate() {
        let path = format!("modules[{m}]");
        if module.week_start == 0
            || module.week_end < module.week_start
            || module.week_end > doc.duration_weeks
        {
            report.push(
                format!("{path}.week_end"),
                Severity::Error,
                format!(
                    "weeks {}–{} do not fit in a {}-week curriculum",
                    module.week_start, module.week_end, doc.duration_weeks
                ),
            );
        }
        for (l, lesson) in module.lessons.iter().enumerate() {
            report.checked += 1;
            let lesson_path = format!("{path}.lessons[{l}]");
            if let Err(error) = Key::from_str(&lesson.key) {
                report.push(
                    format!("{lesson_path}.key"),
                    Severity::Error,
                    format!("`{}` is not a key: {error}", lesson.key),
                );
            }
            if Topic::parse(&lesson.topic).is_err() {
                let consequence = match unknown_topic {
                    Severity::Error => format!("use one of: {}", super::template::KNOWN_TOPICS),
                    _ => "only a model can write it".to_string(),
                };
                report.push(
                    format!("{lesson_path}.topic"),
                    unknown_topic,
                    format!(
                        "the template generator does not know `{}`; {consequence}",
                        lesson.topic
                    ),
                );
            }
            for (p, prerequisite) in lesson.prerequisites.iter().enumerate() {
                let earlier = (prerequisite.module as usize, prerequisite.lesson as usize) < (m, l);
                let exists = lesson_counts
                    .get(prerequisite.module as usize)
                    .is_some_and(|count| (prerequisite.lesson as usize) < *count);
                if !exists || !earlier {
                    report.push(
                        format!("{lesson_path}.prerequisites[{p}]"),
                        Severity::Error,
                        format!(
                            "module {} lesson {} is not an earlier lesson of this curriculum",
                            prerequisite.module, prerequisite.lesson
                        ),
                    );
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;
    use crate::types::{
        AssessmentKind, ChordFunction, FunctionNote, LessonPlanPart, Level, MelodyNote,
        NumeralStyle, Question, ScaleChordRelation,
    };

    fn entry(bar: u32, numeral: &str, symbol: &str) -> ChordEntry {
        ChordEntry {
            bar,
            numeral: numeral.into(),
            symbol: symbol.into(),
            notes: Vec::new(),
            voicing: None,
        }
    }

    fn payload(key: &str, chords: Vec<ChordEntry>) -> MusicPayload {
        MusicPayload {
            key: key.into(),
            style: NumeralStyle::Classical,
            voicing_kind: None,
            chords,
            scale: None,
            rhythm: None,
            melody: Vec::new(),
        }
    }

    fn messages(report: &ValidationReport) -> Vec<String> {
        report.issues.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn wrong_chord_for_its_numeral_is_named_and_recomputed() {
        let mut music = payload(
            "Eb",
            vec![
                entry(1, "ii7", "Fm7"),
                entry(2, "V7", "Ab7"),
                entry(3, "Imaj7", ""),
            ],
        );
        music.chords[0].notes = vec!["F".into(), "A".into(), "C".into(), "Eb".into()];
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert_eq!(music.key, "Eb major");
        assert_eq!(music.chords[1].symbol, "Bb7");
        assert_eq!(music.chords[2].symbol, "Ebmaj7");
        assert_eq!(music.chords[0].notes, ["F", "Ab", "C", "Eb"]);
        let text = messages(&report);
        assert!(
            text.contains(
                &"music.chords[1].symbol: bar 2: Ab7 is not V7 in Eb major; V7 is Bb7 (repaired)"
                    .to_string()
            ),
            "{text:?}"
        );
        assert!(
            text.iter().any(|m| m
                .starts_with("music.chords[0].notes: bar 1: F A C Eb are not the notes of Fm7")),
            "{text:?}"
        );
        assert!(report.is_acceptable());
        assert_eq!(report.repaired(), 2);
    }

    fn music_check(music: &mut MusicPayload, report: &mut ValidationReport) {
        super::music(music, "music", report);
    }

    #[test]
    fn unreadable_facts_are_errors_with_their_path() {
        let mut music = payload("Eb", vec![entry(1, "ii7", ""), entry(2, "XIV7", "")]);
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(!report.is_acceptable());
        assert!(
            report.unrepaired()[0]
                .starts_with("music.chords[1].numeral: bar 2: `XIV7` is not a roman numeral"),
            "{report}"
        );

        let mut music = payload("H major", vec![entry(1, "I", "")]);
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(
            report.unrepaired()[0].starts_with("music.key: `H major` is not a key"),
            "{report}"
        );

        let mut music = payload("C", Vec::new());
        music.rhythm = Some(Rhythm {
            meter: "4/4".into(),
            pattern: vec![1.0, 1.0],
            abc: String::new(),
        });
        music.melody = vec![MelodyNote {
            note: "C".into(),
            beats: 1.0,
        }];
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        let errors = report.unrepaired();
        assert!(
            errors.iter().any(|e| e.contains(
                "music.rhythm.pattern: the durations add up to 2 beats but a bar of 4/4 has 4"
            )),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("music.melody[0].note")),
            "{errors:?}"
        );
    }

    #[test]
    fn wrong_voicings_are_revoiced_and_correct_ones_kept() {
        let tutorial = template::tutorial("ii-V-I", "C", Level::Intermediate).unwrap();
        let mut music = tutorial.music.clone();
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert!(report.issues.is_empty(), "{report}");
        if let Some(voicing) = music.chords[1].voicing.as_mut() {
            voicing.notes = vec!["G3".into(), "C4".into(), "E4".into()];
        }
        let mut report = ValidationReport::default();
        music_check(&mut music, &mut report);
        assert_eq!(report.repaired(), 1, "{report}");
        assert!(report.issues[0].path == "music.chords[1].voicing");
        assert_eq!(music, tutorial.music);
    }

    #[test]
    fn rhythm_abc_is_written_from_the_pattern() {
        assert_eq!(
            rhythm_abc("4/4", &[1.0, 1.0, 2.0]).unwrap(),
            "X:1\nM:4/4\nL:1/8\nK:C\n|c2 c2 c4|]\n"
        );
        assert_eq!(
            rhythm_abc("3/4", &[0.25, 0.75, 2.0]).unwrap(),
            "X:1\nM:3/4\nL:1/16\nK:C\n|c c3 c8|]\n"
        );
        assert!(rhythm_abc("4/4", &[1.1, 2.9]).is_none());
        assert_eq!(beats_per_bar("6/8"), Some(3.0));
        assert_eq!(beats_per_bar("4/5"), None);
    }

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

    #[test]
    fn invented_and_misplaced_standard_codes_are_rejected_by_name() {
        let mut plan =
            template::lesson_plan("steady beat", "grade 3", "reflection_questions").unwrap();
        plan.standards = vec![
            "MU:Cr1.1.3a".into(),
            "MU:Cr7.4.3c".into(),
            "MU:Re7.1.5a".into(),
            "ELA:1".into(),
        ];
        let report = lesson_plan(&mut plan);
        let errors = report.unrepaired();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("standards[1]: `MU:Cr7.4.3c` is not an NCAS music standard"));
        assert_eq!(
            errors[1],
            "standards[2]: `MU:Re7.1.5a` is a grade 5 standard, not grade 3"
        );
        assert!(errors[2].contains("`ELA:1` is not an NCAS music code"));
        plan.grade = "13".into();
        plan.content = LessonPlanPart::ReflectionQuestions { questions: vec![] };
        assert!(lesson_plan(&mut plan).unrepaired()[0].starts_with("grade: `13`"));
    }

    #[test]
    fn answer_keys_are_recomputed_and_choices_fixed() {
        let mut assessment =
            template::assessment("ii-V-I", "Eb", Level::Beginner, AssessmentKind::Diagnostic)
                .unwrap();
        assessment.questions[0].answer = vec!["Gm7".into()];
        assessment.questions[0].choices =
            vec!["Gm7".into(), "Am7".into(), "Bbm7".into(), "Cm7".into()];
        assessment.questions.push(Question {
            number: 99,
            prompt: "Spell it".into(),
            spec: QuestionSpec::ChordNotes {
                symbol: "Q7".into(),
            },
            choices: Vec::new(),
            answer: Vec::new(),
            points: 1,
        });
        let report = assessment_check(&mut assessment);
        assert_eq!(assessment.questions[0].answer, ["Fm7"]);
        assert_eq!(assessment.questions[0].choices[0], "Fm7");
        let text = messages(&report);
        assert!(
            text.iter().any(|m| m.starts_with(
                "questions[0].answer: the answer key said Gm7, the engine computes Fm7"
            )),
            "{text:?}"
        );
        assert!(report.unrepaired().iter().any(|e| e.starts_with(&format!(
            "questions[{}].spec",
            assessment.questions.len() - 1
        ))));
    }

    fn assessment_check(doc: &mut Assessment) -> ValidationReport {
        super::assessment(doc)
    }

    #[test]
    fn analysis_functions_and_scale_choices_are_checked() {
        let mut analysis = template::theory_analysis("ii-V-I", "C", Level::Beginner).unwrap();
        analysis.functions[1] = FunctionNote {
            function: ChordFunction::Borrowed,
            ..analysis.functions[1].clone()
        };
        analysis.scale_chord.push(ScaleChordRelation {
            symbol: "G7".into(),
            scales: vec!["G major".into(), "G mixolydian".into(), "G zither".into()],
        });
        let report = theory_analysis(&mut analysis);
        assert_eq!(analysis.functions[1].function, ChordFunction::Diatonic);
        assert_eq!(
            analysis.scale_chord.last().unwrap().scales,
            ["G mixolydian"]
        );
        assert_eq!(report.repaired(), 3, "{report}");
        assert!(report.is_acceptable());
    }

    #[test]
    fn curriculum_prerequisites_must_point_back() {
        let mut curriculum = template::curriculum("C", Level::Beginner, 4).unwrap();
        curriculum.modules[0].lessons[0].prerequisites = vec![super::super::types::LessonRef {
            module: 1,
            lesson: 0,
        }];
        curriculum.modules[1].week_end = 9;
        let report = super::curriculum(&mut curriculum);
        let errors = report.unrepaired();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[1].starts_with("modules[0].lessons[0].prerequisites[0]")
                || errors[0].starts_with("modules[0].lessons[0].prerequisites[0]")
        );
    }
}
