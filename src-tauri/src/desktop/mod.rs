//! The Tauri shell: thin commands over the Studio. Nothing else in the crate knows Tauri.

#[cfg(test)]
mod bindings;
mod commands;
pub mod keychain;

use std::sync::atomic::AtomicBool;

use crate::Studio;
use crate::store::Store;

pub use commands::*;

/// Everything the commands share: the Studio, the open library and the cancel flag of
/// the long-running job in progress.
pub struct AppState {
    studio: Studio,
    /// The library, or why it could not be opened (shown by every command that needs it).
    store: Result<Store, String>,
    cancel: AtomicBool,
}

impl AppState {
    pub fn new(studio: Studio) -> AppState {
        let store = studio.open_store().map_err(|error| error.to_string());
        AppState {
            studio,
            store,
            cancel: AtomicBool::new(false),
        }
    }

    fn store(&self) -> Result<&Store, String> {
        self.store.as_ref().map_err(Clone::clone)
    }
}

/// Opens the main window and runs until it is closed.
pub fn run(studio: Studio) -> tauri::Result<()> {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(studio))
        .invoke_handler(tauri::generate_handler![
            app_info,
            list_models,
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
            get_settings,
            save_settings,
            set_gemini_key,
            forget_gemini_key,
            usage_report,
        ])
        .run(tauri::generate_context!())
}
