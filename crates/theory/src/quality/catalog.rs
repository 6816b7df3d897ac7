//! Every quality chord naming may choose from when it names a chord from
//! its notes.

use super::{AddedTone, Alteration, ChordQuality, Extension, OmittedTone, Seventh, Triad};

impl ChordQuality {
    /// Every quality the engine names from notes: all parseable combinations
    /// of triad, seventh, sixth, extension, up to two alterations, one added
    /// and one omitted tone. Each is in normal form and prints canonically.
    pub(crate) fn catalog() -> Vec<ChordQuality> {
        let mut all = Vec::new();
        let triads = [
            Triad::Major,
            Triad::Minor,
            Triad::Diminished,
            Triad::Augmented,
            Triad::Sus2,
            Triad::Sus4,
        ];
        let mut alteration_sets: Vec<Vec<Alteration>> = vec![vec![]];
        for (i, &a) in Alteration::ALL.iter().enumerate() {
            alteration_sets.push(vec![a]);
            for &b in &Alteration::ALL[i + 1..] {
                alteration_sets.push(vec![a, b]);
            }
        }
        for triad in triads {
            let sevenths: &[Option<Seventh>] = if triad == Triad::Diminished {
                &[
                    None,
                    Some(Seventh::Diminished),
                    Some(Seventh::Minor),
                    Some(Seventh::Major),
                ]
            } else {
                &[None, Some(Seventh::Minor), Some(Seventh::Major)]
            };
            for &seventh in sevenths {
                let extensions: &[Option<Extension>] = match seventh {
                    Some(Seventh::Minor | Seventh::Major) => &[
                        None,
                        Some(Extension::Ninth),
                        Some(Extension::Eleventh),
                        Some(Extension::Thirteenth),
                    ],
                    _ => &[None],
                };
                let sixths: &[bool] =
                    if seventh.is_none() && matches!(triad, Triad::Major | Triad::Minor) {
                        &[false, true]
                    } else {
                        &[false]
                    };
                for &extension in extensions {
                    for &sixth in sixths {
                        for alterations in &alteration_sets {
                            for added in [
                                None,
                                Some(AddedTone::Ninth),
                                Some(AddedTone::Eleventh),
                                Some(AddedTone::Thirteenth),
                            ] {
                                for omitted in
                                    [None, Some(OmittedTone::Third), Some(OmittedTone::Fifth)]
                                {
                                    let mut quality = ChordQuality::plain(triad, seventh);
                                    quality.extension = extension;
                                    quality.sixth = sixth;
                                    quality.alterations.extend(alterations.iter().copied());
                                    quality.added.extend(added);
                                    quality.omitted.extend(omitted);
                                    if quality.is_catalog_worthy() {
                                        all.push(quality);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut altered = ChordQuality::dominant_seventh();
        altered.altered = true;
        all.push(altered);
        all.push(ChordQuality::plain(Triad::Power, None));
        all
    }

    /// Filters out combinations that repeat or contradict themselves.
    fn is_catalog_worthy(&self) -> bool {
        let alters = |a: Alteration| self.alterations.contains(&a);
        let fifth_altered = alters(Alteration::FlatFive) || alters(Alteration::SharpFive);
        let contradictory = match self.triad {
            Triad::Major => alters(Alteration::SharpFive),
            Triad::Minor => alters(Alteration::FlatFive),
            Triad::Diminished | Triad::Augmented => fifth_altered,
            _ => false,
        };
        let added_twice = self.added.iter().any(|&t| match (t, self.extension) {
            (_, None) => false,
            (AddedTone::Ninth, Some(_)) => true,
            (AddedTone::Eleventh, Some(e)) => e >= Extension::Eleventh,
            (AddedTone::Thirteenth, Some(e)) => e == Extension::Thirteenth,
        });
        let omits_third_of_sus = self.omitted.contains(&OmittedTone::Third)
            && matches!(self.triad, Triad::Sus2 | Triad::Sus4);
        let omits_altered_fifth = self.omitted.contains(&OmittedTone::Fifth)
            && (fifth_altered || matches!(self.triad, Triad::Diminished | Triad::Augmented));
        let too_busy = (!self.omitted.is_empty() && self.alterations.len() > 1)
            || (self.omitted.contains(&OmittedTone::Third) && !self.alterations.is_empty());
        // A ninth over sus2 doubles the second, so such names only shadow the sus4 ones.
        let doubled_second = self.triad == Triad::Sus2
            && (self.extension.is_some() || self.added.contains(&AddedTone::Ninth));
        !(contradictory
            || added_twice
            || omits_third_of_sus
            || omits_altered_fifth
            || too_busy
            || doubled_second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_quality_prints_and_parses_back() {
        let catalog = ChordQuality::catalog();
        assert!(catalog.len() > 1000);
        for quality in catalog {
            let text = quality.to_string();
            let parsed = ChordQuality::parse(&text, &text)
                .unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"));
            assert_eq!(parsed, quality, "`{text}`");
            let unicode = quality.suffix(true);
            assert_eq!(ChordQuality::parse(&unicode, &unicode).unwrap(), quality);
        }
    }
}
