//! The window's security settings: the CSP allows no remote origin, and the capability
//! grants exactly Cadence's own commands (the ones src/commands.rs defines and src/lib.rs
//! registers) plus the save and open dialogs; no other capability, plugin or remote URL.

use std::path::Path;

include!("../command_names.rs");

fn read(relative: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
}

fn read_json(relative: &str) -> serde_json::Value {
    serde_json::from_str(&read(relative)).unwrap()
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

/// The sources a CSP allows that are not the app's own: anything but `'self'`, `'none'`,
/// the local schemes and Tauri's IPC origin, and `'unsafe-inline'` outside styles. A bare
/// host (`cdn.example`) or a wildcard is remote; so is `'unsafe-eval'`.
fn foreign_sources(csp: &str) -> Vec<String> {
    const LOCAL: [&str; 7] = [
        "'self'",
        "'none'",
        "data:",
        "blob:",
        "asset:",
        "ipc:",
        "http://ipc.localhost",
    ];
    directives(csp)
        .into_iter()
        .flat_map(|(directive, sources)| {
            sources
                .into_iter()
                .filter(move |source| {
                    let inline_style = directive == "style-src" && source == "'unsafe-inline'";
                    !LOCAL.contains(&source.as_str()) && !inline_style
                })
                .map(|source| source.to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every CSP the configuration sets: the app's, and the one for development builds if any.
fn csps(config: &serde_json::Value) -> Vec<(&'static str, String)> {
    let security = &config["app"]["security"];
    ["csp", "devCsp"]
        .into_iter()
        .filter_map(|key| security[key].as_str().map(|csp| (key, csp.to_string())))
        .collect()
}

#[test]
fn the_csp_allows_no_remote_origin() {
    let config = read_json("tauri.conf.json");
    let csps = csps(&config);
    assert!(
        csps.iter().any(|(key, _)| *key == "csp"),
        "tauri.conf.json sets app.security.csp"
    );
    for (key, csp) in &csps {
        assert_eq!(foreign_sources(csp), Vec::<String>::new(), "{key}: {csp}");
        let sources = |name: &str| -> Vec<String> {
            directives(csp)
                .into_iter()
                .find(|(directive, _)| directive == name)
                .map(|(_, sources)| sources)
                .unwrap_or_else(|| panic!("{key} has no {name}"))
        };
        assert_eq!(sources("default-src"), ["'self'"]);
        assert_eq!(
            sources("script-src"),
            ["'self'"],
            "scripts come only from the app"
        );
        assert_eq!(sources("object-src"), ["'none'"]);
        assert_eq!(sources("connect-src"), ["ipc:", "http://ipc.localhost"]);
    }
    let security = &config["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri adds its hashes and nonces to the CSP"
    );
    assert_ne!(
        security["assetProtocol"]["enable"], true,
        "no file is served to the page from the disk"
    );
    for window in config["app"]["windows"].as_array().unwrap() {
        let url = window["url"].as_str().unwrap_or("index.html");
        assert!(
            !url.contains("://"),
            "the window opens the app's own page, not {url}"
        );
    }
}

#[test]
fn the_csp_check_finds_remote_sources() {
    let hostile = "default-src 'self' https://cdn.example; script-src 'self' 'unsafe-eval' \
                   'unsafe-inline'; img-src *; connect-src http://ipc.localhost.evil.example \
                   wss://socket.example evil.example; style-src 'self' 'unsafe-inline'";
    assert_eq!(
        foreign_sources(hostile),
        [
            "https://cdn.example",
            "'unsafe-eval'",
            "'unsafe-inline'",
            "*",
            "http://ipc.localhost.evil.example",
            "wss://socket.example",
            "evil.example"
        ]
    );
}

/// The permissions the capability may grant: `allow-<command>` for each registered command,
/// and the native save and open dialogs.
fn expected_permissions(registered: &[String]) -> Vec<String> {
    let mut expected: Vec<String> = registered
        .iter()
        .map(|command| format!("allow-{}", command.replace('_', "-")))
        .collect();
    expected.extend(["dialog:allow-save".to_string(), "dialog:allow-open".into()]);
    expected
}

/// What `granted` holds beyond `expected`: core and plugin permissions (shell, fs, http,
/// window control, …) and grants for commands the app does not register.
fn unexpected_permissions(granted: &[String], expected: &[String]) -> Vec<String> {
    granted
        .iter()
        .filter(|permission| !expected.contains(permission))
        .cloned()
        .collect()
}

#[test]
fn the_window_may_call_only_our_commands_and_the_file_dialogs() {
    let registered = registered_commands(&read("src/lib.rs"));
    let mut defined = command_names(&read("src/commands.rs"));
    defined.sort();
    let mut sorted = registered.clone();
    sorted.sort();
    assert_eq!(sorted, defined, "lib.rs registers every command it defines");
    assert!(registered.len() > 20, "{registered:?}");

    let capabilities: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(
        capabilities,
        ["main.json"],
        "one capability, the main window's"
    );
    let config = read_json("tauri.conf.json");
    assert!(
        config["app"]["security"].get("capabilities").is_none(),
        "no capability is granted inline in tauri.conf.json"
    );
    assert!(
        config
            .get("plugins")
            .is_none_or(|p| p.as_object().is_some_and(|p| p.is_empty()))
    );

    let capability = read_json("capabilities/main.json");
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .expect("every permission is a plain name")
                .to_string()
        })
        .collect();
    let mut expected = expected_permissions(&registered);
    assert_eq!(
        unexpected_permissions(&granted, &expected),
        Vec::<String>::new()
    );
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected, "every command of ours is granted");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none() && capability.get("webviews").is_none(),
        "no remote URL or other webview may use the capability"
    );

    // The only Tauri plugin the app links is the dialog's.
    let manifest = read("Cargo.toml");
    let plugins: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.trim().split(['.', ' ', '=']).next())
        .filter(|name| name.starts_with("tauri-plugin-"))
        .collect();
    assert_eq!(plugins, ["tauri-plugin-dialog"]);
}

#[test]
fn the_permission_check_finds_foreign_grants() {
    let expected = expected_permissions(&["open_tutorial".to_string()]);
    let granted: Vec<String> = [
        "allow-open-tutorial",
        "dialog:allow-open",
        "core:default",
        "shell:allow-open",
        "fs:default",
        "http:default",
        "dialog:allow-message",
        "allow-read-any-file",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        unexpected_permissions(&granted, &expected),
        [
            "core:default",
            "shell:allow-open",
            "fs:default",
            "http:default",
            "dialog:allow-message",
            "allow-read-any-file"
        ]
    );
}
