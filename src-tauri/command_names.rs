// Shared by build.rs, the bindings tests and tests/security.rs, which need the commands'
// names: those src/commands.rs defines, and those src/lib.rs registers.

/// The name of each `pub fn` that follows a `#[tauri::command]` attribute.
fn command_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_attribute = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[tauri::command") {
            after_attribute = true;
        } else if after_attribute && let Some(rest) = line.strip_prefix("pub fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
            after_attribute = false;
        }
    }
    names
}

/// The commands `lib.rs` registers with `tauri::generate_handler!`.
#[allow(dead_code, reason = "build.rs reads only the definitions")]
fn registered_commands(lib_source: &str) -> Vec<String> {
    let start = lib_source
        .find("generate_handler![")
        .expect("lib.rs registers its commands with generate_handler!");
    let list = &lib_source[start + "generate_handler![".len()..];
    let end = list.find(']').expect("generate_handler! is closed");
    list[..end]
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}
