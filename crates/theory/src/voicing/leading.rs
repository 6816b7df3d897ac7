//! Voice leading: every placement of a chord's shapes in the register, and
//! the path through a progression with the least total motion.

use super::shapes::shapes;
use super::{Register, VoicedProgression, Voicing, VoicingKind, voicing_error};
use crate::chord::Chord;
use crate::error::Result;
use crate::pitch::{Note, PitchClass};

/// All placements of `chord`'s shapes whose lowest note lies in the register.
/// `first` says whether this is the progression's first chord: only there do
/// `rootless-a`/`rootless-b` insist on their form.
fn candidates(
    chord: &Chord,
    kind: VoicingKind,
    register: Register,
    first: bool,
) -> Result<Vec<Vec<Note>>> {
    let shape_kind = match kind {
        VoicingKind::RootlessA | VoicingKind::RootlessB if !first => VoicingKind::Rootless,
        other => other,
    };
    let mut found = Vec::new();
    for shape in shapes(chord, shape_kind)? {
        for octave in 0..=8i8 {
            let root = Note::new(chord.root(), octave);
            let mut notes: Vec<Note> = shape.iter().map(|&i| root.transpose(i)).collect();
            notes.sort();
            let lowest = notes.first().map_or(0, |n| n.midi());
            if (register.lowest_min..=register.lowest_max).contains(&lowest) {
                found.push(notes);
            }
        }
    }
    if found.is_empty() {
        return Err(voicing_error(chord, kind, "no placement fits the register"));
    }
    Ok(found)
}

/// Adds a slash chord's bass below the voicing.
fn with_bass(chord: &Chord, mut notes: Vec<Note>) -> Vec<Note> {
    if let (Some(bass), Some(lowest)) = (chord.bass(), notes.first().copied()) {
        let mut note = Note::new(bass, lowest.octave());
        while note.midi() >= lowest.midi() {
            note = note.shift_octaves(-1);
        }
        notes.insert(0, note);
    }
    notes
}

/// Semitones moved from one voicing to the next: voices paired in order when
/// the counts match, otherwise each new note from its nearest old note.
pub fn motion(from: &[Note], to: &[Note]) -> i32 {
    if from.len() == to.len() {
        return from
            .iter()
            .zip(to)
            .map(|(a, b)| (a.midi() - b.midi()).abs())
            .sum();
    }
    to.iter()
        .map(|b| {
            from.iter()
                .map(|a| (a.midi() - b.midi()).abs())
                .min()
                .unwrap_or(0)
        })
        .sum()
}

fn drift(notes: &[Note], center: i32) -> f64 {
    if notes.is_empty() {
        return 0.0;
    }
    let mean = notes.iter().map(|n| f64::from(n.midi())).sum::<f64>() / notes.len() as f64;
    (mean - f64::from(center)).abs()
}

/// Names the voicing back and checks it keeps the chord's triad and seventh.
fn name_back(chord: &Chord, kind: VoicingKind, notes: &[Note]) -> Result<Chord> {
    let pitches: Vec<PitchClass> = notes.iter().map(|n| n.pitch()).collect();
    let named = Chord::identify_with_root(&pitches, chord.root())
        .ok_or_else(|| voicing_error(chord, kind, "its notes name no chord"))?;
    if named.family() != chord.family() {
        return Err(voicing_error(
            chord,
            kind,
            &format!("its notes name {named}, not {chord}"),
        ));
    }
    if kind.is_rootless() && pitches.contains(&chord.root()) {
        return Err(voicing_error(
            chord,
            kind,
            "a rootless voicing contains the root",
        ));
    }
    Ok(named)
}

/// Voices one chord in the kind's default register.
pub fn voice(chord: &Chord, kind: VoicingKind) -> Result<Voicing> {
    let mut voiced = voice_progression(std::slice::from_ref(chord), kind, None)?;
    voiced
        .voicings
        .pop()
        .ok_or_else(|| voicing_error(chord, kind, "no voicing produced"))
}

/// Voices a progression with minimal total motion (dynamic programming over
/// every candidate of every chord). `register` defaults to the kind's.
pub fn voice_progression(
    chords: &[Chord],
    kind: VoicingKind,
    register: Option<Register>,
) -> Result<VoicedProgression> {
    let register = register.unwrap_or_else(|| kind.default_register());
    let options: Vec<Vec<Vec<Note>>> = chords
        .iter()
        .enumerate()
        .map(|(i, chord)| candidates(chord, kind, register, i == 0))
        .collect::<Result<_>>()?;
    // cost[i][j]: least cost of voicing chords 0..=i ending in candidate j.
    let mut cost: Vec<Vec<f64>> = Vec::with_capacity(options.len());
    let mut previous: Vec<Vec<usize>> = Vec::with_capacity(options.len());
    for (i, choices) in options.iter().enumerate() {
        let mut row = Vec::with_capacity(choices.len());
        let mut back = Vec::with_capacity(choices.len());
        for choice in choices {
            let own = drift(choice, register.center) * 0.5;
            if i == 0 {
                row.push(own);
                back.push(0);
                continue;
            }
            let (best, from) = options[i - 1]
                .iter()
                .enumerate()
                .map(|(k, prior)| (cost[i - 1][k] + f64::from(motion(prior, choice)), k))
                .fold(
                    (f64::INFINITY, 0),
                    |acc, item| if item.0 < acc.0 { item } else { acc },
                );
            row.push(best + own);
            back.push(from);
        }
        cost.push(row);
        previous.push(back);
    }
    let mut picks = vec![0usize; options.len()];
    if let Some(last) = cost.last() {
        let mut index = last
            .iter()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |acc, (j, &c)| if c < acc.1 { (j, c) } else { acc },
            )
            .0;
        for i in (0..options.len()).rev() {
            picks[i] = index;
            index = previous[i][index];
        }
    }
    let mut voicings = Vec::with_capacity(chords.len());
    let mut moves = Vec::with_capacity(chords.len());
    for (i, chord) in chords.iter().enumerate() {
        let notes = options[i][picks[i]].clone();
        let named = name_back(chord, kind, &notes)?;
        moves.push(if i == 0 {
            0
        } else {
            motion(&options[i - 1][picks[i - 1]], &notes)
        });
        voicings.push(Voicing {
            chord: chord.clone(),
            kind,
            notes: with_bass(chord, notes),
            named,
        });
    }
    Ok(VoicedProgression {
        kind,
        register,
        total_motion: moves.iter().sum(),
        motion: moves,
        voicings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(s: &str) -> Chord {
        s.parse().unwrap()
    }

    fn names(voicing: &Voicing) -> String {
        voicing
            .notes
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn two_five_one_in_f_with_rootless_a() {
        let chords: Vec<Chord> = ["Gm7", "C7", "Fmaj7"].iter().map(|s| chord(s)).collect();
        let voiced = voice_progression(&chords, VoicingKind::RootlessA, None).unwrap();
        let texts: Vec<String> = voiced.voicings.iter().map(names).collect();
        assert_eq!(texts, ["Bb3 D4 F4 A4", "Bb3 D4 E4 A4", "A3 C4 E4 G4"]);
        let named: Vec<String> = voiced
            .voicings
            .iter()
            .map(|v| v.named.to_string())
            .collect();
        assert_eq!(named, ["Gm9", "C13", "Fmaj9"]);
        assert_eq!(voiced.total_motion, voiced.motion.iter().sum::<i32>());
    }

    #[test]
    fn rootless_alternates_a_and_b_for_smooth_motion() {
        let chords: Vec<Chord> = ["Dm7", "G7", "Cmaj7"].iter().map(|s| chord(s)).collect();
        let free = voice_progression(&chords, VoicingKind::Rootless, None).unwrap();
        let from_a = voice_progression(&chords, VoicingKind::RootlessA, None).unwrap();
        let from_b = voice_progression(&chords, VoicingKind::RootlessB, None).unwrap();
        assert!(free.total_motion <= from_a.total_motion.min(from_b.total_motion));
        assert_eq!(names(&from_b.voicings[0]), "C4 E4 F4 A4");
        assert_eq!(names(&free.voicings[0]), "F3 A3 C4 E4");
        assert_eq!(names(&free.voicings[1]), "F3 A3 B3 E4");
        assert_eq!(names(&free.voicings[2]), "E3 G3 B3 D4");
    }

    #[test]
    fn slash_chords_get_their_bass() {
        let voicing = voice(&chord("C/E"), VoicingKind::Close).unwrap();
        assert_eq!(voicing.notes[0].pitch(), "E".parse().unwrap());
        assert!(voicing.notes[0].midi() < voicing.notes[1].midi());
    }

    #[test]
    fn awkward_chords_voice_and_name_back() {
        let cases = [
            ("Cm7b5", VoicingKind::Shell),
            ("Cdim7", VoicingKind::ShellB),
            ("C7sus4", VoicingKind::RootlessA),
            ("C9sus4", VoicingKind::RootlessB),
            ("Csus2", VoicingKind::RootlessA),
            ("C7#9", VoicingKind::UpperStructure),
            ("C7#5", VoicingKind::UpperStructure),
            ("C7alt", VoicingKind::Gospel),
            ("Cdim", VoicingKind::Rootless),
            ("C6/9", VoicingKind::Drop3),
        ];
        for (symbol, kind) in cases {
            let c = chord(symbol);
            let voicing = voice(&c, kind).unwrap_or_else(|e| panic!("{symbol} as {kind}: {e}"));
            assert_eq!(voicing.named.family(), c.family(), "{symbol} as {kind}");
        }
        let shell = voice(&chord("Cm7b5"), VoicingKind::Shell).unwrap();
        assert_eq!(names(&shell), "C3 Eb3 Bb3 Gb4");
    }
}
