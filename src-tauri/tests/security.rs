//! The window's security settings: the CSP forbids remote content, and the capability grants
//! exactly Cadence's own commands (the ones src/commands.rs defines, which build.rs declares)
//! plus the save and open dialogs.

use std::path::Path;

include!("../command_names.rs");

fn read_json(relative: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut parts = d.split_whitespace().map(str::to_string);
            (parts.next().unwrap(), parts.collect())
        })
        .collect()
}

#[test]
fn the_csp_allows_no_remote_scripts_or_content() {
    let config = read_json("tauri.conf.json");
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("tauri.conf.json sets app.security.csp");
    let directives = directives(csp);
    let sources = |name: &str| -> Vec<String> {
        directives
            .iter()
            .find(|(directive, _)| directive == name)
            .map(|(_, sources)| sources.clone())
            .unwrap_or_else(|| panic!("the CSP has no {name}"))
    };
    assert_eq!(sources("default-src"), ["'self'"]);
    assert_eq!(
        sources("script-src"),
        ["'self'"],
        "scripts come only from the app"
    );
    assert_eq!(sources("object-src"), ["'none'"]);
    for (directive, sources) in &directives {
        for source in sources {
            let remote = source.starts_with("http:") && source != "http://ipc.localhost"
                || source.starts_with("https:")
                || source.starts_with("ws")
                || source == "*"
                || source.contains("unsafe-eval");
            assert!(!remote, "{directive} allows {source}");
        }
    }
    assert_eq!(sources("connect-src"), ["ipc:", "http://ipc.localhost"]);
}

#[test]
fn the_window_may_call_only_our_commands_and_the_file_dialogs() {
    let commands =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands.rs"))
            .unwrap();
    let mut expected: Vec<String> = command_names(&commands)
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert!(expected.len() > 20, "{expected:?}");
    expected.push("dialog:allow-save".into());
    expected.push("dialog:allow-open".into());
    expected.sort();
    let capability = read_json("capabilities/main.json");
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    granted.sort();
    assert_eq!(granted, expected);
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote URL may use the capability"
    );
}
