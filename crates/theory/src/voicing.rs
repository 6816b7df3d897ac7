//! Piano voicings and voice leading.
//!
//! Every voicing is built from the chord's own spelled tones and tensions,
//! placed in a register, and checked by naming the chord back from its notes
//! (with the root supplied for rootless shapes): the named chord must keep the
//! chord's triad and seventh. A progression is voiced by choosing, for each
//! chord, the candidate (inversion, A/B form, octave) that gives the least
//! total motion in semitones across the whole progression.
//!
//! Shapes, bottom to top:
//! - `close`: chord tones within an octave, any inversion (four voices for
//!   chords with more than five tones).
//! - `drop-2`, `drop-3`: a four-voice close position with the second or third
//!   voice from the top dropped an octave.
//! - `shell`: root–3–7; `shell-b`: root–7–3 (6 for sixth chords, 5 for
//!   triads); an altered fifth (m7b5, dim7, 7#5) is added on top.
//! - Rootless A form: 3–5–7–9 family (dominants 3–13–7–9); B form: the same
//!   notes from the seventh (7–9–3–5 / 7–9–3–13). `rootless-a` starts on the A
//!   form and `rootless-b` on the B form, after which each chord takes the
//!   form that moves least: the textbook A–B–A alternation of a ii–V–I.
//!   `rootless` chooses freely from the first chord.
//! - `gospel`: left hand root and fifth (root and seventh when the fifth is
//!   altered), right hand the rootless-A colour tones an octave up.
//! - `upper-structure`: for dominants, left hand 3 and 7 with a right-hand
//!   triad chosen from the alterations (♭9: triad on 6; ♯9, ♭13, alt: triad on
//!   ♭6; ♯11: triad on 2; otherwise 9–3–13); other chords use `gospel`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::chord::Chord;
use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::pitch::{Note, PitchClass};
use super::quality::{Alteration, Seventh, Triad};

/// The voicing types; see the module documentation for the shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoicingKind {
    Close,
    Drop2,
    Drop3,
    Shell,
    ShellB,
    RootlessA,
    RootlessB,
    Rootless,
    Gospel,
    UpperStructure,
}

impl VoicingKind {
    pub const ALL: [VoicingKind; 10] = [
        VoicingKind::Close,
        VoicingKind::Drop2,
        VoicingKind::Drop3,
        VoicingKind::Shell,
        VoicingKind::ShellB,
        VoicingKind::RootlessA,
        VoicingKind::RootlessB,
        VoicingKind::Rootless,
        VoicingKind::Gospel,
        VoicingKind::UpperStructure,
    ];

    /// Canonical name first, then accepted aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            VoicingKind::Close => &["close", "closed"],
            VoicingKind::Drop2 => &["drop-2", "drop2"],
            VoicingKind::Drop3 => &["drop-3", "drop3"],
            VoicingKind::Shell => &["shell", "shell-a", "shell-137"],
            VoicingKind::ShellB => &["shell-b", "shell-173"],
            VoicingKind::RootlessA => &["rootless-a", "a"],
            VoicingKind::RootlessB => &["rootless-b", "b"],
            VoicingKind::Rootless => &["rootless", "rootless-ab"],
            VoicingKind::Gospel => &["gospel"],
            VoicingKind::UpperStructure => &["upper-structure", "ust", "upper"],
        }
    }

    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// True for shapes that must not contain the root.
    pub fn is_rootless(self) -> bool {
        matches!(
            self,
            VoicingKind::RootlessA | VoicingKind::RootlessB | VoicingKind::Rootless
        )
    }

    /// The default register: where the lowest note may lie, and the pitch the
    /// voicing's average should stay near.
    pub fn default_register(self) -> Register {
        match self {
            VoicingKind::Close | VoicingKind::Drop2 | VoicingKind::Drop3 => {
                Register::new(48, 67, 64)
            }
            VoicingKind::Shell | VoicingKind::ShellB => Register::new(38, 52, 52),
            VoicingKind::RootlessA | VoicingKind::RootlessB | VoicingKind::Rootless => {
                Register::new(48, 62, 60)
            }
            VoicingKind::Gospel | VoicingKind::UpperStructure => Register::new(36, 52, 58),
        }
    }
}

impl fmt::Display for VoicingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VoicingKind {
    type Err = TheoryError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_lowercase().replace(['_', ' '], "-");
        VoicingKind::ALL
            .into_iter()
            .find(|k| k.names().contains(&wanted.as_str()))
            .ok_or_else(|| TheoryError::UnknownVoicing {
                input: s.to_string(),
                expected: VoicingKind::ALL.map(|k| k.name()).join(", "),
            })
    }
}

serde_as_string!(VoicingKind);

/// Where a voicing sits: its lowest note lies in `lowest_min..=lowest_max`
/// (MIDI), and among equally smooth choices the one whose average pitch is
/// nearest `center` wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Register {
    pub lowest_min: i32,
    pub lowest_max: i32,
    pub center: i32,
}

impl Register {
    pub fn new(lowest_min: i32, lowest_max: i32, center: i32) -> Self {
        Register {
            lowest_min,
            lowest_max,
            center,
        }
    }
}

impl fmt::Display for Register {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lowest note {}–{}",
            Note::from_midi(self.lowest_min, false),
            Note::from_midi(self.lowest_max, false)
        )
    }
}

/// One chord voiced on the piano.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voicing {
    pub chord: Chord,
    pub kind: VoicingKind,
    /// Lowest first.
    pub notes: Vec<Note>,
    /// The chord named back from the notes (root supplied for rootless shapes).
    pub named: Chord,
}

impl Voicing {
    pub fn midi(&self) -> Vec<i32> {
        self.notes.iter().map(|n| n.midi()).collect()
    }
}

/// A progression voiced with smooth voice leading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoicedProgression {
    pub kind: VoicingKind,
    pub register: Register,
    pub voicings: Vec<Voicing>,
    /// Semitones moved into each chord from the previous one (0 for the first).
    pub motion: Vec<i32>,
    pub total_motion: i32,
}

fn octave_up(interval: Interval) -> Interval {
    Interval::from_parts(interval.steps() + 7, interval.semitones() + 12)
}

fn octave_down(interval: Interval) -> Interval {
    Interval::from_parts(interval.steps() - 7, interval.semitones() - 12)
}

/// Stacks simple intervals upwards in the given order, each above the last.
fn stack(order: &[Interval]) -> Vec<Interval> {
    let mut stacked: Vec<Interval> = Vec::with_capacity(order.len());
    for &interval in order {
        let mut placed = interval.simple();
        while let Some(last) = stacked.last() {
            if placed.semitones() > last.semitones() {
                break;
            }
            placed = octave_up(placed);
        }
        stacked.push(placed);
    }
    stacked
}

/// Close position of `tones` starting from each tone in turn.
fn rotations(tones: &[Interval]) -> Vec<Vec<Interval>> {
    (0..tones.len())
        .map(|start| {
            let order: Vec<Interval> = tones[start..]
                .iter()
                .chain(&tones[..start])
                .copied()
                .collect();
            stack(&order)
        })
        .collect()
}

/// Chord tones by role, as simple intervals above the root.
struct Roles {
    root: Interval,
    third: Option<Interval>,
    fifth: Option<Interval>,
    seventh: Option<Interval>,
    sixth: Option<Interval>,
    ninths: Vec<Interval>,
    eleventh: Option<Interval>,
    thirteenth: Option<Interval>,
}

impl Roles {
    fn of(chord: &Chord) -> Roles {
        let intervals = chord.quality().intervals();
        let with_steps = |steps: &[i8]| {
            intervals
                .iter()
                .copied()
                .filter(|i| steps.contains(&i.steps()))
                .collect::<Vec<_>>()
        };
        let third = with_steps(&[2]).first().copied().or_else(|| {
            // Suspended chords: the second or fourth stands in for the third.
            matches!(chord.quality().triad(), Triad::Sus2 | Triad::Sus4)
                .then(|| with_steps(&[1, 3]).first().copied())
                .flatten()
        });
        Roles {
            root: Interval::UNISON,
            third,
            fifth: with_steps(&[4]).first().copied(),
            seventh: with_steps(&[6]).first().copied(),
            sixth: with_steps(&[5]).first().copied(),
            ninths: with_steps(&[8]),
            eleventh: with_steps(&[10]).first().map(|i| i.simple()),
            thirteenth: with_steps(&[12]).first().map(|i| i.simple()),
        }
    }

    /// The seventh, else the sixth.
    fn seventh_or_sixth(&self) -> Option<Interval> {
        self.seventh.or(self.sixth)
    }

    /// The ninth a rootless voicing uses: the chord's (♯9 before ♭9), else natural.
    fn ninth(&self) -> Interval {
        self.ninths
            .iter()
            .copied()
            .max_by_key(|i| i.semitones())
            .unwrap_or(Interval::MAJOR_NINTH)
            .simple()
    }
}

/// The four colour tones of a rootless voicing, in A-form order (from the third).
fn rootless_tones(chord: &Chord) -> Result<Vec<Interval>> {
    let quality = chord.quality();
    let roles = Roles::of(chord);
    let fail = |reason: &str| voicing_error(chord, VoicingKind::RootlessA, reason);
    let third = roles.third.ok_or_else(|| fail("it has no third"))?;
    // Triads take a sixth as their colour when the triad allows one.
    let seventh = roles.seventh_or_sixth().or_else(|| {
        matches!(quality.triad(), Triad::Major | Triad::Minor).then_some(Interval::MAJOR_SIXTH)
    });
    let dominant = quality.seventh() == Some(Seventh::Minor)
        && matches!(
            quality.triad(),
            Triad::Major | Triad::Augmented | Triad::Sus4 | Triad::Sus2
        );
    let fifth_altered = roles.fifth.filter(|f| *f != Interval::PERFECT_FIFTH);
    let colour_five = if dominant {
        // Dominants take the 13th (or ♭13 / altered fifth) instead of the fifth.
        fifth_altered
            .filter(|_| !quality.is_altered_dominant())
            .or(roles.thirteenth)
            .unwrap_or(Interval::MAJOR_SIXTH)
    } else {
        roles.fifth.unwrap_or(Interval::PERFECT_FIFTH)
    };
    let half_diminished =
        quality.triad() == Triad::Diminished && quality.seventh() == Some(Seventh::Minor);
    let colour_nine = if half_diminished && roles.ninths.is_empty() {
        Some(roles.eleventh.unwrap_or(Interval::PERFECT_FOURTH))
    } else if third.steps() == 1 {
        // sus2: the second already is the ninth.
        None
    } else {
        Some(roles.ninth())
    };
    let mut tones = vec![third.simple(), colour_five.simple()];
    tones.extend(colour_nine);
    tones.extend(seventh.map(|i| i.simple()));
    let from_third =
        |i: &Interval| (i32::from(i.semitones()) - i32::from(third.semitones())).rem_euclid(12);
    tones.sort_by_key(from_third);
    tones.dedup();
    Ok(tones)
}

fn voicing_error(chord: &Chord, kind: VoicingKind, reason: &str) -> TheoryError {
    TheoryError::VoicingFailed {
        chord: chord.to_string(),
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
}

/// Up to four voices for drop voicings: guide tones first, then colour.
fn four_voices(chord: &Chord) -> Vec<Interval> {
    let roles = Roles::of(chord);
    let tones: Vec<Interval> = chord
        .quality()
        .intervals()
        .iter()
        .map(|i| i.simple())
        .collect();
    if tones.len() <= 4 {
        let mut voices = tones;
        if voices.len() == 3 {
            voices.push(voices[0]);
        }
        return voices;
    }
    let mut voices: Vec<Interval> = Vec::new();
    let mut push = |i: Option<Interval>| {
        if let Some(i) = i.map(|i| i.simple())
            && voices.len() < 4
            && !voices.contains(&i)
        {
            voices.push(i);
        }
    };
    push(roles.third);
    push(roles.seventh_or_sixth());
    // Altered tones define the chord, so they come before natural tensions.
    push(roles.fifth.filter(|f| *f != Interval::PERFECT_FIFTH));
    push(
        roles
            .ninths
            .iter()
            .copied()
            .find(|n| *n != Interval::MAJOR_NINTH),
    );
    push(roles.eleventh.filter(|e| *e == Interval::AUGMENTED_FOURTH));
    push(roles.thirteenth.filter(|t| *t == Interval::MINOR_SIXTH));
    push(roles.ninths.first().copied());
    push(roles.thirteenth);
    push(roles.eleventh);
    push(Some(roles.root));
    push(roles.fifth);
    voices.sort_by_key(|i| i.semitones());
    voices
}

/// The interval shapes (above the root) a kind may use for `chord`.
fn shapes(chord: &Chord, kind: VoicingKind) -> Result<Vec<Vec<Interval>>> {
    let roles = Roles::of(chord);
    let fail = |reason: &str| voicing_error(chord, kind, reason);
    Ok(match kind {
        VoicingKind::Close => {
            let tones: Vec<Interval> = chord
                .quality()
                .intervals()
                .iter()
                .map(|i| i.simple())
                .collect();
            let tones = if tones.len() > 5 {
                four_voices(chord)
            } else {
                tones
            };
            let mut distinct = tones;
            distinct.dedup();
            rotations(&distinct)
        }
        VoicingKind::Drop2 | VoicingKind::Drop3 => {
            let from_top = if kind == VoicingKind::Drop2 { 2 } else { 3 };
            let voices = four_voices(chord);
            let base: Vec<Interval> = if voices.len() == 4 && voices[0] == voices[3] {
                voices[..3].to_vec()
            } else {
                voices.clone()
            };
            rotations(&base)
                .into_iter()
                .map(|mut close| {
                    if close.len() == 3 {
                        // Triads: double the lowest voice an octave up for four voices.
                        close.push(octave_up(close[0]));
                    }
                    if close.len() >= from_top {
                        let index = close.len() - from_top;
                        close[index] = octave_down(close[index]);
                    }
                    close.sort_by_key(|i| i.semitones());
                    close
                })
                .collect()
        }
        VoicingKind::Shell | VoicingKind::ShellB => {
            let third = roles
                .third
                .or(roles.fifth)
                .ok_or_else(|| fail("it has no third"))?;
            let seventh = roles
                .seventh_or_sixth()
                .or(roles.fifth)
                .ok_or_else(|| fail("it has no seventh, sixth or fifth"))?;
            let mut order = if kind == VoicingKind::Shell {
                vec![roles.root, third, seventh]
            } else {
                vec![roles.root, seventh, third]
            };
            // A diminished or augmented fifth is part of the chord's identity
            // (m7b5, dim7, 7#5), so the shell keeps it on top.
            if let Some(fifth) = roles
                .fifth
                .filter(|f| *f != Interval::PERFECT_FIFTH && *f != seventh)
            {
                order.push(fifth);
            }
            vec![stack(&order)]
        }
        VoicingKind::RootlessA | VoicingKind::RootlessB | VoicingKind::Rootless => {
            let a = rootless_tones(chord)?;
            let seventh = roles
                .seventh_or_sixth()
                .unwrap_or(Interval::MAJOR_SIXTH)
                .simple();
            let start_b = a.iter().position(|&i| i == seventh).unwrap_or(a.len() - 1);
            let b: Vec<Interval> = a[start_b..].iter().chain(&a[..start_b]).copied().collect();
            match kind {
                VoicingKind::RootlessA => vec![stack(&a)],
                VoicingKind::RootlessB => vec![stack(&b)],
                _ => vec![stack(&a), stack(&b)],
            }
        }
        VoicingKind::Gospel => gospel_shapes(chord)?,
        VoicingKind::UpperStructure => upper_structure_shapes(chord)?,
    })
}

/// Root and fifth below, rootless-A colour tones an octave above.
/// One shape per inversion of the right hand, so voice leading can keep the
/// right hand still while the left hand moves.
fn gospel_shapes(chord: &Chord) -> Result<Vec<Vec<Interval>>> {
    let roles = Roles::of(chord);
    // An altered fifth already sounds in the right hand's colour tones, so
    // the left hand then plays root and seventh (or octave) instead.
    let left = roles
        .fifth
        .filter(|f| *f == Interval::PERFECT_FIFTH)
        .or(roles.seventh)
        .unwrap_or(Interval::OCTAVE);
    let lower = vec![roles.root, left];
    Ok(rotations(&rootless_tones(chord)?)
        .into_iter()
        .map(|upper| {
            let mut shape = lower.clone();
            shape.extend(above(upper, &lower));
            shape
        })
        .collect())
}

/// Moves a right-hand block up by octaves until it sits above the left hand.
fn above(mut upper: Vec<Interval>, lower: &[Interval]) -> Vec<Interval> {
    while upper
        .first()
        .is_some_and(|i| i.semitones() <= shape_top(lower))
    {
        upper = upper.into_iter().map(octave_up).collect();
    }
    upper
}

/// Guide tones 3 and 7 below, a triad chosen by the alterations above.
fn upper_structure_shapes(chord: &Chord) -> Result<Vec<Vec<Interval>>> {
    let quality = chord.quality();
    if !quality.is_dominant()
        || quality.triad() != Triad::Major && quality.triad() != Triad::Augmented
    {
        return gospel_shapes(chord);
    }
    let alters = |a: Alteration| quality.alterations().contains(&a);
    let triad: [Interval; 3] = if quality.triad() == Triad::Augmented {
        [
            Interval::AUGMENTED_FIFTH,
            Interval::UNISON,
            Interval::AUGMENTED_SECOND,
        ]
    } else if quality.is_altered_dominant()
        || alters(Alteration::SharpNine)
        || alters(Alteration::FlatThirteen)
    {
        [
            Interval::MINOR_SIXTH,
            Interval::UNISON,
            Interval::AUGMENTED_SECOND,
        ]
    } else if alters(Alteration::FlatNine) {
        [
            Interval::MAJOR_SIXTH,
            Interval::MINOR_SECOND,
            Interval::MAJOR_THIRD,
        ]
    } else if alters(Alteration::SharpEleven) {
        [
            Interval::MAJOR_SECOND,
            Interval::AUGMENTED_FOURTH,
            Interval::MAJOR_SIXTH,
        ]
    } else {
        [
            Interval::MAJOR_SECOND,
            Interval::MAJOR_THIRD,
            Interval::MAJOR_SIXTH,
        ]
    };
    let lower = stack(&[Interval::MAJOR_THIRD, Interval::MINOR_SEVENTH]);
    Ok(rotations(&triad)
        .into_iter()
        .map(|upper| {
            let mut shape = lower.clone();
            shape.extend(above(upper, &lower));
            shape
        })
        .collect())
}

fn shape_top(shape: &[Interval]) -> i8 {
    shape.iter().map(|i| i.semitones()).max().unwrap_or(0)
}

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

/// Problems with a voicing someone else wrote (e.g. a model): whether its
/// notes spell the chord for the claimed kind. Empty when it is correct.
pub fn check_voicing(chord: &Chord, kind: VoicingKind, notes: &[Note]) -> Vec<String> {
    let mut problems = Vec::new();
    let pitches: Vec<PitchClass> = notes.iter().map(|n| n.pitch()).collect();
    let has = |role: Option<Interval>| role.map(|i| pitches.contains(&chord.root().transpose(i)));
    let roles = Roles::of(chord);
    if kind.is_rootless() && pitches.contains(&chord.root()) {
        problems.push(format!(
            "a rootless voicing of {chord} must not contain the root {}",
            chord.root()
        ));
    }
    if matches!(kind, VoicingKind::Shell | VoicingKind::ShellB) {
        let mut sorted = notes.to_vec();
        sorted.sort();
        if sorted.first().map(|n| n.pitch()) != Some(chord.root()) {
            problems.push(format!(
                "a shell voicing of {chord} has the root {} at the bottom",
                chord.root()
            ));
        }
    }
    if has(roles.third) == Some(false) {
        problems.push(format!(
            "{chord} needs its third {}",
            chord
                .root()
                .transpose(roles.third.unwrap_or(Interval::UNISON))
        ));
    }
    if has(roles.seventh) == Some(false) {
        problems.push(format!(
            "{chord} needs its seventh {}",
            chord
                .root()
                .transpose(roles.seventh.unwrap_or(Interval::UNISON))
        ));
    }
    match Chord::identify_with_root(&pitches, chord.root()) {
        Some(named) if named.family() == chord.family() => {}
        Some(named) => problems.push(format!("the notes spell {named}, not {chord}")),
        None => problems.push(format!("the notes do not spell {chord}")),
    }
    problems
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

    fn shape_names(symbol: &str, kind: VoicingKind) -> String {
        let c = chord(symbol);
        let root = Note::new(c.root(), 3);
        shapes(&c, kind).unwrap()[0]
            .iter()
            .map(|&i| root.transpose(i).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn rootless_shapes() {
        assert_eq!(shape_names("Dm7", VoicingKind::RootlessA), "F3 A3 C4 E4");
        assert_eq!(shape_names("G7", VoicingKind::RootlessA), "B3 E4 F4 A4");
        assert_eq!(shape_names("G7", VoicingKind::RootlessB), "F4 A4 B4 E5");
        assert_eq!(shape_names("Cmaj7", VoicingKind::RootlessA), "E3 G3 B3 D4");
        assert_eq!(shape_names("Cmaj7", VoicingKind::RootlessB), "B3 D4 E4 G4");
        assert_eq!(
            shape_names("G7alt", VoicingKind::RootlessA),
            "B3 Eb4 F4 A#4"
        );
        assert_eq!(shape_names("Bm7b5", VoicingKind::RootlessA), "D4 E4 F4 A4");
        assert_eq!(shape_names("C6", VoicingKind::RootlessA), "E3 G3 A3 D4");
    }

    #[test]
    fn shell_and_drop_shapes() {
        assert_eq!(shape_names("G7", VoicingKind::Shell), "G3 B3 F4");
        assert_eq!(shape_names("G7", VoicingKind::ShellB), "G3 F4 B4");
        assert_eq!(shape_names("Cmaj7", VoicingKind::Drop2), "G2 C3 E3 B3");
        assert_eq!(shape_names("Cmaj7", VoicingKind::Drop3), "E2 C3 G3 B3");
        assert_eq!(shape_names("Ebm7", VoicingKind::Close), "Eb3 Gb3 Bb3 Db4");
        assert_eq!(shape_names("C13", VoicingKind::Drop2).split(' ').count(), 4);
    }

    #[test]
    fn upper_structures_follow_the_alterations() {
        assert_eq!(
            shape_names("C7b9", VoicingKind::UpperStructure),
            "E3 Bb3 A4 Db5 E5"
        );
        assert_eq!(
            shape_names("C7#11", VoicingKind::UpperStructure),
            "E3 Bb3 D4 F#4 A4"
        );
        assert_eq!(
            shape_names("C7alt", VoicingKind::UpperStructure),
            "E3 Bb3 Ab4 C5 D#5"
        );
        assert_eq!(
            shape_names("Fmaj7", VoicingKind::Gospel),
            "F3 C4 A4 C5 E5 G5"
        );
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
    fn checks_voicings_written_elsewhere() {
        let notes = |s: &str| -> Vec<Note> { s.split(' ').map(|n| n.parse().unwrap()).collect() };
        let c7 = chord("C7");
        assert!(check_voicing(&c7, VoicingKind::RootlessA, &notes("E3 A3 Bb3 D4")).is_empty());
        let problems = check_voicing(&c7, VoicingKind::RootlessA, &notes("C3 E3 Bb3 D4"));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("must not contain the root")),
            "{problems:?}"
        );
        let problems = check_voicing(&c7, VoicingKind::Shell, &notes("C3 Eb3 Bb3"));
        assert!(
            problems.iter().any(|p| p.contains("third E")),
            "{problems:?}"
        );
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

    #[test]
    fn kinds_parse_by_name() {
        for kind in VoicingKind::ALL {
            assert_eq!(kind.name().parse::<VoicingKind>().unwrap(), kind);
        }
        assert_eq!("drop2".parse::<VoicingKind>().unwrap(), VoicingKind::Drop2);
        assert!("cluster".parse::<VoicingKind>().is_err());
    }
}
