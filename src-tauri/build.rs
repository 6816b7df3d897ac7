// The window may call only the commands listed here; capabilities/main.json grants them.
#[cfg(feature = "desktop")]
const COMMANDS: &[&str] = &[
    "app_info",
    "list_models",
    "download_model",
    "cancel_download",
    "plan_generation",
    "create_tutorial",
    "create_curriculum",
    "cancel_generation",
    "list_tutorials",
    "open_tutorial",
    "rename_tutorial",
    "delete_tutorial",
    "restore_tutorial",
    "list_curricula",
    "open_curriculum",
    "export_tutorial",
    "export_curriculum",
    "create_material",
    "list_materials",
    "open_material",
    "rename_material",
    "delete_material",
    "export_material",
    "get_settings",
    "save_settings",
    "set_gemini_key",
    "forget_gemini_key",
    "usage_report",
    "coach_status",
    "ask_coach",
    "cancel_coach",
];

fn main() {
    #[cfg(feature = "desktop")]
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build step failed");
}
