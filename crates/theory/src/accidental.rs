//! Accidentals: reading and writing the signs that alter a letter.
//!
//! An alteration is a count of semitones (negative = flats). Input accepts
//! ASCII (`b`, `#`, `x`) and Unicode (♭ ♯ 𝄫 𝄪); output is ASCII or Unicode.

/// Writes an accidental: ASCII (`b`, `#`, `bb`, `##`) or Unicode (♭ ♯ 𝄫 𝄪).
pub fn accidental_text(alter: i32, unicode: bool) -> String {
    let (double, single) = match (alter < 0, unicode) {
        (true, false) => ("bb", "b"),
        (true, true) => ("𝄫", "♭"),
        (false, false) => ("##", "#"),
        (false, true) => ("𝄪", "♯"),
    };
    let count = alter.unsigned_abs() as usize;
    if unicode {
        let mut text = double.repeat(count / 2);
        if count % 2 == 1 {
            text.push_str(single);
        }
        text
    } else {
        single.repeat(count)
    }
}

/// Reads accidentals at the start of `chars`: `b`, `#`, `x`, `♭`, `♯`, `𝄫`, `𝄪`.
/// Returns the alteration in semitones and how many chars were consumed.
pub(crate) fn read_accidentals(chars: &[char]) -> (i32, usize) {
    let mut alter = 0;
    let mut used = 0;
    for (i, &c) in chars.iter().enumerate() {
        // `x` is a double sharp only when no word follows (`Fx7`, not `Cxyz`).
        let word_follows = chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic());
        alter += match c {
            'b' | '♭' => -1,
            '#' | '♯' => 1,
            'x' if !word_follows => 2,
            '𝄪' => 2,
            '𝄫' => -2,
            _ => break,
        };
        used += 1;
    }
    (alter, used)
}
