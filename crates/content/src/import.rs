//! A document file of unknown kind, read as `cadence import` and the window's Import read
//! it: untrusted JSON (its nesting bounded by the JSON reader), its kind recognised by the
//! fields only that kind requires, then checked like every import by
//! [`check_document`](crate::export::check_document): schema version, schema, types, and
//! the theory engine, which recomputes every chord. The caller stores what comes back.

use serde_json::Value;

use crate::export::check_document;
use crate::schema::DocumentKind;
use crate::{ContentError, ValidationReport};

/// Reads and checks an exported document: its kind, the document as the engine completed
/// it (computed fields recomputed), and the report of what was checked and repaired.
pub fn read_document(text: &str) -> Result<(DocumentKind, Value, ValidationReport), ContentError> {
    let value: Value = serde_json::from_str(text).map_err(|error| ContentError::Malformed {
        what: "Cadence document",
        message: format!("{error}; the file is damaged or not JSON: export it again from Cadence"),
    })?;
    let kind = recognise(&value)?;
    let (document, report) = check_document(kind, value)?;
    Ok((kind, document, report))
}

/// The document kind a JSON object is, told by the fields only that kind requires.
pub fn recognise(value: &Value) -> Result<DocumentKind, ContentError> {
    let Some(object) = value.as_object() else {
        return Err(not_a_document("the file holds no JSON object"));
    };
    let has = |field: &str| object.contains_key(field);
    Ok(if has("modules") {
        DocumentKind::Curriculum
    } else if has("overview") && has("practice_guide") {
        DocumentKind::Tutorial
    } else if has("questions") {
        DocumentKind::Assessment
    } else if has("success_criteria") && has("tempo_bpm") {
        DocumentKind::Exercise
    } else if has("functions") && has("voice_leading") {
        DocumentKind::TheoryAnalysis
    } else if has("grade") && has("content") {
        DocumentKind::LessonPlan
    } else {
        return Err(not_a_document(
            "it has none of the fields of a tutorial, curriculum, exercise, theory analysis, \
             assessment or lesson plan",
        ));
    })
}

fn not_a_document(why: &str) -> ContentError {
    ContentError::Malformed {
        what: "Cadence document",
        message: format!("{why}; choose a .json file exported from Cadence"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;
    use crate::export::to_json;

    #[test]
    fn every_kind_of_document_is_recognised_by_its_fields() {
        let tutorial = crate::template::tutorial("ii-V-I", "Bb", Level::Beginner).unwrap();
        let (kind, _, report) = read_document(&to_json(&tutorial)).unwrap();
        assert_eq!(kind, DocumentKind::Tutorial);
        assert!(report.checked > 0);
        let error = recognise(&serde_json::json!({"title": "x"})).unwrap_err();
        assert!(
            error.to_string().contains("exported from Cadence"),
            "{error}"
        );
        assert!(recognise(&serde_json::json!([1, 2])).is_err());
    }
}
