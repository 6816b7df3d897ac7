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
    // One name for the SIMD level the hand-written x86 kernels need; .cargo/config.toml
    // enables it for x86-64.
    println!("cargo::rustc-check-cfg=cfg(x86_avx2)");
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let enabled = |feature: &str| features.split(',').any(|f| f == feature);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64")
        && ["avx2", "fma", "f16c"].into_iter().all(enabled)
    {
        println!("cargo::rustc-cfg=x86_avx2");
    }
    #[cfg(feature = "desktop")]
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build step failed");
}
