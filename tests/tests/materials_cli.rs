//! `cadence exercise`, `analysis`, `assessment` and `lesson-plan` through the real binary on
//! a fresh install (no model, so the template generator writes): each kind is stored, its
//! `--out` file imports back, and a bad request is refused with nothing stored.

use std::path::Path;

use cadence::content::export::{
    import_assessment, import_exercise, import_lesson_plan, import_theory_analysis, read_midi_notes,
};
use cadence::content::{AssessmentKind, ExerciseKind, Level};
use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::cadence;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(home: &Path, args: &[&str]) -> Run {
    let output = cadence(home).args(args).output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command that must succeed and returns what it printed on standard output.
fn made(home: &Path, args: &[&str]) -> String {
    let run = run(home, args);
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    run.stdout
}

fn stored_materials(home: &Path) -> usize {
    let studio = Studio::new(AppPaths::at(home), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    studio.list_materials(&store, "").unwrap().len()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn every_kind_is_made_saved_and_written_to_a_file_that_imports() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name);

    let exercise_json = file("voicings.json");
    let stdout = made(
        home.path(),
        &[
            "exercise",
            "--topic",
            "ii-V-I",
            "--key",
            "Eb",
            "--kind",
            "voicing_study",
            "--out",
            path_arg(&exercise_json),
        ],
    );
    assert!(
        stdout.starts_with("saved exercise 1 “")
            && stdout.contains("to the library (template generator; ")
            && stdout.contains(" musical facts checked, 0 repaired by the theory engine)"),
        "{stdout}"
    );
    let (exercise, _) = import_exercise(&std::fs::read_to_string(&exercise_json).unwrap())
        .expect("the exercise imports");
    assert_eq!(exercise.kind, ExerciseKind::VoicingStudy);
    assert_eq!(exercise.music.key, "Eb major");
    assert_eq!(exercise.difficulty, Level::Intermediate);
    assert!(
        stdout.contains(&format!("“{}”", exercise.title)),
        "{stdout}"
    );

    let exercise_midi = file("scale.mid");
    made(
        home.path(),
        &[
            "exercise",
            "--topic",
            "major scale",
            "--key",
            "D",
            "--level",
            "beginner",
            "--out",
            path_arg(&exercise_midi),
        ],
    );
    let notes = read_midi_notes(&std::fs::read(&exercise_midi).unwrap()).unwrap();
    assert!(!notes.is_empty(), "the MIDI file has no notes");

    let analysis_json = file("gospel.json");
    let stdout = made(
        home.path(),
        &[
            "analysis",
            "--topic",
            "gospel-2-5-1",
            "--key",
            "Ab",
            "--level",
            "advanced",
            "--out",
            path_arg(&analysis_json),
        ],
    );
    assert!(stdout.starts_with("saved theory analysis 3 “"), "{stdout}");
    let (analysis, _) = import_theory_analysis(&std::fs::read_to_string(&analysis_json).unwrap())
        .expect("the analysis imports");
    assert_eq!(analysis.music.key, "Ab major");
    assert!(!analysis.functions.is_empty());

    let assessment_json = file("quiz.json");
    let stdout = made(
        home.path(),
        &[
            "assessment",
            "--topic",
            "major scale",
            "--key",
            "D",
            "--level",
            "beginner",
            "--kind",
            "milestone",
            "--out",
            path_arg(&assessment_json),
        ],
    );
    assert!(stdout.starts_with("saved assessment 4 “"), "{stdout}");
    let (assessment, _) = import_assessment(&std::fs::read_to_string(&assessment_json).unwrap())
        .expect("the assessment imports");
    assert_eq!(assessment.kind, AssessmentKind::Milestone);
    assert!(!assessment.questions.is_empty());

    let plan_json = file("plan.json");
    let stdout = made(
        home.path(),
        &[
            "lesson-plan",
            "--topic",
            "steady beat",
            "--grade",
            "3",
            "--part",
            "differentiation",
            "--standards",
            "MU:Pr4.2.3a",
            "--instrument",
            "voice",
            "--out",
            path_arg(&plan_json),
        ],
    );
    assert!(stdout.starts_with("saved lesson-plan part 5 “"), "{stdout}");
    let (plan, _) = import_lesson_plan(&std::fs::read_to_string(&plan_json).unwrap())
        .expect("the lesson-plan part imports");
    assert_eq!(plan.grade, "3");
    assert_eq!(plan.standards, ["MU:Pr4.2.3a"]);

    assert_eq!(stored_materials(home.path()), 5);
}

#[test]
fn a_bad_request_is_refused_with_what_to_do_and_stores_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("refused.json");

    // Choices the window does not offer are clap's to refuse, with the ones it does.
    let refused = run(
        home.path(),
        &[
            "exercise", "--topic", "blues", "--key", "F", "--kind", "etude",
        ],
    );
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("invalid value 'etude'")
            && refused.stderr.contains("scale_pattern"),
        "{}",
        refused.stderr
    );

    // Requests the studio cannot make: its own error, a failing exit, and no --out file.
    let out_arg = path_arg(&out);
    let midi = home.path().join("quiz.mid");
    let long_topic = "a".repeat(65);
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "exercise",
                "--topic",
                "major scale",
                "--key",
                "D",
                "--kind",
                "lick",
                "--out",
                out_arg,
            ],
            "there is no lick exercise for major scale; choose one of: scale pattern, progression",
        ),
        (
            &[
                "analysis",
                "--topic",
                &long_topic,
                "--key",
                "C",
                "--out",
                out_arg,
            ],
            "the topic must have 1 to 64 characters",
        ),
        (
            &[
                "lesson-plan",
                "--topic",
                "steady beat",
                "--grade",
                "3",
                "--standards",
                "MU:Pr4.2.5a",
                "--out",
                out_arg,
            ],
            "`MU:Pr4.2.5a` is a grade 5 standard, not grade 3",
        ),
        (
            &[
                "assessment",
                "--topic",
                "ii-V-I",
                "--key",
                "C",
                "--out",
                path_arg(&midi),
            ],
            "export this assessment as JSON",
        ),
    ];
    for (args, expected) in cases {
        let refused = run(home.path(), args);
        assert_eq!(refused.code, Some(1), "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.starts_with("error: ") && refused.stderr.contains(expected),
            "{args:?}: {}",
            refused.stderr
        );
        assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    }
    assert!(!out.exists(), "a refused request wrote its --out file");
    assert!(!midi.exists());
    assert_eq!(stored_materials(home.path()), 0);
}
