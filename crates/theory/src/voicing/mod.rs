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
//!
//! Layout: `shapes` builds each kind's interval shapes above the root,
//! `leading` places them in a register and picks the smoothest path.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::chord::Chord;
use crate::error::{Result, TheoryError};
use crate::interval::Interval;
use crate::pitch::{Note, PitchClass};
use crate::quality::Triad;

mod leading;
mod shapes;

pub use leading::{motion, voice, voice_progression};

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

fn voicing_error(chord: &Chord, kind: VoicingKind, reason: &str) -> TheoryError {
    TheoryError::VoicingFailed {
        chord: chord.to_string(),
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
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
        // A slash chord's bass goes below the shell, as `voice` puts it.
        let (role, bottom) = match chord.bass() {
            Some(bass) => ("bass", bass),
            None => ("root", chord.root()),
        };
        if sorted.first().map(|n| n.pitch()) != Some(bottom) {
            problems.push(format!(
                "a shell voicing of {chord} has the {role} {bottom} at the bottom"
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
    fn kinds_parse_by_name() {
        for kind in VoicingKind::ALL {
            assert_eq!(kind.name().parse::<VoicingKind>().unwrap(), kind);
        }
        assert_eq!("drop2".parse::<VoicingKind>().unwrap(), VoicingKind::Drop2);
        assert!("cluster".parse::<VoicingKind>().is_err());
    }
}
