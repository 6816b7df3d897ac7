// Every command the window registers, called through the real IPC
// (window.__TAURI_INTERNALS__.invoke) with hostile arguments: oversized strings, negative,
// huge and non-finite numbers, wrong types, missing arguments, unknown ids and commands the
// capability does not grant. Each call must be refused with a message (a rejected promise),
// the window must keep answering, and nothing may be stored or written.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The oversized string: several megabytes, built in the page. */
const BIG_CHARS = 8 << 20;
/** The largest double below 2^63: it reaches Rust as an i64 (2^63 itself does not fit). */
const NEAR_I64_MAX = 9223372036854774784;
/** i64::MAX as JavaScript writes it (rounded to 2^63, one past what an i64 holds). */
const I64_MAX = 9223372036854775807;
/** An id no library holds. */
const UNKNOWN_ID = 987654321;
/** A refusal longer than this would bury its sentence (e.g. by quoting the input back). */
const MAX_MESSAGE_CHARS = 2000;
/**
 * Tauri's own refusals of arguments that do not deserialize, before any of Cadence's code
 * runs; serde quotes the value it could not take, however long.
 */
const TAURI_ARGUMENT_ERROR = /^(invalid args `\w+` for command `\w+`|invalid channel value)/;

const BIG = "$BIG";
const CHANNEL = "$CHANNEL";
const repeat = (value, times) => ({ $repeat: value, times });

const ID_HOSTILES = [-1, 0, UNKNOWN_ID, NEAR_I64_MAX, -NEAR_I64_MAX, I64_MAX, 1e308, -1e308, 1.5, "$NAN", "$INFINITY", "1", BIG, null, {}, [1], true];
const COUNT_HOSTILES = [-1, 0, 4294967295, 4294967296, NEAR_I64_MAX, 1e308, 1.5, "$NAN", "4", BIG, null, {}];
const STRING_HOSTILES = [BIG, 42, 1e308, {}, [], null, true];
const BOOL_HOSTILES = ["yes", 1, null, {}, BIG];
const CHANNEL_HOSTILES = [BIG, "__CHANNEL__:not-a-number", 42, null, {}];

/** The page's side of one call: swaps the markers for their values and reports the outcome. */
const CALL_IN_PAGE = `
const [command, args, bigChars, done] = arguments;
const big = "x".repeat(bigChars);
const swap = (value) => {
  if (value === "$BIG") return big;
  if (value === "$CHANNEL") return "__CHANNEL__:" + window.__TAURI_INTERNALS__.transformCallback(() => {});
  if (value === "$NAN") return NaN;
  if (value === "$INFINITY") return Infinity;
  if (Array.isArray(value)) return value.map(swap);
  if (value && typeof value === "object") {
    if ("$repeat" in value) return Array(value.times).fill(swap(value.$repeat));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
  }
  return value;
};
const noAnswer = new Promise((resolve) => setTimeout(() => resolve({ outcome: "no answer in 60 s" }), 60000));
const call = Promise.resolve()
  .then(() => window.__TAURI_INTERNALS__.invoke(command, swap(args)))
  .then(
    (value) => ({ outcome: "resolved", value: value ?? null }),
    (error) => {
      const message = typeof error === "string" ? error : String(error?.message ?? error);
      return { outcome: "rejected", message: message.slice(0, 400), length: message.length };
    },
  );
Promise.race([call, noAnswer]).then(done);
`;

async function invoke(driver, command, args) {
  return driver.executeAsync(CALL_IN_PAGE, [command, args, BIG_CHARS]);
}

/** A harmless read the suite needs (ids to aim at); it must succeed. */
export async function read(driver, command, args = {}) {
  const result = await invoke(driver, command, args);
  if (result.outcome !== "resolved") throw new Error(`${command} failed: ${result.message ?? result.outcome}`);
  return result.value;
}

/** The commands src-tauri registers with the window (its generate_handler! list). */
function registeredCommands(root) {
  const source = readFileSync(join(root, "src-tauri/src/lib.rs"), "utf8");
  const list = source.match(/generate_handler!\[([^\]]*)\]/);
  if (!list) throw new Error("src-tauri/src/lib.rs has no generate_handler! list");
  return list[1].split(",").map((name) => name.trim()).filter(Boolean);
}

/** Commands not called, with why. */
const NOT_CALLED = {
  // It opens the system's print dialog, which WebDriver cannot close.
  print_page: "opens the system's print dialog",
};

/** `base` with `field` set to each of `values`, labelled by what was sent. */
function vary(base, field, values) {
  return values.map((value) => ({ args: { ...base, [field]: value }, label: `${field}=${describe(value)}` }));
}

/** `base` without each of its fields in turn, and with none at all. */
function missing(base) {
  const fields = Object.keys(base);
  return [
    { args: {}, label: "no arguments" },
    ...fields.map((field) => {
      const args = { ...base };
      delete args[field];
      return { args, label: `without ${field}` };
    }),
  ];
}

/** Every field of `base` made hostile in turn, plus the missing ones. */
function hostileFields(base, hostiles) {
  return [...Object.entries(hostiles).flatMap(([field, values]) => vary(base, field, values)), ...missing(base)];
}

function describe(value) {
  const text = JSON.stringify(value) ?? String(value);
  if (text === '"$BIG"') return `${BIG_CHARS >> 20} MiB string`;
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The ids the hostile calls aim at: real ones, so that only the hostile argument is wrong. */
async function libraryIds(driver, home) {
  const tutorials = await read(driver, "list_tutorials", { query: "" });
  const materials = await read(driver, "list_materials", { query: "" });
  const curricula = await read(driver, "list_curricula");
  const students = await read(driver, "list_students");
  const assessment = materials.find((m) => m.kind === "assessment");
  const exercise = materials.find((m) => m.kind === "exercise");
  const item = query(home, "SELECT id FROM practice_items ORDER BY id LIMIT 1")[0]?.[0];
  if (!tutorials.length || !curricula.length || !students.length || !assessment || !exercise || item === undefined) {
    throw new Error("the hostile calls need a tutorial, a curriculum, a student with practice items, an exercise and an assessment in the library");
  }
  const curriculum = await read(driver, "open_curriculum", { id: curricula[0].id });
  const opened = await read(driver, "open_tutorial", { id: tutorials[0].id });
  const lessons = curriculum.modules.flatMap((module) => module.lessons);
  return {
    tutorial: tutorials[0].id,
    tutorialDocument: opened.tutorial,
    material: materials[0].id,
    assessment: assessment.id,
    exercise: exercise.id,
    curriculum: curriculum.id,
    // The curriculum's own words: an edit of them that is valid but for one hostile part.
    curriculumTexts: {
      title: curriculum.title,
      description: curriculum.description,
      module_titles: curriculum.modules.map((module) => module.title),
      lessons: lessons.map(({ id, title }) => ({ id, title })),
    },
    lesson: lessons[0].id,
    student: students[0].id,
    item,
  };
}

/** The calls, by command. */
function hostileCases(ids, exportDir, root) {
  const out = (name) => join(exportDir, name);
  const analysis = join(root, "crates/theory/tests/fixtures/analysis.rntxt");
  const idOnly = () => hostileFields({ id: UNKNOWN_ID }, { id: ID_HOSTILES });
  const paths = [BIG, `${exportDir}/../hostile-escape.json`, "relative-hostile.json", "", "/", out("no-such-folder/x.json"), `/${"d/".repeat(3000)}x.json`, 42, {}, null];
  const doc = ids.tutorialDocument;
  // A tutorial that is real but for one oversized part.
  const swollen = [
    { ...doc, title: BIG },
    { ...doc, theory: { ...doc.theory, summary: BIG } },
    { ...doc, next_steps: { ...doc.next_steps, advice: BIG } },
    { ...doc, overview: { ...doc.overview, what_you_will_learn: repeat("a point", 200000) } },
  ];
  const coach = { history: [], question: "How do I practise this?", level: "beginner", instrument: "piano", tutorialId: null, onDelta: CHANNEL };
  const exercise = { kind: "exercise", topic: "ii-V-I", key: "Eb major", level: "intermediate", instrument: "piano", exercise_kind: null };
  const settings = { network_allowed: false, monthly_budget_usd: 7.5, device: "auto", models_folder: null };
  const texts = ids.curriculumTexts;
  // Commands with no arguments: junk arguments are ignored, and each does its harmless work.
  const noArguments = [
    { args: { junk: BIG, id: -1 }, label: "junk arguments", expect: "answer" },
    { args: [1, 2, 3], label: "an array for arguments", expect: "answer" },
  ];
  return {
    app_info: noArguments,
    list_models: noArguments,
    cancel_generation: noArguments,
    cancel_coach: noArguments,
    list_curricula: noArguments,
    trashed_curricula: noArguments,
    coach_status: noArguments,
    get_settings: noArguments,
    budget_status: noArguments,
    list_students: noArguments,
    midi_inputs: noArguments,
    stop_midi: noArguments,
    // The suite's window reaches no keychain (its D-Bus session address leads nowhere), so
    // forgetting is refused with why, and a user's own key is never touched.
    forget_gemini_key: noArguments,
    cancel_download: [
      // A download that is not running has nothing to cancel: the call does nothing.
      { args: { id: BIG }, label: "id=8 MiB string", expect: "answer" },
      ...hostileFields({ id: "no-such-model" }, { id: STRING_HOSTILES.filter((v) => v !== BIG) }),
    ],
    download_model: hostileFields({ id: "no-such-model", onProgress: CHANNEL }, { id: [...STRING_HOSTILES, "../../etc/passwd", "phi-3.5-mini/../x"], onProgress: CHANNEL_HOSTILES }),
    plan_generation: hostileFields({ kind: "tutorial" }, { kind: [...STRING_HOSTILES, "curriculum2", ""] }),
    create_tutorial: hostileFields(
      { topic: "ii-V-I", key: "Eb major", level: "intermediate", instrument: "piano", afresh: false, onProgress: CHANNEL },
      {
        topic: [...STRING_HOSTILES, "", "t".repeat(65)],
        key: [...STRING_HOSTILES, "H# major", "k".repeat(65)],
        level: [...STRING_HOSTILES, "grandmaster"],
        instrument: [...STRING_HOSTILES, ""],
        afresh: BOOL_HOSTILES,
        onProgress: CHANNEL_HOSTILES,
      },
    ),
    create_material: hostileFields(
      { request: exercise, afresh: false, onProgress: CHANNEL },
      {
        request: [
          ...STRING_HOSTILES,
          { ...exercise, kind: "sonata" },
          { ...exercise, topic: BIG },
          { ...exercise, key: BIG },
          { ...exercise, instrument: BIG },
          { ...exercise, level: "grandmaster" },
          { ...exercise, exercise_kind: "juggling" },
          { kind: "lesson_plan_part", topic: "steady beat", grade: "3", part: "differentiation", standards: repeat("MU:Pr4.2.3a", 100000), instrument: "voice" },
          { kind: "lesson_plan_part", topic: "steady beat", grade: BIG, part: "differentiation", standards: [], instrument: "voice" },
          { kind: "assessment", topic: "major scale", key: "D major", level: "beginner", instrument: "piano", assessment_kind: -1 },
        ],
        afresh: BOOL_HOSTILES,
        onProgress: CHANNEL_HOSTILES,
      },
    ),
    create_curriculum: hostileFields(
      { key: "C major", level: "beginner", weeks: 4, instrument: "piano", goal: "", onProgress: CHANNEL },
      {
        key: [...STRING_HOSTILES, "Z major"],
        level: [...STRING_HOSTILES, "grandmaster"],
        weeks: COUNT_HOSTILES,
        instrument: [...STRING_HOSTILES, ""],
        goal: [...STRING_HOSTILES, "g".repeat(201)],
        onProgress: CHANNEL_HOSTILES,
      },
    ),
    finish_curriculum: hostileFields({ id: UNKNOWN_ID, onProgress: CHANNEL }, { id: ID_HOSTILES, onProgress: CHANNEL_HOSTILES }),
    list_tutorials: hostileFields({ query: "" }, { query: [...STRING_HOSTILES, "q".repeat(201)] }),
    list_materials: hostileFields({ query: "" }, { query: [...STRING_HOSTILES, "q".repeat(201)] }),
    open_tutorial: idOnly(),
    open_material: idOnly(),
    open_curriculum: idOnly(),
    delete_tutorial: idOnly(),
    delete_material: idOnly(),
    delete_curriculum: idOnly(),
    restore_curriculum: [
      ...idOnly(),
      // A curriculum that is not in the trash cannot be restored.
      { args: { id: ids.curriculum }, label: "a curriculum not in the trash" },
    ],
    rename_tutorial: hostileFields({ id: ids.tutorial, title: "A hostile rename" }, { id: ID_HOSTILES, title: [...STRING_HOSTILES, "", "   ", "t".repeat(201)] }),
    rename_material: hostileFields({ id: ids.material, title: "A hostile rename" }, { id: ID_HOSTILES, title: [...STRING_HOSTILES, "", "   ", "t".repeat(201)] }),
    rename_curriculum: hostileFields({ id: ids.curriculum, title: "A hostile rename" }, { id: ID_HOSTILES, title: [...STRING_HOSTILES, "", "   ", "t".repeat(201)] }),
    restore_tutorial: hostileFields(
      { deleted: { title: "Restored", document: {} } },
      {
        deleted: [
          ...STRING_HOSTILES,
          { title: BIG, document: doc },
          { title: "Restored", document: BIG },
          { title: "", document: doc },
          ...swollen.map((document) => ({ title: "Restored", document })),
          { title: "Restored", document: { ...doc, schema_version: 99 } },
        ],
      },
    ),
    edit_document: hostileFields(
      { target: "tutorial", id: ids.tutorial, document: doc },
      {
        target: [...STRING_HOSTILES, "curriculum"],
        id: ID_HOSTILES,
        document: [...STRING_HOSTILES, ...swollen],
      },
    ),
    document_history: hostileFields({ target: "tutorial", id: UNKNOWN_ID }, { target: [...STRING_HOSTILES, "curriculum"], id: ID_HOSTILES }),
    undo_edit: hostileFields({ target: "tutorial", id: UNKNOWN_ID }, { target: [...STRING_HOSTILES, "curriculum"], id: ID_HOSTILES }),
    edit_curriculum_texts: hostileFields(
      { id: ids.curriculum, texts },
      {
        id: ID_HOSTILES,
        texts: [
          ...STRING_HOSTILES,
          { ...texts, title: BIG },
          { ...texts, title: "" },
          { ...texts, description: BIG },
          { ...texts, module_titles: [BIG] },
          { ...texts, module_titles: repeat("A module", 200000) },
          { ...texts, lessons: [{ id: ids.lesson, title: BIG }] },
          { ...texts, lessons: [{ id: -1, title: "x" }] },
          { ...texts, lessons: repeat({ id: ids.lesson, title: "x" }, 200000) },
        ],
      },
    ),
    move_lesson: hostileFields(
      { id: ids.curriculum, lesson: UNKNOWN_ID, to: { module: 0, position: 0 } },
      {
        id: ID_HOSTILES,
        lesson: ID_HOSTILES,
        to: [...STRING_HOSTILES, { module: -1, position: 0 }, { module: 0, position: -1 }, { module: 4294967296, position: 0 }, { module: 0, position: 1e308 }],
      },
    ).concat(
      // A real lesson, a module the curriculum does not have. (A place past a module's end
      // is its end, as the store documents.)
      vary({ id: ids.curriculum, lesson: ids.lesson, to: { module: 0, position: 0 } }, "to", [{ module: 4294967295, position: 0 }, { module: 0 }, { position: 0 }]),
    ),
    export_tutorial: hostileFields(
      { id: ids.tutorial, path: out("hostile-tutorial.json"), tempoBpm: 80 },
      { id: ID_HOSTILES, path: paths, tempoBpm: COUNT_HOSTILES },
    ),
    export_curriculum: hostileFields({ id: ids.curriculum, path: out("hostile-curriculum.json") }, { id: ID_HOSTILES, path: paths }),
    export_material: hostileFields({ id: ids.material, path: out("hostile-material.json") }, { id: ID_HOSTILES, path: paths }),
    export_student_record: hostileFields({ student: ids.student, path: out("hostile-record.json") }, { student: ID_HOSTILES, path: paths }),
    import_document: hostileFields({ path: out("no-such-file.json") }, { path: [...paths, "/dev/zero", out("oversized.json"), exportDir] }),
    import_romantext: hostileFields(
      { path: analysis, measures: "18-24" },
      { path: [...paths, "/dev/zero", out("oversized.json")], measures: [BIG, "0-0", "24-18", "-5", "99999999999999999999-1", "1-99999", 42, {}] },
    ),
    add_student: hostileFields(
      { name: "Hostile", level: "beginner", instrument: "piano" },
      // (An empty instrument is the default, piano.)
      { name: [...STRING_HOSTILES, "", "   ", "n".repeat(201)], level: [...STRING_HOSTILES, "grandmaster"], instrument: STRING_HOSTILES },
    ),
    assign_practice: hostileFields(
      { student: ids.student, what: { kind: "tutorial", id: ids.tutorial }, passThreshold: 0.8 },
      {
        student: ID_HOSTILES,
        what: [...STRING_HOSTILES, { kind: "tutorial", id: UNKNOWN_ID }, { kind: "curriculum", id: -1 }, { kind: "lesson", id: ids.lesson }, { kind: "tutorial" }, { kind: "tutorial", id: NEAR_I64_MAX }],
        passThreshold: [0, -1, 1.5, 1e308, -1e308, NEAR_I64_MAX, "0.8", BIG, {}],
      },
    ).filter((c) => c.label !== "without passThreshold"),
    practice_today: hostileFields({ student: UNKNOWN_ID }, { student: ID_HOSTILES }),
    answer_practice: hostileFields(
      { student: ids.student, item: ids.item, answer: "C E G" },
      { student: ID_HOSTILES, item: ID_HOSTILES, answer: [...STRING_HOSTILES, "a".repeat(201)] },
    ),
    answer_played: hostileFields(
      { student: ids.student, item: ids.item, keys: [60, 64, 67] },
      { student: ID_HOSTILES, item: ID_HOSTILES, keys: [[300], [-1], ["C4"], [1.5], repeat(60, 1000000), BIG, null, {}] },
    ),
    take_assessment: hostileFields(
      { material: ids.assessment, student: ids.student, answers: ["D F# A"] },
      {
        material: ID_HOSTILES,
        student: ID_HOSTILES,
        // (No answers at all is a test handed in blank, scored as such.)
        answers: [BIG, 42, {}, null, true, [BIG], repeat("D F# A", 200000), [42], [null]],
      },
    ).concat([{ args: { material: ids.exercise, student: ids.student, answers: ["D F# A"] }, label: "a material that is not an assessment" }]),
    listen_midi: hostileFields({ name: "No such keyboard", onKey: CHANNEL }, { name: STRING_HOSTILES, onKey: CHANNEL_HOSTILES }),
    student_progress: hostileFields(
      { student: ids.student, utcOffsetMinutes: 0 },
      { student: ID_HOSTILES, utcOffsetMinutes: [NEAR_I64_MAX, -NEAR_I64_MAX, I64_MAX, 1e308, 100000, -100000, 1.5, "60", BIG, null] },
    ),
    save_settings: hostileFields(
      { settings },
      {
        // (A settings object missing fields takes their defaults, as settings.json is read.)
        settings: [
          BIG,
          42,
          null,
          true,
          { ...settings, monthly_budget_usd: -1 },
          { ...settings, monthly_budget_usd: 1e308 },
          { ...settings, monthly_budget_usd: NEAR_I64_MAX },
          { ...settings, monthly_budget_usd: "$NAN" },
          { ...settings, monthly_budget_usd: "5" },
          { ...settings, network_allowed: "yes" },
          { ...settings, device: "quantum" },
          { ...settings, device: BIG },
          { ...settings, models_folder: BIG },
          { ...settings, models_folder: "relative/models" },
          { ...settings, models_folder: 42 },
          { ...settings, colour: "red" },
        ],
      },
    ),
    set_gemini_key: hostileFields({ key: "" }, { key: [...STRING_HOSTILES, "", "two words", "k".repeat(201), "ключ"] }),
    usage_report: hostileFields({ month: "2026-01" }, { month: [BIG, 42, {}, [], true, "9999-99", "2026-13", "0000-00", "-1", "2026-1"] }).filter((c) => c.label !== "without month" && c.label !== "no arguments"),
    budget_status: noArguments,
    ask_coach: hostileFields(coach, {
      history: [BIG, 42, null, [{ speaker: "student", text: BIG }], [{ speaker: "robot", text: "hi" }], repeat({ speaker: "student", text: "hi" }, 201)],
      question: [...STRING_HOSTILES, "q".repeat(2001)],
      level: [...STRING_HOSTILES, "grandmaster"],
      instrument: [...STRING_HOSTILES, ""],
      tutorialId: [-1, UNKNOWN_ID, NEAR_I64_MAX, 1e308, "1", BIG, {}],
      onDelta: CHANNEL_HOSTILES,
    }).filter((c) => c.label !== "without tutorialId"),
  };
}

/** Calls the window may not make at all: commands no one registered or granted. */
const UNGRANTED = [
  { command: "no_such_command", args: {} },
  { command: "plugin:fs|read_text_file", args: { path: "/etc/passwd" } },
  { command: "plugin:shell|open", args: { path: "https://example.com" } },
  { command: "plugin:http|fetch", args: { clientConfig: { url: "https://example.com", method: "GET" } } },
  { command: "plugin:dialog|message", args: { message: "hostile" } },
  { command: "plugin:window|set_title", args: { label: "main", value: "hostile" } },
  { command: "plugin:webview|internal_toggle_devtools", args: {} },
];

/** Rows of a query on the library's SQLite file, read with Python's sqlite3 (which every machine that runs the suite has). */
function query(home, sql) {
  const script = `import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(json.dumps([list(row) for row in db.execute(sys.argv[2])], default=lambda blob: blob.hex()))`;
  const read = spawnSync("python3", ["-c", script, join(home, "cadence.sqlite3"), sql], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (read.status !== 0) throw new Error(`reading the library failed: ${read.stderr || read.error}`);
  return JSON.parse(read.stdout);
}

/**
 * What the data folder and the export folder hold: every table's rows (their count and a
 * digest), settings.json, and the files in both folders.
 */
function snapshot(home, exportDir) {
  const tables = {};
  for (const [table] of query(home, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    const rows = query(home, `SELECT * FROM "${table}"`).map((row) => JSON.stringify(row)).sort();
    tables[table] = [rows.length, createHash("sha256").update(rows.join("\n")).digest("hex")];
  }
  const settingsFile = join(home, "settings.json");
  const files = (dir) => (existsSync(dir) ? readdirSync(dir).filter((name) => !/-(wal|shm|journal)$/.test(name) && !name.startsWith("xdg-")).sort() : []);
  return {
    tables,
    settings: existsSync(settingsFile) ? createHash("sha256").update(readFileSync(settingsFile)).digest("hex") : null,
    dataFiles: files(home),
    exportFiles: files(exportDir),
  };
}

/** What differs between two snapshots, in words. */
function differences(before, after) {
  const found = [];
  for (const table of new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])) {
    const [was, is] = [before.tables[table], after.tables[table]];
    if (JSON.stringify(was) !== JSON.stringify(is)) found.push(`table ${table}: ${was?.[0]} rows before, ${is?.[0]} after${was?.[0] === is?.[0] ? " (rows changed)" : ""}`);
  }
  if (before.settings !== after.settings) found.push("settings.json changed");
  for (const key of ["dataFiles", "exportFiles"]) {
    const added = after[key].filter((name) => !before[key].includes(name));
    const removed = before[key].filter((name) => !after[key].includes(name));
    if (added.length || removed.length) found.push(`${key}: added ${added.join(", ") || "nothing"}, removed ${removed.join(", ") || "nothing"}`);
  }
  return found;
}

/** What was wrong with one call's outcome, or null. */
function verdict(result, expect) {
  if (result.outcome !== "resolved" && result.outcome !== "rejected") return result.outcome;
  if (expect === "answer") return null;
  if (result.outcome === "resolved") {
    // An edit is answered with the problems that refuse it, for the editor to show by field.
    const problems = result.value?.outcome === "refused" ? result.value.problems : [];
    if (problems.length && problems.every((p) => p.message.trim() && p.message.length <= MAX_MESSAGE_CHARS)) return null;
    return `it was accepted (${JSON.stringify(result.value).slice(0, 120)})`;
  }
  if (!result.message.trim()) return "it was refused with no message";
  if (result.length > MAX_MESSAGE_CHARS && !TAURI_ARGUMENT_ERROR.test(result.message)) return `its refusal is ${result.length} characters long (“${result.message.slice(0, 100)}…”)`;
  if (/panicked|RUST_BACKTRACE/.test(result.message)) return `it panicked (${result.message.slice(0, 200)})`;
  return null;
}

/**
 * Calls every registered command with hostile arguments in the running window and checks
 * that each is refused, that the window still answers, and that nothing was stored.
 * Returns how many hostile calls were made.
 */
export async function hostileCalls(driver, { check, home, exportDir, root }) {
  await driver.scriptTimeout(180000);
  // A file over the import limit (1 MiB), for the imports to refuse.
  writeFileSync(join(exportDir, "oversized.json"), `{"title": "${"x".repeat(2 << 20)}"}`);
  const ids = await libraryIds(driver, home);
  const cases = hostileCases(ids, exportDir, root);
  const registered = registeredCommands(root);
  const uncovered = registered.filter((command) => !(command in cases) && !(command in NOT_CALLED));
  const unknown = Object.keys(cases).filter((command) => !registered.includes(command));
  check(uncovered.length === 0 && unknown.length === 0, `every registered command has hostile calls (${registered.length} commands; not called: ${Object.entries(NOT_CALLED).map(([c, why]) => `${c}, which ${why}`).join("; ")}${uncovered.length ? `; MISSING: ${uncovered.join(", ")}` : ""}${unknown.length ? `; NOT REGISTERED: ${unknown.join(", ")}` : ""})`);

  const before = snapshot(home, exportDir);
  const failures = [];
  let calls = 0;
  for (const [command, list] of Object.entries(cases)) {
    let refused = 0;
    for (const { args, label, expect = "refuse" } of list) {
      calls += 1;
      let result;
      try {
        result = await invoke(driver, command, args);
      } catch (error) {
        failures.push(`${command} (${label}): the window stopped answering: ${error.message.slice(0, 200)}`);
        break;
      }
      const wrong = verdict(result, expect);
      if (wrong) failures.push(`${command} (${label}): ${wrong}`);
      else if (result.outcome === "rejected" || result.value?.outcome === "refused") refused += 1;
    }
    console.log(`  … ${command}: ${list.length} hostile calls, ${refused} refused`);
    if (failures.some((f) => f.includes("the window stopped answering"))) break;
  }
  for (const { command, args } of UNGRANTED) {
    calls += 1;
    const result = await invoke(driver, command, args).catch((error) => ({ outcome: `the window stopped answering: ${error.message}` }));
    const wrong = verdict(result, "refuse");
    if (wrong) failures.push(`${command}: ${wrong}`);
    console.log(`  … ${command}: ${result.message ?? result.outcome}`);
  }
  check(failures.length === 0, `${calls} hostile calls through the IPC are each refused with a message${failures.length ? `; FAILED:\n    ${failures.join("\n    ")}` : ""}`);

  const alive = await invoke(driver, "list_tutorials", { query: "" });
  check(alive.outcome === "resolved" && alive.value.some((t) => t.id === ids.tutorial), "after them the window still answers, with its library intact");
  const changed = differences(before, snapshot(home, exportDir));
  check(changed.length === 0, `nothing was stored or written by them (every table, settings.json, the data and export folders)${changed.length ? `; CHANGED: ${changed.join("; ")}` : ""}`);
  return calls;
}
