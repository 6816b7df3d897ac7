//! Published analyses into the library: a RomanText file (or the measures a teacher picks)
//! becomes a theory analysis, checked by the theory engine like any other. Export to
//! RomanText is one of the library's export formats.

use std::path::Path;

use crate::Studio;
use crate::commissions::material_row;
use crate::content::romantext::{Measures, analysis_from_romantext};
use crate::content::validate;
use crate::library::{LibraryError, read_import_text};
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
        let source = read_import_text(path, "a RomanText (.rntxt) file")?;
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
            cached: false,
            checked: report.checked,
            repaired: report.repaired(),
        })
    }
}
