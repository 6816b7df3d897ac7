//! Writing the canonical chord suffix, ASCII or with ♭/♯.

use std::fmt;

use super::{AddedTone, ChordQuality, Extension, Seventh, Triad};

impl ChordQuality {
    /// The canonical suffix; ♭/♯ instead of b/# when `unicode`.
    pub fn suffix(&self, unicode: bool) -> String {
        let text = self.ascii_suffix();
        if unicode {
            text.replace('b', "♭").replace('#', "♯")
        } else {
            text
        }
    }

    fn ascii_suffix(&self) -> String {
        let number = match self.extension {
            None => "7",
            Some(Extension::Ninth) => "9",
            Some(Extension::Eleventh) => "11",
            Some(Extension::Thirteenth) => "13",
        };
        let six_nine = self.sixth && self.added.contains(&AddedTone::Ninth);
        let sixth = if six_nine { "6/9" } else { "6" };
        let base = match (self.triad, self.seventh) {
            (Triad::Power, _) => "5".to_string(),
            (Triad::Major, None) if self.sixth => sixth.to_string(),
            (Triad::Minor, None) if self.sixth => format!("m{sixth}"),
            (Triad::Major, None) => String::new(),
            (Triad::Minor, None) => "m".into(),
            (Triad::Diminished, None) => "dim".into(),
            (Triad::Augmented, None) => "aug".into(),
            (Triad::Sus2, None) => "sus2".into(),
            (Triad::Sus4, None) => "sus4".into(),
            (_, Some(Seventh::Diminished)) => "dim7".into(),
            (Triad::Major, Some(Seventh::Minor)) if self.altered => "7alt".into(),
            (Triad::Major, Some(Seventh::Minor)) => number.into(),
            (Triad::Major, Some(Seventh::Major)) => format!("maj{number}"),
            (Triad::Minor, Some(Seventh::Minor)) => format!("m{number}"),
            (Triad::Minor, Some(Seventh::Major)) => format!("m(maj{number})"),
            (Triad::Diminished, Some(Seventh::Minor)) => format!("m{number}b5"),
            (Triad::Diminished, Some(Seventh::Major)) => format!("dim(maj{number})"),
            (Triad::Augmented, Some(Seventh::Minor)) => format!("{number}#5"),
            (Triad::Augmented, Some(Seventh::Major)) => format!("maj{number}#5"),
            (Triad::Sus2, Some(Seventh::Minor)) => format!("{number}sus2"),
            (Triad::Sus4, Some(Seventh::Minor)) => format!("{number}sus4"),
            (Triad::Sus2, Some(Seventh::Major)) => format!("maj{number}sus2"),
            (Triad::Sus4, Some(Seventh::Major)) => format!("maj{number}sus4"),
        };
        let mut modifiers: Vec<&str> = self.alterations.iter().map(|a| a.text()).collect();
        modifiers.extend(
            self.added
                .iter()
                .filter(|&&t| !(six_nine && t == AddedTone::Ninth))
                .map(|t| t.text()),
        );
        let base_ends_altered = base.ends_with("b5") || base.ends_with("#5");
        let starts_with_accidental = modifiers.first().is_some_and(|m| m.starts_with(['b', '#']));
        // `Cb5` would read as C-flat power chord, so a bare alteration on a
        // plain triad goes in parentheses.
        let parenthesize = !modifiers.is_empty()
            && (modifiers.len() > 1
                || base_ends_altered
                || (base.is_empty() && starts_with_accidental)
                || base.ends_with(')'));
        let mut text = base;
        if parenthesize {
            text.push('(');
            text.push_str(&modifiers.join(","));
            text.push(')');
        } else if let Some(modifier) = modifiers.first() {
            text.push_str(modifier);
        }
        for omitted in &self.omitted {
            text.push_str(&format!("(omit{})", omitted.number()));
        }
        text
    }
}

impl fmt::Display for ChordQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.suffix(f.alternate()))
    }
}
