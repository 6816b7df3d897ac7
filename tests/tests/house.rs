//! The shape of the house: crates whose dependencies run one way, the engine and the theory
//! engine free of the app's dependencies, no import cycles between a crate's modules, and no
//! source file too long to read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// This machine's target triple, as rustc names it.
fn host() -> String {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// The workspace's packages and dependency graph for this machine (other platforms' crates,
/// such as an Android MIDI backend, are never downloaded here, so they are left out).
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", &host()])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Package name by package id, for every package in the graph.
fn package_names(metadata: &Value) -> BTreeMap<String, String> {
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            (
                package["id"].as_str().unwrap().to_string(),
                package["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every package a package needs to build (normal and build dependencies, not dev ones).
fn dependency_closure(metadata: &Value, root: &str) -> BTreeSet<String> {
    let names = package_names(metadata);
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| (node["id"].as_str().unwrap(), node))
        .collect();
    let root_id = names
        .iter()
        .find(|(_, name)| name.as_str() == root)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("{root} is in the workspace"));
    let mut seen = BTreeSet::new();
    let mut to_visit = vec![root_id];
    while let Some(id) = to_visit.pop() {
        for dependency in nodes[id.as_str()]["deps"].as_array().unwrap() {
            let needed = dependency["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|kind| kind["kind"].as_str() != Some("dev"));
            let dependency_id = dependency["pkg"].as_str().unwrap().to_string();
            if needed && seen.insert(names[&dependency_id].clone()) {
                to_visit.push(dependency_id);
            }
        }
    }
    seen
}

#[test]
fn the_crates_live_under_crates_and_the_shell_in_src_tauri() {
    let metadata = metadata();
    let root = workspace_root();
    let mut members: Vec<(String, PathBuf)> = Vec::new();
    let names = package_names(&metadata);
    for id in metadata["workspace_members"].as_array().unwrap() {
        let id = id.as_str().unwrap();
        let package = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["id"] == id)
            .unwrap();
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap());
        let folder = manifest.parent().unwrap().strip_prefix(&root).unwrap();
        members.push((names[id].clone(), folder.to_path_buf()));
        assert!(
            package["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{} says its one job in its description",
            names[id]
        );
    }
    for (name, folder) in &members {
        let expected = match name.as_str() {
            "cadence" => PathBuf::from("src-tauri"),
            "cadence-tests" => PathBuf::from("tests"),
            // A crate's fuzz targets sit beside it, in the layout cargo-fuzz expects.
            other => {
                let short = other.strip_prefix("cadence-").unwrap();
                match short.strip_suffix("-fuzz") {
                    Some(fuzzed) => Path::new("crates").join(fuzzed).join("fuzz"),
                    None => Path::new("crates").join(short),
                }
            }
        };
        assert_eq!(folder, &expected, "{name} lives in {}", expected.display());
    }
    for crate_name in [
        "llm",
        "theory",
        "content",
        "store",
        "providers",
        "studio",
        "cli",
    ] {
        let name = format!("cadence-{crate_name}");
        assert!(
            members.iter().any(|(member, _)| *member == name),
            "{name} is a workspace member"
        );
    }
}

#[test]
fn the_engine_and_the_theory_engine_need_none_of_the_apps_dependencies() {
    let metadata = metadata();
    let app_only = [
        "rusqlite", "tauri", "wry", "ureq", "reqwest", "hyper", "keyring", "hf-hub",
    ];
    let ours = [
        "cadence-store",
        "cadence-content",
        "cadence-providers",
        "cadence-studio",
        "cadence-cli",
        "cadence",
    ];
    for engine in ["cadence-llm", "cadence-theory"] {
        let closure = dependency_closure(&metadata, engine);
        for forbidden in app_only.iter().chain(&ours) {
            assert!(
                !closure.contains(*forbidden),
                "{engine} depends on {forbidden}"
            );
        }
    }
    let theory = dependency_closure(&metadata, "cadence-theory");
    for heavy in ["candle-core", "cadence-llm", "tokenizers"] {
        assert!(!theory.contains(heavy), "cadence-theory depends on {heavy}");
    }
    let command_line = dependency_closure(&metadata, "cadence-cli");
    for window in ["tauri", "wry", "webkit2gtk"] {
        assert!(
            !command_line.contains(window),
            "cadence-cli, the command line without the window, depends on {window}"
        );
    }
}

/// The crate's source files, each with its module path below `src` (`template/tutorial`).
fn source_files(src: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src).unwrap().with_extension("");
                let mut module: Vec<String> = relative
                    .iter()
                    .map(|part| part.to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                files.push((path, module));
            }
        }
    }
    files.sort();
    files
}

/// The code of a file without comments and without its test module, which may use anything.
/// An inline test module (`#[cfg(test)] mod tests {`) ends the code; a test module in a file
/// of its own (`mod tests;`) is left out line by line.
fn production_code(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let next = lines
                .peek()
                .map(|next| next.trim_start())
                .unwrap_or_default();
            if next.starts_with("mod ") && next.trim_end().ends_with('{') {
                break;
            }
            if next.starts_with("mod ") {
                lines.next();
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The leading identifier of a path.
fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first names each occurrence of `prefix` leads to in `code`: `crate::pitch::Pitch`
/// gives `pitch`, and a group `crate::{pitch::Pitch, scale::Key}` gives both.
fn names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let joined = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if joined {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        let Some(group) = rest.strip_prefix('{') else {
            names.push(identifier(rest));
            continue;
        };
        // The names at the group's first level, each before its `::`, `,` or `}`.
        let mut depth = 0;
        let mut item_start = 0;
        for (offset, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    names.push(identifier(group[item_start..offset].trim_start()));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.push(identifier(group[item_start..offset].trim_start()));
                    item_start = offset + 1;
                }
                _ => {}
            }
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

/// Which of a crate's top-level modules each one uses, from `crate::x` and (in a top-level
/// file) `super::x` paths.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = source_files(src);
    let top_level: BTreeSet<String> = files
        .iter()
        .filter_map(|(_, module)| module.first().cloned())
        .filter(|name| name != "bin" && name != "tests")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, module) in &files {
        let Some(owner) = module.first() else {
            continue;
        };
        if !top_level.contains(owner) || module.last().is_some_and(|m| m == "tests") {
            continue;
        }
        let code = production_code(&std::fs::read_to_string(path).unwrap());
        let mut used: Vec<&str> = names_after(&code, "crate::");
        if module.len() == 1 {
            used.extend(names_after(&code, "super::"));
        }
        let uses = graph.entry(owner.clone()).or_default();
        uses.extend(
            used.into_iter()
                .filter(|name| top_level.contains(*name) && *name != owner)
                .map(str::to_string),
        );
    }
    graph
}

/// The groups of modules that reach each other through their imports (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        cycles: Vec<Vec<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, module: &'a str) {
            let index = self.index.len();
            self.index.insert(module, index);
            self.low.insert(module, index);
            self.stack.push(module);
            for used in self.graph.get(module).into_iter().flatten() {
                if !self.index.contains_key(used.as_str()) {
                    self.visit(used);
                    let low = self.low[module].min(self.low[used.as_str()]);
                    self.low.insert(module, low);
                } else if self.stack.contains(&used.as_str()) {
                    let low = self.low[module].min(self.index[used.as_str()]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let at = self.stack.iter().rposition(|m| *m == module).unwrap();
                let group: Vec<String> = self.stack.drain(at..).map(str::to_string).collect();
                if group.len() > 1 {
                    self.cycles.push(group);
                }
            }
        }
    }
    let mut search = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        cycles: Vec::new(),
    };
    for module in graph.keys() {
        if !search.index.contains_key(module.as_str()) {
            search.visit(module);
        }
    }
    search.cycles
}

fn crate_sources() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("src"))
        .collect();
    sources.push(root.join("src-tauri/src"));
    sources.push(root.join("tests/src"));
    sources.sort();
    sources
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    for src in crate_sources() {
        let found = cycles(&module_graph(&src));
        assert!(
            found.is_empty(),
            "{}: modules that import each other: {found:?}",
            src.display()
        );
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("pitch", vec!["interval"]),
        ("interval", vec!["pitch"]),
        ("chord", vec!["pitch"]),
    ]
    .into_iter()
    .map(|(module, uses)| {
        (
            module.to_string(),
            uses.into_iter().map(str::to_string).collect(),
        )
    })
    .collect();
    let mut found = cycles(&graph);
    found.iter_mut().for_each(|group| group.sort());
    assert_eq!(found, [vec!["interval".to_string(), "pitch".to_string()]]);
    assert_eq!(
        names_after("use crate::pitch::Pitch; x.crate::y; a_crate::z", "crate::"),
        ["pitch", "y"]
    );
    assert_eq!(
        names_after(
            "use crate::{pitch::Pitch, scale::{Key, Scale}, Chord};",
            "crate::"
        ),
        ["pitch", "scale", "Chord"]
    );
}

/// Longest a source file may be; past `LONG_FILE_LINES` its first comment says why, in a
/// sentence with "long because".
const MAX_FILE_LINES: usize = 900;
const LONG_FILE_LINES: usize = 600;

/// The comment lines a file opens with.
fn first_comment(text: &str) -> String {
    text.lines()
        .map(str::trim_start)
        .take_while(|line| line.starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_source_file_is_short_enough_to_read() {
    let mut too_long = Vec::new();
    for src in crate_sources()
        .into_iter()
        .chain([workspace_root().join("tests/tests")])
    {
        for (path, _) in source_files(&src) {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text.lines().count();
            let explained = first_comment(&text).to_lowercase().contains("long because");
            if lines > MAX_FILE_LINES || (lines > LONG_FILE_LINES && !explained) {
                too_long.push(format!("{} ({lines} lines)", path.display()));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "split these files (over {MAX_FILE_LINES} lines, or over {LONG_FILE_LINES} without a first comment saying why they are \"long because\"): {too_long:#?}"
    );
}
