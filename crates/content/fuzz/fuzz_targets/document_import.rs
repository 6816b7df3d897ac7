//! Exported documents of every kind (tutorial, curriculum, exercise, theory analysis,
//! assessment, lesson-plan part), read as `cadence import` and the window's Import read them
//! before storing anything (`import::read_document`). A document it accepts is the kind it
//! was recognised as, has the fields the library's rows are made from, and reads again,
//! exported as it was completed, to the same document with nothing left to repair.

#![no_main]

use cadence_content::export::to_json;
use cadence_content::import::{read_document, recognise};
use cadence_content::schema::DocumentKind;
use cadence_content::{
    Assessment, Curriculum, Exercise, LessonPlanDocument, TheoryAnalysis, Tutorial,
};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (kind, document, report) = match read_document(text) {
        Ok(read) => read,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    assert!(report.is_acceptable());
    assert_eq!(recognise(&document).ok(), Some(kind));
    match kind {
        DocumentKind::Tutorial => typed::<Tutorial>(&document),
        DocumentKind::Curriculum => typed::<Curriculum>(&document),
        DocumentKind::Exercise => typed::<Exercise>(&document),
        DocumentKind::TheoryAnalysis => typed::<TheoryAnalysis>(&document),
        DocumentKind::Assessment => typed::<Assessment>(&document),
        DocumentKind::LessonPlan => typed::<LessonPlanDocument>(&document),
    }
    let (again_kind, again, again_report) =
        read_document(&to_json(&document)).unwrap_or_else(|error| {
            panic!("the completed {} does not read again: {error}", kind.name())
        });
    assert_eq!(again_kind, kind);
    assert_eq!(
        again,
        document,
        "a second import changed the {}",
        kind.name()
    );
    assert_eq!(again_report.repaired(), 0, "{:?}", again_report.issues);
});

/// The document as the type the library makes its row from.
fn typed<T: DeserializeOwned>(document: &Value) {
    if let Err(error) = serde_json::from_value::<T>(document.clone()) {
        panic!("a checked document is not its type: {error}");
    }
}
