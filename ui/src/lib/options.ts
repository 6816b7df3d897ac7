// Choices the Create form offers. Topics come from Rust: the ones the template generator teaches.
import { TOPICS } from "./bindings";
import type { AssessmentKind, CreateKind, ExerciseKind } from "./bindings";

export { TOPICS };

export const KINDS: { kind: CreateKind; label: string; hint: string }[] = [
  { kind: "tutorial", label: "Tutorial", hint: "A lesson: theory, practice steps, mistakes, chords and notation." },
  { kind: "curriculum", label: "Curriculum", hint: "A course of modules and lessons over several weeks." },
  { kind: "exercise", label: "Exercise", hint: "Something to practise: a progression, scale pattern, voicing study, lick or rhythm." },
  { kind: "theory_analysis", label: "Theory analysis", hint: "Functions, scale–chord relations and substitutions of a progression." },
  { kind: "assessment", label: "Assessment", hint: "Questions with answer keys computed by the theory engine." },
  { kind: "lesson_plan_part", label: "Lesson-plan part", hint: "One part of a teacher's plan, aligned to NCAS standards." },
];

/** The topics a theory analysis takes: the progressions. */
export const PROGRESSION_TOPICS = TOPICS.filter((topic) => topic.family === "progression");

export const EXERCISE_KINDS: { kind: ExerciseKind; label: string }[] = [
  { kind: "progression", label: "Progression" },
  { kind: "scale_pattern", label: "Scale pattern" },
  { kind: "voicing_study", label: "Voicing study" },
  { kind: "lick", label: "Lick (guide-tone line)" },
  { kind: "rhythm", label: "Rhythm" },
];

export const ASSESSMENT_KINDS: { kind: AssessmentKind; label: string }[] = [
  { kind: "diagnostic", label: "Diagnostic" },
  { kind: "milestone", label: "Milestone" },
  { kind: "module", label: "Module" },
  { kind: "final", label: "Final" },
];

export const LESSON_PLAN_PARTS: { part: string; label: string }[] = [
  { part: "lesson_plan", label: "Lesson plan" },
  { part: "activities", label: "Activities" },
  { part: "assessment_strategies", label: "Assessment strategies" },
  { part: "differentiation", label: "Differentiation" },
  { part: "cross_curricular_connections", label: "Cross-curricular connections" },
  { part: "reflection_questions", label: "Reflection questions" },
  { part: "parent_communication", label: "Parent communication" },
  { part: "technology_integration", label: "Technology integration" },
  { part: "culturally_responsive_teaching", label: "Culturally responsive teaching" },
];

const TONICS = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
export const KEYS = [...TONICS.map((t) => `${t} major`), ...["A", "E", "B", "F#", "C#", "D", "G", "C", "F", "Bb"].map((t) => `${t} minor`)];

export const INSTRUMENTS = ["piano", "guitar", "bass", "voice"];
export const GRADES = ["PK", "K", "1", "2", "3", "4", "5", "6", "7", "8"];
