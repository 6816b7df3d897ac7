//! Inputs on which the fuzz target in `fuzz/` found a bug, each kept there as a seed too.

use cadence_content::export::to_json;
use cadence_content::import::read_document;
use cadence_content::schema::DocumentKind;

#[test]
fn a_slash_chords_shell_voicing_is_completed_once() {
    // `V6` in B♭ is F/A, voiced as a shell over its bass (A1 F2 A2 C3); a second import once
    // took the bass for a misplaced root and revoiced it.
    let input = include_str!("../fuzz/seeds/document_import/crash-slash-chord-shell-revoiced.json");
    let (kind, document, report) = read_document(input).unwrap();
    assert_eq!(kind, DocumentKind::Tutorial);
    assert_eq!(document["music"]["chords"][1]["symbol"], "F/A");
    assert!(report.repaired() > 0, "{:?}", report.issues);
    let (_, again, again_report) = read_document(&to_json(&document)).unwrap();
    assert_eq!(again, document);
    assert_eq!(again_report.repaired(), 0, "{:?}", again_report.issues);
}
