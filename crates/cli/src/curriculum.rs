//! `cadence curriculum`: look at a curriculum, rename it, reorder its lessons, write its
//! missing lessons, delete it and bring it back.

use std::process::ExitCode;

use cadence::catalog::TaskKind;
use cadence::library::{CurriculumDetail, LessonPlace};
use cadence::llm::CancelToken;
use cadence::sources::{ResidentModels, Writers};
use cadence::store::curricula::TRASH_DAYS;
use clap::Subcommand;

use crate::batch::print_progress;
use crate::routing::{network_allowed, warn_if_model_cannot_start};
use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum CurriculumCommand {
    /// Show a curriculum's modules and lessons in order, with the lessons' ids.
    Show {
        /// The curriculum's id (see `cadence library`).
        id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Give a curriculum a new title.
    Rename {
        id: i64,
        /// The new title.
        title: String,
    },
    /// Move a lesson to another place: another position in its module, or another module.
    MoveLesson {
        /// The curriculum's id.
        id: i64,
        /// The lesson's id (see `cadence curriculum show`).
        lesson: i64,
        /// Its new position in the module, 1 for first.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        to: u32,
        /// The module to move it to, 1 for the first; its own module if omitted.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        module: Option<u32>,
    },
    /// Write the tutorial of every lesson that has none (an imported curriculum's, or an
    /// interrupted batch's), with the routed model or the template generator.
    Finish {
        id: i64,
        /// Ask the model again even where the response cache holds its answer to the same
        /// request; the new answer replaces the cached one.
        #[arg(long)]
        no_cache: bool,
    },
    /// Delete a curriculum (to the trash: `restore` brings it back for 30 days).
    Delete { id: i64 },
    /// Bring a deleted curriculum back from the trash, as it was.
    Restore { id: i64 },
    /// List the deleted curricula that can still be restored.
    Trash,
}

pub(crate) fn run(command: CurriculumCommand) -> anyhow::Result<ExitCode> {
    let studio = studio()?;
    let store = studio.open_store()?;
    match command {
        CurriculumCommand::Show { id, json } => {
            let detail = studio.open_curriculum(&store, id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                print_curriculum(&detail);
            }
        }
        CurriculumCommand::Rename { id, title } => {
            studio.rename_curriculum(&store, id, &title)?;
            println!("renamed curriculum {id} to “{}”", title.trim());
        }
        CurriculumCommand::MoveLesson {
            id,
            lesson,
            to,
            module,
        } => {
            let module = match module {
                Some(module) => module - 1,
                None => module_of(&studio.open_curriculum(&store, id)?, lesson)?,
            };
            let place = LessonPlace {
                module,
                position: to - 1,
            };
            let moved = studio.move_lesson(&store, id, lesson, place)?;
            print_curriculum(&moved.curriculum);
            if moved.prerequisites_dropped > 0 {
                println!(
                    "{} prerequisite links were dropped: a lesson no longer builds on one after it",
                    moved.prerequisites_dropped
                );
            }
        }
        CurriculumCommand::Finish { id, no_cache } => {
            let network_allowed = network_allowed(&studio);
            warn_if_model_cannot_start(&studio, TaskKind::TutorialGeneration, network_allowed);
            // One model stays loaded across the lessons instead of loading for each.
            let resident = ResidentModels::default();
            let outcome = studio.finish_curriculum(
                &store,
                id,
                network_allowed,
                Writers::models(&mut resident.source(&studio), no_cache),
                &CancelToken::new(),
                &mut print_progress,
            )?;
            println!(
                "curriculum {id}: {} lessons, {} tutorials written ({} by a model), {} already done",
                outcome.lessons,
                outcome.tutorials_written,
                outcome.tutorials_by_model,
                outcome.lessons_skipped
            );
        }
        CurriculumCommand::Delete { id } => {
            studio.delete_curriculum(&store, id)?;
            println!(
                "deleted curriculum {id}; `cadence curriculum restore {id}` brings it back \
                 within {TRASH_DAYS} days"
            );
        }
        CurriculumCommand::Restore { id } => {
            studio.restore_curriculum(&store, id)?;
            println!("restored curriculum {id}");
        }
        CurriculumCommand::Trash => {
            let trashed = studio.trashed_curricula(&store)?;
            println!("Deleted curricula ({}):", trashed.len());
            for item in trashed {
                println!(
                    "  {:>4}  {}  (restorable until {})",
                    item.id,
                    item.title,
                    cadence::practice::progress::date_of_day(item.restorable_until / 86_400)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The 0-based module that holds `lesson`.
fn module_of(detail: &CurriculumDetail, lesson: i64) -> anyhow::Result<u32> {
    detail
        .modules
        .iter()
        .position(|module| module.lessons.iter().any(|l| l.id == lesson))
        .map(|index| index as u32)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "curriculum {} has no lesson {lesson}; `cadence curriculum show {}` lists its lessons",
                detail.id,
                detail.id
            )
        })
}

fn print_curriculum(detail: &CurriculumDetail) {
    println!(
        "{}  ({}, {} weeks)",
        detail.title, detail.level, detail.duration_weeks
    );
    for (index, module) in detail.modules.iter().enumerate() {
        println!(
            "  module {}: {} (weeks {}–{})",
            index + 1,
            module.title,
            module.week_start,
            module.week_end
        );
        for (position, lesson) in module.lessons.iter().enumerate() {
            let tutorial = match lesson.tutorial_id {
                Some(id) => format!("tutorial {id}"),
                None => "no tutorial yet".to_string(),
            };
            println!(
                "    {}. {}  [lesson {}; {} min; {tutorial}]",
                position + 1,
                lesson.title,
                lesson.id,
                lesson.duration_minutes
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn a_lesson_moves_to_a_place_counted_from_one() {
        assert_eq!(
            parse(&["curriculum", "move-lesson", "3", "17", "--to", "1"]).unwrap(),
            Some(Command::Curriculum(CurriculumCommand::MoveLesson {
                id: 3,
                lesson: 17,
                to: 1,
                module: None,
            }))
        );
        assert!(parse(&["curriculum", "move-lesson", "3", "17", "--to", "0"]).is_err());
        assert_eq!(
            parse(&["curriculum", "rename", "3", "Autumn term"]).unwrap(),
            Some(Command::Curriculum(CurriculumCommand::Rename {
                id: 3,
                title: "Autumn term".into(),
            }))
        );
    }
}
