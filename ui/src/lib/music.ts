// Note names, key signatures and ABC notation for the tutorial's music.
// Notes arrive as the theory engine spells them: "Eb4", "F#3", "Bbb2", pitch classes "Ab".
import type { ChordEntry, MelodyNote, MusicPayload } from "./bindings";

const LETTER_SEMITONES: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
// Position of each natural on the circle of fifths, counted from C.
const LETTER_FIFTHS: Record<string, number> = { F: -1, C: 0, G: 1, D: 2, A: 3, E: 4, B: 5 };
const SHARP_ORDER = ["F", "C", "G", "D", "A", "E", "B"];

export interface ParsedNote {
  letter: string;
  /** -2..2: flats negative, sharps positive. */
  alter: number;
  octave: number;
}

/** Parses "Eb4" (octave required). Returns null for anything else. */
export function parseNote(name: string): ParsedNote | null {
  const match = /^([A-Ga-g])(#{1,2}|b{1,2}|x)?(-?\d)$/.exec(name.trim());
  if (!match) return null;
  const accidental = match[2] ?? "";
  const alter = accidental === "x" ? 2 : accidental.startsWith("#") ? accidental.length : -accidental.length;
  return { letter: match[1].toUpperCase(), alter, octave: Number(match[3]) };
}

/** MIDI note number: C4 = 60. */
export function midiNumber(name: string): number | null {
  const note = parseNote(name);
  if (!note) return null;
  return (note.octave + 1) * 12 + LETTER_SEMITONES[note.letter] + note.alter;
}

export function frequency(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

/** Sharps (positive) or flats (negative) in a key such as "Eb major" or "C# minor"; null if odd. */
export function keySignature(key: string): number | null {
  const match = /^([A-Ga-g])(#|b)?\s+(major|minor)$/i.exec(key.trim());
  if (!match) return null;
  const alter = match[2] === "#" ? 1 : match[2] === "b" ? -1 : 0;
  const fifths = LETTER_FIFTHS[match[1].toUpperCase()] + 7 * alter - (match[3].toLowerCase() === "minor" ? 3 : 0);
  return Math.abs(fifths) <= 7 ? fifths : null;
}

function signatureAlters(fifths: number): Record<string, number> {
  const alters: Record<string, number> = {};
  if (fifths > 0) SHARP_ORDER.slice(0, fifths).forEach((l) => (alters[l] = 1));
  if (fifths < 0) [...SHARP_ORDER].reverse().slice(0, -fifths).forEach((l) => (alters[l] = -1));
  return alters;
}

/** The ABC K: field for a key, or "C" when the key has no usable signature. */
export function abcKey(key: string): string {
  const fifths = keySignature(key);
  const match = /^([A-Ga-g])(#|b)?\s+(major|minor)$/i.exec(key.trim());
  if (fifths === null || !match) return "C";
  return `${match[1].toUpperCase()}${match[2] ?? ""}${match[3].toLowerCase() === "minor" ? "m" : ""}`;
}

// Note lengths ABC writes as one symbol, in sixteenths.
const WRITABLE = [16, 12, 8, 6, 4, 3, 2, 1];

function splitLength(sixteenths: number): number[] {
  const parts: number[] = [];
  let left = Math.max(1, Math.round(sixteenths));
  while (left > 0) {
    const part = WRITABLE.find((w) => w <= left) ?? 1;
    parts.push(part);
    left -= part;
  }
  return parts;
}

/** Writes ABC pitches with the accidentals a bar needs against the key signature. */
class BarSpeller {
  private inBar = new Map<string, number>();
  constructor(private signature: Record<string, number>) {}

  newBar() {
    this.inBar.clear();
  }

  pitch(note: ParsedNote): string {
    const place = `${note.letter}${note.octave}`;
    const current = this.inBar.get(place) ?? this.signature[note.letter] ?? 0;
    let accidental = "";
    if (note.alter !== current) {
      accidental = note.alter === 0 ? "=" : note.alter > 0 ? "^".repeat(note.alter) : "_".repeat(-note.alter);
      this.inBar.set(place, note.alter);
    }
    let letter = note.octave >= 5 ? note.letter.toLowerCase() : note.letter;
    if (note.octave > 5) letter += "'".repeat(note.octave - 5);
    if (note.octave < 4) letter += ",".repeat(4 - note.octave);
    return accidental + letter;
  }
}

/** Sixteenths in one bar of a meter such as "4/4" or "6/8". */
export function barSixteenths(meter: string): number {
  const match = /^(\d+)\/(\d+)$/.exec(meter);
  if (!match) return 16;
  return (Number(match[1]) * 16) / Number(match[2]);
}

// The page's own heading names each staff, so the tune has no title line.
function header(music: MusicPayload, meter: string, clef: "treble" | "bass" = "treble"): string {
  const signature = keySignature(music.key);
  const key = signature === null ? "C" : abcKey(music.key);
  return [`X:1`, `M:${meter}`, `L:1/16`, `K:${key}${clef === "bass" ? " clef=bass" : ""}`].join("\n");
}

/** The notes a chord sounds, lowest first: its piano voicing, its guitar shape, or its
 * pitch classes stacked from octave 3. */
export function chordSoundingNotes(chord: ChordEntry): string[] {
  return chord.voicing?.notes ?? chord.guitar?.notes ?? (chord.notes ?? []).map((pc, i) => `${pc}${i === 0 ? 3 : 4}`);
}

function octaveUp(name: string, octaves: number): string {
  const note = parseNote(name);
  if (!note || octaves === 0) return name;
  return name.trim().replace(/-?\d$/, String(note.octave + octaves));
}

/** A line sits in the bass clef when most of its notes lie below middle C (a bass line,
 * a sung root movement). */
export function lineClef(melody: MelodyNote[]): "treble" | "bass" {
  const midi = melody.map((m) => midiNumber(m.note)).filter((m): m is number => m !== null);
  const low = midi.filter((m) => m < 60).length;
  return midi.length > 0 && low * 2 > midi.length ? "bass" : "treble";
}

/** The chord chart: one bar per chord bar, voicings as block chords, symbols above. */
export function chordChartAbc(music: MusicPayload): string | null {
  const chordList = music.chords ?? [];
  if (!chordList.length) return null;
  const meter = music.rhythm?.meter ?? "4/4";
  const bar = barSixteenths(meter);
  const speller = new BarSpeller(signatureAlters(keySignature(music.key) ?? 0));
  const bars = new Map<number, ChordEntry[]>();
  for (const chord of chordList) bars.set(chord.bar, [...(bars.get(chord.bar) ?? []), chord]);
  const last = Math.max(...chordList.map((c) => c.bar));
  const written: string[] = [];
  for (let number = 1; number <= last; number++) {
    speller.newBar();
    const chords = bars.get(number) ?? [];
    if (!chords.length) {
      written.push(`z${bar}`);
      continue;
    }
    const each = Math.floor(bar / chords.length);
    written.push(
      chords
        .map((chord, index) => {
          const length = index === chords.length - 1 ? bar - each * (chords.length - 1) : each;
          const notes = chordSoundingNotes(chord)
            .map(parseNote)
            .filter((n): n is ParsedNote => n !== null);
          const symbol = `"${(chord.symbol ?? "").replace(/"/g, "")}"`;
          const pitches = notes.map((n) => speller.pitch(n)).join("");
          return splitLength(length)
            .map((part, i) => `${i === 0 ? symbol : ""}[${pitches}]${part}`)
            .join("-");
        })
        .join(" "),
    );
  }
  const lines: string[] = [];
  for (let i = 0; i < written.length; i += 4) lines.push(written.slice(i, i + 4).join(" | ") + " |");
  lines[lines.length - 1] = lines[lines.length - 1].replace(/\|$/, "|]");
  return `${header(music, meter)}\n${lines.join("\n")}\n`;
}

/** The line (scale pattern, lick or root movement) as notation, split at bar lines with
 * ties. A bass line is written an octave above where it sounds, as bass parts are. */
export function melodyAbc(music: MusicPayload): string | null {
  const written = music.instrument === "bass" ? 1 : 0;
  const melody: MelodyNote[] = (music.melody ?? []).map((item) => ({ ...item, note: octaveUp(item.note, written) }));
  if (!melody.length) return null;
  const meter = music.rhythm?.meter ?? "4/4";
  const bar = barSixteenths(meter);
  const speller = new BarSpeller(signatureAlters(keySignature(music.key) ?? 0));
  let out = "";
  let filled = 0;
  let bars = 0;
  for (const item of melody) {
    const note = parseNote(item.note);
    let left = Math.max(1, Math.round(item.beats * 4));
    while (left > 0) {
      const room = bar - filled;
      const take = Math.min(left, room);
      const pitch = note ? speller.pitch(note) : "z";
      out += splitLength(take)
        .map((part) => `${pitch}${part}`)
        .join(note ? "-" : "");
      left -= take;
      filled += take;
      if (left > 0 && note) out += "-";
      if (filled === bar) {
        bars += 1;
        out += bars % 4 === 0 ? " |\n" : " | ";
        filled = 0;
        speller.newBar();
      }
    }
    out += " ";
  }
  out = out.trimEnd();
  if (!out.endsWith("|")) out += " |";
  return `${header(music, meter, lineClef(melody))}\n${out.replace(/\|$/, "|]")}\n`;
}

export interface PlayEvent {
  /** Start and length in beats (quarter notes). */
  start: number;
  length: number;
  midi: number[];
  /** Index of the chord in music.chords, for highlighting; -1 for line notes. */
  chord: number;
}

/** What the player schedules: chords one bar each (shared evenly), or the line. */
export function playEvents(music: MusicPayload, part: "chords" | "line"): { events: PlayEvent[]; beats: number } {
  const barBeats = barSixteenths(music.rhythm?.meter ?? "4/4") / 4;
  const events: PlayEvent[] = [];
  if (part === "chords") {
    const byBar = new Map<number, number[]>();
    const chords = music.chords ?? [];
    chords.forEach((chord, index) => byBar.set(chord.bar, [...(byBar.get(chord.bar) ?? []), index]));
    let lastBar = 0;
    for (const [barNumber, indices] of byBar) {
      lastBar = Math.max(lastBar, barNumber);
      const each = barBeats / indices.length;
      indices.forEach((index, i) => {
        const chord = chords[index];
        const midi = chordSoundingNotes(chord)
          .map(midiNumber)
          .filter((m): m is number => m !== null);
        events.push({ start: (barNumber - 1) * barBeats + i * each, length: each, midi, chord: index });
      });
    }
    return { events, beats: lastBar * barBeats };
  }
  let at = 0;
  for (const note of music.melody ?? []) {
    const midi = midiNumber(note.note);
    if (midi !== null) events.push({ start: at, length: note.beats, midi: [midi], chord: -1 });
    at += note.beats;
  }
  return { events, beats: Math.ceil(at / barBeats) * barBeats };
}
