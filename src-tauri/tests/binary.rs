//! The binary this crate builds starts and reports its version. (Its presence also makes
//! `cargo test` build `cadence` before the end-to-end suites in /tests run it.)

#[test]
fn prints_its_version() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cadence"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("cadence {}", env!("CARGO_PKG_VERSION"))
    );
}
