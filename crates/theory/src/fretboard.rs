//! Fretted instruments: standard tunings, chord shapes computed from the tuning, and the
//! single line a bass plays.
//!
//! (Long because the shape search, its ranking and the check of a written shape share the
//! fingering rules, and the well-known shapes they must find are tested beside them.)
//!
//! A shape is searched for, not looked up: every way of fretting the chord's notes is tried
//! and the most playable one kept, so any chord the engine spells gets a shape, or a reason
//! why none fits, in every key. A shape
//! - frets every string or mutes it, and sounds the chord's bass (root, or the inversion's
//!   bass) on its lowest string, with no note below it;
//! - sounds every chord tone, except that a four-note chord may leave out its perfect fifth
//!   and an eleventh or thirteenth chord the extensions below its top one;
//! - keeps its fretted notes within four frets (highest minus lowest at most 3), held by
//!   four fingers in fret order, a barre or a finger laid across neighbouring strings at one
//!   fret counting as one.
//!
//! Among playable shapes the search prefers, in order: no muted string above the bass; at
//! least four strings; the open position (open strings and the first three frets); the
//! lowest position; every chord tone; more strings; above the open position, fewer open
//! strings (a closed shape moves to other keys); fewer fingers; lower frets.

use std::cmp::Reverse;
use std::fmt;

use super::chord::Chord;
use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::pitch::{Letter, Note, PitchClass};
use super::quality::Extension;

/// Most fingers a shape may need, a barre counting as one.
const FINGERS: usize = 4;
/// Highest fretted fret minus lowest: four frets, one finger each.
const STRETCH: u8 = 3;
/// The open position: open strings and these frets.
const OPEN_POSITION: u8 = 3;
/// Fewer sounding strings than this make a thin shape, kept for chords with no fuller one.
const THIN: usize = 4;
/// Highest fret searched: a shape at the twelfth fret repeats the open position, so a
/// stretch above it finds nothing new.
const HIGHEST_SEARCHED: u8 = 12 + STRETCH;

/// A fretted instrument: its open strings, lowest first, and how many frets it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fretboard {
    name: &'static str,
    strings: Vec<Note>,
    frets: u8,
}

const fn natural(letter: Letter, octave: i8) -> Note {
    Note::new(PitchClass::natural(letter), octave)
}

impl Fretboard {
    /// A six-string guitar in standard tuning: E2 A2 D3 G3 B3 E4.
    pub fn guitar() -> Self {
        use Letter::{A, B, D, E, G};
        Fretboard {
            name: "guitar",
            strings: vec![
                natural(E, 2),
                natural(A, 2),
                natural(D, 3),
                natural(G, 3),
                natural(B, 3),
                natural(E, 4),
            ],
            frets: 19,
        }
    }

    /// A four-string bass in standard tuning: E1 A1 D2 G2.
    pub fn bass() -> Self {
        use Letter::{A, D, E, G};
        Fretboard {
            name: "bass",
            strings: vec![natural(E, 1), natural(A, 1), natural(D, 2), natural(G, 2)],
            frets: 20,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The open strings, lowest first.
    pub fn strings(&self) -> &[Note] {
        &self.strings
    }

    /// The highest fret.
    pub fn frets(&self) -> u8 {
        self.frets
    }

    /// The most playable shape of `chord` (see the module documentation for what that
    /// means), or why it has none.
    pub fn chord_shape(&self, chord: &Chord) -> Result<ChordShape> {
        let tones = Tones::of(chord);
        let fail = |reason: String| TheoryError::VoicingFailed {
            chord: chord.to_string(),
            kind: format!("a {} shape", self.name),
            reason,
        };
        if tones.required.len() > self.strings.len() {
            return Err(fail(format!(
                "it has {} notes to sound and a {} has {} strings; play a chord with fewer tensions",
                tones.required.len(),
                self.name,
                self.strings.len()
            )));
        }
        let candidates: Vec<Vec<Option<u8>>> = self
            .strings
            .iter()
            .map(|open| {
                let mut frets = vec![None];
                frets.extend(
                    (0..=HIGHEST_SEARCHED.min(self.frets))
                        .filter(|&fret| tones.contains(semitone(open.midi() + i32::from(fret))))
                        .map(Some),
                );
                frets
            })
            .collect();
        let mut search = Search {
            fretboard: self,
            tones: &tones,
            candidates: &candidates,
            frets: Vec::with_capacity(self.strings.len()),
            best: None,
        };
        search.search_from(0);
        let (_, frets) = search.best.ok_or_else(|| {
            fail(format!(
                "no fretting sounds its notes with {} in the bass within four frets and four fingers",
                tones.bass
            ))
        })?;
        Ok(self.spell(&tones, frets))
    }

    /// What is wrong with `frets` (one per string, lowest first; None mutes a string) as a
    /// shape of `chord`: empty when it is a playable shape that sounds the chord.
    pub fn shape_problems(&self, chord: &Chord, frets: &[Option<u8>]) -> Vec<String> {
        if frets.len() != self.strings.len() {
            let given = match frets.len() {
                1 => "1 fret".to_string(),
                n => format!("{n} frets"),
            };
            return vec![format!(
                "gives {given} for the {}'s {} strings; give one per string, null for a muted one",
                self.name,
                self.strings.len()
            )];
        }
        if let Some(fret) = frets.iter().flatten().find(|&&fret| fret > self.frets) {
            return vec![format!(
                "fret {fret} is beyond the {}'s {}",
                self.name, self.frets
            )];
        }
        let tones = Tones::of(chord);
        let mut problems = Vec::new();
        let sounding: Vec<i32> = self.sounding_midi(frets).collect();
        let Some(&lowest) = sounding.iter().min() else {
            return vec!["sounds no string".to_string()];
        };
        if semitone(lowest) != tones.bass.semitone() {
            problems.push(format!(
                "its lowest note is not {}, the chord's bass",
                tones.bass
            ));
        }
        let strangers: Vec<String> = sounding
            .iter()
            .filter(|&&midi| !tones.contains(semitone(midi)))
            .map(|&midi| Note::from_midi(midi, true).to_string())
            .collect();
        if !strangers.is_empty() {
            problems.push(format!("{} is not in the chord", strangers.join(" ")));
        }
        let missing: Vec<String> = tones
            .required
            .iter()
            .filter(|pitch| !sounding.iter().any(|&m| semitone(m) == pitch.semitone()))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            problems.push(format!("it leaves out {}", missing.join(" ")));
        }
        let fretted: Vec<u8> = frets.iter().flatten().copied().filter(|&f| f > 0).collect();
        if let (Some(low), Some(high)) = (fretted.iter().min(), fretted.iter().max())
            && high - low > STRETCH
        {
            problems.push(format!(
                "it stretches from fret {low} to fret {high}, more than four frets"
            ));
        }
        if !fingering_fits(frets) {
            problems.push("four fingers cannot hold it".to_string());
        }
        problems
    }

    /// `frets` as a shape of `chord`, each sounding note spelled as the chord spells it; an
    /// error says what is wrong with a shape that does not sound the chord playably.
    pub fn shape_from_frets(&self, chord: &Chord, frets: &[Option<u8>]) -> Result<ChordShape> {
        let problems = self.shape_problems(chord, frets);
        if !problems.is_empty() {
            return Err(TheoryError::VoicingFailed {
                chord: chord.to_string(),
                kind: format!("the {} shape {}", self.name, diagram(frets)),
                reason: problems.join("; "),
            });
        }
        Ok(self.spell(&Tones::of(chord), frets.to_vec()))
    }

    fn sounding_midi<'a>(&'a self, frets: &'a [Option<u8>]) -> impl Iterator<Item = i32> + 'a {
        self.strings
            .iter()
            .zip(frets)
            .filter_map(|(open, fret)| fret.map(|fret| open.midi() + i32::from(fret)))
    }

    fn spell(&self, tones: &Tones, frets: Vec<Option<u8>>) -> ChordShape {
        let notes = self
            .strings
            .iter()
            .zip(&frets)
            .map(|(open, fret)| {
                fret.map(|fret| {
                    let midi = open.midi() + i32::from(fret);
                    let pitch = tones
                        .spelling(semitone(midi))
                        .unwrap_or_else(|| PitchClass::from_semitone(midi, true));
                    spelled_at(pitch, midi)
                })
            })
            .collect();
        ChordShape { frets, notes }
    }

    /// The bass line of `pitches` (each chord's bass, in order): the first in the
    /// instrument's lowest octave, each next at the octave nearest the note before.
    pub fn line(&self, pitches: &[PitchClass]) -> Vec<Note> {
        let lowest = self.strings.first().map_or(28, |open| open.midi());
        line_in_range(pitches, lowest, lowest + 15)
    }
}

/// Each of `pitches` placed between the MIDI notes `lowest` and `highest` (at least an
/// octave apart): the first as low as it goes, each next at the octave nearest the note
/// before (the lower of two as near). Spelled as given.
pub fn line_in_range(pitches: &[PitchClass], lowest: i32, highest: i32) -> Vec<Note> {
    let highest = highest.max(lowest + 11);
    let mut previous: Option<i32> = None;
    pitches
        .iter()
        .map(|&pitch| {
            let first = lowest + (i32::from(pitch.semitone()) - lowest).rem_euclid(12);
            let placements = (first..=highest).step_by(12);
            let midi = match previous {
                None => first,
                Some(before) => placements
                    .min_by_key(|&midi| ((midi - before).abs(), midi))
                    .unwrap_or(first),
            };
            previous = Some(midi);
            spelled_at(pitch, midi)
        })
        .collect()
}

/// The guitar's most playable shape of `chord`.
pub fn guitar_shape(chord: &Chord) -> Result<ChordShape> {
    Fretboard::guitar().chord_shape(chord)
}

/// A chord fretted on an instrument: each string's fret (None muted) and note, lowest
/// string first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChordShape {
    frets: Vec<Option<u8>>,
    notes: Vec<Option<Note>>,
}

impl ChordShape {
    /// Each string's fret, lowest string first: 0 open, None muted.
    pub fn frets(&self) -> &[Option<u8>] {
        &self.frets
    }

    /// Each string's note, lowest string first; None where it is muted.
    pub fn string_notes(&self) -> &[Option<Note>] {
        &self.notes
    }

    /// The notes that sound, lowest string first.
    pub fn sounding(&self) -> Vec<Note> {
        self.notes.iter().flatten().copied().collect()
    }

    /// The lowest fretted fret (0 when every sounding string is open).
    pub fn position(&self) -> u8 {
        self.frets
            .iter()
            .flatten()
            .copied()
            .filter(|&f| f > 0)
            .min()
            .unwrap_or(0)
    }

    /// The fret a barre lies across, where the shape needs one.
    pub fn barre(&self) -> Option<u8> {
        barre(&self.frets).map(|(fret, _, _)| fret)
    }

    /// Fingers needed: a barre, or a finger laid across neighbouring strings, counts as one.
    pub fn fingers(&self) -> usize {
        fingers(&self.frets)
    }
}

impl fmt::Display for ChordShape {
    /// `x32010`; with a fret above 9, `x-10-12-12-10-x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&diagram(&self.frets))
    }
}

/// A shape's frets in the usual chord-book form: `x32010`, or with a fret above 9
/// `x-10-12-12-10-x`.
pub fn diagram(frets: &[Option<u8>]) -> String {
    let marks: Vec<String> = frets
        .iter()
        .map(|fret| fret.map_or("x".to_string(), |f| f.to_string()))
        .collect();
    let separator = if frets.iter().flatten().any(|&f| f > 9) {
        "-"
    } else {
        ""
    };
    marks.join(separator)
}

fn semitone(midi: i32) -> u8 {
    midi.rem_euclid(12) as u8
}

/// `pitch` at the octave that sounds `midi` (which must sound `pitch`).
fn spelled_at(pitch: PitchClass, midi: i32) -> Note {
    let natural = pitch.letter().natural_semitone() + i32::from(pitch.alter());
    let octave = (midi - natural).div_euclid(12) - 1;
    Note::new(pitch, octave.clamp(-10, 20) as i8)
}

/// The barre of a shape: the lowest fretted fret held down across the strings from the
/// lowest to the highest fretted there, when two or more are and none between is open or
/// muted. Returns the fret and that range of strings.
fn barre(frets: &[Option<u8>]) -> Option<(u8, usize, usize)> {
    let low = frets.iter().flatten().copied().filter(|&f| f > 0).min()?;
    let at_low: Vec<usize> = (0..frets.len())
        .filter(|&string| frets[string] == Some(low))
        .collect();
    let (&first, &last) = (at_low.first()?, at_low.last()?);
    let covered = frets[first..=last]
        .iter()
        .all(|fret| fret.is_some_and(|f| f >= low));
    (at_low.len() >= 2 && covered).then_some((low, first, last))
}

/// The fret each finger holds down, lowest first: the index finger's barre where the shape
/// has one, then one finger for each run of neighbouring strings at the same fret (a finger
/// laid across them).
fn finger_frets(frets: &[Option<u8>]) -> Vec<u8> {
    let barre_fret = barre(frets).map(|(fret, _, _)| fret);
    let mut held: Vec<u8> = barre_fret.into_iter().collect();
    let mut previous = None;
    for &fret in frets {
        match fret {
            Some(f) if f > 0 && Some(f) != barre_fret => {
                if previous != Some(f) {
                    held.push(f);
                }
                previous = Some(f);
            }
            _ => previous = None,
        }
    }
    held.sort_unstable();
    held
}

/// Whether four fingers can hold the shape: fingers take their frets in order, and a fret
/// `d` above the lowest takes no finger before the `d + 1`th (one finger a fret).
fn fingering_fits(frets: &[Option<u8>]) -> bool {
    let held = finger_frets(frets);
    let Some(&lowest) = held.first() else {
        return true;
    };
    let mut finger = 0;
    for fret in held {
        finger = (finger + 1).max(usize::from(fret - lowest) + 1);
    }
    finger <= FINGERS
}

fn fingers(frets: &[Option<u8>]) -> usize {
    finger_frets(frets).len()
}

/// A chord's notes as a shape must sound them.
struct Tones {
    bass: PitchClass,
    /// Every note, bass first, as the chord spells them.
    all: Vec<PitchClass>,
    /// The notes every shape sounds.
    required: Vec<PitchClass>,
    /// The notes a shape may leave out, and sounds where it can.
    optional: Vec<PitchClass>,
}

impl Tones {
    fn of(chord: &Chord) -> Tones {
        let all = chord.notes();
        let bass = all.first().copied().unwrap_or(chord.root());
        let extension = chord.quality().extension();
        let droppable = |interval: Interval| {
            (interval == Interval::PERFECT_FIFTH && all.len() >= 4)
                || (interval == Interval::MAJOR_NINTH
                    && matches!(extension, Some(Extension::Eleventh | Extension::Thirteenth)))
                || (interval == Interval::PERFECT_ELEVENTH
                    && extension == Some(Extension::Thirteenth))
        };
        let optional: Vec<PitchClass> = chord
            .tones()
            .into_iter()
            .filter(|&(interval, pitch)| droppable(interval) && pitch != bass)
            .map(|(_, pitch)| pitch)
            .collect();
        let mut required: Vec<PitchClass> = Vec::new();
        for &pitch in &all {
            let sounds_as_another = required.iter().any(|p| p.semitone() == pitch.semitone());
            if !optional.contains(&pitch) && !sounds_as_another {
                required.push(pitch);
            }
        }
        Tones {
            bass,
            all,
            required,
            optional,
        }
    }

    fn contains(&self, semitone: u8) -> bool {
        self.all.iter().any(|p| p.semitone() == semitone)
    }

    fn spelling(&self, semitone: u8) -> Option<PitchClass> {
        self.all.iter().copied().find(|p| p.semitone() == semitone)
    }
}

/// How a shape ranks; lower is better (see the module documentation).
type Score = (
    usize,
    bool,
    bool,
    u8,
    usize,
    Reverse<usize>,
    usize,
    usize,
    u32,
);

struct Search<'a> {
    fretboard: &'a Fretboard,
    tones: &'a Tones,
    candidates: &'a [Vec<Option<u8>>],
    frets: Vec<Option<u8>>,
    best: Option<(Score, Vec<Option<u8>>)>,
}

impl Search<'_> {
    fn search_from(&mut self, string: usize) {
        if string == self.candidates.len() {
            if let Some(score) = self.score()
                && self.best.as_ref().is_none_or(|(best, _)| score < *best)
            {
                self.best = Some((score, self.frets.clone()));
            }
            return;
        }
        let strings = &self.fretboard.strings;
        let open = strings[string].midi();
        let bass = (0..self.frets.len())
            .find_map(|s| self.frets[s].map(|fret| strings[s].midi() + i32::from(fret)));
        for &fret in &self.candidates[string] {
            if let Some(fret) = fret {
                let midi = open + i32::from(fret);
                let fits = match bass {
                    None => semitone(midi) == self.tones.bass.semitone(),
                    Some(bass) => midi >= bass,
                };
                if !fits {
                    continue;
                }
                if fret > 0 && !self.within_stretch(fret) {
                    continue;
                }
            }
            self.frets.push(fret);
            self.search_from(string + 1);
            self.frets.pop();
        }
    }

    fn within_stretch(&self, fret: u8) -> bool {
        self.frets
            .iter()
            .flatten()
            .filter(|&&f| f > 0)
            .all(|&f| f.abs_diff(fret) <= STRETCH)
    }

    fn score(&self) -> Option<Score> {
        let frets = &self.frets;
        let sounding: Vec<usize> = (0..frets.len()).filter(|&s| frets[s].is_some()).collect();
        let &first = sounding.first()?;
        let strings = &self.fretboard.strings;
        let sounds = |pitch: &PitchClass| {
            sounding.iter().any(|&s| {
                let midi = strings[s].midi() + i32::from(frets[s].unwrap_or(0));
                semitone(midi) == pitch.semitone()
            })
        };
        if !self.tones.required.iter().all(sounds) {
            return None;
        }
        if !fingering_fits(frets) {
            return None;
        }
        let fingers = fingers(frets);
        let mutes_above_bass = (frets.len() - first) - sounding.len();
        let thin = sounding.len() < THIN;
        let fretted: Vec<u8> = frets.iter().flatten().copied().filter(|&f| f > 0).collect();
        let highest = fretted.iter().max().copied().unwrap_or(0);
        let open_position = highest <= OPEN_POSITION;
        let position = if open_position {
            0
        } else {
            fretted.iter().min().copied().unwrap_or(0)
        };
        let left_out = self.tones.optional.iter().filter(|p| !sounds(p)).count();
        let open_strings = frets.iter().filter(|&&f| f == Some(0)).count();
        let fret_sum: u32 = fretted.iter().map(|&f| u32::from(f)).sum();
        Some((
            mutes_above_bass,
            thin,
            !open_position,
            position,
            left_out,
            Reverse(sounding.len()),
            if open_position { 0 } else { open_strings },
            fingers,
            fret_sum,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(symbol: &str) -> ChordShape {
        let chord: Chord = symbol.parse().unwrap();
        guitar_shape(&chord).unwrap_or_else(|e| panic!("{symbol}: {e}"))
    }

    /// Sounding pitch classes, as semitones, sorted and without repeats.
    fn sound(notes: &[Note]) -> Vec<u8> {
        let mut semitones: Vec<u8> = notes.iter().map(|n| n.pitch().semitone()).collect();
        semitones.sort_unstable();
        semitones.dedup();
        semitones
    }

    #[test]
    fn well_known_open_and_barre_shapes() {
        let expected: &[(&str, &[&str])] = &[
            ("C", &["x32010"]),
            ("G", &["320003", "320033"]),
            ("D", &["xx0232"]),
            ("Am", &["x02210"]),
            ("E", &["022100"]),
            ("F", &["133211"]),
            ("Bm", &["x24432"]),
            ("A7", &["x02020"]),
            ("Cmaj7", &["x32000"]),
            ("A", &["x02220"]),
            ("Em", &["022000"]),
            ("Dm", &["xx0231"]),
            ("G7", &["320001"]),
            ("E7", &["020100"]),
        ];
        for (symbol, diagrams) in expected {
            let found = shape(symbol);
            assert!(
                diagrams.contains(&found.to_string().as_str()),
                "{symbol}: {found}, expected {diagrams:?}"
            );
            let chord: Chord = symbol.parse().unwrap();
            assert_eq!(
                sound(&found.sounding()),
                sound(
                    &chord
                        .notes()
                        .iter()
                        .map(|p| p.at_octave(4))
                        .collect::<Vec<_>>()
                ),
                "{symbol}: {found} sounds every note and nothing else"
            );
            assert_eq!(found.sounding()[0].pitch(), chord.notes()[0], "{symbol}");
        }
    }

    #[test]
    fn notes_are_spelled_as_the_chord_spells_them() {
        let f = shape("F");
        let notes: Vec<String> = f.sounding().iter().map(ToString::to_string).collect();
        assert_eq!(notes, ["F2", "C3", "F3", "A3", "C4", "F4"]);
        for symbol in ["Bb", "Eb7", "Abmaj7", "Gbm"] {
            let found = shape(symbol);
            assert!(
                found.sounding().iter().all(|n| n.pitch().alter() <= 0),
                "{symbol}: {:?}",
                found.sounding()
            );
        }
        let c = shape("C");
        let notes: Vec<String> = c.sounding().iter().map(ToString::to_string).collect();
        assert_eq!(notes, ["C3", "E3", "G3", "C4", "E4"]);
        assert_eq!(c.string_notes()[0], None);
        let fb = shape("Fbmaj7");
        let names: Vec<String> = fb
            .sounding()
            .iter()
            .map(|n| n.pitch().to_string())
            .collect();
        assert!(
            names.contains(&"Fb".to_string()) && names.contains(&"Cb".to_string()),
            "{names:?}"
        );
        assert_eq!(shape("F").barre(), Some(1));
        assert_eq!(shape("F").fingers(), 3);
        assert_eq!(shape("C").barre(), None);
        assert_eq!(shape("Bm").position(), 2);
    }

    #[test]
    fn inversions_put_their_bass_lowest() {
        for symbol in ["C/E", "G/B", "D/F#", "Am7/G", "C7/Bb", "F/C"] {
            let chord: Chord = symbol.parse().unwrap();
            let found = shape(symbol);
            assert_eq!(
                found.sounding()[0].pitch(),
                chord.bass().unwrap(),
                "{symbol}: {found}"
            );
        }
        assert_eq!(shape("C/E").to_string(), "032010");
    }

    #[test]
    fn a_four_note_chord_may_leave_out_its_fifth() {
        let c7 = shape("C7");
        assert_eq!(c7.to_string(), "x32310");
        let chord: Chord = "C7".parse().unwrap();
        assert!(
            Fretboard::guitar()
                .shape_problems(&chord, c7.frets())
                .is_empty()
        );
    }

    const ROOTS: [&str; 17] = [
        "C", "C#", "Db", "D", "Eb", "E", "F", "F#", "Gb", "G", "Ab", "A", "Bb", "B", "Cb", "E#",
        "G#",
    ];
    const QUALITIES: [&str; 26] = [
        "", "m", "dim", "aug", "sus2", "sus4", "5", "6", "m6", "6/9", "7", "maj7", "m7", "m(maj7)",
        "dim7", "m7b5", "7sus4", "add9", "9", "m9", "maj9", "11", "13", "7b9", "7#9", "7alt",
    ];

    #[test]
    fn every_chord_in_every_root_gets_a_shape_or_a_reason() {
        let guitar = Fretboard::guitar();
        for root in ROOTS {
            for quality in QUALITIES {
                let symbol = format!("{root}{quality}");
                let chord: Chord = symbol.parse().unwrap();
                match guitar.chord_shape(&chord) {
                    Ok(found) => {
                        assert!(
                            guitar.shape_problems(&chord, found.frets()).is_empty(),
                            "{symbol}: {found}: {:?}",
                            guitar.shape_problems(&chord, found.frets())
                        );
                        let notes = chord.notes();
                        for note in found.sounding() {
                            assert!(notes.contains(&note.pitch()), "{symbol}: {found} {note}");
                        }
                        assert_eq!(found.sounding()[0].pitch(), notes[0], "{symbol}");
                        assert!(found.fingers() <= FINGERS, "{symbol}: {found}");
                    }
                    Err(error) => {
                        let text = error.to_string();
                        assert!(quality == "7alt", "{symbol}: {text}");
                        assert!(text.contains("7 notes"), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn written_shapes_are_checked() {
        let guitar = Fretboard::guitar();
        let c: Chord = "C".parse().unwrap();
        let check = |frets: &[Option<u8>]| guitar.shape_problems(&c, frets);
        assert!(check(&[None, Some(3), Some(2), Some(0), Some(1), Some(0)]).is_empty());
        let wrong = check(&[None, Some(3), Some(2), Some(2), Some(1), Some(0)]);
        assert_eq!(wrong, ["A3 is not in the chord", "it leaves out G"]);
        let inverted = check(&[Some(0), Some(3), Some(2), Some(0), Some(1), Some(0)]);
        assert_eq!(inverted, ["its lowest note is not C, the chord's bass"]);
        let stretched = check(&[None, Some(3), Some(2), Some(0), Some(1), Some(8)]);
        assert!(
            stretched[0].contains("more than four frets"),
            "{stretched:?}"
        );
        assert_eq!(
            check(&[Some(3)]),
            ["gives 1 fret for the guitar's 6 strings; give one per string, null for a muted one"]
        );
        assert_eq!(
            check(&[None; 6]),
            ["sounds no string"],
            "a fully muted shape"
        );
        let error = guitar
            .shape_from_frets(&c, &[None, Some(3), Some(2), Some(2), Some(1), Some(0)])
            .unwrap_err();
        assert!(error.to_string().contains("x32210"), "{error}");
    }

    #[test]
    fn the_bass_line_is_each_bass_in_the_low_octave() {
        let pitches: Vec<PitchClass> = ["F", "Bb", "Eb", "C"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        let line: Vec<String> = Fretboard::bass()
            .line(&pitches)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(line, ["F1", "Bb1", "Eb2", "C2"]);
        let sharp: Vec<PitchClass> = vec!["E#".parse().unwrap(), "B#".parse().unwrap()];
        let line = Fretboard::bass().line(&sharp);
        assert_eq!(line[0].to_string(), "E#1");
        assert_eq!(line[0].midi(), 29);
        assert_eq!(line[1].to_string(), "B#1");
        assert_eq!(line[1].midi(), 36);
    }
}
