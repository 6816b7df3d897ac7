// Shared by build.rs and tests/security.rs, which both need the commands' names.

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
