//! What a request may carry: the bounds on its text fields, lists and ids. The Studio checks
//! them itself, before any work starts, so the command line and the window refuse the same
//! input with the same sentence. (What a value must mean, such as a known key or a tempo
//! between 20 and 400, is checked where it is used.)

/// Longest topic, key, instrument, grade, part name, standard code or model id.
pub const MAX_FIELD_CHARS: usize = 64;
/// Longest goal a teacher may give a curriculum; the prompt carries it whole.
pub const MAX_GOAL_CHARS: usize = 200;
/// Most standards one lesson-plan part may cite.
pub const MAX_STANDARDS: usize = 12;
/// Longest title a teacher may give a document.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest description a teacher may give a curriculum.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest library search.
pub const MAX_QUERY_CHARS: usize = 200;
/// Longest answer to a practice item.
pub const MAX_ANSWER_CHARS: usize = 200;
/// Most keys one played answer may hold: MIDI has 128.
pub const MAX_PLAYED_KEYS: usize = 128;
/// Farthest a time zone is from UTC, in minutes (a day; the real ones are within 14 hours).
pub const MAX_UTC_OFFSET_MINUTES: i64 = 24 * 60;
/// Longest question to the coach.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// Most turns of a conversation with the coach, and the longest turn.
pub const MAX_COACH_TURNS: usize = 200;
pub const MAX_TURN_CHARS: usize = 8000;
/// Longest path an export may be written to or an import read from.
pub const MAX_PATH_CHARS: usize = 4096;
/// Largest file an import reads, and largest edited document (a long RomanText analysis or
/// an exported curriculum is some tens of kilobytes).
pub const MAX_IMPORT_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the {what} must have 1 to {MAX_FIELD_CHARS} characters")]
    Field { what: &'static str },
    #[error("the goal is {chars} characters; say it in at most {MAX_GOAL_CHARS}")]
    Goal { chars: usize },
    #[error("a lesson-plan part cites at most {MAX_STANDARDS} standards; got {count}")]
    Standards { count: usize },
    #[error(
        "the conversation has {turns} turns; the coach takes at most {MAX_COACH_TURNS}: start a new one"
    )]
    Turns { turns: usize },
    #[error("a turn of the conversation is longer than {MAX_TURN_CHARS} characters: “{opening}…”")]
    Turn { opening: String },
    #[error("{0} is not a library id")]
    Id(i64),
    #[error("the title must have 1 to {MAX_TITLE_CHARS} characters")]
    Title,
    #[error("the description is {chars} characters; say it in at most {MAX_DESCRIPTION_CHARS}")]
    Description { chars: usize },
    #[error("the search must have at most {MAX_QUERY_CHARS} characters")]
    Query,
    #[error("the answer must have at most {MAX_ANSWER_CHARS} characters")]
    Answer,
    #[error("{0} keys were played; a chord is played with at most {MAX_PLAYED_KEYS}")]
    PlayedKeys(usize),
    #[error("the document is {bytes} bytes; a document is at most {MAX_IMPORT_BYTES}")]
    Document { bytes: usize },
    #[error("lesson {0} is given two titles; give each lesson one")]
    LessonTwice(i64),
    #[error(
        "the time zone is {0} minutes from UTC; a time zone is at most {MAX_UTC_OFFSET_MINUTES} minutes from it"
    )]
    UtcOffset(i64),
    /// A month not written "YYYY-MM"; it carries the start of what was given.
    #[error("the month must be written YYYY-MM, such as 2026-03; got “{0}”")]
    Month(String),
}

/// A short text field, trimmed: 1 to [`MAX_FIELD_CHARS`] characters.
pub fn short_field(what: &'static str, value: &str) -> Result<String, InputError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_FIELD_CHARS {
        return Err(InputError::Field { what });
    }
    Ok(value.to_string())
}

/// A curriculum's goal, which may be empty.
pub fn goal(goal: &str) -> Result<&str, InputError> {
    let chars = goal.chars().count();
    if chars > MAX_GOAL_CHARS {
        return Err(InputError::Goal { chars });
    }
    Ok(goal.trim())
}

/// The standards a lesson-plan part cites, each a short field.
pub fn standard_codes(codes: &[String]) -> Result<Vec<String>, InputError> {
    if codes.len() > MAX_STANDARDS {
        return Err(InputError::Standards { count: codes.len() });
    }
    codes
        .iter()
        .map(|code| short_field("standard code", code))
        .collect()
}

/// A conversation the coach is sent: not too many turns, none too long.
pub fn conversation<'a>(turns: impl ExactSizeIterator<Item = &'a str>) -> Result<(), InputError> {
    if turns.len() > MAX_COACH_TURNS {
        return Err(InputError::Turns { turns: turns.len() });
    }
    for text in turns {
        if text.chars().count() > MAX_TURN_CHARS {
            return Err(InputError::Turn {
                opening: text.chars().take(40).collect(),
            });
        }
    }
    Ok(())
}

/// A document's title, trimmed: 1 to [`MAX_TITLE_CHARS`] characters.
pub fn title(title: &str) -> Result<&str, InputError> {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 || length > MAX_TITLE_CHARS {
        return Err(InputError::Title);
    }
    Ok(title)
}

/// A description, trimmed: at most [`MAX_DESCRIPTION_CHARS`] characters.
pub fn description(description: &str) -> Result<&str, InputError> {
    let description = description.trim();
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(InputError::Description { chars });
    }
    Ok(description)
}

/// A practice answer, trimmed; an empty one is the scorer's to explain.
pub fn answer(answer: &str) -> Result<&str, InputError> {
    let answer = answer.trim();
    if answer.chars().count() > MAX_ANSWER_CHARS {
        return Err(InputError::Answer);
    }
    Ok(answer)
}

/// A library search, trimmed: at most [`MAX_QUERY_CHARS`] characters (longer is a paste
/// mistake).
pub fn query(query: &str) -> Result<&str, InputError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(InputError::Query);
    }
    Ok(query.trim())
}

/// A library row's id: the store numbers rows from 1.
pub fn library_id(id: i64) -> Result<i64, InputError> {
    if id < 1 {
        return Err(InputError::Id(id));
    }
    Ok(id)
}

/// A document the window hands back whole (a deleted tutorial to restore): no larger than
/// a file an import reads.
pub fn document(document: &serde_json::Value) -> Result<&serde_json::Value, InputError> {
    let bytes = document.to_string().len();
    if bytes as u64 > MAX_IMPORT_BYTES {
        return Err(InputError::Document { bytes });
    }
    Ok(document)
}

/// The keys of a played answer: no more than a keyboard has.
pub fn played_keys(keys: &[u8]) -> Result<&[u8], InputError> {
    if keys.len() > MAX_PLAYED_KEYS {
        return Err(InputError::PlayedKeys(keys.len()));
    }
    Ok(keys)
}

/// A time zone's distance east of UTC, given in minutes, as seconds.
pub fn utc_offset_seconds(minutes: i64) -> Result<i64, InputError> {
    if minutes.unsigned_abs() > MAX_UTC_OFFSET_MINUTES.unsigned_abs() {
        return Err(InputError::UtcOffset(minutes));
    }
    Ok(minutes * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_bounded() {
        assert_eq!(short_field("key", "  Eb major ").unwrap(), "Eb major");
        assert_eq!(
            short_field("key", "   ").unwrap_err().to_string(),
            "the key must have 1 to 64 characters"
        );
        assert!(short_field("topic", &"x".repeat(MAX_FIELD_CHARS)).is_ok());
        assert!(short_field("topic", &"x".repeat(MAX_FIELD_CHARS + 1)).is_err());
        assert_eq!(goal(" walk a bass line ").unwrap(), "walk a bass line");
        assert_eq!(
            goal(&"g".repeat(201)).unwrap_err(),
            InputError::Goal { chars: 201 }
        );
    }

    #[test]
    fn lists_ids_and_conversations_are_bounded() {
        let codes: Vec<String> = (0..=MAX_STANDARDS)
            .map(|i| format!("MU:Cr1.1.{i}"))
            .collect();
        assert_eq!(
            standard_codes(&codes).unwrap_err(),
            InputError::Standards { count: 13 }
        );
        assert_eq!(
            standard_codes(&[" MU:Pr4.2.5a ".to_string()]).unwrap(),
            ["MU:Pr4.2.5a"]
        );
        assert_eq!(
            library_id(0).unwrap_err().to_string(),
            "0 is not a library id"
        );
        assert_eq!(library_id(7), Ok(7));
        assert_eq!(
            played_keys(&[60; MAX_PLAYED_KEYS]).map(<[u8]>::len),
            Ok(128)
        );
        assert_eq!(played_keys(&[60; 129]), Err(InputError::PlayedKeys(129)));
        assert_eq!(utc_offset_seconds(-300), Ok(-18_000));
        assert_eq!(
            utc_offset_seconds(i64::MIN),
            Err(InputError::UtcOffset(i64::MIN))
        );
        assert_eq!(title("  Blues in F "), Ok("Blues in F"));
        assert_eq!(title(" ").unwrap_err(), InputError::Title);
        assert_eq!(
            query(&"q".repeat(MAX_QUERY_CHARS + 1)),
            Err(InputError::Query)
        );
        let long = "a".repeat(MAX_TURN_CHARS + 1);
        assert!(matches!(
            conversation([long.as_str()].into_iter()),
            Err(InputError::Turn { opening }) if opening.len() == 40
        ));
        let many = vec![""; MAX_COACH_TURNS + 1];
        assert_eq!(
            conversation(many.into_iter()).unwrap_err(),
            InputError::Turns { turns: 201 }
        );
    }

    #[test]
    fn a_month_error_says_the_form_it_takes() {
        assert_eq!(
            InputError::Month("June".into()).to_string(),
            "the month must be written YYYY-MM, such as 2026-03; got “June”"
        );
    }
}
