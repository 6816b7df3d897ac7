//! The Tauri shell: thin commands over the Studio. Nothing else in the crate knows Tauri.

use serde::Serialize;

use crate::ModelStatus;
use crate::Studio;

/// What the window shows about this installation.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub data_folder: String,
    pub catalog: String,
}

#[tauri::command]
fn app_info(studio: tauri::State<'_, Studio>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_folder: studio.paths().home().display().to_string(),
        catalog: studio.catalog().source.clone(),
    }
}

#[tauri::command]
fn list_models(studio: tauri::State<'_, Studio>) -> Vec<ModelStatus> {
    studio.models()
}

/// Opens the main window and runs until it is closed.
pub fn run(studio: Studio) -> tauri::Result<()> {
    tauri::Builder::default()
        .manage(studio)
        .invoke_handler(tauri::generate_handler![app_info, list_models])
        .run(tauri::generate_context!())
}
