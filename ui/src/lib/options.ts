// Choices the Create form offers. Topics are the ones the template generator knows.
import type { CreateKind } from "./bindings";

export const KINDS: { kind: CreateKind; label: string; hint: string }[] = [
  { kind: "tutorial", label: "Tutorial", hint: "A lesson: theory, practice steps, mistakes, chords and notation." },
  { kind: "curriculum", label: "Curriculum", hint: "A course of modules and lessons over several weeks." },
  { kind: "exercise", label: "Exercise", hint: "Something to practise: a progression, scale pattern, voicing study, lick or rhythm." },
  { kind: "theory_analysis", label: "Theory analysis", hint: "Functions, scale–chord relations and substitutions of a progression." },
  { kind: "assessment", label: "Assessment", hint: "Questions with answer keys computed by the theory engine." },
  { kind: "lesson_plan_part", label: "Lesson-plan part", hint: "One part of a teacher's plan, aligned to NCAS standards." },
];

export const TOPICS = [
  "ii-V-I",
  "minor ii-V-i",
  "I-vi-ii-V",
  "iii-vi-ii-V",
  "blues",
  "jazz blues",
  "minor blues",
  "gospel",
  "backdoor",
  "pop-axis",
  "major scale",
  "minor scale",
  "harmonic minor scale",
  "melodic minor scale",
  "blues scale",
  "major pentatonic scale",
  "minor pentatonic scale",
  "voicing types",
  "shell voicings",
  "rootless voicings",
  "drop-2 voicings",
  "close voicings",
  "upper-structure voicings",
];

const TONICS = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
export const KEYS = [...TONICS.map((t) => `${t} major`), ...["A", "E", "B", "F#", "C#", "D", "G", "C", "F", "Bb"].map((t) => `${t} minor`)];

export const INSTRUMENTS = ["piano"];
export const GRADES = ["PK", "K", "1", "2", "3", "4", "5", "6", "7", "8"];
