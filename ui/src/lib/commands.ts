// Generated from the Rust by src-tauri/src/bindings.rs; do not edit.
// Regenerate with: UPDATE_BINDINGS=1 cargo test -p cadence --lib bindings

import type { Channel } from "@tauri-apps/api/core";
import type { AnswerResult, AppInfo, AssessmentScore, Assignable, Assigned, BudgetStatus, CoachAnswer, CoachStatus, CoachTurn, CreateKind, CreatedCurriculum, CreatedMaterial, CreatedTutorial, CurriculumDetail, CurriculumListItem, CurriculumTextsEdit, DeletedTutorial, DocumentVersion, DownloadOutcome, DownloadProgress, EditOutcome, EditTarget, EditedCurriculum, ExportedFile, GenerationPlan, ImportedDocument, JobProgress, KeyEvent, KeyStatus, LessonPlace, MaterialListItem, MaterialRequest, ModelView, MovedLesson, OpenedMaterial, OpenedTutorial, PracticeItemView, Settings, SettingsView, StudentProgress, StudentView, TrashedCurriculumItem, TutorialListItem, UsageReport, WritingProgress } from "./bindings";

/** Every command the window may call: its arguments as `invoke` takes them, and its result. */
export interface Commands {
  app_info: { args: null; result: AppInfo };
  list_models: { args: null; result: ModelView[] };
  download_model: { args: { id: string; onProgress: Channel<DownloadProgress> }; result: DownloadOutcome };
  cancel_download: { args: { id: string }; result: void };
  plan_generation: { args: { kind: CreateKind }; result: GenerationPlan };
  create_tutorial: { args: { topic: string; key: string; level: string; instrument: string; afresh: boolean; onProgress: Channel<WritingProgress> }; result: CreatedTutorial };
  create_material: { args: { request: MaterialRequest; afresh: boolean; onProgress: Channel<WritingProgress> }; result: CreatedMaterial };
  list_materials: { args: { query: string }; result: MaterialListItem[] };
  open_material: { args: { id: number }; result: OpenedMaterial };
  rename_material: { args: { id: number; title: string }; result: void };
  delete_material: { args: { id: number }; result: void };
  export_material: { args: { id: number; path: string }; result: ExportedFile };
  import_romantext: { args: { path: string; measures: string | null }; result: CreatedMaterial };
  import_document: { args: { path: string }; result: ImportedDocument };
  create_curriculum: { args: { key: string; level: string; weeks: number; instrument: string; goal: string; onProgress: Channel<JobProgress> }; result: CreatedCurriculum };
  finish_curriculum: { args: { id: number; onProgress: Channel<JobProgress> }; result: CreatedCurriculum };
  cancel_generation: { args: null; result: void };
  coach_status: { args: null; result: CoachStatus };
  ask_coach: { args: { history: CoachTurn[]; question: string; level: string; instrument: string; tutorialId: number | null; onDelta: Channel<string> }; result: CoachAnswer };
  cancel_coach: { args: null; result: void };
  list_tutorials: { args: { query: string }; result: TutorialListItem[] };
  open_tutorial: { args: { id: number }; result: OpenedTutorial };
  rename_tutorial: { args: { id: number; title: string }; result: void };
  delete_tutorial: { args: { id: number }; result: DeletedTutorial };
  restore_tutorial: { args: { deleted: DeletedTutorial }; result: number };
  list_curricula: { args: null; result: CurriculumListItem[] };
  open_curriculum: { args: { id: number }; result: CurriculumDetail };
  edit_document: { args: { target: EditTarget; id: number; document: unknown }; result: EditOutcome };
  document_history: { args: { target: EditTarget; id: number }; result: DocumentVersion[] };
  undo_edit: { args: { target: EditTarget; id: number }; result: EditOutcome };
  print_page: { args: null; result: void };
  rename_curriculum: { args: { id: number; title: string }; result: void };
  delete_curriculum: { args: { id: number }; result: void };
  restore_curriculum: { args: { id: number }; result: void };
  edit_curriculum_texts: { args: { id: number; texts: CurriculumTextsEdit }; result: EditedCurriculum };
  trashed_curricula: { args: null; result: TrashedCurriculumItem[] };
  move_lesson: { args: { id: number; lesson: number; to: LessonPlace }; result: MovedLesson };
  export_tutorial: { args: { id: number; path: string; tempoBpm: number }; result: ExportedFile };
  export_curriculum: { args: { id: number; path: string }; result: ExportedFile };
  get_settings: { args: null; result: SettingsView };
  save_settings: { args: { settings: Settings }; result: SettingsView };
  set_gemini_key: { args: { key: string }; result: KeyStatus };
  forget_gemini_key: { args: null; result: KeyStatus };
  usage_report: { args: { month: string | null }; result: UsageReport };
  budget_status: { args: null; result: BudgetStatus };
  list_students: { args: null; result: StudentView[] };
  add_student: { args: { name: string; level: string; instrument: string }; result: StudentView };
  assign_practice: { args: { student: number; what: Assignable; passThreshold: number | null }; result: Assigned };
  practice_today: { args: { student: number }; result: PracticeItemView[] };
  answer_practice: { args: { student: number; item: number; answer: string }; result: AnswerResult };
  answer_played: { args: { student: number; item: number; keys: number[] }; result: AnswerResult };
  take_assessment: { args: { material: number; student: number; answers: string[] }; result: AssessmentScore };
  midi_inputs: { args: null; result: string[] };
  listen_midi: { args: { name: string; onKey: Channel<KeyEvent> }; result: void };
  stop_midi: { args: null; result: void };
  student_progress: { args: { student: number; utcOffsetMinutes: number }; result: StudentProgress };
  export_student_record: { args: { student: number; path: string }; result: ExportedFile };
}

export type CommandName = keyof Commands;
