#!/usr/bin/env python3
"""Writes how music21 spells Roman numerals, for the theory engine's tests to hold it to:

- crates/theory/tests/fixtures/music21_roman.tsv: (key, figure) pairs;
- crates/theory/tests/fixtures/analysis.music21.tsv: every chord of analysis.rntxt, a
  RomanText file of our own, as music21's RomanText reader reads it.


Each row is one (key, figure) pair as analysts write them in RomanText files, read the way
music21's RomanText reader reads them (the sixth and seventh degrees of a minor key follow
Minor67Default.CAUTIONARY), with the pitch names music21 gives, from the bass up, and the
bass. The theory engine's tests read the table; it is the reference, not numbers typed by
hand.

    python3 -m venv .venv && .venv/bin/pip install music21==10.5.1
    .venv/bin/python scripts/music21_roman_table.py
"""

import itertools
import re
from pathlib import Path

import music21
from music21 import converter, key, roman

FIXTURES = Path(__file__).resolve().parent.parent / "crates/theory/tests/fixtures"
OUT = FIXTURES / "music21_roman.tsv"

MAJOR_KEYS = ["C", "G", "D", "A", "E", "B", "F#", "F", "Bb", "E-", "A-", "D-"]
MINOR_KEYS = ["a", "e", "b", "f#", "c#", "g#", "d", "g", "c", "f", "b-", "e-"]

# Figures by feature. Each feature is read in every key of the modes it lists.
FEATURES = {
    "triad": (["I", "ii", "iii", "IV", "V", "vi", "viio", "i", "iv", "v", "III", "VI", "VII", "iio"], "both"),
    "inversion": (["I6", "I64", "ii6", "IV64", "V6", "V64", "vi6", "i6", "iv6", "i64"], "both"),
    "slashed inversion": (["I6/4", "V6/4", "iv6/4", "i6/4"], "both"),
    "seventh": (["I7", "ii7", "IV7", "V7", "vi7", "viio7", "viiø7", "V65", "V43", "V42", "V2", "ii65", "ii43", "ii42", "IV65", "i7", "iv7", "iiø7"], "both"),
    "slashed seventh": (["V6/5", "V4/3", "V4/2", "ii6/5", "ii4/3", "iiø6/5", "iiø4/3", "viio6/5", "viio4/3", "viio4/2", "IV6/5", "I6/5"], "both"),
    "applied": (["V/V", "V7/V", "V/ii", "V/vi", "V7/IV", "V7/iv", "viio7/V", "viio7/ii", "viiø7/V", "V/V/V", "V6/5/V", "V4/3/V", "viio6/5/V", "V6/V", "V4/2/IV", "V7/V/V"], "both"),
    "cadential 6-4": (["Cad64"], "both"),
    "neapolitan": (["N", "N6", "N64", "bII", "bII6"], "both"),
    "augmented sixth": (["It6", "It", "It53", "Fr43", "Fr7", "Fr65", "Ger65", "Ger7", "Ger43", "Ger", "Sw42", "Sw"], "both"),
    "diminished": (["viio", "viio6", "viio7", "viio65", "viio43", "viio42", "iio", "iio6", "viio/V", "#ivo7", "#ivo", "viio7/vi"], "both"),
    "half diminished": (["viiø7", "viiø65", "viiø43", "viiø42", "iiø7", "iiø65", "vii/o7", "vii/o65", "ii/o7", "ii/o43"], "both"),
    "augmented": (["III+", "V+", "I+", "III+7", "V+7", "I+M7"], "both"),
    "major seventh": (["IM7", "IVM7", "VIM7", "IVM65", "IM43", "IIIM7", "Imaj7", "IVmaj7", "bVIM7", "I+M7"], "both"),
    "dominant seventh marker": (["Vd7", "Id7", "IVd7", "VId7", "Vd65", "Vd43"], "both"),
    "ninth and above": (["V9", "V11", "V13", "ii9", "I9", "IV9", "V9/V", "ii11", "IV11", "I13", "V9[b9]", "V9[#9]"], "both"),
    "brackets": (["I[no3]", "V[no5]", "I[no1]", "I[add6]", "IV6[no1][add2]", "V7[no5]", "V7[no3]", "i[add6]", "I[add9]", "V7[b9]", "V[add4][no3]", "ii7[no5]",
                 "V7[#5]", "V7[b5]", "I[#5]", "I[add#4]", "V7[addb9]", "I[no3][add2]", "V7[no5]/V",
                 "viio7[no3]", "V43[no5]", "V65[b5]", "IV[add6]", "V7[no3][no5]", "I64[add9]",
                 "V[add7]", "iv[add#6]", "V7[b9][b13]", "V7[b9]/V", "It6[add4]", "Fr43[add9]",
                 "Ger65[no5]", "V/V[no1]", "Cad64[add4]"], "both"),
    "altered root": (["bII", "bIII", "bVI", "bVII", "#iv", "#ivo", "#IV", "-VI", "-VII", "-III", "bVI7", "bVII7", "#ii", "#v", "biii"], "both"),
    "minor sixth and seventh": (["vi", "VI", "#vi", "bVI", "bvi", "#VI", "vii", "VII", "#vii", "bVII", "bvii", "#VII", "viio", "#viio", "viio7", "#viio7", "viiø7", "#viiø7", "vio", "#vio"], "minor"),
}


def music21_name(pitch_name: str) -> str:
    """music21's `-` for a flat as the engine writes it: `b`."""
    return pitch_name.replace("-", "b")


def major_seventh_marker(figure: str) -> bool:
    """`IM7`, `IVM65`, `I+M7`, `Imaj7`: M or maj before a seventh figure."""
    return re.search(r"(M|maj)(7|65|43|42|2)", figure) is not None


def pitch_names(numeral) -> tuple[list[str], str]:
    """The numeral's pitch names from the bass up, and its bass.

    music21 reads the M of `VIM7` (and the maj of `VImaj7`) as nothing and takes the seventh from the key (G natural
    in C major, a dominant seventh). The M asks for a major seventh, and the engine gives
    one rather than a chord the figure does not name; so for these figures the table takes
    music21's chord with its seventh replaced by the major seventh above the root, computed
    by music21. Where the key's seventh is already major (`IM7` in C) nothing changes.
    """
    pitches = list(numeral.pitches)
    if major_seventh_marker(numeral.figure):
        seventh = numeral.seventh
        major = numeral.root().transpose("M7")
        pitches = [major if p is seventh else p for p in pitches]
    names = [music21_name(p.name) for p in pitches]
    return names, names[0]


def rows():
    flags = roman.Minor67Default.CAUTIONARY
    seen = set()
    for feature, (figures, modes) in FEATURES.items():
        keys = MINOR_KEYS if modes == "minor" else MAJOR_KEYS + MINOR_KEYS
        for key_name, figure in itertools.product(keys, figures):
            if (key_name, figure) in seen:
                continue
            try:
                numeral = roman.RomanNumeral(
                    figure, key.Key(key_name), sixthMinor=flags, seventhMinor=flags
                )
                numeral.pitches  # noqa: B018 - music21 spells lazily and may refuse here
            except Exception:  # noqa: BLE001 - a figure music21 refuses is left out
                continue
            pitches, bass = pitch_names(numeral)
            if bass != music21_name(numeral.bass().name):
                raise ValueError(f"{figure} in {key_name}: the bass is not the first note")
            seen.add((key_name, figure))
            yield feature, key_name, figure, " ".join(pitches), bass


def analysis_rows():
    """Each chord of analysis.rntxt: measure, beat, key, figure, pitches from the bass up."""
    source = (FIXTURES / "analysis.rntxt").read_text()
    score = converter.parse(source, format="romanText")
    for numeral in score.recurse().getElementsByClass(roman.RomanNumeral):
        pitches = " ".join(pitch_names(numeral)[0])
        yield (
            str(numeral.measureNumber),
            f"{float(numeral.beat):g}",
            numeral.key.tonicPitchNameWithCase,
            numeral.figure,
            pitches,
        )


def main():
    analysis = list(analysis_rows())
    with (FIXTURES / "analysis.music21.tsv").open("w") as out:
        out.write(f"# music21 {music21.__version__} reading analysis.rntxt; "
                  "written by scripts/music21_roman_table.py\n")
        out.write("# measure\tbeat\tkey\tfigure\tpitches from the bass up\n")
        for row in analysis:
            out.write("\t".join(row) + "\n")
    print(f"{len(analysis)} chords of analysis.rntxt written")
    table = list(rows())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w") as out:
        out.write(f"# music21 {music21.__version__}, RomanText conventions "
                  "(Minor67Default.CAUTIONARY); written by scripts/music21_roman_table.py\n")
        out.write("# figures with M or maj before the seventh take the major seventh above the "
                  "root (music21 ignores the M; see pitch_names)\n")
        out.write("# feature\tkey\tfigure\tpitches from the bass up\tbass\n")
        for row in table:
            out.write("\t".join(row) + "\n")
    print(f"{len(table)} pairs written to {OUT}")


if __name__ == "__main__":
    main()
