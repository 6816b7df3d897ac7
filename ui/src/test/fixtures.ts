// A tutorial as the Rust command returns it, trimmed to what the tests look at.
import type { OpenedTutorial } from "../lib/bindings";

export const openedTutorial: OpenedTutorial = {
  id: 7,
  created_at: 1,
  updated_at: 1,
  checked: 9,
  tutorial: {
    schema_version: 1,
    title: "The ii-V-I in Eb major",
    topic: "ii-V-I",
    instrument: "piano",
    overview: { what_you_will_learn: ["The chords of the ii-V-I"], duration_minutes: 45, difficulty: "intermediate" },
    theory: { summary: "Roots move by fourths.", key_points: ["Guide tones"], examples: ["| Fm7 | Bb7 | Ebmaj7 |"] },
    practice_guide: { steps: [{ step: 1, title: "Learn the chords", instruction: "Play each chord.", success_criteria: "No pauses." }] },
    common_mistakes: [{ mistake: "Jumping the hand", fix: "Keep common tones" }],
    next_steps: { topics: ["minor ii-V-i"], advice: "Move on at 80 bpm." },
    music: {
      key: "Eb major",
      style: "jazz",
      voicing_kind: "rootless-a",
      chords: [
        { bar: 1, numeral: "ii7", symbol: "Fm7", notes: ["F", "Ab", "C", "Eb"], voicing: { kind: "rootless-a", notes: ["Ab3", "C4", "Eb4", "G4"] } },
        { bar: 2, numeral: "V7", symbol: "Bb7", notes: ["Bb", "D", "F", "Ab"], voicing: { kind: "rootless-a", notes: ["Ab3", "C4", "D4", "G4"] } },
        { bar: 3, numeral: "Imaj7", symbol: "Ebmaj7", notes: ["Eb", "G", "Bb", "D"], voicing: { kind: "rootless-a", notes: ["G3", "Bb3", "D4", "F4"] } },
      ],
      rhythm: { meter: "4/4", pattern: [1.5, 2.5], abc: "X:1\nM:4/4\nL:1/8\nK:C\n|c3 c5|]\n" },
    },
    standards: [],
  },
};
