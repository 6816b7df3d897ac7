//! `cadence student`, `cadence assign`, `cadence practice` and `cadence progress`: students
//! practise offline, with no model and no network.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use cadence::practice::Assignable;
use clap::{ArgGroup, Args, Subcommand};

use crate::output::write_output;
use crate::studio;

/// Now, in Unix seconds.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum StudentCommand {
    /// Add a student; prints the new student's id.
    Add {
        #[arg(long)]
        name: String,
        /// beginner, intermediate or advanced.
        #[arg(long)]
        level: String,
        /// The instrument the student plays (piano by default).
        #[arg(long, default_value = "piano")]
        instrument: String,
        /// Print `{"id": N}`.
        #[arg(long)]
        json: bool,
    },
    /// List the students.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run_student(command: StudentCommand) -> anyhow::Result<ExitCode> {
    let studio = studio()?;
    let store = studio.open_store()?;
    match command {
        StudentCommand::Add {
            name,
            level,
            instrument,
            json,
        } => {
            let student = studio.add_student(&store, &name, &level, &instrument)?;
            if json {
                print_json(&serde_json::json!({ "id": student.id }))?;
            } else {
                println!(
                    "added student {}: {} ({}, {})",
                    student.id, student.name, student.level, student.instrument
                );
            }
        }
        StudentCommand::List { json } => {
            let students = studio.list_students(&store)?;
            if json {
                print_json(&students)?;
            } else {
                if students.is_empty() {
                    println!(
                        "No students yet; add one with `cadence student add --name … --level beginner`."
                    );
                }
                for s in &students {
                    println!("  {:>4}  {}  ({}, {})", s.id, s.name, s.level, s.instrument);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[command(group(ArgGroup::new("what").required(true).args(["tutorial", "curriculum"])))]
pub(crate) struct AssignArgs {
    #[arg(long)]
    student: i64,
    /// A tutorial's id (see `cadence library`).
    #[arg(long)]
    tutorial: Option<i64>,
    /// A curriculum's id: its lessons open in order as each is passed.
    #[arg(long)]
    curriculum: Option<i64>,
    /// The share of a lesson's items to get right to pass it (0.8 by default).
    #[arg(long)]
    pass: Option<f64>,
    #[arg(long)]
    json: bool,
}

pub(crate) fn run_assign(args: AssignArgs) -> anyhow::Result<ExitCode> {
    let what = match (args.tutorial, args.curriculum) {
        (Some(id), _) => Assignable::Tutorial(id),
        (None, Some(id)) => Assignable::Curriculum(id),
        (None, None) => unreachable!("clap requires --tutorial or --curriculum"),
    };
    let studio = studio()?;
    let assigned = studio.assign(&studio.open_store()?, args.student, what, args.pass, now())?;
    if args.json {
        print_json(&assigned)?;
    } else {
        println!(
            "assigned “{}” to student {}: {} items to practise",
            assigned.title, args.student, assigned.items
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum PracticeCommand {
    /// Today's items: due reviews first, then new ones.
    Today {
        #[arg(long)]
        student: i64,
        #[arg(long)]
        json: bool,
    },
    /// Answer an item; the theory engine scores it and the schedule moves it.
    Answer {
        #[arg(long)]
        student: i64,
        #[arg(long)]
        item: i64,
        /// Notes (`D F# A C`), a quality, an interval, a numeral, one of the choices, or for
        /// a play-along how it went (again, hard, good, easy).
        #[arg(long)]
        answer: String,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run_practice(command: PracticeCommand) -> anyhow::Result<ExitCode> {
    let studio = studio()?;
    let store = studio.open_store()?;
    match command {
        PracticeCommand::Today { student, json } => {
            let items = studio.practice_today(&store, student, now())?;
            if json {
                let items: Vec<serde_json::Value> = items
                    .iter()
                    .map(|item| {
                        let mut value = serde_json::json!({
                            "id": item.id,
                            "kind": item.kind,
                            "question": item.question,
                        });
                        if let Some(key) = &item.key {
                            value["key"] = key.clone().into();
                        }
                        if let Some(numeral) = &item.numeral {
                            value["numeral"] = numeral.clone().into();
                        }
                        if !item.choices.is_empty() {
                            value["choices"] = item.choices.clone().into();
                        }
                        if let Some(tempo) = item.tempo_bpm {
                            value["tempo_bpm"] = tempo.into();
                        }
                        value
                    })
                    .collect();
                print_json(&serde_json::json!({ "items": items }))?;
            } else if items.is_empty() {
                println!(
                    "Nothing is due today. Well done — or assign a lesson with `cadence assign`."
                );
            } else {
                for item in &items {
                    println!("  {:>5}  {}", item.id, item.question);
                    if !item.choices.is_empty() {
                        println!("         choices: {}", item.choices.join(" | "));
                    }
                }
            }
        }
        PracticeCommand::Answer {
            student,
            item,
            answer,
            json,
        } => {
            let result = studio.answer_item(&store, student, item, &answer, now())?;
            if json {
                print_json(&result)?;
            } else {
                println!(
                    "{} {} (back {})",
                    if result.correct { "Right." } else { "Not yet." },
                    result.feedback,
                    result.due
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct ProgressArgs {
    #[arg(long)]
    student: i64,
    #[arg(long)]
    json: bool,
    /// Write the student's whole record (profile, assignments, progress, every answer) as
    /// JSON for the teacher.
    #[arg(long)]
    export: Option<PathBuf>,
}

pub(crate) fn run_progress(args: ProgressArgs) -> anyhow::Result<ExitCode> {
    let studio = studio()?;
    let store = studio.open_store()?;
    if let Some(path) = &args.export {
        let record = studio.student_record(&store, args.student, now())?;
        write_output(Some(path), &record)?;
        eprintln!(
            "exported student {}'s record to {}",
            args.student,
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let summary = studio.student_progress(&store, args.student, now(), 0)?;
    if args.json {
        return print_json(&summary).map(|()| ExitCode::SUCCESS);
    }
    let p = &summary.progress;
    println!(
        "{} ({}, {})",
        summary.student.name, summary.student.level, summary.student.instrument
    );
    let days = if p.streak_days == 1 { "day" } else { "days" };
    println!(
        "  {} answers, {} right; {} {days} in a row; {} items ready today",
        p.answered, p.correct, p.streak_days, summary.due_today
    );
    for skill in &p.mastery {
        println!(
            "  {:<16} {}/{} mastered",
            skill.skill.as_str().replace('_', " "),
            skill.mastered,
            skill.items
        );
    }
    for a in &summary.assignments {
        println!(
            "  assigned {} “{}” ({} items, pass at {:.0}%)",
            a.kind,
            a.title,
            a.items,
            a.pass_threshold * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn the_practice_commands_parse_as_documented() {
        assert_eq!(
            parse(&[
                "student", "add", "--name", "Ada", "--level", "beginner", "--json"
            ])
            .unwrap(),
            Some(Command::Student(StudentCommand::Add {
                name: "Ada".into(),
                level: "beginner".into(),
                instrument: "piano".into(),
                json: true,
            }))
        );
        assert!(
            parse(&["assign", "--student", "1"]).is_err(),
            "a tutorial or curriculum is required"
        );
        assert!(
            parse(&[
                "assign",
                "--student",
                "1",
                "--tutorial",
                "2",
                "--curriculum",
                "3"
            ])
            .is_err()
        );
        assert_eq!(
            parse(&[
                "practice",
                "answer",
                "--student",
                "1",
                "--item",
                "9",
                "--answer",
                "D F A"
            ])
            .unwrap(),
            Some(Command::Practice(PracticeCommand::Answer {
                student: 1,
                item: 9,
                answer: "D F A".into(),
                json: false,
            }))
        );
    }
}
