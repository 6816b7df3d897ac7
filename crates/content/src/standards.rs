//! US National Core Arts Standards for music (general music, PK–8), shipped in
//! `assets/standards/ncas_music.csv`: code, grade, artistic process, anchor standard.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const TABLE_CSV: &str = include_str!("../../../assets/standards/ncas_music.csv");

/// NCAS grade labels in order.
pub const GRADES: [&str; 10] = ["PK", "K", "1", "2", "3", "4", "5", "6", "7", "8"];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Standard {
    /// e.g. "MU:Cr1.1.3a".
    pub code: String,
    pub grade: String,
    /// creating, performing, responding or connecting.
    pub process: String,
    /// Anchor standard number, 1 to 11.
    pub anchor: u8,
    /// Process component, e.g. "Imagine", "Analyze".
    pub component: String,
    pub anchor_standard: String,
}

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum CodeProblem {
    /// Not shaped like an NCAS music code at all.
    Malformed,
    /// Shaped like one, but not in the table.
    Unknown,
    /// A real code, but for another grade.
    WrongGrade { code_grade: String },
}

/// The shipped table, keyed by code.
pub fn table() -> &'static BTreeMap<String, Standard> {
    static TABLE: OnceLock<BTreeMap<String, Standard>> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(TABLE_CSV))
}

pub fn lookup(code: &str) -> Option<&'static Standard> {
    table().get(code.trim())
}

/// Codes for one grade, in table order of code.
pub fn for_grade(grade: &str) -> Vec<&'static Standard> {
    table().values().filter(|s| s.grade == grade).collect()
}

/// The grade label a user typed ("3", "grade 3", "k", "kindergarten", "pre-k"), if any.
pub fn normalize_grade(input: &str) -> Option<&'static str> {
    let text = input.trim().to_lowercase();
    let text = text.strip_prefix("grade").unwrap_or(&text).trim();
    let wanted = match text {
        "kindergarten" => "k",
        "pre-k" | "prek" | "pre-kindergarten" => "pk",
        other => other,
    };
    GRADES
        .into_iter()
        .find(|grade| grade.eq_ignore_ascii_case(wanted))
}

/// Checks one code against the table and, when given, the lesson's grade.
pub fn check_code(code: &str, grade: Option<&str>) -> Result<&'static Standard, CodeProblem> {
    if !is_well_formed(code.trim()) {
        return Err(CodeProblem::Malformed);
    }
    let standard = lookup(code).ok_or(CodeProblem::Unknown)?;
    match grade {
        Some(grade) if standard.grade != grade => Err(CodeProblem::WrongGrade {
            code_grade: standard.grade.clone(),
        }),
        _ => Ok(standard),
    }
}

/// `MU:` + process + anchor `.` component `.` grade + letter, e.g. `MU:Pr4.2.5a`.
fn is_well_formed(code: &str) -> bool {
    let Some(rest) = code.strip_prefix("MU:") else {
        return false;
    };
    let Some(rest) = ["Cr", "Pr", "Re", "Cn"]
        .into_iter()
        .find_map(|process| rest.strip_prefix(process))
    else {
        return false;
    };
    let mut parts = rest.splitn(3, '.');
    let (Some(anchor), Some(component), Some(grade_letter)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let Some(letter) = grade_letter.chars().last() else {
        return false;
    };
    let grade = &grade_letter[..grade_letter.len() - letter.len_utf8()];
    digits(anchor) && digits(component) && letter.is_ascii_lowercase() && GRADES.contains(&grade)
}

fn parse_table(text: &str) -> BTreeMap<String, Standard> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields = split_csv_line(line);
            let [code, grade, process, anchor, component, anchor_standard] = fields.as_slice()
            else {
                return None;
            };
            Some((
                code.clone(),
                Standard {
                    code: code.clone(),
                    grade: grade.clone(),
                    process: process.clone(),
                    anchor: anchor.parse().ok()?,
                    component: component.clone(),
                    anchor_standard: anchor_standard.clone(),
                },
            ))
        })
        .collect()
}

/// Splits one CSV line; fields may be double-quoted (to hold commas), `""` is a quote.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_every_row_with_real_codes() {
        let rows = TABLE_CSV.lines().count() - 1;
        assert_eq!(table().len(), rows);
        let standard = lookup("MU:Cr1.1.3a").unwrap();
        assert_eq!(standard.grade, "3");
        assert_eq!(standard.process, "creating");
        assert_eq!(standard.anchor, 1);
        assert_eq!(standard.component, "Imagine");
        assert_eq!(
            lookup("MU:Cn11.0.Ka").unwrap().anchor_standard,
            "Relate artistic ideas and works with societal, cultural, and historical context to deepen understanding."
        );
        assert!(table().keys().all(|code| is_well_formed(code)));
    }

    #[test]
    fn codes_are_checked_against_table_and_grade() {
        assert!(check_code("MU:Pr4.2.5a", Some("5")).is_ok());
        assert_eq!(check_code("MU:Pr4.9.5a", None), Err(CodeProblem::Unknown));
        assert_eq!(
            check_code("MUS:Pr4.2.5a", None),
            Err(CodeProblem::Malformed)
        );
        assert_eq!(
            check_code("MU:Pr4.2.12a", None),
            Err(CodeProblem::Malformed)
        );
        assert_eq!(
            check_code("MU:Re7.1.2a", Some("4")),
            Err(CodeProblem::WrongGrade {
                code_grade: "2".into()
            })
        );
    }

    #[test]
    fn grades_are_normalised() {
        assert_eq!(normalize_grade("Grade 3"), Some("3"));
        assert_eq!(normalize_grade("kindergarten"), Some("K"));
        assert_eq!(normalize_grade("pre-k"), Some("PK"));
        assert_eq!(normalize_grade("12"), None);
        assert!(for_grade("K").iter().any(|s| s.code == "MU:Cr1.1.Kb"));
    }

    #[test]
    fn csv_fields_may_hold_quoted_commas() {
        assert_eq!(
            split_csv_line(r#"a,"b, c","say ""hi""""#),
            vec!["a", "b, c", r#"say "hi""#]
        );
    }
}
