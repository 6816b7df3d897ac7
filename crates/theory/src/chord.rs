//! Chords: a spelled root, a quality and an optional bass note.
//!
//! Symbols are read in the forms jazz, gospel and pop charts use
//! (see [`ChordQuality`] for the suffixes) with ASCII or Unicode accidentals,
//! and printed canonically: ASCII by default (`Bb7(b9,#11)`), Unicode with
//! `{:#}` (`B♭7(♭9,♯11)`). A slash introduces a bass note (`C7/Bb`), except in
//! `6/9`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use super::error::{Result, TheoryError};
use super::interval::Interval;
use super::pitch::{Note, PitchClass, read_pitch};
use super::quality::{ChordQuality, Seventh, Triad};

/// A chord symbol's meaning: root, quality and (for slash chords) bass.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chord {
    root: PitchClass,
    quality: ChordQuality,
    bass: Option<PitchClass>,
}

impl Chord {
    pub fn new(root: PitchClass, quality: ChordQuality) -> Self {
        Chord {
            root,
            quality,
            bass: None,
        }
    }

    /// The same chord over `bass` (no slash when the bass is the root).
    pub fn with_bass(mut self, bass: Option<PitchClass>) -> Self {
        self.bass = bass.filter(|&b| b != self.root);
        self
    }

    /// Reads a chord symbol such as `Bb13(#11)` or `Am7/G`.
    pub fn parse(symbol: &str) -> Result<Self> {
        symbol.parse()
    }

    pub fn root(&self) -> PitchClass {
        self.root
    }

    pub fn quality(&self) -> &ChordQuality {
        &self.quality
    }

    pub fn bass(&self) -> Option<PitchClass> {
        self.bass
    }

    /// The canonical symbol (`{:#}` for Unicode accidentals).
    pub fn symbol(&self) -> String {
        self.to_string()
    }

    /// Chord tones with their interval above the root, lowest degree first.
    pub fn tones(&self) -> Vec<(Interval, PitchClass)> {
        self.quality
            .intervals()
            .into_iter()
            .map(|interval| (interval, self.root.transpose(interval)))
            .collect()
    }

    /// The spelled notes: the bass first for slash chords, then the chord
    /// tones from the root up.
    pub fn notes(&self) -> Vec<PitchClass> {
        let mut notes: Vec<PitchClass> = self.bass.into_iter().collect();
        notes.extend(
            self.tones()
                .into_iter()
                .map(|(_, pitch)| pitch)
                .filter(|p| Some(*p) != self.bass),
        );
        notes
    }

    /// The same chord moved by a spelled interval.
    pub fn transpose(&self, interval: Interval) -> Chord {
        Chord {
            root: self.root.transpose(interval),
            quality: self.quality.clone(),
            bass: self.bass.map(|b| b.transpose(interval)),
        }
    }

    /// The same chord with root and bass respelled plainly (F♭7 → E7).
    pub fn simplified(&self) -> Chord {
        let root = self.root.simplified();
        let shift = self.root.interval_to(root);
        let bass = self.bass.map(|b| {
            let moved = b.transpose(shift);
            if moved.alter().abs() > 1 {
                moved.simplified()
            } else {
                moved
            }
        });
        Chord::new(root, self.quality.clone()).with_bass(bass)
    }

    /// True when both sound the same, however spelled (G♯7 and A♭7).
    pub fn same_sound(&self, other: &Chord) -> bool {
        let sound = |c: &Chord| {
            let mut semitones: Vec<u8> = c.notes().iter().map(|p| p.semitone()).collect();
            semitones.sort_unstable();
            semitones.dedup();
            (c.root.semitone(), c.bass.map(|b| b.semitone()), semitones)
        };
        sound(self) == sound(other)
    }

    /// The chord's family: triad and seventh, ignoring tensions. Two voicings of
    /// one chord may add different tensions but must keep the family.
    pub fn family(&self) -> (Triad, Option<Seventh>) {
        (self.quality.triad(), self.quality.seventh())
    }

    /// Names the chord formed by `notes` (first note = bass). Exact spelled
    /// matches are preferred; an enharmonic reading is used when it is much plainer. Among several
    /// readings the plainest symbol with the root in the bass is chosen.
    pub fn identify(notes: &[PitchClass]) -> Result<Chord> {
        let mut distinct: Vec<PitchClass> = Vec::new();
        for &note in notes {
            if !distinct.contains(&note) {
                distinct.push(note);
            }
        }
        let no_chord = || TheoryError::NoChordFound {
            notes: notes
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        };
        let bass = *distinct.first().ok_or_else(no_chord)?;
        if distinct.len() < 2 {
            return Err(no_chord());
        }
        let catalog = &*CATALOG;
        let readings = |enharmonic: bool| -> Vec<(u32, Chord)> {
            distinct
                .iter()
                .filter_map(|&root| {
                    let quality = if enharmonic {
                        catalog.by_sound.get(&sound_mask(root, &distinct))
                    } else {
                        catalog.spelled.get(&spelled_mask(root, &distinct))
                    }?;
                    let score = quality.complexity()
                        + if root == bass { 0 } else { 2 }
                        + if enharmonic { 6 } else { 0 };
                    Some((
                        score,
                        Chord::new(root, quality.clone()).with_bass(Some(bass)),
                    ))
                })
                .collect()
        };
        // A plain enharmonic reading beats a contorted spelled one.
        let mut found = readings(false);
        found.extend(readings(true));
        // min_by_key keeps the first of equal scores: spelled readings, earliest root.
        let best = found.into_iter().min_by_key(|(score, _)| *score);
        best.map(|(_, chord)| chord).ok_or_else(no_chord)
    }

    /// Names the chord formed by sounding notes; the lowest note is the bass.
    pub fn identify_notes(notes: &[Note]) -> Result<Chord> {
        let mut sorted = notes.to_vec();
        sorted.sort();
        let pitches: Vec<PitchClass> = sorted.iter().map(|n| n.pitch()).collect();
        Chord::identify(&pitches)
    }

    /// Names the chord formed by `notes` when the root is known but may be
    /// absent, as in rootless voicings; a missing perfect fifth is also
    /// supplied. Returns `None` when no known chord fits.
    pub fn identify_with_root(notes: &[PitchClass], root: PitchClass) -> Option<Chord> {
        let catalog = &*CATALOG;
        let mut with_root: Vec<PitchClass> = vec![root];
        with_root.extend(notes.iter().copied().filter(|&n| n != root));
        let mut with_fifth = with_root.clone();
        let fifth = root.transpose(Interval::PERFECT_FIFTH);
        if !with_fifth.contains(&fifth) {
            with_fifth.push(fifth);
        }
        [(with_root, 0), (with_fifth, 1)]
            .into_iter()
            .filter_map(|(set, penalty)| {
                catalog
                    .spelled
                    .get(&spelled_mask(root, &set))
                    .map(|q| (q.complexity() + penalty, q.clone()))
            })
            .min_by_key(|(score, _)| *score)
            .map(|(_, quality)| Chord::new(root, quality))
    }

    /// Names exactly `notes` (the root among them) from `root`, with no tone supplied:
    /// the plainest quality whose tones are these spellings. `None` when no symbol does.
    pub fn identify_exactly_with_root(notes: &[PitchClass], root: PitchClass) -> Option<Chord> {
        if !notes.contains(&root) {
            return None;
        }
        CATALOG
            .spelled
            .get(&spelled_mask(root, notes))
            .map(|quality| Chord::new(root, quality.clone()))
    }
}

/// Bit set of spelled interval classes (letter steps × semitones) above `root`.
fn spelled_mask(root: PitchClass, notes: &[PitchClass]) -> u128 {
    notes.iter().fold(0u128, |mask, &note| {
        let interval = root.interval_to(note);
        let bit = i32::from(interval.steps()) * 12 + i32::from(interval.semitones()).rem_euclid(12);
        mask | (1u128 << bit)
    })
}

/// Bit set of semitone classes above `root`.
fn sound_mask(root: PitchClass, notes: &[PitchClass]) -> u16 {
    notes.iter().fold(0u16, |mask, &note| {
        let semitones = (i32::from(note.semitone()) - i32::from(root.semitone())).rem_euclid(12);
        mask | (1u16 << semitones)
    })
}

/// Lookup tables from interval sets to the plainest quality producing them.
struct Catalog {
    spelled: HashMap<u128, ChordQuality>,
    by_sound: HashMap<u16, ChordQuality>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let mut spelled: HashMap<u128, ChordQuality> = HashMap::new();
    let mut by_sound: HashMap<u16, ChordQuality> = HashMap::new();
    let root = PitchClass::natural(super::pitch::Letter::C);
    for quality in ChordQuality::catalog() {
        let notes: Vec<PitchClass> = Chord::new(root, quality.clone())
            .tones()
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let keep_simpler = |existing: &mut ChordQuality, candidate: &ChordQuality| {
            if candidate.complexity() < existing.complexity() {
                *existing = candidate.clone();
            }
        };
        spelled
            .entry(spelled_mask(root, &notes))
            .and_modify(|e| keep_simpler(e, &quality))
            .or_insert_with(|| quality.clone());
        by_sound
            .entry(sound_mask(root, &notes))
            .and_modify(|e| keep_simpler(e, &quality))
            .or_insert(quality);
    }
    Catalog { spelled, by_sound }
});

impl fmt::Display for Chord {
    /// `Bb7(b9,#11)`, `Am7/G`; `{:#}` gives `B♭7(♭9,♯11)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unicode = f.alternate();
        if unicode {
            write!(f, "{:#}{:#}", self.root, self.quality)?;
        } else {
            write!(f, "{}{}", self.root, self.quality)?;
        }
        match self.bass {
            Some(bass) if unicode => write!(f, "/{bass:#}"),
            Some(bass) => write!(f, "/{bass}"),
            None => Ok(()),
        }
    }
}

impl FromStr for Chord {
    type Err = TheoryError;

    fn from_str(symbol: &str) -> Result<Self> {
        let trimmed = symbol.trim();
        if trimmed.is_empty() {
            return Err(TheoryError::Empty {
                what: "chord symbol",
                example: "Cmaj7, F#m7b5, Bb13(#11)",
            });
        }
        let chars: Vec<char> = trimmed.chars().collect();
        let Some((root, used)) = read_pitch(&chars, symbol)? else {
            return Err(TheoryError::InvalidChord {
                symbol: symbol.to_string(),
                reason: "a chord symbol starts with its root, a letter A–G (e.g. Cm7)".into(),
            });
        };
        let rest = &chars[used..];
        // The bass is the text after the last slash that reads as a whole note
        // name, which keeps `6/9` intact.
        let mut bass = None;
        let mut suffix_end = rest.len();
        if let Some(slash) = rest.iter().rposition(|&c| c == '/') {
            let after = &rest[slash + 1..];
            if let Some((pitch, len)) = read_pitch(after, symbol)?
                && len == after.len()
            {
                bass = Some(pitch);
                suffix_end = slash;
            }
        }
        let suffix: String = rest[..suffix_end].iter().collect();
        let quality = ChordQuality::parse(&suffix, trimmed)?;
        Ok(Chord::new(root, quality).with_bass(bass))
    }
}

serde_as_string!(Chord);

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(symbol: &str) -> Chord {
        symbol
            .parse()
            .unwrap_or_else(|e| panic!("`{symbol}` should parse: {e}"))
    }

    fn spelled(symbol: &str) -> String {
        chord(symbol)
            .notes()
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// (symbol, canonical symbol, spelled notes) for every chord family, in
    /// flat and sharp keys and with double accidentals.
    const SPELLINGS: &[(&str, &str, &str)] = &[
        ("C", "C", "C E G"),
        ("Cm", "Cm", "C Eb G"),
        ("C+", "Caug", "C E G#"),
        ("Caug", "Caug", "C E G#"),
        ("Cdim", "Cdim", "C Eb Gb"),
        ("C°", "Cdim", "C Eb Gb"),
        ("Co7", "Cdim7", "C Eb Gb Bbb"),
        ("Cdim7", "Cdim7", "C Eb Gb Bbb"),
        ("Cø", "Cm7b5", "C Eb Gb Bb"),
        ("Cø7", "Cm7b5", "C Eb Gb Bb"),
        ("Cm7b5", "Cm7b5", "C Eb Gb Bb"),
        ("Cm7♭5", "Cm7b5", "C Eb Gb Bb"),
        ("C6", "C6", "C E G A"),
        ("Cm6", "Cm6", "C Eb G A"),
        ("C6/9", "C6/9", "C E G A D"),
        ("C69", "C6/9", "C E G A D"),
        ("C7", "C7", "C E G Bb"),
        ("Cmaj7", "Cmaj7", "C E G B"),
        ("CΔ", "Cmaj7", "C E G B"),
        ("CΔ7", "Cmaj7", "C E G B"),
        ("CM7", "Cmaj7", "C E G B"),
        ("Cm7", "Cm7", "C Eb G Bb"),
        ("C-7", "Cm7", "C Eb G Bb"),
        ("CmMaj7", "Cm(maj7)", "C Eb G B"),
        ("Cm(maj7)", "Cm(maj7)", "C Eb G B"),
        ("C7sus4", "C7sus4", "C F G Bb"),
        ("Csus2", "Csus2", "C D G"),
        ("Csus4", "Csus4", "C F G"),
        ("Csus", "Csus4", "C F G"),
        ("Cadd9", "Cadd9", "C E G D"),
        ("Cmadd9", "Cmadd9", "C Eb G D"),
        ("C9", "C9", "C E G Bb D"),
        ("Cm9", "Cm9", "C Eb G Bb D"),
        ("Cmaj9", "Cmaj9", "C E G B D"),
        ("C11", "C11", "C E G Bb D F"),
        ("Cm11", "Cm11", "C Eb G Bb D F"),
        ("C13", "C13", "C E G Bb D A"),
        ("Cmaj13", "Cmaj13", "C E G B D A"),
        ("C7b9", "C7b9", "C E G Bb Db"),
        ("C7#9", "C7#9", "C E G Bb D#"),
        ("C7(b9,#11)", "C7(b9,#11)", "C E G Bb Db F#"),
        ("C7#11", "C7#11", "C E G Bb F#"),
        ("C13#11", "C13#11", "C E G Bb D F# A"),
        ("C7b13", "C7b13", "C E G Bb Ab"),
        ("C7alt", "C7alt", "C E Gb Bb Db D# Ab"),
        ("C7#5", "C7#5", "C E G# Bb"),
        ("C7b5", "C7b5", "C E Gb Bb"),
        ("C9sus4", "C9sus4", "C F G Bb D"),
        ("C7(omit3)", "C7(omit3)", "C G Bb"),
        ("C5", "C5", "C G"),
        ("C/E", "C/E", "E C G"),
        ("C7/Bb", "C7/Bb", "Bb C E G"),
        ("Am7/G", "Am7/G", "G A C E"),
        ("F#m7b5", "F#m7b5", "F# A C E"),
        ("Bb13(#11)", "Bb13#11", "Bb D F Ab C E G"),
        ("Ebmaj7#11", "Ebmaj7#11", "Eb G Bb D A"),
        ("Gb7(b9)", "Gb7b9", "Gb Bb Db Fb Abb"),
        ("B#9", "B#9", "B# D## F## A# C##"),
        ("Db6/9", "Db6/9", "Db F Ab Bb Eb"),
        ("E7#9", "E7#9", "E G# B D F##"),
        ("Abm(maj9)", "Abm(maj9)", "Ab Cb Eb G Bb"),
        ("D#dim7", "D#dim7", "D# F# A C"),
        ("Fbmaj7", "Fbmaj7", "Fb Ab Cb Eb"),
        ("G#aug", "G#aug", "G# B# D##"),
        ("Cbm7b5", "Cbm7b5", "Cb Ebb Gbb Bbb"),
        ("E𝄫", "Ebb", "Ebb Gb Bbb"),
        ("F𝄪m", "F##m", "F## A# C##"),
        ("Bbm6/9", "Bbm6/9", "Bb Db F G C"),
        ("A7sus2", "A7sus2", "A B E G"),
        ("Gm9/F", "Gm9/F", "F G Bb D A"),
    ];

    #[test]
    fn spells_every_chord_family() {
        for (input, canonical, notes) in SPELLINGS {
            assert_eq!(chord(input).to_string(), *canonical, "symbol of `{input}`");
            assert_eq!(spelled(input), *notes, "notes of `{input}`");
        }
    }

    #[test]
    fn canonical_symbols_parse_to_the_same_chord() {
        for (input, canonical, _) in SPELLINGS {
            assert_eq!(chord(canonical), chord(input), "`{canonical}`");
        }
    }

    #[test]
    fn unicode_display() {
        assert_eq!(format!("{:#}", chord("Bb7(b9,#11)")), "B♭7(♭9,♯11)");
        assert_eq!(format!("{:#}", chord("C7/Bb")), "C7/B♭");
        assert_eq!(chord("B♭7(♭9,♯11)"), chord("Bb7(b9,#11)"));
    }

    #[test]
    fn names_chords_from_notes() {
        let name = |notes: &str| {
            let pitches: Vec<PitchClass> = notes.split(' ').map(|n| n.parse().unwrap()).collect();
            Chord::identify(&pitches).unwrap().to_string()
        };
        assert_eq!(name("C E G"), "C");
        assert_eq!(name("E G C"), "C/E");
        assert_eq!(name("D F# A C"), "D7");
        assert_eq!(name("C E G A"), "C6");
        assert_eq!(name("A C E G"), "Am7");
        assert_eq!(name("C Eb Gb Bbb"), "Cdim7");
        assert_eq!(name("C Eb Gb A"), "Adim7/C");
        assert_eq!(name("B D F A"), "Bm7b5");
        assert_eq!(name("Ab C Eb G Bb"), "Abmaj9");
        assert_eq!(name("F A Eb G#"), "F7#9(omit5)");
        assert_eq!(name("C G"), "C5");
        assert_eq!(name("G B D F Ab"), "G7b9");
        // Misspelt input is named by sound and respelled from the given root.
        assert_eq!(name("C Fb G"), "C");
        assert!(Chord::identify(&[]).is_err());
        assert!(Chord::identify(&["C".parse().unwrap()]).is_err());
    }

    #[test]
    fn every_parsed_chord_names_back() {
        for (input, _, _) in SPELLINGS {
            let original = chord(input);
            let named = Chord::identify(&original.notes()).unwrap();
            assert!(named.same_sound(&original), "{input} named {named}");
        }
    }

    #[test]
    fn rootless_notes_name_back_with_the_root_given() {
        let root: PitchClass = "C".parse().unwrap();
        let pitches =
            |s: &str| -> Vec<PitchClass> { s.split(' ').map(|n| n.parse().unwrap()).collect() };
        let named = Chord::identify_with_root(&pitches("E A Bb D"), root).unwrap();
        assert_eq!(named.to_string(), "C13");
        let named = Chord::identify_with_root(&pitches("E G B D"), root).unwrap();
        assert_eq!(named.to_string(), "Cmaj9");
        let named = Chord::identify_with_root(&pitches("C E B"), root).unwrap();
        assert_eq!(named.to_string(), "Cmaj7");
    }

    #[test]
    fn bad_symbols_give_errors() {
        for bad in ["", "H7", "Cxyz", "C/", "Cbbb", "7", "C7/H", "Cm7q"] {
            assert!(bad.parse::<Chord>().is_err(), "`{bad}`");
        }
    }

    #[test]
    fn transposes_and_simplifies() {
        let up = chord("Bb7").transpose(Interval::DIMINISHED_FIFTH);
        assert_eq!(up.to_string(), "Fb7");
        assert_eq!(up.simplified().to_string(), "E7");
        assert!(chord("G#7").same_sound(&chord("Ab7")));
        assert!(!chord("G#7").same_sound(&chord("Ab7/C")));
    }

    #[test]
    fn serde_as_symbol() {
        let json = serde_json::to_string(&chord("Bb13(#11)")).unwrap();
        assert_eq!(json, "\"Bb13#11\"");
        let back: Chord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, chord("Bb13#11"));
    }
}
