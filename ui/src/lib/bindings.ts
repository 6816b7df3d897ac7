// Generated from the Rust types by src-tauri/src/desktop/bindings.rs; do not edit.
// Regenerate with: UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings

export type AppInfo = { version: string, data_folder: string, catalog: string, };
export type ModelView = { id: string, name: string, 
/**
 * "local" or "cloud".
 */
kind: string, tiers: Array<string>, download_bytes: number | null, memory_mb: number | null, availability: AvailabilityView, };
export type AvailabilityView = { "state": "installed", path: string, } | { "state": "not_installed" } | { "state": "partial", bytes: number, } | { "state": "wrong_size", bytes: number, } | { "state": "enabled" } | { "state": "disabled", reason: string, };
export type DownloadProgress = { phase: DownloadPhase, done: number, total: number, 
/**
 * Average speed of this session's transfer (0 while checking).
 */
bytes_per_second: number, };
export type DownloadPhase = "checking_partial" | "downloading" | "verifying";
export type DownloadOutcome = { "outcome": "installed" } | { "outcome": "paused", done: number, total: number, };
export type CreateKind = "curriculum" | "tutorial" | "exercise" | "theory_analysis" | "assessment" | "lesson_plan_part";
export type Generator = "model" | "template" | "unavailable";
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
generator: string, checked: number, repaired: number, };
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
export type ExportFormat = "json" | "midi";
export type ExportedFile = { path: string, bytes: number, format: ExportFormat, };
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
 * Unix seconds; only generations at or after it are counted.
 */
since: bigint, requests: number, cost_usd: number, by_model: Array<UsageRow>, by_task: Array<UsageRow>, 
/**
 * Share of requests answered from the cache; `None` without requests.
 */
cache_hit_rate: number | null, 
/**
 * Share of finished generations (ok or invalid) whose JSON passed validation.
 */
json_valid_rate: number | null, };
export type UsageRow = { 
/**
 * A model id or a task kind, depending on the table.
 */
name: string, requests: number, cost_usd: number, cache_hits: number, };
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

// The tutorial document, from assets/schema/tutorial.schema.json.
export type Tutorial = { schema_version?: number; title: string; topic: string; instrument: string; overview: Overview; theory: TheorySection; practice_guide: PracticeGuide; common_mistakes: CommonMistake[]; next_steps: NextSteps; music: MusicPayload; standards?: string[] };
export type Overview = { what_you_will_learn: string[]; duration_minutes: number; difficulty: Level };
export type Level = "beginner" | "intermediate" | "advanced";
export type TheorySection = { summary: string; key_points: string[]; examples: string[] };
export type PracticeGuide = { steps: PracticeStep[] };
export type PracticeStep = { step: number; title: string; instruction: string; success_criteria: string };
export type CommonMistake = { mistake: string; fix: string };
export type NextSteps = { topics: string[]; advice: string };
export type MusicPayload = { key: string; style?: NumeralStyle; voicing_kind?: string | null; chords?: ChordEntry[]; scale?: ScaleEntry | null; rhythm?: Rhythm | null; melody?: MelodyNote[] };
export type NumeralStyle = "classical" | "jazz";
export type ChordEntry = { bar: number; numeral: string; symbol?: string; notes?: string[]; voicing?: VoicingEntry | null };
export type VoicingEntry = { kind: string; notes: string[] };
export type ScaleEntry = { tonic: string; kind: string; notes?: string[] };
export type Rhythm = { meter: string; pattern: number[]; abc?: string };
export type MelodyNote = { note: string; beats: number };
