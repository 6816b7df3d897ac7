// The one module that talks to Rust. Components call these functions, never `invoke` directly.
// Argument and return types come from bindings.ts, generated from the Rust types.
import { Channel, invoke } from "@tauri-apps/api/core";
import { save } from "@tauri-apps/plugin-dialog";
import type {
  AppInfo,
  AvailabilityView,
  CoachAnswer,
  CoachStatus,
  CoachTurn,
  CreateKind,
  CreatedCurriculum,
  CreatedMaterial,
  CreatedTutorial,
  CurriculumDetail,
  CurriculumListItem,
  DeletedTutorial,
  DownloadOutcome,
  DownloadProgress,
  ExportedFile,
  GenerationPlan,
  JobProgress,
  KeyStatus,
  Level,
  MaterialKind,
  MaterialListItem,
  MaterialRequest,
  ModelView,
  OpenedMaterial,
  OpenedTutorial,
  Settings,
  SettingsView,
  TutorialListItem,
  UsageReport,
  WritingProgress,
} from "./bindings";

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

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw new ApiError(command, typeof error === "string" ? error : error instanceof Error ? error.message : String(error));
  }
}

export const appInfo = () => call<AppInfo>("app_info");
export const listModels = () => call<ModelView[]>("list_models");
/** Downloads a local model, streaming progress; `cancelDownload` pauses it (the partial file is kept). */
export function downloadModel(id: string, onProgress: (progress: DownloadProgress) => void): Promise<DownloadOutcome> {
  const channel = new Channel<DownloadProgress>();
  channel.onmessage = onProgress;
  return call<DownloadOutcome>("download_model", { id, onProgress: channel });
}
export const cancelDownload = (id: string) => call<void>("cancel_download", { id });

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

export const planGeneration = (kind: CreateKind) => call<GenerationPlan>("plan_generation", { kind });

/** Writes a tutorial (a model, else the template generator), streaming its steps and text; `cancelGeneration` stops it. */
export function createTutorial(
  topic: string,
  key: string,
  level: Level,
  instrument: string,
  onProgress: (progress: WritingProgress) => void = () => {},
): Promise<CreatedTutorial> {
  const channel = new Channel<WritingProgress>();
  channel.onmessage = onProgress;
  return call<CreatedTutorial>("create_tutorial", { topic, key, level, instrument, onProgress: channel });
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
  return call<CreatedCurriculum>("create_curriculum", { ...request, onProgress: channel });
}
export const cancelGeneration = () => call<void>("cancel_generation");

export const listTutorials = (query = "") => call<TutorialListItem[]>("list_tutorials", { query });
export const openTutorial = (id: number) => call<OpenedTutorial>("open_tutorial", { id });
export const renameTutorial = (id: number, title: string) => call<void>("rename_tutorial", { id, title });
export const deleteTutorial = (id: number) => call<DeletedTutorial>("delete_tutorial", { id });
export const restoreTutorial = (deleted: DeletedTutorial) => call<number>("restore_tutorial", { deleted });
export const listCurricula = () => call<CurriculumListItem[]>("list_curricula");
export const openCurriculum = (id: number) => call<CurriculumDetail>("open_curriculum", { id });

/** Writes a tutorial to `path` (.json or .mid); Rust checks the path. */
export const exportTutorial = (id: number, path: string, tempoBpm = 90) =>
  call<ExportedFile>("export_tutorial", { id, path, tempoBpm });

/** Writes a curriculum to `path` as JSON; Rust checks the path. */
export const exportCurriculum = (id: number, path: string) => call<ExportedFile>("export_curriculum", { id, path });

/** Asks where to save with the native dialog; null when the user cancels. */
export async function chooseExportPath(
  title: string,
  format: "json" | "midi",
  what = "tutorial",
): Promise<string | null> {
  const extension = format === "json" ? "json" : "mid";
  const safe = title.replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || what;
  return save({
    title: `Export ${what} as ${format === "json" ? "JSON" : "MIDI"}`,
    defaultPath: `${safe}.${extension}`,
    filters: [{ name: format === "json" ? "JSON" : "MIDI", extensions: [extension] }],
  });
}

/** Makes an exercise, theory analysis, assessment or lesson-plan part, streaming its steps and text. */
export function createMaterial(
  request: MaterialRequest,
  onProgress: (progress: WritingProgress) => void = () => {},
): Promise<CreatedMaterial> {
  const channel = new Channel<WritingProgress>();
  channel.onmessage = onProgress;
  return call<CreatedMaterial>("create_material", { request, onProgress: channel });
}
export const listMaterials = (query = "") => call<MaterialListItem[]>("list_materials", { query });
export const openMaterial = (id: number) => call<OpenedMaterial>("open_material", { id });
export const renameMaterial = (id: number, title: string) => call<void>("rename_material", { id, title });
export const deleteMaterial = (id: number) => call<void>("delete_material", { id });
/** Writes a material to `path` (.json, or .mid for an exercise); Rust checks the path. */
export const exportMaterial = (id: number, path: string) => call<ExportedFile>("export_material", { id, path });

/** The kind of material in words. */
export function materialNoun(kind: MaterialKind): string {
  return {
    exercise: "exercise",
    theory_analysis: "theory analysis",
    assessment: "assessment",
    lesson_plan_part: "lesson-plan part",
  }[kind];
}

export const getSettings = () => call<SettingsView>("get_settings");
export const saveSettings = (settings: Settings) => call<SettingsView>("save_settings", { settings });
export const setGeminiKey = (key: string) => call<KeyStatus>("set_gemini_key", { key });
export const forgetGeminiKey = () => call<KeyStatus>("forget_gemini_key");

export const usageReport = (since = 0) => call<UsageReport>("usage_report", { since });

export function describeAvailability(availability: AvailabilityView): string {
  switch (availability.state) {
    case "installed":
      return "Installed";
    case "not_installed":
      return "Not installed";
    case "partial":
      return `Partly downloaded (${formatBytes(availability.bytes)})`;
    case "wrong_size":
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

export const coachStatus = () => call<CoachStatus>("coach_status");

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
      const answer = await call<CoachAnswer>("ask_coach", {
        history: [...history],
        question,
        level: settings.level,
        instrument: settings.instrument,
        tutorialId: settings.tutorialId,
        onDelta: channel,
      });
      history.push({ speaker: "student", text: question }, { speaker: "coach", text: answer.text });
    },
    cancel: () => call<void>("cancel_coach"),
  };
}
