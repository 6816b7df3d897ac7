//! Writes to a Cadence database until it is killed; the crash-safety suite kills it.
//!
//! `store-writer <db> hold <committed>`: commits `committed` curricula, then opens a
//! transaction, inserts one more, prints `in-transaction` and waits forever.
//! `store-writer <db> churn`: commits large curricula in a loop, printing each id.

use std::io::Write;
use std::path::Path;

use cadence::Store;
use cadence::store::{ExerciseKind, NewCurriculum, NewExercise, NewLesson, NewModule, curricula};

fn curriculum(index: usize, modules: usize, lessons: usize) -> NewCurriculum {
    NewCurriculum {
        title: format!("Curriculum {index}"),
        instrument: "piano".into(),
        level: "intermediate".into(),
        duration_weeks: modules as u32,
        description: "written by the crash-safety suite".into(),
        modules: (0..modules)
            .map(|m| NewModule {
                title: format!("Module {m}"),
                week_start: m as u32 + 1,
                week_end: m as u32 + 1,
                lessons: (0..lessons)
                    .map(|l| NewLesson {
                        title: format!("Lesson {m}.{l}"),
                        topic: None,
                        music_key: None,
                        concepts: vec!["ii-V-I".into()],
                        difficulty: "intermediate".into(),
                        duration_minutes: 30,
                        prerequisites: Vec::new(),
                        exercises: vec![NewExercise {
                            kind: ExerciseKind::Progression,
                            title: format!("Exercise {m}.{l}"),
                            difficulty: "intermediate".into(),
                            content: serde_json::json!({ "numerals": ["ii7", "V7", "Imaj7"], "key": "C" }),
                        }],
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), Some(mode)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: store-writer <db> hold <committed> | churn");
        std::process::exit(2);
    };
    let store = Store::open(Path::new(db)).expect("open the store");
    let mut out = std::io::stdout().lock();
    match mode.as_str() {
        "hold" => {
            let committed: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3);
            for index in 0..committed {
                let id = store
                    .write(|tx| curricula::insert(tx, &curriculum(index, 4, 5)))
                    .expect("commit");
                writeln!(out, "committed {id}").unwrap();
            }
            let _never: Result<(), _> = store.write(|tx| {
                curricula::insert(tx, &curriculum(committed, 4, 5))?;
                writeln!(out, "in-transaction").unwrap();
                out.flush().unwrap();
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            });
        }
        "churn" => {
            for index in 0.. {
                let id = store
                    .write(|tx| curricula::insert(tx, &curriculum(index, 12, 40)))
                    .expect("commit");
                writeln!(out, "committed {id}").unwrap();
                out.flush().unwrap();
            }
        }
        other => {
            eprintln!("unknown mode `{other}`; use hold or churn");
            std::process::exit(2);
        }
    }
}
