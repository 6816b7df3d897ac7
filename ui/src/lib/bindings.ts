// Generated from the Rust by src-tauri/src/bindings.rs; do not edit.
// Regenerate with: UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings

export type AppInfo = { version: string, data_folder: string, catalog: string, device: DeviceView, };
export type DeviceView = { 
/**
 * `metal`, `cuda` or `cpu`; `none` when the chosen device cannot run models at all.
 */
device: string, notice: string | null, };
export type ModelView = { id: string, name: string, 
/**
 * "local", "server" or "cloud".
 */
kind: string, tiers: Array<string>, download_bytes: number | null, memory_mb: number | null, 
/**
 * Whether `memory_mb` was planned from the model's own GGUF (else it is models.toml's
 * estimate).
 */
memory_planned: boolean, 
/**
 * This machine's memory, to hold the model's figure against.
 */
machine_memory_mb: number | null, availability: AvailabilityView, 
/**
 * Whether the model is loaded in memory now, kept from an earlier request.
 */
resident: boolean, };
export type AvailabilityView = { "state": "installed", path: string, } | { "state": "not_installed" } | { "state": "partial", bytes: number, } | { "state": "wrong_size", bytes: number, } | { "state": "damaged", path: string, problem: string, } | { "state": "enabled" } | { "state": "disabled", reason: string, };
export type DownloadProgress = { phase: DownloadPhase, done: number, total: number, 
/**
 * Average speed of this session's transfer (0 while checking).
 */
bytes_per_second: number, };
export type DownloadPhase = "checking_partial" | "downloading" | "verifying";
export type DownloadOutcome = { "outcome": "installed" } | { "outcome": "paused", done: number, total: number, };
export type CreateKind = "curriculum" | "tutorial" | "exercise" | "theory_analysis" | "assessment" | "lesson_plan_part";
export type Generator = "model" | "template";
export type GenerationPlan = { kind: CreateKind, 
/**
 * The task's key in models.toml, e.g. "tutorial_generation".
 */
task: string, complexity: number, 
/**
 * The tier models.toml routes this complexity to, if any.
 */
tier: string | null, 
/**
 * The model that tier names (after the network fallback, when it applies).
 */
model: string | null, model_name: string | null, 
/**
 * Whether that model is installed (local) or usable (cloud) here.
 */
model_ready: boolean, 
/**
 * What would happen with a model, in a sentence.
 */
model_reason: string, 
/**
 * Why that model, though installed, cannot start now, and what to do about it.
 */
cannot_start: string | null, 
/**
 * What runs if the user presses Create now.
 */
generator: Generator, 
/**
 * Why that generator, in a sentence a teacher can act on.
 */
explanation: string, };
export type CreatedTutorial = { id: number, title: string, 
/**
 * Which generator wrote it: "template", or the model's id.
 */
generator: string, 
/**
 * The model's answer came from the response cache (Regenerate asks the model again).
 */
cached: boolean, checked: number, repaired: number, };
export type JobProgress = { done: number, total: number, message: string, };
export type CreatedCurriculum = { id: number, lessons: number, tutorials_written: number, };
export type TutorialListItem = { id: number, title: string, topic: string, music_key: string | null, level: string, };
export type OpenedTutorial = { id: number, created_at: number, updated_at: number, 
/**
 * Musical facts the theory engine checked when the tutorial was opened.
 */
checked: number, tutorial: Tutorial, };
export type DeletedTutorial = { title: string, document: unknown, };
export type CurriculumListItem = { id: number, title: string, level: string, duration_weeks: number, module_count: number, lesson_count: number, };
export type CurriculumDetail = { id: number, title: string, level: string, duration_weeks: number, description: string, modules: Array<CurriculumModuleItem>, };
export type CurriculumModuleItem = { title: string, week_start: number, week_end: number, lessons: Array<CurriculumLessonItem>, };
export type CurriculumLessonItem = { id: number, title: string, difficulty: string, duration_minutes: number, tutorial_id: number | null, exercises: Array<CurriculumExerciseItem>, };
export type CurriculumExerciseItem = { id: number, kind: string, title: string, difficulty: string, };
export type ExportFormat = "json" | "midi" | "musicxml" | "romantext";
export type ExportedFile = { path: string, bytes: number, format: ExportFormat, };
export type ImportedDocument = { 
/**
 * "tutorial", "curriculum", or the material's kind ("exercise", "theory_analysis", …).
 */
kind: string, id: number, title: string, 
/**
 * Musical facts the theory engine checked.
 */
checked: number, 
/**
 * Computed fields (symbols, notes, voicings) the engine recomputed because the file's
 * did not match its numerals.
 */
repaired: number, };
export type LessonPlace = { module: number, position: number, };
export type MovedLesson = { curriculum: CurriculumDetail, 
/**
 * Prerequisite links dropped because the move put a lesson before one it built on.
 */
prerequisites_dropped: number, };
export type TrashedCurriculumItem = { id: number, title: string, 
/**
 * When it was deleted (Unix seconds).
 */
deleted_at: number, 
/**
 * Until when it can be restored (Unix seconds).
 */
restorable_until: number, };
export type CurriculumTextsEdit = { title: string, description: string, 
/**
 * Every module's title, in the curriculum's order.
 */
module_titles: Array<string>, lessons: Array<LessonTitle>, };
export type LessonTitle = { id: number, title: string, };
export type EditedCurriculum = { curriculum: CurriculumDetail, previous: CurriculumTextsEdit, };
export type EditTarget = "tutorial" | "material";
export type DocumentVersion = { title: string, 
/**
 * When the edit that replaced it was made (Unix seconds).
 */
edited_at: number, };
export type EditOutcome = { "outcome": "saved", document: unknown, checked: number, history: Array<DocumentVersion>, } | { "outcome": "refused", problems: Array<EditProblem>, };
export type EditProblem = { field: string, message: string, };
export type Settings = { 
/**
 * Whether Cadence may call Gemini for the hardest tasks.
 */
network_allowed: boolean, 
/**
 * The most Cadence may spend on Gemini in a calendar month, in US dollars.
 */
monthly_budget_usd: number, device: Device, 
/**
 * Where downloaded models are kept; `None` is the data folder's `models`.
 */
models_folder: string | null, };
export type Device = "auto" | "metal" | "cpu";
export type SettingsView = { settings: Settings, 
/**
 * Where the settings are saved.
 */
file: string, 
/**
 * The models folder in force when the setting is empty.
 */
default_models_folder: string, gemini_key: KeyStatus, 
/**
 * Whether GEMINI_API_KEY is set in the environment (it overrides the keychain).
 */
gemini_key_in_environment: boolean, };
export type KeyStatus = { "state": "stored" } | { "state": "not_stored" } | { "state": "unavailable", reason: string, };
export type UsageReport = { 
/**
 * "YYYY-MM", in local time.
 */
month: string, totals: UsageRow, by_model: Array<UsageRow>, by_task: Array<UsageRow>, 
/**
 * Share of requests answered from the cache; `None` without requests.
 */
cache_hit_rate: number | null, 
/**
 * Share of the answers models wrote under a schema (ok or invalid: every task but
 * coaching, cache hits left out) that passed validation.
 */
json_valid_rate: number | null, 
/**
 * The month's spending against the budget set now.
 */
budget: BudgetStatus, };
export type UsageRow = { 
/**
 * A model id or a task kind, depending on the table; "total" for the month's totals.
 */
name: string, requests: number, tokens_in: number, tokens_out: number, cost_usd: number, cache_hits: number, 
/**
 * Median latency in milliseconds (nearest rank) of the requests that ran: cache hits
 * (answered at once) and cancelled requests (stopped by the user) are left out, so it
 * is the wait for an answer. `None` when no request ran.
 */
latency_p50_ms: number | null, 
/**
 * The 95th percentile of the same latencies.
 */
latency_p95_ms: number | null, };
export type BudgetStatus = { 
/**
 * "YYYY-MM", in local time.
 */
month: string, budget_usd: number, spent_usd: number, 
/**
 * `spent_usd / budget_usd`; `None` when the budget is 0.
 */
share: number | null, 
/**
 * From 80% of the budget (`BUDGET_WARNING_SHARE`): how much is spent of how much, and
 * that cloud calls stop at 100%, the local models taking over.
 */
warning: string | null, };
export type WritingProgress = { "event": "step", message: string, } | { "event": "delta", text: string, };
export type CoachStatus = { 
/**
 * The model that would answer; none when no model can run.
 */
model: string | null, 
/**
 * Why that model, or, when there is none, what to do.
 */
reason: string, };
export type CoachAnswer = { text: string, model: string, 
/**
 * Earlier turns left out to fit the model's context.
 */
dropped_turns: number, fallbacks: Array<string>, };
export type CoachTurn = { speaker: Speaker, text: string, };
export type Speaker = "student" | "coach";
export type MaterialKind = "exercise" | "theory_analysis" | "assessment" | "lesson_plan_part";
export type MaterialRequest = { "kind": "exercise", topic: string, key: string, level: Level, instrument: string, 
/**
 * The kind of exercise; the topic's first when none is asked for.
 */
exercise_kind: ExerciseKind | null, } | { "kind": "theory_analysis", topic: string, key: string, level: Level, instrument: string, } | { "kind": "assessment", topic: string, key: string, level: Level, instrument: string, assessment_kind: AssessmentKind, } | { "kind": "lesson_plan_part", topic: string, 
/**
 * NCAS grade: PK, K or 1 to 8.
 */
grade: string, 
/**
 * One of the lesson-plan parts, e.g. "lesson_plan" or "differentiation".
 */
part: string, 
/**
 * NCAS music codes for the grade; the grade's own when empty.
 */
standards: Array<string>, instrument: string, };
export type CreatedMaterial = { id: number, kind: MaterialKind, title: string, 
/**
 * Which generator wrote it: "template", or the model's id.
 */
generator: string, 
/**
 * The model's answer came from the response cache (Regenerate asks the model again).
 */
cached: boolean, checked: number, repaired: number, };
export type MaterialListItem = { id: number, kind: MaterialKind, title: string, topic: string, music_key: string | null, level: string | null, grade: string | null, };
export type OpenedMaterial = { id: number, kind: MaterialKind, title: string, instrument: string, created_at: number, 
/**
 * Musical facts the theory engine checked when it was opened.
 */
checked: number, 
/**
 * The document: an Exercise, TheoryAnalysis, Assessment or LessonPlanDocument, as
 * `kind` says.
 */
document: Exercise | TheoryAnalysis | Assessment | LessonPlanDocument, };
export type TopicFamily = "progression" | "scale" | "voicing";
export type TopicEntry = { 
/**
 * What to send back: [`Topic::parse`] reads it as this topic, e.g. "ii-v-i",
 * "harmonic minor scale", "drop-2 voicings".
 */
id: string, 
/**
 * What to show, e.g. "ii-V-I", "The harmonic minor scale", "Drop-2 voicings".
 */
title: string, family: TopicFamily, };
export type StudentView = { id: number, name: string, level: string, instrument: string, };
export type Assignable = { "kind": "tutorial", "id": number } | { "kind": "curriculum", "id": number };
export type Assigned = { assignment: number, title: string, items: number, };
export type Skill = "spelling" | "chord_qualities" | "intervals" | "roman_numerals" | "ear_chords" | "ear_intervals" | "playing";
export type PracticeItemView = { id: number, kind: string, skill: Skill, question: string, key: string | null, numeral: string | null, choices: Array<string>, 
/**
 * Notes the window plays (ear training), lowest first, with octaves.
 */
sound: Array<string>, 
/**
 * For a play-along: its chords, each voiced from the bass (notes with octaves), and the
 * tempo to play them at today.
 */
chords: Array<string>, voicings: Array<Array<string>>, tempo_bpm: number | null, 
/**
 * Whether the item is asked for the first time.
 */
new: boolean, 
/**
 * Whether the item can be answered by playing its chord on a keyboard.
 */
playable: boolean, };
export type AnswerResult = { correct: boolean, expected: string, feedback: string, 
/**
 * When the item comes back, RFC 3339.
 */
due: string, };
export type KeyEvent = { key: number, down: boolean, };
export type QuestionScore = { number: number, correct: boolean, expected: string, feedback: string, points: number, };
export type AssessmentScore = { 
/**
 * Points earned over points possible, 0 to 1.
 */
score: number, points: number, total: number, questions: Array<QuestionScore>, };
export type AttemptView = { material: number, title: string, score: number, 
/**
 * RFC 3339.
 */
taken_at: string, };
export type AssignmentView = { id: number, title: string, kind: string, pass_threshold: number, items: number, };
export type SkillMastery = { skill: Skill, 
/**
 * Items of the skill whose latest answer was right, of all the skill's items.
 */
mastered: number, items: number, };
export type DayCount = { 
/**
 * The day, `YYYY-MM-DD` in the student's time zone.
 */
day: string, answered: number, correct: number, };
export type Progress = { answered: number, correct: number, 
/**
 * Days practised in a row, up to today (or yesterday, before today's practice).
 */
streak_days: number, mastery: Array<SkillMastery>, 
/**
 * The last 30 days, oldest first.
 */
days: Array<DayCount>, };
export type StudentProgress = { student: StudentView, assignments: Array<AssignmentView>, 
/**
 * Assessments taken, newest first.
 */
assessments: Array<AttemptView>, progress: Progress, 
/**
 * Items due now or new, ready for today's session.
 */
due_today: number, };

// The topics the template generator teaches (cadence_content::topic).
export const TOPICS: TopicEntry[] = [
  {"id":"ii-v-i","title":"ii-V-I","family":"progression"},
  {"id":"minor-ii-v-i","title":"minor ii-V-i","family":"progression"},
  {"id":"i-vi-ii-v","title":"I-vi-ii-V turnaround","family":"progression"},
  {"id":"iii-vi-ii-v","title":"iii-VI-ii-V turnaround","family":"progression"},
  {"id":"gospel-1-4-5","title":"gospel I-IV-V","family":"progression"},
  {"id":"gospel-plagal","title":"gospel plagal cadence","family":"progression"},
  {"id":"gospel-walk-up","title":"gospel walk-up","family":"progression"},
  {"id":"gospel-2-5-1","title":"gospel ii-V-I","family":"progression"},
  {"id":"gospel-3-6-2-5-1","title":"gospel iii-VI-ii-V-I","family":"progression"},
  {"id":"blues","title":"12-bar blues","family":"progression"},
  {"id":"jazz-blues","title":"jazz blues","family":"progression"},
  {"id":"minor-blues","title":"minor blues","family":"progression"},
  {"id":"tadd-dameron","title":"Tadd Dameron turnaround","family":"progression"},
  {"id":"backdoor","title":"backdoor ii-V","family":"progression"},
  {"id":"pop-axis","title":"I-V-vi-IV axis","family":"progression"},
  {"id":"major scale","title":"The major scale","family":"scale"},
  {"id":"natural minor scale","title":"The natural minor scale","family":"scale"},
  {"id":"harmonic minor scale","title":"The harmonic minor scale","family":"scale"},
  {"id":"melodic minor scale","title":"The melodic minor scale","family":"scale"},
  {"id":"blues scale","title":"The blues scale","family":"scale"},
  {"id":"major pentatonic scale","title":"The major pentatonic scale","family":"scale"},
  {"id":"minor pentatonic scale","title":"The minor pentatonic scale","family":"scale"},
  {"id":"close voicings","title":"Close voicings","family":"voicing"},
  {"id":"drop-2 voicings","title":"Drop-2 voicings","family":"voicing"},
  {"id":"drop-3 voicings","title":"Drop-3 voicings","family":"voicing"},
  {"id":"shell voicings","title":"Shell voicings","family":"voicing"},
  {"id":"shell-b voicings","title":"Shell-b voicings","family":"voicing"},
  {"id":"rootless-a voicings","title":"Rootless-a voicings","family":"voicing"},
  {"id":"rootless-b voicings","title":"Rootless-b voicings","family":"voicing"},
  {"id":"rootless voicings","title":"Rootless voicings","family":"voicing"},
  {"id":"gospel voicings","title":"Gospel voicings","family":"voicing"},
  {"id":"upper-structure voicings","title":"Upper-structure voicings","family":"voicing"},
  {"id":"voicing types","title":"Voicing types","family":"voicing"},
];

// From assets/schema/tutorial.schema.json.
export type Tutorial = { schema_version?: number; title: string; topic: string; instrument: string; overview: Overview; theory: TheorySection; practice_guide: PracticeGuide; common_mistakes: CommonMistake[]; next_steps: NextSteps; music: MusicPayload; standards?: string[] };

// From assets/schema/exercise.schema.json.
export type Exercise = { schema_version?: number; title: string; kind: ExerciseKind; difficulty: Level; instructions: string; tempo_bpm: number; music: MusicPayload; success_criteria: string[] };

// From assets/schema/theory_analysis.schema.json.
export type TheoryAnalysis = { schema_version?: number; title: string; summary: string; music: MusicPayload; functions: FunctionNote[]; scale_chord: ScaleChordRelation[]; voice_leading: string[]; substitutions: Substitution[] };

// From assets/schema/assessment.schema.json.
export type Assessment = { schema_version?: number; title: string; kind: AssessmentKind; level: Level; topic: string; questions: Question[] };

// From assets/schema/lesson_plan.schema.json.
export type LessonPlanDocument = { schema_version?: number; title: string; topic: string; grade: string; standards: string[]; content: LessonPlanPart };

// The types the documents use.
export type Activity = { title: string; minutes: number; grouping: string; description: string };
export type AssessmentKind = "diagnostic" | "milestone" | "module" | "final";
export type ChordEntry = { bar: number; numeral: string; symbol?: string; notes?: string[]; voicing?: VoicingEntry | null; guitar?: GuitarShape | null; key?: string | null; beat?: number | null };
export type ChordFunction = "diatonic" | "applied" | "borrowed" | "neapolitan" | "chromatic";
export type CommonMistake = { mistake: string; fix: string };
export type ExerciseKind = "progression" | "scale_pattern" | "voicing_study" | "lick" | "rhythm";
export type FunctionNote = { bar: number; numeral: string; function: ChordFunction; explanation: string };
export type GuitarShape = { frets: (number | null)[]; notes: string[] };
export type Instrument = "piano" | "guitar" | "bass" | "voice";
export type LessonPlanPart = { part: "lesson_plan"; objectives: string[]; materials: string[]; sequence: PlanStep[] } | { part: "activities"; activities: Activity[] } | { part: "assessment_strategies"; formative: string[]; summative: string[]; rubric: RubricRow[] } | { part: "differentiation"; support: string[]; extension: string[]; english_learners: string[]; accommodations: string[] } | { part: "cross_curricular_connections"; connections: SubjectConnection[] } | { part: "reflection_questions"; questions: string[] } | { part: "parent_communication"; subject: string; message: string; home_activities: string[] } | { part: "technology_integration"; tools: TechnologyTool[] } | { part: "culturally_responsive_teaching"; practices: string[]; repertoire: string[] };
export type Level = "beginner" | "intermediate" | "advanced";
export type MelodyNote = { note: string; beats: number };
export type MusicPayload = { key: string; style?: NumeralStyle; meter?: string | null; instrument?: Instrument | null; voicing_kind?: string | null; chords?: ChordEntry[]; scale?: ScaleEntry | null; rhythm?: Rhythm | null; melody?: MelodyNote[] };
export type NextSteps = { topics: string[]; advice: string };
export type NumeralStyle = "classical" | "jazz" | "romantext";
export type Overview = { what_you_will_learn: string[]; duration_minutes: number; difficulty: Level };
export type PlanStep = { minutes: number; activity: string };
export type PracticeGuide = { steps: PracticeStep[] };
export type PracticeStep = { step: number; title: string; instruction: string; success_criteria: string };
export type Question = { number: number; prompt: string; spec: QuestionSpec; choices?: string[]; answer?: string[]; points: number };
export type QuestionSpec = { type: "chord_for_numeral"; key: string; numeral: string; style?: NumeralStyle } | { type: "numeral_for_chord"; key: string; symbol: string; style?: NumeralStyle } | { type: "chord_notes"; symbol: string } | { type: "scale_notes"; tonic: string; scale: string } | { type: "key_signature"; key: string };
export type Rhythm = { meter: string; pattern: number[]; abc?: string };
export type RubricRow = { criterion: string; levels: string[] };
export type ScaleChordRelation = { symbol: string; scales: string[] };
export type ScaleEntry = { tonic: string; kind: string; notes?: string[] };
export type SubjectConnection = { subject: string; description: string };
export type Substitution = { bar: number; original: string; substitute: string; explanation: string };
export type TechnologyTool = { name: string; purpose: string };
export type TheorySection = { summary: string; key_points: string[]; examples: string[] };
export type VoicingEntry = { kind: string; notes: string[] };
