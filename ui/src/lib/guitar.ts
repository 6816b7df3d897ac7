// Guitar shapes as the theory engine computes them: frets per string from the low E to the
// high E, null where a string is muted.
import type { GuitarShape } from "./bindings";

/** The strings of standard tuning, low to high, as tablature labels them. */
export const STRING_NAMES = ["E", "A", "D", "G", "B", "e"];

/** The chord-book form: "x32010", or "x-10-12-12-10-x" once a fret passes 9. */
export function shapeDiagram(frets: (number | null)[]): string {
  const marks = frets.map((fret) => (fret === null ? "x" : String(fret)));
  return marks.join(frets.some((fret) => fret !== null && fret > 9) ? "-" : "");
}

/** The window of frets a diagram draws: from the nut when the shape fits the first
 * `rows` frets, else from its lowest fretted fret. */
export function diagramWindow(frets: (number | null)[], rows: number): { first: number; fromNut: boolean } {
  const fretted = frets.filter((fret): fret is number => fret !== null && fret > 0);
  const highest = fretted.length ? Math.max(...fretted) : 0;
  if (highest <= rows) return { first: 1, fromNut: true };
  return { first: Math.min(...fretted), fromNut: false };
}

/** The barre: the lowest fretted fret held across the strings from the first to the last
 * fretted there, when two or more are and none between is open or muted. */
export function barre(frets: (number | null)[]): { fret: number; from: number; to: number } | null {
  const fretted = frets.filter((fret): fret is number => fret !== null && fret > 0);
  if (!fretted.length) return null;
  const low = Math.min(...fretted);
  const at = frets.flatMap((fret, string) => (fret === low ? [string] : []));
  if (at.length < 2) return null;
  const from = at[0];
  const to = at[at.length - 1];
  const covered = frets.slice(from, to + 1).every((fret) => fret !== null && fret >= low);
  return covered ? { fret: low, from, to } : null;
}

/** A shape in words for screen readers: "x32010: C3 E3 G3 C4 E4". */
export function describeShape(shape: GuitarShape): string {
  return `${shapeDiagram(shape.frets)}: ${shape.notes.join(" ")}`;
}
