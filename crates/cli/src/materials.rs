//! `cadence exercise`, `cadence analysis`, `cadence assessment` and `cadence lesson-plan`:
//! a material made as the window's Create screen makes it, with the same choices, checked
//! by the theory engine and saved to the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cadence::catalog::TaskKind;
use cadence::commissions::MaterialKind;
use cadence::content::standards::GRADES;
use cadence::content::template::LESSON_PLAN_PARTS;
use cadence::content::{AssessmentKind, ExerciseKind, Level};
use cadence::library::{ExportFormat, LibraryError, validate_export_path};
use cadence::llm::CancelToken;
use cadence::materials::{CreatedMaterial, MaterialRequest};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};

use crate::output::facts_summary;
use crate::routing::{Narration, WriterChoice, writers};
use crate::studio;

/// What an exercise, an analysis and an assessment are about, as the window asks for it.
#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Subject {
    /// ii-V-I, blues, gospel-2-5-1, "major scale", "shell voicings", … (an analysis takes a
    /// progression).
    #[arg(long)]
    topic: String,
    /// The key: Eb, F#, "A minor".
    #[arg(long)]
    key: String,
    /// The student's level.
    #[arg(long, default_value = "intermediate", value_parser = level_parser())]
    level: Level,
    /// The instrument it is written for.
    #[arg(long, default_value = "piano")]
    instrument: String,
}

/// Where the document goes besides the library, and who may write it.
#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Delivery {
    /// Also write the document to this file: .json for any material, .mid for an exercise,
    /// .rntxt for a theory analysis.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    writers: WriterChoice,
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct ExerciseArgs {
    #[command(flatten)]
    subject: Subject,
    /// The kind of exercise; the topic's first when not given.
    #[arg(long, value_enum, alias = "exercise-kind")]
    kind: Option<ExerciseChoice>,
    #[command(flatten)]
    delivery: Delivery,
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct AnalysisArgs {
    #[command(flatten)]
    subject: Subject,
    #[command(flatten)]
    delivery: Delivery,
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct AssessmentArgs {
    #[command(flatten)]
    subject: Subject,
    /// The kind of assessment.
    #[arg(
        long,
        value_enum,
        default_value = "diagnostic",
        alias = "assessment-kind"
    )]
    kind: AssessmentChoice,
    #[command(flatten)]
    delivery: Delivery,
}

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct LessonPlanArgs {
    /// "steady beat", "call and response", ii-V-I, …
    #[arg(long)]
    topic: String,
    /// The NCAS grade.
    #[arg(long, ignore_case = true, value_parser = PossibleValuesParser::new(GRADES))]
    grade: String,
    /// The part of the plan to write.
    #[arg(long, default_value = "lesson_plan", value_parser = PossibleValuesParser::new(LESSON_PLAN_PARTS))]
    part: String,
    /// NCAS music codes for the grade, separated by commas (MU:Cr1.1.5a,MU:Pr4.2.5a); the
    /// grade's own when not given.
    #[arg(long, value_delimiter = ',')]
    standards: Vec<String>,
    /// The instrument the class plays or sings with.
    #[arg(long, default_value = "piano")]
    instrument: String,
    #[command(flatten)]
    delivery: Delivery,
}

/// The kinds of exercise, named as the window and the documents name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub(crate) enum ExerciseChoice {
    Progression,
    #[value(alias = "scale-pattern")]
    ScalePattern,
    #[value(alias = "voicing-study")]
    VoicingStudy,
    Lick,
    Rhythm,
}

impl From<ExerciseChoice> for ExerciseKind {
    fn from(choice: ExerciseChoice) -> ExerciseKind {
        match choice {
            ExerciseChoice::Progression => ExerciseKind::Progression,
            ExerciseChoice::ScalePattern => ExerciseKind::ScalePattern,
            ExerciseChoice::VoicingStudy => ExerciseKind::VoicingStudy,
            ExerciseChoice::Lick => ExerciseKind::Lick,
            ExerciseChoice::Rhythm => ExerciseKind::Rhythm,
        }
    }
}

/// The kinds of assessment, named as the window and the documents name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AssessmentChoice {
    Diagnostic,
    Milestone,
    Module,
    Final,
}

impl From<AssessmentChoice> for AssessmentKind {
    fn from(choice: AssessmentChoice) -> AssessmentKind {
        match choice {
            AssessmentChoice::Diagnostic => AssessmentKind::Diagnostic,
            AssessmentChoice::Milestone => AssessmentKind::Milestone,
            AssessmentChoice::Module => AssessmentKind::Module,
            AssessmentChoice::Final => AssessmentKind::Final,
        }
    }
}

/// beginner, intermediate or advanced, listed in the help and refused by clap otherwise.
fn level_parser() -> impl TypedValueParser<Value = Level> {
    PossibleValuesParser::new(Level::ALL.map(Level::as_str)).try_map(|level| level.parse::<Level>())
}

/// A command's arguments as the request the window would send, and where the result goes.
pub(crate) trait MaterialArgs {
    fn into_request(self) -> (MaterialRequest, Delivery);
}

impl MaterialArgs for ExerciseArgs {
    fn into_request(self) -> (MaterialRequest, Delivery) {
        let Subject {
            topic,
            key,
            level,
            instrument,
        } = self.subject;
        let request = MaterialRequest::Exercise {
            topic,
            key,
            level,
            instrument,
            exercise_kind: self.kind.map(ExerciseKind::from),
        };
        (request, self.delivery)
    }
}

impl MaterialArgs for AnalysisArgs {
    fn into_request(self) -> (MaterialRequest, Delivery) {
        let Subject {
            topic,
            key,
            level,
            instrument,
        } = self.subject;
        let request = MaterialRequest::TheoryAnalysis {
            topic,
            key,
            level,
            instrument,
        };
        (request, self.delivery)
    }
}

impl MaterialArgs for AssessmentArgs {
    fn into_request(self) -> (MaterialRequest, Delivery) {
        let Subject {
            topic,
            key,
            level,
            instrument,
        } = self.subject;
        let request = MaterialRequest::Assessment {
            topic,
            key,
            level,
            instrument,
            assessment_kind: self.kind.into(),
        };
        (request, self.delivery)
    }
}

impl MaterialArgs for LessonPlanArgs {
    fn into_request(self) -> (MaterialRequest, Delivery) {
        let request = MaterialRequest::LessonPlanPart {
            topic: self.topic,
            grade: self.grade,
            part: self.part,
            standards: self.standards,
            instrument: self.instrument,
        };
        (request, self.delivery)
    }
}

/// Makes the material, saves it to the library and says what was stored; with `--out`,
/// writes the stored document to the file as well.
pub(crate) fn run(args: impl MaterialArgs) -> anyhow::Result<ExitCode> {
    let (
        request,
        Delivery {
            out,
            writers: choice,
        },
    ) = args.into_request();
    let kind = request.kind();
    // A file that cannot be written is refused before anything runs or is stored.
    let out = out.map(|path| export_path(kind, &path)).transpose()?;
    let studio = studio()?;
    let store = studio.open_store()?;
    let mut installed = studio.installed_models();
    let writers = writers(&studio, &mut installed, task(kind), choice);
    let mut narration = Narration::default();
    let created = studio.create_material(
        &store,
        &request,
        writers,
        &CancelToken::new(),
        &mut |progress| narration.show(&progress),
    );
    narration.end_counter();
    let created = created?;
    println!("{}", saved_line(&created));
    if let Some(path) = out {
        let file = studio.export_material_file(&store, created.id, &path)?;
        eprintln!("wrote {} ({} bytes)", file.path, file.bytes);
    }
    Ok(ExitCode::SUCCESS)
}

/// The task models.toml routes a kind of material by.
fn task(kind: MaterialKind) -> TaskKind {
    match kind {
        MaterialKind::Exercise => TaskKind::ExerciseGeneration,
        MaterialKind::TheoryAnalysis => TaskKind::TheoryAnalysis,
        MaterialKind::Assessment => TaskKind::Assessments,
        MaterialKind::LessonPlanPart => TaskKind::LessonPlan,
    }
}

/// `--out` as the library exports to it: a full path, in a format this kind has.
fn export_path(kind: MaterialKind, out: &Path) -> anyhow::Result<PathBuf> {
    let path = std::path::absolute(out)?;
    match validate_export_path(&path).map_err(LibraryError::from)? {
        ExportFormat::Json => Ok(path),
        ExportFormat::RomanText if kind == MaterialKind::TheoryAnalysis => Ok(path),
        ExportFormat::RomanText => Err(LibraryError::NotAnalysis(kind.noun()).into()),
        // MIDI and notation: music, which of the materials only an exercise has.
        _ if kind == MaterialKind::Exercise => Ok(path),
        _ => Err(LibraryError::NotMusic(kind.noun()).into()),
    }
}

fn saved_line(created: &CreatedMaterial) -> String {
    let writer = match created.generator.as_str() {
        "template" => "template generator".to_string(),
        model if created.cached => format!("{model}'s answer from the response cache"),
        model => format!("written by {model}"),
    };
    format!(
        "saved {} {} “{}” to the library ({writer}; {})",
        created.kind.noun(),
        created.id,
        created.title,
        facts_summary(created.checked, created.repaired)
    )
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;
    use crate::{Command, parse};

    fn subject(topic: &str, key: &str) -> Subject {
        Subject {
            topic: topic.into(),
            key: key.into(),
            level: Level::Intermediate,
            instrument: "piano".into(),
        }
    }

    fn no_delivery() -> Delivery {
        Delivery {
            out: None,
            writers: WriterChoice::default(),
        }
    }

    #[test]
    fn an_exercise_needs_a_topic_and_a_key_and_takes_the_topics_first_kind() {
        assert_eq!(
            parse(&["exercise", "--topic", "ii-V-I", "--key", "Eb"]).unwrap(),
            Some(Command::Exercise(ExerciseArgs {
                subject: subject("ii-V-I", "Eb"),
                kind: None,
                delivery: no_delivery(),
            }))
        );
        let error = parse(&["exercise", "--topic", "ii-V-I"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn every_window_option_of_an_exercise_parses() {
        let Some(Command::Exercise(args)) = parse(&[
            "exercise",
            "--topic",
            "major scale",
            "--key",
            "D",
            "--level",
            "beginner",
            "--instrument",
            "guitar",
            "--kind",
            "scale_pattern",
            "--out",
            "e.mid",
            "--template",
        ])
        .unwrap() else {
            panic!("not an exercise command");
        };
        let (request, delivery) = args.into_request();
        assert_eq!(
            request,
            MaterialRequest::Exercise {
                topic: "major scale".into(),
                key: "D".into(),
                level: Level::Beginner,
                instrument: "guitar".into(),
                exercise_kind: Some(ExerciseKind::ScalePattern),
            }
        );
        assert_eq!(
            delivery,
            Delivery {
                out: Some(PathBuf::from("e.mid")),
                writers: WriterChoice {
                    template: true,
                    no_cache: false,
                },
            }
        );
    }

    #[test]
    fn kinds_and_levels_outside_the_windows_choices_are_clap_errors() {
        for line in [
            "exercise --topic blues --key F --kind etude",
            "assessment --topic blues --key F --kind quiz",
            "analysis --topic blues --key F --level expert",
            "lesson-plan --topic beat --grade 12",
            "lesson-plan --topic beat --grade 3 --part homework",
        ] {
            let args: Vec<&str> = line.split(' ').collect();
            let error = parse(&args).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidValue, "{args:?}");
        }
    }

    /// The request and delivery a command line of words without spaces parses to.
    fn parsed(line: &str) -> (MaterialRequest, Delivery) {
        let args: Vec<&str> = line.split(' ').collect();
        match parse(&args).unwrap() {
            Some(Command::Exercise(args)) => args.into_request(),
            Some(Command::Analysis(args)) => args.into_request(),
            Some(Command::Assessment(args)) => args.into_request(),
            Some(Command::LessonPlan(args)) => args.into_request(),
            _ => panic!("`{line}` is not a material command"),
        }
    }

    #[test]
    fn an_analysis_is_a_progression_in_a_key() {
        let (request, delivery) =
            parsed("analysis --topic gospel-2-5-1 --key Ab --level advanced --out a.rntxt");
        assert_eq!(
            request,
            MaterialRequest::TheoryAnalysis {
                topic: "gospel-2-5-1".into(),
                key: "Ab".into(),
                level: Level::Advanced,
                instrument: "piano".into(),
            }
        );
        assert_eq!(delivery.out, Some(PathBuf::from("a.rntxt")));
    }

    #[test]
    fn an_assessment_is_diagnostic_unless_another_kind_is_asked_for() {
        for (line, kind) in [
            (
                "assessment --topic blues --key F",
                AssessmentKind::Diagnostic,
            ),
            (
                "assessment --topic blues --key F --kind final",
                AssessmentKind::Final,
            ),
            (
                "assessment --topic blues --key F --assessment-kind module",
                AssessmentKind::Module,
            ),
        ] {
            let (request, _) = parsed(line);
            assert!(
                matches!(request, MaterialRequest::Assessment { assessment_kind, .. } if assessment_kind == kind),
                "{line}: {request:?}"
            );
        }
    }

    #[test]
    fn a_lesson_plan_part_takes_a_grade_a_part_and_standards_by_comma_or_repeated() {
        let Some(Command::LessonPlan(args)) = parse(&[
            "lesson-plan",
            "--topic",
            "steady beat",
            "--grade",
            "pk",
            "--part",
            "differentiation",
            "--standards",
            "MU:Cr1.1.PKa,MU:Pr4.2.PKa",
            "--standards",
            "MU:Re7.1.PKa",
            "--instrument",
            "voice",
        ])
        .unwrap() else {
            panic!("not a lesson-plan command");
        };
        let (request, _) = args.into_request();
        assert_eq!(
            request,
            MaterialRequest::LessonPlanPart {
                topic: "steady beat".into(),
                grade: "pk".into(),
                part: "differentiation".into(),
                standards: vec![
                    "MU:Cr1.1.PKa".into(),
                    "MU:Pr4.2.PKa".into(),
                    "MU:Re7.1.PKa".into()
                ],
                instrument: "voice".into(),
            }
        );
        let Some(Command::LessonPlan(args)) =
            parse(&["lesson-plan", "--topic", "steady beat", "--grade", "3"]).unwrap()
        else {
            panic!("not a lesson-plan command");
        };
        assert_eq!(args.part, "lesson_plan");
        assert!(args.standards.is_empty());
        let error = parse(&["lesson-plan", "--topic", "steady beat"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn the_choices_carry_the_names_the_documents_use() {
        // Exhaustive, so that a new kind in the library fails here until it has a choice.
        fn choice_of_exercise(kind: ExerciseKind) -> ExerciseChoice {
            match kind {
                ExerciseKind::Progression => ExerciseChoice::Progression,
                ExerciseKind::ScalePattern => ExerciseChoice::ScalePattern,
                ExerciseKind::VoicingStudy => ExerciseChoice::VoicingStudy,
                ExerciseKind::Lick => ExerciseChoice::Lick,
                ExerciseKind::Rhythm => ExerciseChoice::Rhythm,
            }
        }
        fn choice_of_assessment(kind: AssessmentKind) -> AssessmentChoice {
            match kind {
                AssessmentKind::Diagnostic => AssessmentChoice::Diagnostic,
                AssessmentKind::Milestone => AssessmentChoice::Milestone,
                AssessmentKind::Module => AssessmentChoice::Module,
                AssessmentKind::Final => AssessmentChoice::Final,
            }
        }
        for choice in ExerciseChoice::value_variants() {
            let kind = ExerciseKind::from(*choice);
            assert_eq!(choice_of_exercise(kind), *choice);
            let name = choice.to_possible_value().unwrap();
            assert_eq!(name.get_name(), kind.as_str());
        }
        for choice in AssessmentChoice::value_variants() {
            let kind = AssessmentKind::from(*choice);
            assert_eq!(choice_of_assessment(kind), *choice);
            let name = choice.to_possible_value().unwrap();
            assert_eq!(name.get_name(), kind.as_str());
        }
    }

    #[test]
    fn out_names_a_format_the_kind_has_before_anything_runs() {
        let folder = std::env::temp_dir();
        let file = |name: &str| folder.join(name);
        assert!(export_path(MaterialKind::Exercise, &file("e.mid")).is_ok());
        assert!(export_path(MaterialKind::TheoryAnalysis, &file("a.rntxt")).is_ok());
        assert!(export_path(MaterialKind::Assessment, &file("q.json")).is_ok());

        let error = export_path(MaterialKind::Assessment, &file("q.mid")).unwrap_err();
        assert!(
            error.to_string().contains("export this assessment as JSON"),
            "{error}"
        );
        let error = export_path(MaterialKind::Exercise, &file("e.rntxt")).unwrap_err();
        assert!(
            error.to_string().contains("export this exercise as JSON"),
            "{error}"
        );
        let error = export_path(MaterialKind::Exercise, &file("e.txt")).unwrap_err();
        assert!(error.to_string().contains("must end in .json"), "{error}");
        let error = export_path(MaterialKind::Exercise, &file("missing/e.json")).unwrap_err();
        assert!(error.to_string().contains("does not exist"), "{error}");
    }

    #[test]
    fn the_saved_line_names_the_id_title_writer_and_facts() {
        let created = CreatedMaterial {
            id: 4,
            kind: MaterialKind::TheoryAnalysis,
            title: "Gospel ii-V-I in Ab".into(),
            generator: "template".into(),
            cached: false,
            checked: 18,
            repaired: 0,
        };
        assert_eq!(
            saved_line(&created),
            "saved theory analysis 4 “Gospel ii-V-I in Ab” to the library (template generator; \
             18 musical facts checked, 0 repaired by the theory engine)"
        );
        let by_model = CreatedMaterial {
            generator: "qwen2.5-7b".into(),
            repaired: 2,
            ..created
        };
        assert!(
            saved_line(&by_model)
                .contains("(written by qwen2.5-7b; 18 musical facts checked, 2 repaired")
        );
        let from_cache = CreatedMaterial {
            cached: true,
            ..by_model
        };
        assert!(saved_line(&from_cache).contains("(qwen2.5-7b's answer from the response cache;"));
    }
}
