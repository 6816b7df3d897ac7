// The window may call exactly the commands src/commands.rs defines; capabilities/main.json
// grants them. Reading the names from the source keeps one list: the bindings tests check
// that this scan finds the commands they declare and that lib.rs registers them, and
// tests/security.rs that the capability grants them.
fn main() {
    println!("cargo:rerun-if-changed=src/commands.rs");
    let source = std::fs::read_to_string("src/commands.rs").expect("src/commands.rs is readable");
    // tauri-build keeps the list for the whole build script's run.
    let commands: Vec<&'static str> = command_names(&source)
        .into_iter()
        .map(|name| &*name.leak())
        .collect();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands.leak())),
    )
    .expect("the Tauri build step failed");
}

include!("command_names.rs");
