#!/usr/bin/env python3
"""Reads a MusicXML file with music21 and prints, as JSON, what a reader finds in it.

Usage: musicxml_chords.py FILE.musicxml

Prints {"key", "time", "tempo", "chords", "parts", "notes", "measures"}:
- key: "Eb major" (the first key signature, with its mode);
- time: "4/4"; tempo: quarter notes a minute from the first metronome mark;
- chords: each chord symbol with its measure, offset in quarter notes from the barline,
  root, bass and pitch classes (music21's own reading of the <harmony>);
- parts: each staff music21 reads as a part, in order: its part's name, its staff (1, 2, ...
  among the staves of that part), its clefs (music21's clef class, sign, line and octave
  change) and its number of staff lines where the file sets one;
- notes: each note or chord that starts sounding (not a tie's continuation), with its part,
  staff, measure, offset, pitches with octaves and, on tablature, the (string, fret) of each
  note as music21 reads them (lowest pitch first, as music21 orders a chord's marks);
- measures: each part's measures with how many quarter notes they hold.

Pitches are spelled as Cadence spells them: letter, then b or # per flat or sharp.
Exits with status 1 and a message when music21 cannot read the file.
"""

import json
import sys

from music21 import articulations, chord, clef, converter, harmony, key, layout, meter, note, tempo


def spelled(pitch, octave=False):
    alter = int(pitch.alter)
    name = pitch.step + ("#" * alter if alter > 0 else "b" * -alter)
    return f"{name}{pitch.octave}" if octave else name


def number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def strings_and_frets(sounding):
    """The [string, fret] of each note of a note or chord on tablature: music21 reads a
    note's <string> and <fret> as a StringIndication and a FretIndication, in that order,
    and gathers a chord's on the chord."""
    pairs = []
    string = None
    for mark in sounding.articulations:
        if isinstance(mark, articulations.StringIndication):
            string = mark.number
        elif isinstance(mark, articulations.FretIndication) and string is not None:
            pairs.append([string, mark.number])
            string = None
    return pairs


def describe(path):
    score = converter.parse(path, format="musicxml")

    signature = next(iter(score.recurse().getElementsByClass(key.KeySignature)), None)
    if isinstance(signature, key.Key):
        key_name = f"{spelled(signature.tonic)} {signature.mode}"
    elif signature is not None:
        key_name = f"{signature.sharps} sharps"
    else:
        key_name = None
    time = next(iter(score.recurse().getElementsByClass(meter.TimeSignature)), None)
    mark = next(iter(score.recurse().getElementsByClass(tempo.MetronomeMark)), None)

    chords = []
    for symbol in score.recurse().getElementsByClass(harmony.ChordSymbol):
        bass = symbol.bass()
        root = symbol.root()
        chords.append(
            {
                "measure": symbol.measureNumber,
                "offset": number(symbol.offset),
                "root": spelled(root),
                "bass": spelled(bass) if bass is not None and bass.name != root.name else None,
                "pitch_classes": sorted({spelled(p) for p in symbol.pitches}),
                "figure": symbol.figure,
            }
        )

    parts = []
    notes = []
    measures = []
    staves = {}
    for part in score.parts:
        name = part.partName
        staves[name] = staves.get(name, 0) + 1
        staff = staves[name]
        lines = [
            details.staffLines
            for details in part.recurse().getElementsByClass(layout.StaffLayout)
            if details.staffLines is not None
        ]
        parts.append(
            {
                "name": name,
                "staff": staff,
                "clefs": [
                    {
                        "name": type(found).__name__,
                        "sign": found.sign,
                        "line": found.line,
                        "octave_change": found.octaveChange,
                    }
                    for found in part.recurse().getElementsByClass(clef.Clef)
                ],
                "staff_lines": lines[0] if lines else None,
            }
        )
        for measure in part.getElementsByClass("Measure"):
            measures.append(
                {
                    "part": name,
                    "measure": measure.number,
                    "quarters": number(measure.highestTime),
                }
            )
            for sounding in measure.recurse().notes:
                if isinstance(sounding, harmony.ChordSymbol):
                    continue
                if sounding.tie is not None and sounding.tie.type in ("stop", "continue"):
                    continue
                if isinstance(sounding, chord.Chord):
                    pitches = [spelled(p, octave=True) for p in sounding.pitches]
                elif isinstance(sounding, note.Note):
                    pitches = [spelled(sounding.pitch, octave=True)]
                else:
                    continue
                notes.append(
                    {
                        "part": name,
                        "staff": staff,
                        "measure": measure.number,
                        "offset": number(sounding.getOffsetInHierarchy(measure)),
                        "pitches": pitches,
                        "frets": strings_and_frets(sounding),
                    }
                )

    return {
        "key": key_name,
        "time": time.ratioString if time is not None else None,
        "tempo": number(mark.number) if mark is not None and mark.number is not None else None,
        "chords": chords,
        "parts": parts,
        "notes": notes,
        "measures": measures,
    }


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: musicxml_chords.py FILE.musicxml")
    try:
        described = describe(sys.argv[1])
    except Exception as error:  # music21 raises many kinds; any of them means unreadable
        print(f"music21 cannot read {sys.argv[1]}: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump(described, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
