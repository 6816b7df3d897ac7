//! Numeral + key → chord: roots from the key (or a secondary key), sevenths by
//! style, inversions from the figures, augmented sixths with their ♯4.

use super::brackets::{self, BracketedChord};
use super::{
    AugmentedSixth, NumeralRoot, RomanNumeral, Style, altered_root, default_root, flatten, invalid,
    is_lower_case, key_seventh,
};
use crate::chord::Chord;
use crate::error::Result;
use crate::interval::Interval;
use crate::pitch::{Letter, PitchClass};
use crate::quality::{Alteration, Extension, Seventh, Triad};
use crate::scale::{Key, KeyMode};

impl RomanNumeral {
    /// The key a secondary numeral is read in: the target's root, major or
    /// minor after the target's third.
    fn local_key(&self, key: &Key, style: Style) -> Result<Key> {
        let Some(target) = &self.target else {
            return Ok(*key);
        };
        // The target's own brackets do not change the key it names (`V/V[no1]` is D F# A).
        let chord = target.figure_chord(key, style)?;
        let mode = match chord.quality().triad() {
            Triad::Minor => KeyMode::Minor,
            Triad::Diminished => {
                return Err(invalid(
                    &self.to_string(),
                    "a diminished chord cannot be tonicized",
                ));
            }
            _ => KeyMode::Major,
        };
        Ok(Key::new(chord.root(), mode))
    }

    /// The chord this numeral names in `key`. Augmented sixths are returned
    /// under their enharmonic chord symbol (Ger+6 in C is `Ab7`); use
    /// [`RomanNumeral::notes`] for their functional spelling (F♯, not G♭). A numeral with
    /// bracketed changes, or a RomanText ninth and above, is named from its notes; a
    /// RomanText stack no symbol names whole, by its lower tones.
    pub fn chord(&self, key: &Key, style: Style) -> Result<Chord> {
        if self.brackets.is_empty() && !self.stacks_from_scale(style) {
            return self.figure_chord(key, style);
        }
        let notes = self.notes_from_bass(key, style)?;
        if matches!(self.root, NumeralRoot::AugmentedSixth(_)) {
            return Chord::identify(&notes);
        }
        // The chord keeps the figure's root where its notes allow: `V13` is G13, not Dm13/G.
        let figure = self.figure_chord(key, style)?;
        let root = figure.root();
        let identified = Chord::identify(&notes);
        if let Ok(chord) = &identified
            && chord.root() == root
        {
            return identified;
        }
        // Exactly its notes: a fifth the brackets left out is not put back (`II69[no5]` is
        // D6/9(omit5) in C minor, not E7sus2/D).
        if let Some(chord) = Chord::identify_exactly_with_root(&notes, root) {
            let bass = notes.first().copied().filter(|bass| *bass != root);
            return Ok(chord.with_bass(bass));
        }
        if self.brackets.is_empty() {
            return self.named_stack(&figure, key, style, notes.first().copied());
        }
        identified.map_err(|_| {
            invalid(
                &self.to_string(),
                &format!(
                    "its notes ({}) make no chord a symbol names",
                    notes
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            )
        })
    }

    /// A RomanText stack no symbol names whole from its root (`viiø11` in A minor, whose
    /// eleventh is C♮): the symbol of its lower tones, dropping the highest until one names
    /// them exactly, so that it never states a tone the numeral does not have (the figure's
    /// own symbol, G♯m11b5, would say A♯ and C♯).
    fn named_stack(
        &self,
        figure: &Chord,
        key: &Key,
        style: Style,
        bass: Option<PitchClass>,
    ) -> Result<Chord> {
        let local = self.local_key(key, style)?;
        let stack = self.tones_from_root(figure, &local, style);
        (3..stack.len())
            .rev()
            .find_map(|count| Chord::identify_exactly_with_root(&stack[..count], figure.root()))
            .map(|chord| chord.with_bass(bass))
            .ok_or_else(|| invalid(&self.to_string(), "no chord symbol names its tones"))
    }

    /// RomanText takes a ninth, eleventh and thirteenth from the key's scale, as it takes a
    /// plain seventh, and keeps every tone of the stack.
    fn stacks_from_scale(&self, style: Style) -> bool {
        style == Style::RomanText && self.quality.extension().is_some()
    }

    /// The chord the figure names before any bracketed change.
    fn figure_chord(&self, key: &Key, style: Style) -> Result<Chord> {
        let local = self.local_key(key, style)?;
        let root = match self.root {
            NumeralRoot::AugmentedSixth(kind) => {
                let mut notes = self.augmented_sixth_notes(kind, &local);
                put_in_bass(&mut notes, self.inversion);
                return Chord::identify(&notes);
            }
            NumeralRoot::Neapolitan { .. } => flatten(local.major_degree(2)),
            NumeralRoot::CadentialSixFour => local.tonic(),
            NumeralRoot::Degree { degree, accidental } => match accidental {
                Some(alter) => altered_root(&local, degree, alter, style),
                None => default_root(&local, degree, is_lower_case(self.quality.triad())),
            },
        };
        let quality = if self.root == NumeralRoot::CadentialSixFour && local.is_minor() {
            self.quality.with_triad(Triad::Minor)
        } else if self.plain_seventh && style.sevenths_from_key() {
            // A diminished seventh makes a seventh chord only over a diminished triad.
            let takes = |seventh: &Seventh| {
                *seventh != Seventh::Diminished || self.quality.triad() == Triad::Diminished
            };
            let seventh = key_seventh(&local, root, style).filter(takes).ok_or_else(|| {
                invalid(
                    &self.to_string(),
                    &format!("the scale of {local} has no seventh above {root} that makes a seventh chord; write maj7 or dom7"),
                )
            })?;
            self.quality.with_seventh(Some(seventh))
        } else {
            self.quality.clone()
        };
        let chord = Chord::new(root, quality);
        let bass = match self.inversion_in(style) {
            0 => None,
            n => {
                let tones = chord.tones();
                let pitch = tones
                    .get(usize::from(n))
                    .filter(|(interval, _)| interval.steps() <= 6)
                    .map(|(_, p)| *p)
                    .ok_or_else(|| {
                        invalid(&self.to_string(), "inversion beyond the chord's tones")
                    })?;
                Some(pitch)
            }
        };
        Ok(chord.with_bass(bass))
    }

    /// The inversion as `style` reads the figure: RomanText puts a bare `N` in first
    /// inversion.
    fn inversion_in(&self, style: Style) -> u8 {
        match self.root {
            NumeralRoot::Neapolitan { bare: true } if style == Style::RomanText => 1,
            _ => self.inversion,
        }
    }

    /// The spelled notes from the bass up in close position, as an analysis lists them
    /// (`V65` in C: B D F G), after any bracketed change.
    pub fn notes_from_bass(&self, key: &Key, style: Style) -> Result<Vec<PitchClass>> {
        let local = self.local_key(key, style)?;
        let (mut notes, root) = match self.root {
            NumeralRoot::AugmentedSixth(kind) => {
                let notes = self.augmented_sixth_notes(kind, &local);
                let root = notes[0];
                (notes, root)
            }
            _ => {
                let chord = self.figure_chord(key, style)?;
                (self.tones_from_root(&chord, &local, style), chord.root())
            }
        };
        put_in_bass(&mut notes, self.inversion_in(style));
        if self.brackets.is_empty() {
            return Ok(notes);
        }
        // An augmented sixth's added tones come from the minor mode it borrows from.
        let added_from = match self.root {
            NumeralRoot::AugmentedSixth(_) => Key::new(local.tonic(), KeyMode::Minor),
            _ => local,
        };
        let chord = BracketedChord {
            notes,
            root,
            key: &added_from,
            degree: self.scale_degree(),
        };
        brackets::apply(&self.brackets, chord, style, &self.to_string())
    }

    /// The chord's tones from the root up; in RomanText the ninth and above come from the
    /// scale unless the figure alters them (`V9` in A minor has F, `V7b9` in C has A♭).
    fn tones_from_root(&self, chord: &Chord, local: &Key, style: Style) -> Vec<PitchClass> {
        let tones = chord.tones();
        if !self.stacks_from_scale(style) {
            return tones.into_iter().map(|(_, pitch)| pitch).collect();
        }
        let altered_steps: Vec<i8> = self
            .quality
            .alterations()
            .iter()
            .filter_map(|alteration| match alteration {
                Alteration::FlatNine | Alteration::SharpNine => Some(8),
                Alteration::SharpEleven => Some(10),
                Alteration::FlatThirteen => Some(12),
                Alteration::FlatFive | Alteration::SharpFive => None,
            })
            .collect();
        let top_step = match self.quality.extension() {
            Some(Extension::Ninth) => 8,
            Some(Extension::Eleventh) => 10,
            _ => 12,
        };
        let scale = local.scale().notes();
        let root = chord.root();
        let mut notes: Vec<PitchClass> = tones
            .iter()
            .filter(|(interval, _)| interval.steps() <= 6)
            .map(|(_, pitch)| *pitch)
            .collect();
        for step in [8, 10, 12]
            .into_iter()
            .filter(|step| *step <= top_step || altered_steps.contains(step))
        {
            if altered_steps.contains(&step) {
                notes.extend(
                    tones
                        .iter()
                        .filter(|(interval, _)| interval.steps() == step)
                        .map(|(_, pitch)| *pitch),
                );
            } else {
                let letter = Letter::from_index(root.letter().index() + i32::from(step));
                notes.extend(scale.iter().copied().filter(|p| p.letter() == letter));
            }
        }
        notes
    }

    /// The scale degree a bracketed addition counts from: the numeral's, 2 for the
    /// Neapolitan, the tonic for the cadential six-four, and the degree of the augmented
    /// sixths' roots (♯4, or 2 for the French and Swiss).
    fn scale_degree(&self) -> u8 {
        match self.root {
            NumeralRoot::Degree { degree, .. } => degree,
            NumeralRoot::Neapolitan { .. } => 2,
            NumeralRoot::CadentialSixFour => 1,
            NumeralRoot::AugmentedSixth(AugmentedSixth::Italian | AugmentedSixth::German) => 4,
            NumeralRoot::AugmentedSixth(AugmentedSixth::French | AugmentedSixth::Swiss) => 2,
        }
    }

    /// The spelled notes, bass first. Equal to the chord's notes except for
    /// augmented sixths, which keep their ♯4 (It+6 in C: A♭ C F♯), and for numerals whose
    /// notes no chord symbol gives (brackets, RomanText's stacks), listed from the bass up.
    pub fn notes(&self, key: &Key, style: Style) -> Result<Vec<PitchClass>> {
        match self.root {
            NumeralRoot::AugmentedSixth(_) => self.notes_from_bass(key, style),
            _ if !self.brackets.is_empty() || self.stacks_from_scale(style) => {
                self.notes_from_bass(key, style)
            }
            _ => Ok(self.figure_chord(key, style)?.notes()),
        }
    }

    /// An augmented sixth's notes from the root its figures count from.
    fn augmented_sixth_notes(&self, kind: AugmentedSixth, local: &Key) -> Vec<PitchClass> {
        let flat_six = flatten(local.major_degree(6));
        let sharp = |pitch: PitchClass| pitch.transpose(Interval::from_parts(0, 1));
        let sharp_four = sharp(local.major_degree(4));
        let tonic = local.tonic();
        match kind {
            AugmentedSixth::Italian => vec![sharp_four, flat_six, tonic],
            AugmentedSixth::French => vec![local.major_degree(2), sharp_four, flat_six, tonic],
            AugmentedSixth::German => {
                vec![sharp_four, flat_six, tonic, flatten(local.major_degree(3))]
            }
            AugmentedSixth::Swiss => {
                vec![sharp(local.major_degree(2)), sharp_four, flat_six, tonic]
            }
        }
    }
}

/// Turns notes listed from the root up into notes from the bass up, for an inversion
/// (1: the third in the bass).
fn put_in_bass(notes: &mut [PitchClass], inversion: u8) {
    let below_bass = usize::from(inversion).min(notes.len().saturating_sub(1));
    notes.rotate_left(below_bass);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    fn realize(numeral: &str, key_name: &str, style: Style) -> String {
        let numeral: RomanNumeral = numeral.parse().unwrap_or_else(|e| panic!("{numeral}: {e}"));
        numeral
            .chord(&key(key_name), style)
            .unwrap_or_else(|e| panic!("{numeral} in {key_name}: {e}"))
            .to_string()
    }

    #[test]
    fn numerals_to_chords() {
        use Style::{Classical, Jazz, RomanText};
        let table = [
            ("I", "C", Classical, "C"),
            ("ii7", "Eb", Classical, "Fm7"),
            ("V7", "Eb", Classical, "Bb7"),
            ("Imaj7", "Eb", Classical, "Ebmaj7"),
            ("I7", "C", Classical, "Cmaj7"),
            ("I7", "C", Jazz, "C7"),
            ("IV7", "F", Jazz, "Bb7"),
            ("V65", "C", Classical, "G7/B"),
            ("V43", "C", Classical, "G7/D"),
            ("V42", "C", Classical, "G7/F"),
            ("I6", "A", Classical, "A/C#"),
            ("I64", "A", Classical, "A/E"),
            ("viiø7", "C", Classical, "Bm7b5"),
            ("viio7", "C", Classical, "Bdim7"),
            ("viio7", "C minor", Classical, "Bdim7"),
            ("bVII", "C", Classical, "Bb"),
            ("bVII7", "C", Classical, "Bb7"),
            ("bVII7", "C", RomanText, "Bbmaj7"),
            ("bVIIdom7", "C", RomanText, "Bb7"),
            ("bIII", "A minor", Classical, "C"),
            ("bIII", "A minor", RomanText, "Cb"),
            ("-VI", "C", Classical, "Ab"),
            ("bVI", "C minor", Classical, "Ab"),
            ("VI", "C minor", Classical, "Ab"),
            ("VII", "A minor", Classical, "G"),
            ("iv", "C", Classical, "Fm"),
            ("V7/V", "C", Classical, "D7"),
            ("V7/V", "C minor", Classical, "D7"),
            ("viio7/ii", "C", Classical, "C#dim7"),
            ("viiø7/V", "C", Classical, "F#m7b5"),
            ("V7/IV", "Bb", Classical, "Bb7"),
            ("V/V/V", "C", Classical, "A"),
            ("N6", "C minor", Classical, "Db/F"),
            ("N", "E", Classical, "F"),
            ("N53", "E", Classical, "F"),
            ("N", "E", RomanText, "F/A"),
            ("Cad64", "C", Classical, "C/G"),
            ("Cad64", "A minor", Classical, "Am/E"),
            ("V6/5", "C", Classical, "G7/B"),
            ("Vd7", "A minor", Classical, "E7"),
            ("#viio", "A minor", RomanText, "G#dim"),
            ("#VII", "A minor", RomanText, "G#"),
            ("Ger+6", "C", Classical, "Ab7"),
            ("It+6", "C", Classical, "Ab7(omit5)"),
            ("Fr+6", "C", Classical, "D7b5/Ab"),
            ("V7b9", "F#", Classical, "C#7b9"),
            ("V13", "Db", Jazz, "Ab13"),
            ("ii9", "G", Jazz, "Am9"),
            ("III+", "A minor", Classical, "Caug"),
            ("V", "G# minor", Classical, "D#"),
            ("vii°7", "G# minor", Classical, "F##dim7"),
            ("V7/iv", "Eb minor", Classical, "Eb7"),
            ("i(maj7)", "D minor", Classical, "Dm(maj7)"),
            ("bII7", "C", Classical, "Db7"),
            ("bII7", "C", RomanText, "Dbmaj7"),
            ("♭VImaj7", "C", Jazz, "Abmaj7"),
            ("Iadd6", "C", Classical, "C6"),
            ("I69", "C", Classical, "C6/9"),
        ];
        for (numeral, key_name, style, expected) in table {
            assert_eq!(
                realize(numeral, key_name, style),
                expected,
                "{numeral} in {key_name}"
            );
        }
    }

    fn from_bass(numeral: &str, key_name: &str, style: Style) -> Result<String> {
        let numeral: RomanNumeral = numeral.parse()?;
        let notes = numeral.notes_from_bass(&key(key_name), style)?;
        Ok(notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" "))
    }

    #[test]
    fn brackets_change_the_chord_in_every_style() {
        use Style::{Classical, RomanText};
        for style in [Classical, RomanText] {
            assert_eq!(from_bass("V7[no5]", "C", style).unwrap(), "G B F");
            assert_eq!(from_bass("IV6[no1][add2]", "C", style).unwrap(), "A C G");
            assert_eq!(from_bass("V7[b5]", "C", style).unwrap(), "G B Db F");
        }
        assert_eq!(realize("V7[no5]", "C", Classical), "G7(omit5)");
        assert_eq!(realize("I[add9]", "C", Classical), "Cadd9");
        // RomanText drops an alteration of a tone the chord lacks, as its reader does; the
        // other styles say so rather than give a chord without the ♭9 the writer meant.
        assert_eq!(from_bass("V7[b9]", "C", RomanText).unwrap(), "G B D F");
        let refused = from_bass("V7[b9]", "C", Classical).unwrap_err().to_string();
        assert!(
            refused.contains("[b9]") && refused.contains("[addb9]"),
            "{refused}"
        );
    }

    #[test]
    fn a_bracketed_chord_keeps_its_root_and_refuses_what_is_not_a_chord() {
        use Style::{Classical, RomanText};
        // Every tone of the stack, named from its root.
        assert_eq!(realize("V13", "C", RomanText), "G11add13");
        assert_eq!(from_bass("V/V[no1]", "C", RomanText).unwrap(), "D F# A");
        assert_eq!(from_bass("V[no1]/V", "C", RomanText).unwrap(), "F# A");
        // A fifth left out is not put back to find a symbol on the root.
        assert_eq!(realize("II69[no5]", "C minor", Classical), "D6/9(omit5)");
        assert_eq!(realize("V9[no5]", "C", Classical), "G9(omit5)");
        assert_eq!(from_bass("V9#11", "C", RomanText).unwrap(), "G B D F A C#");
        assert_eq!(
            from_bass("It+6[add4]", "C", RomanText).unwrap(),
            "Ab Bb C F#"
        );
        let empty = from_bass("V[no1][no3][no5]", "C", Classical)
            .unwrap_err()
            .to_string();
        assert!(empty.contains("leave no notes"), "{empty}");
        let triple = from_bass("#iv[##3]", "E", Classical)
            .unwrap_err()
            .to_string();
        assert!(
            triple.contains("[##3]") && triple.contains("doubly"),
            "{triple}"
        );
        let one_note = "I[no3][no5]".parse::<RomanNumeral>().unwrap();
        let refused = one_note
            .chord(&key("C"), RomanText)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("I[no3][no5]") && refused.contains("(C)"),
            "{refused}"
        );
    }

    #[test]
    fn romantext_takes_ninths_and_above_from_the_scale() {
        use Style::{Classical, RomanText};
        assert_eq!(from_bass("V9", "A minor", RomanText).unwrap(), "E G# B D F");
        assert_eq!(
            from_bass("V9", "A minor", Classical).unwrap(),
            "E G# B D F#"
        );
        assert_eq!(from_bass("V13", "C", RomanText).unwrap(), "G B D F A C E");
        assert_eq!(realize("V9", "A minor", RomanText), "E7b9");
        // Its eleventh from the scale is C♮, which no symbol on G♯ names: the symbol names
        // the tones below it, not G♯m11b5's A♯ and C♯.
        assert_eq!(realize("viiø11", "A minor", RomanText), "G#m7b5(b9)");
        assert_eq!(realize("II13#11", "A minor", RomanText), "B7(b9,#11)");
        // The scale's G over A♯ is a diminished seventh, which an augmented triad cannot take.
        let refused = "#I+7".parse::<RomanNumeral>().unwrap();
        assert!(refused.chord(&key("A minor"), RomanText).is_err());
    }

    #[test]
    fn augmented_sixths_keep_their_sharp_four() {
        let notes = |n: &str, k: &str| {
            n.parse::<RomanNumeral>()
                .unwrap()
                .notes(&key(k), Style::Classical)
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(notes("It+6", "C"), "Ab C F#");
        assert_eq!(notes("Fr+6", "A minor"), "F A B D#");
        assert_eq!(notes("Ger+6", "Eb"), "Cb Eb Gb A");
    }
}
