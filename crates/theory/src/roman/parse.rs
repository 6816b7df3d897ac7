//! Reading numerals: figured forms (`V65`, `viiø7`), chord suffixes after a
//! numeral (`V7b9`), secondary targets (`V7/V`) and the special chords (`N6`,
//! `Ger+6`).

use std::str::FromStr;

use super::brackets::split_brackets;
use super::{AugmentedSixth, NumeralRoot, ROMAN, RomanNumeral, invalid, is_lower_case};
use crate::accidental::read_accidentals;
use crate::error::{Result, TheoryError};
use crate::quality::{ChordQuality, Seventh, Triad};

/// Quality sign, optional seventh marker and figure: the classical forms.
struct Figured {
    /// `o`, `ø` or `+`.
    sign: Option<char>,
    /// `maj`/`M`/`Δ` (major seventh) or `dom` (minor seventh).
    marker: Option<Seventh>,
    figure: &'static str,
}

const TRIAD_FIGURES: [&str; 3] = ["", "6", "64"];
const SEVENTH_FIGURES: [&str; 5] = ["7", "65", "43", "42", "2"];

/// Splits `rest` into quality sign, `maj`/`dom` marker and inversion figure,
/// or returns `None` when it is a chord suffix instead.
fn read_figured(rest: &str) -> Option<Figured> {
    let sign = rest.chars().next().filter(|c| matches!(c, 'o' | 'ø' | '+'));
    let rest = sign.map_or(rest, |c| &rest[c.len_utf8()..]);
    let markers = [
        ("maj", Seventh::Major),
        ("M", Seventh::Major),
        ("Δ", Seventh::Major),
        ("dom", Seventh::Minor),
        // RomanText's dominant-seventh quality: `Vd7`, `Id7`.
        ("d", Seventh::Minor),
    ];
    let (marker, rest) = markers
        .into_iter()
        .find_map(|(prefix, seventh)| rest.strip_prefix(prefix).map(|r| (Some(seventh), r)))
        .unwrap_or((None, rest));
    let figure = TRIAD_FIGURES
        .into_iter()
        .chain(SEVENTH_FIGURES)
        .find(|f| *f == rest)?;
    let implies_seventh = sign == Some('ø') || marker.is_some();
    if implies_seventh && !(figure.is_empty() || SEVENTH_FIGURES.contains(&figure)) {
        return None;
    }
    Some(Figured {
        sign,
        marker,
        figure,
    })
}

/// Quality, plain-seventh flag and inversion for the classical figured forms.
fn figured_quality(figured: &Figured, upper: bool) -> (ChordQuality, bool, u8) {
    let is_seventh = SEVENTH_FIGURES.contains(&figured.figure)
        || figured.marker.is_some()
        || figured.sign == Some('ø');
    let inversion = match figured.figure {
        "6" | "65" => 1,
        "64" | "43" => 2,
        "42" | "2" => 3,
        _ => 0,
    };
    let triad = match figured.sign {
        Some('o' | 'ø') => Triad::Diminished,
        Some(_) => Triad::Augmented,
        None if upper => Triad::Major,
        None => Triad::Minor,
    };
    let base = ChordQuality::major().with_triad(triad);
    if !is_seventh {
        return (base, false, inversion);
    }
    let (seventh, plain) = match (figured.sign, figured.marker, triad) {
        (_, Some(marker), _) => (marker, false),
        (Some('ø'), None, _) => (Seventh::Minor, false),
        (Some('o'), None, _) => (Seventh::Diminished, false),
        (_, None, Triad::Minor) => (Seventh::Minor, false),
        _ => (Seventh::Minor, true),
    };
    (base.with_seventh(Some(seventh)), plain, inversion)
}

/// Figures written with a slash, as textbooks print them, and the half-diminished sign
/// written `/o`, in the forms the parser reads.
const SLASHED_FORMS: [(&str, &str); 5] = [
    ("6/5", "65"),
    ("4/3", "43"),
    ("6/4", "64"),
    ("4/2", "42"),
    ("/o", "ø"),
];

/// Replaces Unicode signs by the ASCII ones the parser reads, and slashed figures by
/// their plain forms.
fn normalize_numeral(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '♭' => out.push('b'),
            '♯' => out.push('#'),
            '𝄫' => out.push_str("bb"),
            '𝄪' => out.push_str("##"),
            '°' | 'º' => out.push('o'),
            // `%` is the half-diminished sign of DCML and some RomanText files.
            'Ø' | '%' => out.push('ø'),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    for (slashed, plain) in SLASHED_FORMS {
        out = out.replace(slashed, plain);
    }
    // RomanText's `-` for a flat, before a numeral (`-VI`, `V/-III`).
    let mut chars: Vec<char> = out.chars().collect();
    for at in (0..chars.len()).rev() {
        let before_numeral = chars
            .get(at + 1)
            .is_some_and(|next| matches!(next, 'I' | 'V' | 'i' | 'v' | 'b'));
        if chars[at] == '-' && before_numeral {
            chars[at] = 'b';
        }
    }
    chars.into_iter().collect()
}

impl FromStr for RomanNumeral {
    type Err = TheoryError;

    fn from_str(input: &str) -> Result<Self> {
        let text = normalize_numeral(input);
        if text.is_empty() {
            return Err(TheoryError::Empty {
                what: "Roman numeral",
                example: "ii7, V7/V, bVII",
            });
        }
        let chars: Vec<char> = text.chars().collect();
        // The target follows a slash that starts another numeral (not `6/9`).
        let slash = chars
            .windows(2)
            .position(|w| w[0] == '/' && matches!(w[1], 'b' | '#' | '♮' | 'I' | 'V' | 'i' | 'v'));
        let (main, target) = match slash {
            Some(at) => {
                let main: String = chars[..at].iter().collect();
                let rest: String = chars[at + 1..].iter().collect();
                (main, Some(Box::new(rest.parse::<RomanNumeral>()?)))
            }
            None => (text.clone(), None),
        };
        let mut numeral = parse_single(&main, input)?;
        if target.is_some() && !matches!(numeral.root, NumeralRoot::Degree { .. }) {
            return Err(invalid(
                input,
                "only degree numerals can be applied to another chord",
            ));
        }
        numeral.target = target;
        Ok(numeral)
    }
}

/// Parses one numeral without a `/target`, with its bracketed changes.
fn parse_single(text: &str, input: &str) -> Result<RomanNumeral> {
    let (text, brackets) = split_brackets(text, input)?;
    let mut numeral = parse_unbracketed(&text, input)?;
    numeral.brackets = brackets;
    Ok(numeral)
}

/// Parses one numeral without brackets or a `/target`.
fn parse_unbracketed(text: &str, input: &str) -> Result<RomanNumeral> {
    if let Some(special) = parse_special(text) {
        return Ok(special);
    }
    let chars: Vec<char> = text.chars().collect();
    let (natural_sign, start) = if chars.first() == Some(&'♮') {
        (true, 1)
    } else {
        (false, 0)
    };
    let (alter, used) = if natural_sign {
        (0, 0)
    } else {
        read_accidentals(&chars)
    };
    if alter.abs() > 2 {
        return Err(invalid(input, "at most a double flat or sharp"));
    }
    let letters_start = start + used;
    let letters: String = chars[letters_start..]
        .iter()
        .take_while(|c| matches!(c, 'I' | 'V' | 'i' | 'v'))
        .collect();
    let upper = letters.chars().all(|c| c.is_ascii_uppercase());
    let lower = letters.chars().all(|c| c.is_ascii_lowercase());
    if letters.is_empty() || !(upper || lower) {
        return Err(invalid(
            input,
            "expected a Roman numeral I–VII (upper case major, lower case minor)",
        ));
    }
    let degree = ROMAN
        .iter()
        .position(|r| r.eq_ignore_ascii_case(&letters))
        .ok_or_else(|| invalid(input, "the numeral must be I to VII"))? as u8
        + 1;
    let rest: String = chars[letters_start + letters.chars().count()..]
        .iter()
        .collect();
    let accidental = if natural_sign || used > 0 {
        Some(alter as i8)
    } else {
        None
    };
    let (quality, plain_seventh, inversion) = match read_figured(&rest) {
        Some(figured) => figured_quality(&figured, upper),
        None => suffix_quality(&rest, upper, input)?,
    };
    Ok(RomanNumeral {
        root: NumeralRoot::Degree { degree, accidental },
        quality,
        plain_seventh,
        inversion,
        brackets: Vec::new(),
        target: None,
    })
}

/// Quality for a numeral followed by a chord suffix (`V7b9`, `ii9`, `Imaj7`).
fn suffix_quality(rest: &str, upper: bool, input: &str) -> Result<(ChordQuality, bool, u8)> {
    let triad = if upper { Triad::Major } else { Triad::Minor };
    let quality = ChordQuality::parse_on(triad, rest, input).map_err(|e| match e {
        TheoryError::UnknownChordQuality { .. } => invalid(
            input,
            &format!("unknown quality `{rest}`; expected a figure (6, 64, 7, 65, 43, 42) or a chord suffix (maj7, 9, 7b9, sus4)"),
        ),
        other => other,
    })?;
    let plain = !is_lower_case(quality.triad())
        && quality.seventh() == Some(Seventh::Minor)
        && !rest.contains("dom");
    Ok((quality, plain, 0))
}

/// `N`, `N6`, `Cad64`, `It+6`, `Fr+6`, `Ger+6` and their common variants, and augmented
/// sixths in inversions counted from their root (`Ger7`, `Fr65`).
fn parse_special(text: &str) -> Option<RomanNumeral> {
    let special = |root: NumeralRoot, inversion: u8| RomanNumeral {
        root,
        quality: ChordQuality::major(),
        plain_seventh: false,
        inversion,
        brackets: Vec::new(),
        target: None,
    };
    match text {
        "N" => return Some(special(NumeralRoot::Neapolitan { bare: true }, 0)),
        "N53" => return Some(special(NumeralRoot::Neapolitan { bare: false }, 0)),
        "N6" => return Some(special(NumeralRoot::Neapolitan { bare: false }, 1)),
        "N64" => return Some(special(NumeralRoot::Neapolitan { bare: false }, 2)),
        "Cad64" => return Some(special(NumeralRoot::CadentialSixFour, 2)),
        _ => {}
    }
    let kinds = [
        ("It", AugmentedSixth::Italian),
        ("Fr", AugmentedSixth::French),
        ("Ger", AugmentedSixth::German),
        ("Gr", AugmentedSixth::German),
        ("Sw", AugmentedSixth::Swiss),
    ];
    kinds.into_iter().find_map(|(name, kind)| {
        let figure = text.strip_prefix(name)?;
        let inversion = match figure {
            // The chord's usual name, over ♭6.
            "" | "+6" | "6" | "+" | "+43" | "+65" => kind.usual_inversion(),
            "2" => kind.figures().iter().position(|f| *f == "42")? as u8,
            figure => kind.figures().iter().position(|f| *f == figure)? as u8,
        };
        Some(special(NumeralRoot::AugmentedSixth(kind), inversion))
    })
}

/// Reads a whitespace- or bar-separated list of numerals (`ii7 V7 | Imaj7`).
pub fn parse_numerals(text: &str) -> Result<Vec<RomanNumeral>> {
    let numerals: Vec<RomanNumeral> = text
        .split(|c: char| c.is_whitespace() || c == '|' || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect::<Result<_>>()?;
    if numerals.is_empty() {
        return Err(TheoryError::Empty {
            what: "list of Roman numerals",
            example: "ii7 V7 Imaj7",
        });
    }
    Ok(numerals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_and_ascii_forms_agree() {
        let a: RomanNumeral = "♭VII7".parse().unwrap();
        let b: RomanNumeral = "bVII7".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(format!("{:#}", a), "♭VII7");
        let d: RomanNumeral = "vii°7/ii".parse().unwrap();
        assert_eq!(d.to_string(), "viio7/ii");
        assert_eq!(format!("{d:#}"), "vii°7/ii");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"viio7/ii\"");
    }

    #[test]
    fn bad_numerals_are_errors() {
        for bad in [
            "", "X", "IIII", "Iv", "V7/", "V/X", "Vxyz", "bbbII", "It/V", "VIII",
        ] {
            assert!(bad.parse::<RomanNumeral>().is_err(), "`{bad}` should fail");
        }
        let message = "Vxyz".parse::<RomanNumeral>().unwrap_err().to_string();
        assert!(
            message.contains("Vxyz") && message.contains("figure"),
            "{message}"
        );
    }

    #[test]
    fn augmented_sixths_read_and_write_each_inversion() {
        for (written, canonical) in [
            ("It6", "It+6"),
            ("It53", "It53"),
            ("It64", "It64"),
            ("Ger65", "Ger+6"),
            ("Ger+65", "Ger+6"),
            ("Ger7", "Ger7"),
            ("Ger43", "Ger43"),
            ("Fr43", "Fr+6"),
            ("Fr+43", "Fr+6"),
            ("Fr2", "Fr42"),
            ("Sw65", "Sw65"),
            ("Sw", "Sw+6"),
        ] {
            let numeral: RomanNumeral =
                written.parse().unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(numeral.to_string(), canonical, "{written}");
            assert_eq!(canonical.parse::<RomanNumeral>().unwrap(), numeral);
        }
        // A triad has no third inversion.
        for refused in ["It2", "It42", "It7"] {
            assert!(refused.parse::<RomanNumeral>().is_err(), "{refused}");
        }
    }

    #[test]
    fn half_diminished_is_written_several_ways() {
        let canonical: RomanNumeral = "viiø65".parse().unwrap();
        for written in ["vii/o65", "vii/o6/5", "vii%65", "viiØ65"] {
            assert_eq!(
                written.parse::<RomanNumeral>().unwrap(),
                canonical,
                "{written}"
            );
        }
    }

    #[test]
    fn brackets_follow_the_figure_and_print_back() {
        for (written, canonical) in [
            ("IV6[no1][add2]", "IV6[no1][add2]"),
            ("V6/5[b5]", "V65[b5]"),
            ("V7[no5]/V", "V7[no5]/V"),
            ("I[add-7]", "I[addb7]"),
        ] {
            let numeral: RomanNumeral =
                written.parse().unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(numeral.to_string(), canonical);
            assert_eq!(canonical.parse::<RomanNumeral>().unwrap(), numeral);
        }
    }

    #[test]
    fn parses_lists() {
        let list = parse_numerals("ii7 V7 | Imaj7").unwrap();
        assert_eq!(list.len(), 3);
        assert!(parse_numerals("  ").is_err());
    }
}
