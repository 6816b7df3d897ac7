//! Published analyses into the library: a RomanText file (or the measures a teacher picks)
//! becomes a theory analysis, checked by the theory engine like any other. Export to
//! RomanText is one of the library's export formats.

use std::path::Path;

use crate::Studio;
use crate::commissions::material_row;
use crate::content::romantext::{Measures, analysis_from_romantext};
use crate::content::validate;
use crate::library::LibraryError;
use crate::limits::{MAX_IMPORT_BYTES, MAX_PATH_CHARS};
use crate::materials::{CreatedMaterial, MaterialKind};
use crate::store::{Store, materials};

/// What an imported analysis is filed under in the library.
pub const IMPORTED_TOPIC: &str = "imported analysis";

impl Studio {
    /// Reads the RomanText file at `path` into a theory analysis, keeping the measures asked
    /// for (`"1-16"`; all when `None`), and stores it in the library.
    pub fn import_romantext(
        &self,
        store: &Store,
        path: &Path,
        measures: Option<&str>,
    ) -> Result<CreatedMaterial, LibraryError> {
        let measures = measures
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::parse::<Measures>)
            .transpose()?;
        let source = read_text(path)?;
        let mut analysis = analysis_from_romantext(&source, measures)?;
        let report = validate::theory_analysis(&mut analysis);
        let kind = MaterialKind::TheoryAnalysis;
        let row = materials::NewMaterial {
            music_key: Some(analysis.music.key.clone()),
            ..material_row(
                kind,
                &analysis.title,
                IMPORTED_TOPIC,
                "",
                analysis.schema_version,
                &analysis,
            )?
        };
        let id = store.write(|tx| materials::insert(tx, &row))?;
        Ok(CreatedMaterial {
            id,
            kind,
            title: analysis.title,
            generator: "RomanText".to_string(),
            checked: report.checked,
            repaired: report.repaired(),
        })
    }
}

/// The text of a file the teacher chose, or a sentence saying why it cannot be read.
fn read_text(path: &Path) -> Result<String, LibraryError> {
    let shown = path.display().to_string();
    if shown.chars().count() > MAX_PATH_CHARS {
        return Err(crate::library::ExportPathError::TooLong.into());
    }
    // The window's working folder is nobody's choice: a path must say where it starts.
    if !path.is_absolute() {
        return Err(crate::library::ExportPathError::NotAbsolute(shown).into());
    }
    let read_error = |source| LibraryError::Read {
        path: shown.clone(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(read_error)?.len();
    if bytes > MAX_IMPORT_BYTES {
        return Err(LibraryError::TooLarge { path: shown, bytes });
    }
    let data = std::fs::read(path).map_err(read_error)?;
    String::from_utf8(data).map_err(|_| LibraryError::NotText(shown))
}
