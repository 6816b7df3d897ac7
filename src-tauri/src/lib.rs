//! The Tauri shell: thin commands over the Studio. Nothing else in the app knows Tauri.

#[cfg(test)]
mod bindings;
mod commands;
mod midi;
mod views;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cadence::Studio;
use cadence::llm::CancelToken;
use cadence::sources::{ProviderSource, ResidentModels};
use cadence::store::Store;

pub use commands::*;
pub use views::*;

/// The cancel token of the job of one kind in progress; each new job takes a fresh one, so
/// a cancel meant for an earlier job cannot stop it.
#[derive(Default)]
struct CancelSlot(Mutex<CancelToken>);

impl CancelSlot {
    fn fresh(&self) -> CancelToken {
        let token = CancelToken::new();
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = token.clone();
        token
    }

    fn cancel(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cancel();
    }
}

/// Everything the commands share: the Studio, the open library, the model kept loaded and
/// the cancel tokens of the jobs in progress.
pub struct AppState {
    studio: Studio,
    /// The library, or why it could not be opened (shown by every command that needs it).
    store: Result<Store, String>,
    /// The tutorial or curriculum being made.
    job: CancelSlot,
    /// Cancel flags of the model downloads in progress, by model id.
    downloads: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// The models kept loaded between requests.
    resident: ResidentModels,
    /// The coach's answer being written.
    coach: CancelSlot,
    /// The MIDI keyboard practice listens to.
    midi: midi::MidiListener,
}

impl AppState {
    pub fn new(studio: Studio) -> AppState {
        let store = studio.open_store().map_err(|error| error.to_string());
        AppState {
            studio,
            store,
            job: CancelSlot::default(),
            downloads: Mutex::new(HashMap::new()),
            resident: ResidentModels::default(),
            coach: CancelSlot::default(),
            midi: midi::MidiListener::default(),
        }
    }

    /// Runs `work` with the models. Requests to different models run side by side; two
    /// to the same model take turns on it.
    fn with_models<T>(&self, work: impl FnOnce(&mut dyn ProviderSource) -> T) -> T {
        work(&mut self.resident.source(&self.studio))
    }

    /// The models kept loaded now, most recently used first.
    fn resident_model(&self) -> Vec<String> {
        self.resident.resident()
    }

    fn store(&self) -> Result<&Store, String> {
        self.store.as_ref().map_err(Clone::clone)
    }

    /// Registers a download of `id`, refusing a second one of the same model.
    fn start_download(&self, id: &str) -> Result<DownloadSlot<'_>, String> {
        // A panic elsewhere while holding the lock leaves the map usable.
        let mut downloads = self
            .downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if downloads.contains_key(id) {
            return Err(format!("{id} is already downloading"));
        }
        let cancel = Arc::new(AtomicBool::new(false));
        downloads.insert(id.to_string(), Arc::clone(&cancel));
        Ok(DownloadSlot {
            state: self,
            id: id.to_string(),
            cancel,
        })
    }

    fn cancel_download(&self, id: &str) {
        let downloads = self
            .downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(cancel) = downloads.get(id) {
            cancel.store(true, Ordering::SeqCst);
        }
    }
}

/// A download in progress; dropping it (however the download ends) frees the model's slot.
struct DownloadSlot<'a> {
    state: &'a AppState,
    id: String,
    cancel: Arc<AtomicBool>,
}

impl Drop for DownloadSlot<'_> {
    fn drop(&mut self) {
        self.state
            .downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// Opens the main window and runs until it is closed.
pub fn run(studio: Studio) -> anyhow::Result<()> {
    if !display_available() {
        anyhow::bail!(
            "there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): \
             run cadence in a desktop session, or give it a command (cadence --help)"
        );
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(studio))
        .invoke_handler(tauri::generate_handler![
            app_info,
            list_models,
            download_model,
            cancel_download,
            plan_generation,
            create_tutorial,
            create_curriculum,
            cancel_generation,
            list_tutorials,
            open_tutorial,
            rename_tutorial,
            delete_tutorial,
            restore_tutorial,
            list_curricula,
            open_curriculum,
            export_tutorial,
            export_curriculum,
            create_material,
            list_materials,
            open_material,
            rename_material,
            delete_material,
            export_material,
            import_romantext,
            import_document,
            rename_curriculum,
            delete_curriculum,
            restore_curriculum,
            move_lesson,
            trashed_curricula,
            edit_curriculum_texts,
            edit_document,
            document_history,
            undo_edit,
            print_page,
            finish_curriculum,
            list_students,
            add_student,
            assign_practice,
            practice_today,
            answer_practice,
            answer_played,
            take_assessment,
            midi_inputs,
            listen_midi,
            stop_midi,
            student_progress,
            export_student_record,
            get_settings,
            save_settings,
            set_gemini_key,
            forget_gemini_key,
            usage_report,
            budget_status,
            coach_status,
            ask_coach,
            cancel_coach,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}

/// GTK aborts the program when there is no display; macOS and Windows always have one.
fn display_available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}
