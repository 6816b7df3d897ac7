// The one module that talks to Rust. Components call these functions, never `invoke` directly.
// Command names, arguments and results come from commands.ts and bindings.ts, generated from Rust.
import { Channel, invoke } from "@tauri-apps/api/core";
import { open, save } from "@tauri-apps/plugin-dialog";
import type {
  Assignable,
  KeyEvent,
  AvailabilityView,
  CoachStatus,
  CoachTurn,
  CreateKind,
  CreatedCurriculum,
  CreatedMaterial,
  CreatedTutorial,
  CurriculumTextsEdit,
  DeletedTutorial,
  DownloadOutcome,
  DownloadProgress,
  EditTarget,
  JobProgress,
  LessonPlace,
  Level,
  MaterialKind,
  MaterialRequest,
  Settings,
  WritingProgress,
} from "./bindings";
import type { CommandName, Commands } from "./commands";

export type * from "./bindings";
export const LEVELS: Level[] = ["beginner", "intermediate", "advanced"];

/** An error from Rust: always a sentence that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Calls a command; its arguments and result are typed by commands.ts, generated from Rust. */
async function call<C extends CommandName>(
  command: C,
  ...args: Commands[C]["args"] extends null ? [] : [Commands[C]["args"]]
): Promise<Commands[C]["result"]> {
  try {
    return await invoke<Commands[C]["result"]>(command, args[0] ?? undefined);
  } catch (error) {
    throw new ApiError(command, typeof error === "string" ? error : error instanceof Error ? error.message : String(error));
  }
}

export const appInfo = () => call("app_info");
/** The window event Settings sends after saving, for views of what the settings decide. */
export const SETTINGS_SAVED = "cadence:settings-saved";
/** Opens the system's print dialog for the window as it is laid out now. */
export const printPage = () => call("print_page");
export const listModels = () => call("list_models");
/** Downloads a local model, streaming progress; `cancelDownload` pauses it (the partial file is kept). */
export function downloadModel(id: string, onProgress: (progress: DownloadProgress) => void): Promise<DownloadOutcome> {
  const channel = new Channel<DownloadProgress>();
  channel.onmessage = onProgress;
  return call("download_model", { id, onProgress: channel });
}
export const cancelDownload = (id: string) => call("cancel_download", { id });

/** One line for a download in progress: "42% · 41.3 MB of 98.4 MB · 12.3 MB/s". */
export function describeProgress(progress: DownloadProgress): string {
  const percent = progress.total ? Math.floor((progress.done * 100) / progress.total) : 0;
  const amount = `${formatBytes(progress.done)} of ${formatBytes(progress.total)}`;
  switch (progress.phase) {
    case "checking_partial":
      return `Checking the partial download · ${percent}%`;
    case "verifying":
      return "Verifying the checksum…";
    case "downloading":
      return `${percent}% · ${amount} · ${(progress.bytes_per_second / 1e6).toFixed(1)} MB/s`;
  }
}

export const planGeneration = (kind: CreateKind) => call("plan_generation", { kind });

/**
 * Writes a tutorial (a model, else the template generator), streaming its steps and text; `cancelGeneration` stops it.
 * `afresh` asks the model again even where the response cache holds its answer (Regenerate).
 */
export function createTutorial(
  topic: string,
  key: string,
  level: Level,
  instrument: string,
  onProgress: (progress: WritingProgress) => void = () => {},
  afresh = false,
): Promise<CreatedTutorial> {
  const channel = new Channel<WritingProgress>();
  channel.onmessage = onProgress;
  return call("create_tutorial", { topic, key, level, instrument, afresh, onProgress: channel });
}

/** Runs the template curriculum batch, streaming progress; `cancelGeneration` stops it. */
/** What a curriculum is planned for; an empty goal lets the Studio say a general one. */
export interface CurriculumRequest {
  key: string;
  level: Level;
  weeks: number;
  instrument: string;
  goal: string;
}

export function createCurriculum(
  request: CurriculumRequest,
  onProgress: (progress: JobProgress) => void,
): Promise<CreatedCurriculum> {
  const channel = new Channel<JobProgress>();
  channel.onmessage = onProgress;
  return call("create_curriculum", { ...request, onProgress: channel });
}
/** Writes the tutorial of every lesson of a curriculum that has none, streaming progress; `cancelGeneration` stops it. */
export function finishCurriculum(id: number, onProgress: (progress: JobProgress) => void): Promise<CreatedCurriculum> {
  const channel = new Channel<JobProgress>();
  channel.onmessage = onProgress;
  return call("finish_curriculum", { id, onProgress: channel });
}
export const cancelGeneration = () => call("cancel_generation");

export const listTutorials = (query = "") => call("list_tutorials", { query });
export const openTutorial = (id: number) => call("open_tutorial", { id });
export const renameTutorial = (id: number, title: string) => call("rename_tutorial", { id, title });
export const deleteTutorial = (id: number) => call("delete_tutorial", { id });
export const restoreTutorial = (deleted: DeletedTutorial) => call("restore_tutorial", { deleted });
export const listCurricula = () => call("list_curricula");
export const openCurriculum = (id: number) => call("open_curriculum", { id });
/** Saves an edit of a stored tutorial or material; a refused edit says field by field why. */
export const editDocument = (target: EditTarget, id: number, document: unknown) =>
  call("edit_document", { target, id, document });
export const documentHistory = (target: EditTarget, id: number) => call("document_history", { target, id });
/** Undoes the latest edit of a document. */
export const undoEdit = (target: EditTarget, id: number) => call("undo_edit", { target, id });
export const renameCurriculum = (id: number, title: string) => call("rename_curriculum", { id, title });
/** Moves a curriculum to the trash; `restoreCurriculum` undoes it. */
export const deleteCurriculum = (id: number) => call("delete_curriculum", { id });
export const restoreCurriculum = (id: number) => call("restore_curriculum", { id });
/** Rewrites a curriculum's title, description and module and lesson titles; the result carries the words it had. */
export const editCurriculumTexts = (id: number, texts: CurriculumTextsEdit) => call("edit_curriculum_texts", { id, texts });
/** The deleted curricula that can still be restored (for 30 days). */
export const trashedCurricula = () => call("trashed_curricula");
/** Moves a lesson to a module (0-based) and position there; returns the curriculum as it now reads. */
export const moveLesson = (id: number, lesson: number, to: LessonPlace) => call("move_lesson", { id, lesson, to });

/** Writes a tutorial to `path` (.json, .mid or .musicxml); Rust checks the path. */
export const exportTutorial = (id: number, path: string, tempoBpm = 90) =>
  call("export_tutorial", { id, path, tempoBpm });

/** Writes a curriculum to `path` as JSON; Rust checks the path. */
export const exportCurriculum = (id: number, path: string) => call("export_curriculum", { id, path });

/** The file formats the library exports to. */
export type ExportFormatName = "json" | "midi" | "musicxml" | "romantext";

/** How each format is named and which extension its files take. */
export const EXPORT_FORMATS: Record<ExportFormatName, { name: string; extension: string }> = {
  json: { name: "JSON", extension: "json" },
  midi: { name: "MIDI", extension: "mid" },
  musicxml: { name: "MusicXML", extension: "musicxml" },
  romantext: { name: "RomanText", extension: "rntxt" },
};

/** Asks where to save with the native dialog; null when the user cancels. */
export async function chooseExportPath(
  title: string,
  format: ExportFormatName,
  what = "tutorial",
): Promise<string | null> {
  const { name, extension } = EXPORT_FORMATS[format];
  const safe = title.replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || what;
  return save({
    title: `Export ${what} as ${name}`,
    defaultPath: `${safe}.${extension}`,
    filters: [{ name, extensions: [extension] }],
  });
}

/** The native open dialog, for a RomanText analysis to import; null when cancelled. */
export async function chooseImportFile(): Promise<string | null> {
  const chosen = await open({
    title: "Bring a file into the library",
    multiple: false,
    directory: false,
    filters: [{ name: "Cadence documents and RomanText analyses", extensions: ["json", "rntxt", "txt"] }],
  });
  return typeof chosen === "string" ? chosen : null;
}

/** A file the library imports as a published analysis rather than as a Cadence document. */
export const isRomanTextFile = (path: string) => /\.(rntxt|txt)$/i.test(path);

/** Brings a JSON document exported from Cadence (any kind) into the library. */
export const importDocument = (path: string) => call("import_document", { path });

/** Brings a RomanText analysis (all of it, or measures such as "1-16") into the library. */
export const importRomantext = (path: string, measures: string | null) =>
  call("import_romantext", { path, measures });

/** Makes an exercise, theory analysis, assessment or lesson-plan part, streaming its steps and text. */
export function createMaterial(
  request: MaterialRequest,
  onProgress: (progress: WritingProgress) => void = () => {},
  afresh = false,
): Promise<CreatedMaterial> {
  const channel = new Channel<WritingProgress>();
  channel.onmessage = onProgress;
  return call("create_material", { request, afresh, onProgress: channel });
}
export const listMaterials = (query = "") => call("list_materials", { query });
export const openMaterial = (id: number) => call("open_material", { id });
export const renameMaterial = (id: number, title: string) => call("rename_material", { id, title });
export const deleteMaterial = (id: number) => call("delete_material", { id });
/** Writes a material to `path` (.json, or .mid for an exercise); Rust checks the path. */
export const exportMaterial = (id: number, path: string) => call("export_material", { id, path });

/** The kind of material in words. */
export function materialNoun(kind: MaterialKind): string {
  return {
    exercise: "exercise",
    theory_analysis: "theory analysis",
    assessment: "assessment",
    lesson_plan_part: "lesson-plan part",
  }[kind];
}

export const getSettings = () => call("get_settings");
export const saveSettings = (settings: Settings) => call("save_settings", { settings });
export const setGeminiKey = (key: string) => call("set_gemini_key", { key });
export const forgetGeminiKey = () => call("forget_gemini_key");

/** The usage report for a month written "YYYY-MM"; this month (local time) without one. */
export const usageReport = (month: string | null = null) => call("usage_report", { month });
/** This month's spending against the budget, with a warning from 80%. */
export const budgetStatus = () => call("budget_status");
/** This month in local time, "YYYY-MM", as the month picker and the report write it. */
export function thisMonth(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}
/** US dollars in cents, or to a hundredth of a cent for a cost cents would show as nothing. */
export const formatDollars = (amount: number) => (amount > 0 && amount < 0.005 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`);

export function describeAvailability(availability: AvailabilityView): string {
  switch (availability.state) {
    case "installed":
      return "Installed";
    case "not_installed":
      return "Not installed";
    case "partial":
      return `Partly downloaded (${formatBytes(availability.bytes)})`;
    case "wrong_size":
    case "damaged":
      return "Damaged — download again";
    case "enabled":
      return "Enabled";
    case "disabled":
      return `Disabled (${availability.reason})`;
  }
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** What the Coach screen needs from a coaching backend: streamed answers and cancel. */
export interface CoachBackend {
  /** null when coaching can run; otherwise why not, in a sentence that says what to do. */
  unavailableReason: string | null;
  ask(question: string, onToken: (token: string) => void): Promise<void>;
  cancel(): Promise<void>;
}

export const coachStatus = () => call("coach_status");

/** Who the coach is talking to, and about which lesson. */
export interface CoachSettings {
  level: Level;
  instrument: string;
  tutorialId: number | null;
}

/**
 * A conversation with the coach. It keeps the turns so far and sends them with every
 * question; Rust trims them to the model's context. A stopped or failed answer is not
 * remembered, so the next question does not build on half an answer.
 */
export function coachConversation(status: CoachStatus, settings: CoachSettings): CoachBackend {
  const history: CoachTurn[] = [];
  return {
    unavailableReason: status.model ? null : status.reason,
    async ask(question, onToken) {
      const channel = new Channel<string>();
      channel.onmessage = onToken;
      const answer = await call("ask_coach", {
        history: [...history],
        question,
        level: settings.level,
        instrument: settings.instrument,
        tutorialId: settings.tutorialId,
        onDelta: channel,
      });
      history.push({ speaker: "student", text: question }, { speaker: "coach", text: answer.text });
    },
    cancel: () => call("cancel_coach"),
  };
}

// Practice: students, assignments, today's items, answers and progress. All offline.
export const listStudents = () => call("list_students");
export const addStudent = (name: string, level: string, instrument: string) => call("add_student", { name, level, instrument });
export const assignPractice = (student: number, what: Assignable, passThreshold: number | null = null) =>
  call("assign_practice", { student, what, passThreshold });
export const practiceToday = (student: number) => call("practice_today", { student });
export const answerPractice = (student: number, item: number, answer: string) => call("answer_practice", { student, item, answer });
export const answerPlayed = (student: number, item: number, keys: number[]) => call("answer_played", { student, item, keys });
/** Progress with days counted in this window's time zone. */
export const studentProgress = (student: number) =>
  call("student_progress", { student, utcOffsetMinutes: -new Date().getTimezoneOffset() });
export const exportStudentRecord = (student: number, path: string) => call("export_student_record", { student, path });
/** A student takes an assessment: one answer per question, in order. */
export const takeAssessment = (material: number, student: number, answers: string[]) =>
  call("take_assessment", { material, student, answers });
export const midiInputs = () => call("midi_inputs");
/** Listens to a MIDI keyboard: `onKey` is called with each key pressed or released. */
export function listenMidi(name: string, onKey: (event: KeyEvent) => void) {
  const channel = new Channel<KeyEvent>();
  channel.onmessage = onKey;
  return call("listen_midi", { name, onKey: channel });
}
export const stopMidi = () => call("stop_midi");
