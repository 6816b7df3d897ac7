//! Crash safety: a writer process killed with SIGKILL in the middle of a transaction leaves
//! the database consistent, with every earlier commit intact and nothing of the killed one.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use cadence::Store;
use cadence::store::curricula;

fn spawn_writer(db: &std::path::Path, args: &[&str]) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(cadence_tests::store_writer_bin())
        .arg(db)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn store-writer");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

fn kill(child: &mut Child) {
    // Child::kill sends SIGKILL on Unix: no destructor, no rollback, no checkpoint runs.
    child.kill().expect("kill store-writer");
    child.wait().unwrap();
}

fn assert_consistent(store: &Store) {
    let report = store.check().unwrap();
    assert!(report.is_healthy(), "{report:?}");
}

#[test]
fn kill_inside_an_open_transaction_keeps_earlier_commits_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cadence.sqlite3");
    let (mut child, mut stdout) = spawn_writer(&db, &["hold", "3"]);
    let mut committed = Vec::new();
    for line in stdout.by_ref().lines() {
        let line = line.unwrap();
        if line == "in-transaction" {
            break;
        }
        committed.push(
            line.strip_prefix("committed ")
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        );
    }
    assert_eq!(committed.len(), 3);
    kill(&mut child);

    let store = Store::open(&db).unwrap();
    assert_consistent(&store);
    let ids: Vec<i64> = store
        .read(curricula::list)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .rev()
        .collect();
    assert_eq!(ids, committed, "exactly the committed curricula survive");
    for id in committed {
        let tree = store.read(|c| curricula::get(c, id)).unwrap().unwrap();
        assert_eq!(tree.modules.len(), 4);
        assert!(tree.modules.iter().all(|m| m.lessons.len() == 5));
    }
    let modules: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM modules", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(modules, 12, "no module of the killed transaction remains");
    // The store stays writable after recovery.
    store
        .write(|tx| {
            tx.execute("DELETE FROM curricula WHERE id = 1", [])
                .map_err(Into::into)
        })
        .unwrap();
}

#[test]
fn repeated_kills_during_heavy_writes_never_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cadence.sqlite3");
    let mut committed_total = 0usize;
    for round in 0..4u64 {
        let (mut child, mut stdout) = spawn_writer(&db, &["churn"]);
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with("committed "), "{line}");
        // Kill at a different point of the next transaction each round.
        std::thread::sleep(Duration::from_millis(3 + round * 7));
        kill(&mut child);
        let rest: Vec<String> = stdout.lines().map_while(Result::ok).collect();
        let acknowledged = 1 + rest.len();

        let store = Store::open(&db).unwrap();
        assert_consistent(&store);
        let list = store.read(curricula::list).unwrap();
        // Every acknowledged commit survives; at most the one in flight may also have landed.
        assert!(
            list.len() >= committed_total + acknowledged,
            "round {round}: lost commits"
        );
        assert!(
            list.len() <= committed_total + acknowledged + 1,
            "round {round}: phantom rows"
        );
        for summary in &list {
            assert_eq!(
                (summary.module_count, summary.lesson_count),
                (12, 480),
                "partial curriculum {summary:?}"
            );
        }
        committed_total = list.len();
    }
}
