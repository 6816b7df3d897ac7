// End-to-end tests of the real Cadence window, driven through WebDriver (tauri-driver and
// WebKitWebDriver) under a private Xvfb display, with a temporary data folder.
//
//   node tests/e2e/run.mjs <path to the cadence binary>
//
// Screenshots of every screen land in target/e2e-screenshots/.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WebDriver } from "./webdriver.mjs";
import { damagedModelSession } from "./damaged.mjs";
import { hostileCalls, read } from "./hostile.mjs";
import { placesHolding, recordOutput, sentinelKey } from "./secrets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const binary = resolve(process.argv[2] ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug/cadence"));
const shots = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "e2e-screenshots");
const port = Number(process.env.CADENCE_E2E_PORT ?? 4444);
const display = `:${process.env.CADENCE_E2E_DISPLAY ?? 90 + Math.floor(Math.random() * 400)}`;

if (!existsSync(binary)) {
  console.error(`error: ${binary} does not exist; build it first with cargo build -p cadence`);
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const home = mkdtempSync(join(tmpdir(), "cadence-e2e-"));
const exportDir = mkdtempSync(join(tmpdir(), "cadence-e2e-export-"));
const children = [];
const sentinel = sentinelKey();
/** What tauri-driver, WebKitWebDriver and the window print, kept for keyNeverWritten. */
const windowOutput = [];
// tauri-driver from PATH, else where `cargo install` puts it.
const cargoBin = join(process.env.CARGO_HOME ?? join(process.env.HOME ?? "", ".cargo"), "bin", "tauri-driver");
const tauriDriver = process.env.TAURI_DRIVER ?? (existsSync(cargoBin) ? cargoBin : "tauri-driver");

/** Starts a helper process; with `output`, what it prints is also kept there. */
function start(command, args, env, output) {
  const stdio = output ? "pipe" : "inherit";
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", stdio, stdio] });
  if (output) recordOutput(child, output);
  children.push(child);
  return child;
}

async function waitForPort() {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`tauri-driver did not listen on port ${port}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0;
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  passed += 1;
  console.log(`  ok - ${what}`);
}

async function screenshot(driver, name) {
  // Let fonts and notation settle before the picture is taken.
  await sleep(400);
  const png = await driver.screenshot();
  writeFileSync(join(shots, `${name}.png`), png);
  // A blank window compresses to almost nothing; a populated one does not.
  check(png.length > 15000, `screenshot ${name}.png is populated (${png.length} bytes)`);
}

async function go(driver, screen, heading) {
  await driver.click(await driver.find(`[data-nav="${screen}"]`));
  await driver.waitFor("main h2", { predicate: (text) => text.includes(heading) });
}

async function selectOption(driver, selectCss, value) {
  await driver.click(await driver.find(`${selectCss} option[value="${value}"]`));
}

async function firstSession(driver) {
  await driver.start(binary);
  await driver.waitFor("main h2", { predicate: (t) => t === "Create" });
  await driver.waitFor('[data-testid="first-run"]');
  await driver.waitFor('[data-testid="generator"]', { predicate: (t) => t.includes("Template generator") });
  check(true, "the Create screen shows, with the first-run guide and the template generator planned");
  await screenshot(driver, "create");

  await selectOption(driver, 'select[data-testid="key"]', "Eb major");
  const topic = await driver.find('[data-testid="topic"]');
  await driver.clear(topic);
  await driver.type(topic, "ii-V-I");
  await driver.click(await driver.find('[data-testid="start"]'));
  const title = await driver.text(await driver.waitFor('[data-testid="tutorial-title"]'));
  check(title === "The ii-V-I in Eb major", `the tutorial opens after it is made (“${title}”)`);

  const chords = await driver.findAll('[data-testid="chord"]');
  const chordText = await Promise.all(chords.map((c) => driver.text(c)));
  check(chords.length === 4 && chordText[0].includes("Fm7") && chordText[1].includes("Bb7"), `the chords are shown (${chordText.map((t) => t.split("\n")[0]).join(" ")})`);
  await driver.waitFor('[data-testid="notation"] svg');
  const staves = await driver.execute("return document.querySelectorAll('[data-testid=notation] svg .abcjs-note').length");
  check(staves > 0, `the chord chart is drawn as notation (${staves} notes)`);
  const lit = await driver.execute("return [...document.querySelector('[data-testid=piano]').querySelectorAll('rect.lit')].map(r => r.dataset.note).join(' ')");
  check(lit.split(" ").length === 4, `the keyboard lights the first voicing (${lit})`);
  await driver.click(chords[1]);
  const litAfter = await driver.execute("return [...document.querySelector('[data-testid=piano]').querySelectorAll('rect.lit')].map(r => r.dataset.note).join(' ')");
  check(litAfter !== lit, `choosing another chord lights its voicing (${litAfter})`);
  const sections = await driver.execute("return [...document.querySelectorAll('article h3')].map(h => h.textContent).join('|')");
  check(["Overview", "Theory", "The music", "Practice", "Common mistakes", "Next steps"].every((s) => sections.includes(s)), `the lesson has its sections (${sections})`);
  await driver.execute("document.getElementById('music-heading').scrollIntoView()");
  await screenshot(driver, "tutorial");

  // Playback: the button turns into Stop and the chords follow the music (80 bpm, 3 s a bar).
  await driver.click(await driver.find('[data-testid="play"]'));
  await driver.waitFor('[data-testid="play"]', { predicate: (t) => t === "Stop" });
  await sleep(3600);
  const playing = await driver.execute("return [...document.querySelectorAll('[data-testid=chord]')].findIndex(c => c.getAttribute('aria-selected') === 'true')");
  check(playing === 1, `playback moves to the second chord after one bar (chord ${playing + 1})`);
  await driver.click(await driver.find('[data-testid="play"]'));
  await driver.waitFor('[data-testid="play"]', { predicate: (t) => t === "Play" });

  // Export through the typed-path flow (the native dialog is the default for users).
  await driver.execute("window.scrollTo(0, 0); document.querySelector('.exports details').open = true");
  const exportPath = join(exportDir, "ii-V-I.json");
  const pathInput = await driver.find('[data-testid="export-path"]');
  await driver.type(pathInput, exportPath);
  await driver.click(await driver.find('[data-testid="export-typed"]'));
  await driver.waitFor('[data-testid="export-done"]');
  const exported = JSON.parse(readFileSync(exportPath, "utf8"));
  check(exported.title === "The ii-V-I in Eb major" && exported.music.key === "Eb major" && exported.music.chords.length === 4, "the JSON export is the tutorial");
  check(exported.music.chords[0].symbol === "Fm7" && exported.schema_version === 1, "the exported chords are spelled and versioned");

  await driver.clear(pathInput);
  const midiPath = join(exportDir, "ii-V-I.mid");
  await driver.type(pathInput, midiPath);
  await driver.click(await driver.find('[data-testid="export-typed"]'));
  await driver.waitFor('[data-testid="export-done"]', { predicate: (t) => t.includes(".mid") });
  check(readFileSync(midiPath).subarray(0, 4).toString() === "MThd", "the MIDI export is a standard MIDI file");

  await driver.clear(pathInput);
  await driver.type(pathInput, `${exportDir}/../escape.json`);
  await driver.click(await driver.find('[data-testid="export-typed"]'));
  const refusal = await driver.text(await driver.waitFor('[data-testid="export-error"]'));
  check(refusal.includes("..") && !existsSync(join(exportDir, "../escape.json")), "an export path with .. is refused");

  await editAndPrint(driver);

  await go(driver, "library", "Library");
  await driver.waitFor('[data-testid="tutorial-list"]', { predicate: (t) => t.includes("The ii-V-I in Eb major") });
  await screenshot(driver, "library");
  await importTutorial(driver, exportPath);

  await go(driver, "models", "Models");
  await driver.waitFor('[data-testid="models"]', { predicate: (t) => t.includes("Qwen2.5") && t.includes("Not installed") });
  check(true, "the Models screen lists the catalogue and what is installed");
  await screenshot(driver, "models");

  await go(driver, "settings", "Settings");
  const budget = await driver.waitFor('[data-testid="budget"]');
  await driver.clear(budget);
  await driver.type(budget, "-3");
  await driver.click(await driver.find('[data-testid="save-settings"]'));
  const settingsError = await driver.text(await driver.waitFor('[data-testid="settings-error"]'));
  check(settingsError.includes("budget"), "a negative budget is refused");
  await driver.clear(budget);
  await driver.type(budget, "7.5");
  await driver.click(await driver.find('[data-testid="save-settings"]'));
  await driver.waitFor('[role="status"]', { predicate: (t) => t.includes("saved") });
  const stored = JSON.parse(readFileSync(join(home, "settings.json"), "utf8"));
  check(stored.monthly_budget_usd === 7.5, "settings are saved to the data folder");
  await screenshot(driver, "settings");

  // Where models run is in view; a GPU that cannot start is named with its reason. This build
  // has no Metal, as a Mac whose GPU fails to start has none.
  const inUse = await driver.text(await driver.waitFor('[data-testid="device-in-use"]'));
  const quiet = await driver.execute("return document.querySelector('[data-testid=device-notice]') === null");
  check(inUse === "Models run on the CPU" && quiet, `the window says where models run, with no notice (“${inUse}”)`);
  await selectOption(driver, 'select[data-testid="device"]', "metal");
  await driver.click(await driver.find('[data-testid="save-settings"]'));
  const notice = await driver.text(await driver.waitFor('[data-testid="device-notice"]'));
  check(notice.includes("metal device is not available") && notice.includes("no Metal support") && notice.includes("Choose auto or cpu"), `choosing a GPU that cannot start shows why, and where to change it (“${notice}”)`);
  await screenshot(driver, "device-notice");
  await selectOption(driver, 'select[data-testid="device"]', "auto");
  await driver.click(await driver.find('[data-testid="save-settings"]'));
  await driver.waitFor('[data-testid="device-in-use"]', { predicate: (t) => t === "Models run on the CPU" });
  const cleared = await driver.execute("return document.querySelector('[data-testid=device-notice]') === null");
  check(cleared, "going back to Automatic clears the notice");

  await go(driver, "usage", "Usage");
  await driver.waitFor('[data-testid="usage-empty"]');
  check(true, "the Usage screen explains that nothing has been counted yet");
  const month = await driver.execute("return document.querySelector('[data-testid=usage-month]').value");
  const budgetLine = await driver.text(await driver.waitFor('[data-testid="usage-budget"]'));
  check(month === thisMonth() && budgetLine.includes("Spent $0.00 of the $7.50 monthly budget (0%)"), `it shows this month (${month}) against the budget just saved`);
  await screenshot(driver, "usage");

  await go(driver, "coach", "Coach");
  await driver.waitFor('[data-testid="coach-unavailable"]', { predicate: (t) => t.includes("Models screen") });
  check(true, "with no model the Coach screen says that coaching needs one and where to get it");
  await screenshot(driver, "coach");

  await makeMaterials(driver);
  await importAnalysis(driver);
  await practise(driver);
  await driver.stop();
}

/** Chooses what to make on the Create screen and waits for its plan. */
async function chooseKind(driver, kind) {
  await go(driver, "create", "Create");
  await driver.click(await driver.find(`input[name="kind"][value="${kind}"]`));
  await driver.waitFor('[data-testid="generator"]', { predicate: (t) => t.includes("Template generator") });
}

async function typeInto(driver, css, text) {
  const input = await driver.find(css);
  await driver.clear(input);
  await driver.type(input, text);
}

/** Makes an exercise, a theory analysis, an assessment and a lesson-plan part from the window. */
async function makeMaterials(driver) {
  await chooseKind(driver, "exercise");
  await selectOption(driver, 'select[data-testid="key"]', "Eb major");
  await typeInto(driver, '[data-testid="topic"]', "ii-V-I");
  await selectOption(driver, 'select[data-testid="exercise-kind"]', "voicing_study");
  await driver.click(await driver.find('[data-testid="start"]'));
  const exerciseTitle = await driver.text(await driver.waitFor('[data-testid="material-title"]'));
  check(exerciseTitle.includes("voicing study") && exerciseTitle.includes("Eb major"), `an exercise is made from the window and opens (“${exerciseTitle}”)`);
  const exerciseChords = await driver.execute("return [...document.querySelectorAll('[data-testid=chord] .symbol')].map(c => c.textContent).join(' ')");
  check(exerciseChords.startsWith("Fm7 Bb7 Ebmaj7"), `the exercise shows its computed chords (${exerciseChords})`);
  await driver.waitFor('[data-testid="notation"] svg');
  await screenshot(driver, "exercise");
  await driver.execute("window.scrollTo(0, 0); document.querySelector('.exports details').open = true");
  const exercisePath = join(exportDir, "exercise.json");
  await driver.type(await driver.find('[data-testid="export-path"]'), exercisePath);
  await driver.click(await driver.find('[data-testid="export-typed"]'));
  await driver.waitFor('[data-testid="export-done"]');
  const exercise = JSON.parse(readFileSync(exercisePath, "utf8"));
  check(exercise.kind === "voicing_study" && exercise.music.chords[0].symbol === "Fm7" && exercise.music.chords[0].voicing.notes.length >= 3, "the exercise exports as JSON with its voicings");

  await chooseKind(driver, "theory_analysis");
  await selectOption(driver, 'select[data-testid="key"]', "G major");
  await typeInto(driver, '[data-testid="topic"]', "ii-V-I");
  await driver.click(await driver.find('[data-testid="start"]'));
  await driver.waitFor('[data-testid="functions"]');
  const functions = await driver.execute("return document.querySelector('[data-testid=functions] tbody').innerText");
  check(functions.includes("ii7") && functions.includes("Am7") && functions.includes("D7"), `a theory analysis shows each chord's function (${functions.split("\n").slice(0, 2).join(" / ")})`);
  await driver.execute("document.querySelector('[data-testid=functions]').scrollIntoView()");
  await screenshot(driver, "theory-analysis");

  await chooseKind(driver, "assessment");
  await selectOption(driver, 'select[data-testid="key"]', "D major");
  await typeInto(driver, '[data-testid="topic"]', "major scale");
  await selectOption(driver, 'select[data-testid="assessment-kind"]', "milestone");
  await driver.click(await driver.find('[data-testid="start"]'));
  await driver.waitFor('[data-testid="questions"]');
  await driver.click(await driver.find('[data-testid="show-answers"]'));
  const answers = await driver.execute("return [...document.querySelectorAll('[data-testid=answer]')].map(a => a.textContent).join(' | ')");
  check(answers.includes("F#") && answers.split(" | ").length >= 3, `an assessment shows the engine's answer key (${answers.slice(0, 80)}…)`);
  await screenshot(driver, "assessment");

  await chooseKind(driver, "lesson_plan_part");
  await typeInto(driver, '[data-testid="lesson-topic"]', "steady beat");
  await selectOption(driver, 'select[data-testid="grade"]', "3");
  await selectOption(driver, 'select[data-testid="part"]', "differentiation");
  await typeInto(driver, '[data-testid="standards"]', "MU:Pr4.2.3a, MU:Cr9.9.3z");
  await driver.click(await driver.find('[data-testid="start"]'));
  const refusal = await driver.text(await driver.waitFor('[data-testid="create-error"]'));
  check(refusal.includes("MU:Cr9.9.3z") && refusal.includes("not in the NCAS"), `an invented standard code is refused (${refusal})`);
  await typeInto(driver, '[data-testid="standards"]', "MU:Pr4.2.3a");
  await driver.click(await driver.find('[data-testid="start"]'));
  const part = await driver.text(await driver.waitFor('[data-testid="plan-part"]'));
  const cited = await driver.text(await driver.find('[data-testid="standards-cited"]'));
  check(part.includes("English learners") && cited.trim() === "MU:Pr4.2.3a", `a lesson-plan part is made for grade 3 citing the chosen standard (${cited.trim()})`);
  await screenshot(driver, "lesson-plan-part");

  await go(driver, "library", "Library");
  await driver.waitFor('[data-testid="material-list"]', { predicate: (t) => t.includes("lesson-plan part") });
  const listed = await driver.execute("return document.querySelector('[data-testid=material-list]').textContent");
  const kinds = ["voicing study", "theory analysis", "assessment", "lesson-plan part"];
  check(kinds.every((k) => listed.includes(k)), `the library lists the four materials (${listed.replace(/\s+/g, " ").slice(0, 160)})`);
  await driver.execute("document.getElementById('materials-heading').scrollIntoView()");
  await screenshot(driver, "library-materials");

  // A two-week curriculum from the template generator, exported from the library as JSON.
  await chooseKind(driver, "curriculum");
  await selectOption(driver, 'select[data-testid="key"]', "F major");
  await typeInto(driver, '[data-testid="weeks"]', "2");
  await driver.click(await driver.find('[data-testid="start"]'));
  const made = await driver.text(await driver.waitFor('[data-testid="create-done"]', { timeout: 60000 }));
  check(made.includes("Curriculum saved"), `a curriculum is made from the window (${made})`);
  await go(driver, "library", "Library");
  await driver.click(await driver.waitFor(".disclosure"));
  await driver.waitFor("li.panel h4");
  await driver.execute("document.querySelector('li.panel .exports details').open = true");
  const coursePath = join(exportDir, "course.json");
  await driver.type(await driver.find('li.panel [data-testid="export-path"]'), coursePath);
  await driver.click(await driver.find('li.panel [data-testid="export-typed"]'));
  await driver.waitFor('[data-testid="export-done"]');
  const course = JSON.parse(readFileSync(coursePath, "utf8"));
  const lessons = course.modules.flatMap((m) => m.lessons);
  check(course.duration_weeks === 2 && lessons.length > 0 && lessons.every((l) => l.topic && l.key), `the curriculum exports as JSON with its lessons' topics and keys (${lessons.length} lessons)`);
  await organiseCurriculum(driver, coursePath);
}

const lessonTitles = (driver) =>
  driver.execute("return [...document.querySelectorAll('[data-testid=curriculum-lesson]')].map(l => l.dataset.lessonTitle)");

/** Reorders, deletes and restores the open curriculum, and brings its exported file back as a second one whose lessons are written in the window. */
async function organiseCurriculum(driver, coursePath) {
  const before = await lessonTitles(driver);
  const moving = before[before.length - 1];
  await driver.click(await driver.find(`[aria-label="Move ${moving} up"]`));
  await driver.waitFor('[data-testid="prerequisites-dropped"]');
  const after = await lessonTitles(driver);
  check(after[after.length - 2] === moving && after.length === before.length, `a lesson moves up its curriculum (${moving})`);

  const title = await driver.text(await driver.find("li.panel .disclosure"));
  await driver.click(await driver.find(`[aria-label="Delete ${title}"]`));
  await driver.waitFor('[data-testid="curriculum-undo-bar"]');
  const gone = await driver.execute("return document.querySelectorAll('[data-testid=curriculum-list] > li').length");
  check(gone === 0, "a deleted curriculum leaves the list");
  await driver.click(await driver.find('[data-testid="curriculum-undo"]'));
  await driver.waitFor('[data-testid="curriculum-list"]', { predicate: (t) => t.includes(title) });
  await driver.click(await driver.find(`[aria-label="Delete ${title}"]`));
  await driver.waitFor('[data-testid="curriculum-trash"]');
  await driver.execute("document.querySelector('[data-testid=curriculum-trash]').open = true");
  await driver.click(await driver.find(`[aria-label="Restore ${title}"]`));
  await driver.waitFor('[data-testid="curriculum-list"]', { predicate: (t) => t.includes(title) });
  check(true, "a deleted curriculum comes back by Undo and from Recently deleted");

  await typeInto(driver, '[data-testid="import-path"]', coursePath);
  await driver.click(await driver.find('[data-testid="import-file"]'));
  const unwritten = await driver.text(await driver.waitFor('[data-testid="curriculum-unwritten"]'));
  check(/\d+ lessons have no tutorial yet/.test(unwritten), `an imported curriculum brings its outline (${unwritten.split("\n")[0]})`);
  await driver.click(await driver.find('[data-testid="curriculum-finish"]'));
  check(
    await eventually(async () => (await driver.execute("return document.querySelector('[data-testid=curriculum-unwritten]') === null")) === true, 60000),
    "Write them writes every lesson's tutorial",
  );
  const linked = await driver.execute("return document.querySelectorAll('[data-testid=curriculum-lesson] a').length");
  check(linked === before.length, `each lesson links its tutorial (${linked})`);
  await driver.execute("document.querySelector('[data-testid=curriculum-lesson]').scrollIntoView({ block: 'center' })");
  await screenshot(driver, "library-curriculum-imported");
}

/** Brings a RomanText analysis into the library from the window, and exports it back. */
async function importAnalysis(driver) {
  const source = join(root, "crates/theory/tests/fixtures/analysis.rntxt");
  await go(driver, "library", "Library");
  await typeInto(driver, '[data-testid="import-path"]', source);
  await driver.click(await driver.find('[data-testid="import-file"]'));
  const tooLong = await driver.text(await driver.waitFor('[data-testid="import-error"]'));
  check(tooLong.includes("choose fewer measures"), `an analysis longer than 64 chords asks for measures (${tooLong})`);
  await typeInto(driver, '[data-testid="import-measures"]', "18-24");
  await driver.click(await driver.find('[data-testid="import-file"]'));
  const title = await driver.text(await driver.waitFor('[data-testid="material-title"]'));
  check(title.includes("An analysis of our own"), `measures 18-24 come in as a theory analysis and open (“${title}”)`);
  const keys = await driver.execute("return [...document.querySelectorAll('[data-testid=chord-key]')].map(k => k.textContent).join(' ')");
  check(keys.includes("in F# minor") && keys.includes("in Eb major"), `chords after a key change show their key (${keys.slice(0, 60)}…)`);
  const notes = await driver.execute("return [...document.querySelectorAll('[data-testid=chord] .numeral')].map(c => c.textContent).join(' ')");
  check(notes.includes("IV6[no1][add2]") && notes.includes("Sw42"), `the analyst's figures are kept (${notes.slice(0, 80)}…)`);
  await screenshot(driver, "imported-analysis");
  await driver.execute("window.scrollTo(0, 0); document.querySelector('.exports details').open = true");
  const exported = join(exportDir, "analysis.rntxt");
  await driver.type(await driver.find('[data-testid="export-path"]'), exported);
  await driver.click(await driver.find('[data-testid="export-typed"]'));
  await driver.waitFor('[data-testid="export-done"]');
  const text = readFileSync(exported, "utf8");
  check(text.includes("m1 Bb: I") && text.includes(" f#: i") && text.includes("IV6[no1][add2]"), "the analysis exports as RomanText with its key changes and figures");
}

/** Whether `condition` comes true within `ms` milliseconds. */
async function eventually(condition, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await condition()) return true;
    await sleep(100);
  }
  return false;
}

const chordSymbols = (driver) =>
  driver.execute("return [...document.querySelectorAll('[data-testid=chord] .symbol')].map(c => c.textContent).join(' ')");

/** Edits the open tutorial's chords (a contradiction is refused, a symbol is read as its numeral, the edit is undone) and prints it. */
async function editAndPrint(driver) {
  await driver.execute("window.scrollTo(0, 0)");
  await driver.click(await driver.find('[data-testid="edit-document"]'));
  await driver.waitFor('[data-testid="document-editor"]');
  const numeral = await driver.find('[data-testid="edit-numeral-1"]');
  const symbol = await driver.find('[data-testid="edit-symbol-1"]');
  await driver.clear(numeral);
  await driver.type(numeral, "IV");
  await driver.clear(symbol);
  await driver.type(symbol, "E7");
  await driver.click(await driver.find('[data-testid="edit-save"]'));
  const refusal = await driver.text(await driver.waitFor('[data-testid="edit-problem"]'));
  check(refusal.includes("E7 is not IV in Eb major"), `a chord that is not its numeral is refused on its field (“${refusal}”)`);
  check((await chordSymbols(driver)).startsWith("Fm7 Bb7"), "nothing of the refused edit is stored");
  await driver.execute("document.querySelector('[data-testid=edit-problem]').scrollIntoView({ block: 'center' })");
  await screenshot(driver, "edit-refused");

  await driver.clear(numeral);
  await driver.type(numeral, "V7");
  await driver.clear(symbol);
  await driver.type(symbol, "F7");
  await driver.click(await driver.find('[data-testid="edit-save"]'));
  await driver.waitFor('[data-testid="edit-saved"]');
  const edited = await driver.execute("return document.querySelector('[data-testid=edit-numeral-1]').value");
  check(edited === "V7/V", `a chord edited by its symbol gets its numeral from the engine (F7 is ${edited})`);
  check(await eventually(async () => (await chordSymbols(driver)).startsWith("Fm7 F7")), "the edited chord is stored and shown");
  await driver.click(await driver.find('[data-testid="edit-undo"]'));
  check(await eventually(async () => (await chordSymbols(driver)).startsWith("Fm7 Bb7")), "Undo brings the chord back");
  await driver.click(await driver.find('[data-testid="edit-document"]'));

  // The system's print dialog cannot be driven by WebDriver, so the page is told that
  // printing begins, as the system tells it for Cmd+P, and the layout it prints is captured.
  await driver.execute("window.dispatchEvent(new Event('beforeprint'))");
  await driver.waitFor('[data-testid="print-bar"]');
  const layout = await driver.execute(`return {
    nav: getComputedStyle(document.querySelector('.shell > nav')).display,
    buttons: [...document.querySelectorAll('main button:not(.chord)')].filter(b => b.offsetParent).length,
    keyboards: document.querySelectorAll('[data-testid=print-keyboards] figure').length,
    visibleKeyboards: getComputedStyle(document.querySelector('[data-testid=print-keyboards]')).display,
    notation: document.querySelectorAll('[data-testid=notation] svg').length,
    messages: [...document.querySelectorAll('main [role=alert], main [role=status]')].filter(m => m.offsetParent).length,
  }`);
  check(layout.nav === "none" && layout.buttons === 0 && layout.messages === 0, `the print layout has no app around it, no controls and no messages (${layout.buttons} buttons, ${layout.messages} messages)`);
  check(layout.keyboards === 4 && layout.visibleKeyboards !== "none" && layout.notation > 0, "it prints the notation and a keyboard diagram for every chord");
  await driver.execute("window.scrollTo(0, 0)");
  await screenshot(driver, "print-tutorial");
  await driver.execute("document.querySelector('[data-testid=print-keyboards]').scrollIntoView()");
  await screenshot(driver, "print-tutorial-keyboards");
  await driver.click(await driver.find('[data-testid="print-close"]'));
  const after = await driver.execute("return document.documentElement.dataset.printing ?? null");
  check(after === null, "closing the print layout brings the window back");
}

/** Brings the exported tutorial back into the library from the window, as a colleague would. */
async function importTutorial(driver, exportPath) {
  await typeInto(driver, '[data-testid="import-path"]', exportPath);
  await driver.click(await driver.find('[data-testid="import-file"]'));
  const title = await driver.text(await driver.waitFor('[data-testid="tutorial-title"]'));
  check(title === "The ii-V-I in Eb major", `an exported tutorial imports from the Library and opens (“${title}”)`);
  check((await chordSymbols(driver)).startsWith("Fm7 Bb7"), "the imported tutorial has the same chords");
  await go(driver, "library", "Library");
  await typeInto(driver, '[data-testid="import-path"]', join(exportDir, "ii-V-I.mid"));
  await driver.click(await driver.find('[data-testid="import-file"]'));
  const refused = await driver.text(await driver.waitFor('[data-testid="import-error"]'));
  check(refused.includes("not a text file"), `a file that is not a Cadence document is refused (“${refused.slice(0, 60)}…”)`);
}

/** A student practises today's items of an assigned tutorial, from the keyboard and the mouse. */
async function practise(driver) {
  await go(driver, "practice", "Practice");
  await driver.waitFor('[data-testid="no-students"]');
  await typeInto(driver, '[data-testid="student-name"]', "Ada");
  await driver.click(await driver.find('[data-testid="add-student"]'));
  await driver.waitFor('[data-testid="practice-notice"]', { predicate: (t) => t.includes("Added Ada") });
  const tutorialOption = await driver.execute(
    "return [...document.querySelectorAll('[data-testid=assign-choice] option')].find(o => o.textContent.includes('ii-V-I in Eb')).value",
  );
  await selectOption(driver, 'select[data-testid="assign-choice"]', tutorialOption);
  await driver.click(await driver.find('[data-testid="assign"]'));
  const assigned = await driver.text(await driver.waitFor('[data-testid="practice-notice"]', { predicate: (t) => t.includes("Assigned") }));
  check(/\d+ items to practise/.test(assigned), `a tutorial is assigned to the student (${assigned})`);
  await driver.click(await driver.waitFor('[data-testid="start-practice"]'));
  let answered = 0;
  let wrongShown = false;
  let heard = false;
  let played = false;
  for (let guard = 0; guard < 25; guard += 1) {
    const done = await driver.execute("return !!document.querySelector('[data-testid=session-done]')");
    if (done) break;
    const kind = await driver.execute("return document.querySelector('[data-testid=practice-item]').dataset.kind");
    if (kind === "hear_chord" || kind === "hear_interval") {
      await driver.click(await driver.find('[data-testid="hear"]'));
      heard = true;
    }
    if (kind === "play_along") {
      const tempo = await driver.text(await driver.find('[data-testid="tempo"]'));
      check(Number(tempo) > 0, `a play-along shows its chords and today's tempo (${tempo} bpm)`);
      await driver.waitFor('[data-testid="practice-item"] [data-testid="notation"] svg');
      await driver.click(await driver.find('[data-testid="play-along"]'));
      await screenshot(driver, "practice-play-along");
      await driver.click(await driver.find('[data-testid="rate-good"]'));
    } else if (kind === "chord_of_numeral" && wrongShown && !played) {
      // Played on the on-screen keyboard: C E G, clicked key by key.
      await driver.execute("document.querySelector('[data-testid=keyboard-answer]').open = true");
      for (const note of ["C4", "E4", "G4"]) await driver.click(await driver.find(`[data-testid="keyboard-answer"] rect[data-note="${note}"]`));
      await driver.click(await driver.find('[data-testid="submit-played"]'));
      const feedback = await driver.text(await driver.waitFor('[data-testid="feedback"]'));
      check(/Right|Not quite/.test(feedback), `a chord played on the on-screen keyboard is judged by its keys (${feedback.slice(0, 80)}…)`);
      await screenshot(driver, "practice-keyboard");
      played = true;
    } else if (await driver.execute("return !!document.querySelector('[data-testid=answer]')")) {
      // A typed answer that is wrong on purpose: the feedback must say what is right.
      await typeInto(driver, '[data-testid="answer"]', "C D");
      await driver.click(await driver.find('[data-testid="submit-answer"]'));
      const feedback = await driver.text(await driver.waitFor('[data-testid="feedback"]'));
      if (!wrongShown) {
        check(feedback.includes("Not yet") && feedback.length > 20, `a wrong answer gets the engine's feedback (${feedback.slice(0, 90)}…)`);
        await screenshot(driver, "practice-feedback");
        wrongShown = true;
      }
    } else {
      // A choice, picked from the keyboard: the number key of the first choice.
      await driver.execute("document.activeElement.blur()");
      await driver.keys("1");
    }
    await driver.waitFor('[data-testid="feedback"]');
    answered += 1;
    await driver.click(await driver.find('[data-testid="practice-next"]'));
  }
  const summary = await driver.text(await driver.waitFor('[data-testid="session-done"]'));
  check(answered >= 5 && summary.includes(`of ${answered} right`), `today's practice is finished (${summary.replace(/\s+/g, " ").trim()})`);
  check(heard, "ear-training items play their sound");
  check(played, "a spelling item is answered on the on-screen keyboard");
  await driver.click(await driver.find('[data-testid="session-close"]'));
  const progress = await driver.text(await driver.waitFor('[data-testid="progress-summary"]'));
  check(progress.includes(`${answered} answers`) && progress.includes("1 day in a row"), `progress counts the session (${progress})`);
  await driver.execute("document.getElementById('progress-heading').scrollIntoView()");
  await screenshot(driver, "practice-progress");

  // The assessment made earlier, taken by the student and scored by the engine.
  await go(driver, "library", "Library");
  await driver.waitFor('[data-testid="material-list"]', { predicate: (t) => t.includes("Milestone") });
  const assessmentId = await driver.execute(
    "return [...document.querySelectorAll('[data-material-id]')].find(li => li.textContent.includes('Milestone')).dataset.materialId",
  );
  await driver.click(await driver.find(`[data-material-id="${assessmentId}"] a`));
  await driver.click(await driver.waitFor('[data-testid="take-assessment"]'));
  await driver.waitFor('[data-testid="taker"]');
  await typeInto(driver, '[data-testid="assessment-answer"]', "D F# A");
  await driver.click(await driver.find('[data-testid="submit-assessment"]'));
  const score = await driver.text(await driver.waitFor('[data-testid="assessment-score"]'));
  const results = await driver.execute("return document.querySelectorAll('[data-testid=question-result]').length");
  check(/Score: \d+ of \d+ points/.test(score) && results > 1, `an assessment is taken in the window and scored (${score}; ${results} questions judged)`);
  await screenshot(driver, "assessment-taken");
  await go(driver, "practice", "Practice");
  const taken = await driver.text(await driver.waitFor('[data-testid="assessments-taken"]'));
  check(taken.includes("Milestone"), `the student's progress lists the assessment (${taken})`);
  return answered;
}

async function secondSession(driver) {
  await driver.start(binary);
  await driver.waitFor("main h2", { predicate: (t) => t === "Create" });
  await go(driver, "library", "Library");
  const search = await driver.find('[data-testid="search"]');
  await driver.type(search, "ii-V-I in Eb");
  // The search filters as it is typed: wait for the filtered list, whose first entry is the tutorial.
  const found = await driver.waitFor('[data-testid="tutorial-list"] li:first-child a', {
    predicate: (t) => t.includes("The ii-V-I in Eb major"),
  });
  check(true, "after a restart the library finds the tutorial");
  await driver.click(found);
  await driver.waitFor('[data-testid="tutorial-title"]', { predicate: (t) => t === "The ii-V-I in Eb major" });
  check(true, "and opens it");
  await selectOption(driver, 'select[data-testid="theme"]', "dark");
  await driver.click(await driver.find('[data-testid="large-text"]'));
  const look = await driver.execute("return document.documentElement.dataset.theme + ' ' + document.documentElement.dataset.text");
  check(look === "dark large", `the theme and text size can be switched (${look})`);
  await driver.execute("document.getElementById('music-heading').scrollIntoView()");
  await screenshot(driver, "tutorial-dark-large");

  // The test model is installed between the sessions: the coach answers with it.
  await driver.click(await driver.find('[data-testid="ask-coach"]'));
  await driver.waitFor('[data-testid="coach-lesson"]', { predicate: (t) => t.includes("The ii-V-I in Eb major") });
  await driver.type(await driver.find('[data-testid="coach-question"]'), "How should I practise this progression?");
  await driver.click(await driver.find('[data-testid="coach-ask"]'));
  const answer = await driver.waitFor('[data-testid="coach-answer"][data-state="done"]', { timeout: 120000 });
  const answerText = (await driver.text(answer)).replace(/^Coach:\s*/, "");
  check(answerText.trim().length > 20, `the coach answers about the open lesson (${answerText.length} characters)`);
  await screenshot(driver, "coach-answer");

  await go(driver, "models", "Models");
  const resident = await driver.text(await driver.waitFor('[data-testid="resident"]'));
  const residentRow = await driver.execute("return document.querySelector('[data-testid=resident]').closest('tr').textContent");
  check(resident.includes("Loaded") && residentRow.includes("smollm2"), "the Models screen shows the coach's model loaded in memory");
  await screenshot(driver, "models-resident");

  await usageAndBudget(driver);

  await go(driver, "practice", "Practice");
  const kept = await driver.text(await driver.waitFor('[data-testid="progress-summary"]'));
  check(/^\d+ answers/.test(kept.trim()) && !kept.startsWith("0 answers"), `after a restart the student's progress is kept (${kept.trim()})`);
  await screenshot(driver, "practice-dark");

  await go(driver, "library", "Library");
  await typeInto(driver, '[data-testid="search"]', "steady");
  await driver.waitFor('[data-testid="material-list"]', { predicate: (t) => t.includes("Differentiation") });
  check(true, "after a restart the library finds the lesson-plan part");

  await cacheAndRegenerate(driver);
  await driver.stop();
}

/** This month, or the one `back` months before it, in local time: "YYYY-MM". */
function thisMonth(back = 0) {
  const now = new Date();
  const month = new Date(now.getFullYear(), now.getMonth() - back, 1);
  return `${month.getFullYear()}-${String(month.getMonth() + 1).padStart(2, "0")}`;
}

/**
 * Logs Gemini requests as if they had been made (the suite has no network): this month $6.30
 * of the $7.50 budget (84%) and an answer from the cache, last month $1.25. Written with
 * Python's sqlite3, which every machine that runs the suite has (scripts/setup needs Python).
 */
function seedGenerationLog() {
  const now = new Date();
  const seconds = (date) => Math.floor(date.getTime() / 1000);
  const row = (cost_usd, cache_hit, created_at) => ({ cost_usd, cache_hit, created_at, latency_ms: cache_hit ? 2 : 2400 });
  const rows = [
    row(6.3, 0, seconds(now) - 60),
    row(0, 1, seconds(now) - 30),
    row(1.25, 0, seconds(new Date(now.getFullYear(), now.getMonth() - 1, 15, 12))),
  ];
  const script = `import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with db:
    db.executemany(
        "INSERT INTO generation_log (task, tier, model, tokens_in, tokens_out, latency_ms, cost_usd, cache_hit, outcome, created_at)"
        " VALUES ('curriculum_planning', 'cloud', 'gemini', 1500, 900, :latency_ms, :cost_usd, :cache_hit, 'ok', :created_at)",
        json.loads(sys.argv[2]),
    )
db.close()`;
  const seeded = spawnSync("python3", ["-c", script, join(home, "cadence.sqlite3"), JSON.stringify(rows)], { encoding: "utf8" });
  if (seeded.status !== 0) throw new Error(`seeding the generation log failed: ${seeded.stderr || seeded.error}`);
}

/** The budget warning in the window, and the Usage screen's month, tables and budget. */
async function usageAndBudget(driver) {
  const warning = await driver.text(await driver.waitFor('[data-testid="budget-warning"]'));
  check(warning.includes("$6.30 of the $7.50 monthly budget is spent (84%)") && warning.includes("cloud calls stop at 100%"), `the window warns from 80% of the budget (“${warning}”)`);

  await go(driver, "usage", "Usage");
  const totals = await driver.text(await driver.waitFor('[data-testid="usage-totals"]'));
  const requests = await driver.text(await driver.find('[data-testid="usage-requests"]'));
  check(requests === "3" && totals.includes("$6.30") && totals.includes("33%"), `this month counts the coach's answer, the Gemini request and the cache hit (${totals.replaceAll("\n", " ")})`);
  const byModel = await driver.execute(`return [...document.querySelectorAll('[data-testid=usage-by-model] tbody tr')].map(r => [...r.children].map(c => c.textContent.trim()))`);
  const gemini = byModel.find((r) => r[0] === "gemini");
  const smol = byModel.find((r) => r[0] === "smollm2-135m");
  // Counts are written in the window's locale (3,000 or 3 000): compared by their digits.
  const digits = (cell) => cell.replace(/\D/g, "");
  check(
    gemini !== undefined && gemini[1] === "2" && digits(gemini[2]) === "3000" && digits(gemini[3]) === "1800" && gemini[4] === "1" && gemini[5] === "2.4 s" && gemini[6] === "2.4 s" && gemini[7] === "$6.30",
    `the Gemini row has its figures, the cache hit left out of its latency (${gemini?.join(" ")})`,
  );
  check(smol !== undefined && smol[1] === "1" && smol[7] === "$0.00", `the coach's local model is counted at no cost (${smol?.join(" ")})`);
  const byTask = await driver.text(await driver.find('[data-testid="usage-by-task"]'));
  check(byTask.includes("curriculum planning") && byTask.includes("coaching"), "the requests are counted by task too");
  const budgetLine = await driver.text(await driver.find('[data-testid="usage-budget"]'));
  check(budgetLine.includes("Spent $6.30 of the $7.50 monthly budget (84%)"), "the Usage screen shows the spending against the budget");
  const screenWarning = await driver.text(await driver.find('[data-testid="usage-budget-warning"]'));
  check(screenWarning.includes("(84%)"), "with the warning");
  await screenshot(driver, "usage-budget");
  await driver.execute("document.querySelector('[data-testid=usage-by-model]').scrollIntoView()");
  await screenshot(driver, "usage-tables");
  await driver.execute("window.scrollTo(0, 0)");

  const banner = await driver.execute("return document.querySelector('[data-testid=budget-warning]') === null");
  check(banner, "the Usage screen's own warning stands in for the window's");

  // WebKitGTK draws the month input as its own control, which WebDriver cannot type into:
  // the month is chosen as the control would choose it.
  await driver.execute(
    `const picker = document.querySelector('[data-testid=usage-month]');
     picker.value = '${thisMonth(1)}';
     picker.dispatchEvent(new Event('input', { bubbles: true }));`,
  );
  await driver.waitFor('[data-testid="usage-cost"]', { predicate: (t) => t === "$1.25" });
  const lastMonth = await driver.text(await driver.find('[data-testid="usage-budget"]'));
  const quiet = await driver.execute("return document.querySelector('[data-testid=usage-budget-warning]') === null");
  check(lastMonth.includes("Spent $1.25 of the $7.50 monthly budget (16%)") && quiet, `last month shows its own spending, under 80% (${thisMonth(1)})`);
  await driver.click(await driver.find('[data-testid="usage-this-month"]'));
  await driver.waitFor('[data-testid="usage-cost"]', { predicate: (t) => t === "$6.30" });
  check(true, "This month goes back to the current month");

  await go(driver, "create", "Create");
  await driver.click(await driver.waitFor('[data-testid="budget-warning-dismiss"]'));
  await go(driver, "library", "Library");
  const dismissed = await driver.execute("return document.querySelector('[data-testid=budget-warning]') === null");
  check(dismissed, "a dismissed budget warning stays dismissed");
}

/**
 * The test model writes a tutorial; the same request again is answered from the response
 * cache, which the window says before opening it, and Regenerate asks the model again.
 */
async function cacheAndRegenerate(driver) {
  const makeTutorial = async () => {
    await go(driver, "create", "Create");
    await driver.click(await driver.find('input[name="kind"][value="tutorial"]'));
    await driver.waitFor('[data-testid="generator"]', { predicate: (t) => t.includes("smollm2-135m") });
    await selectOption(driver, 'select[data-testid="key"]', "Eb major");
    await typeInto(driver, '[data-testid="topic"]', "ii-V-I");
    await driver.click(await driver.find('[data-testid="start"]'));
  };
  await makeTutorial();
  const steps = async () => driver.text(await driver.find('[data-testid="writing"]'));
  const written = await driver.text(await driver.waitFor('[data-testid="tutorial-title"]', { timeout: 240000 }));
  check(written.length > 0, `the test model writes a tutorial (“${written}”)`);

  await makeTutorial();
  const notice = await driver.text(await driver.waitFor('[data-testid="from-cache"]', { timeout: 60000 }));
  check(notice.includes("smollm2-135m's earlier answer to the same request"), `the same request is answered from the cache, and the window says so (“${notice.split("\n")[0]}”)`);
  const log = await steps();
  check(log.includes("answered from the response cache") && !log.includes("writing with"), "no model was asked for the cached answer");
  await driver.execute("document.querySelector('[data-testid=from-cache]').scrollIntoView()");
  await screenshot(driver, "create-from-cache");

  await driver.click(await driver.find('[data-testid="regenerate"]'));
  const again = await driver.text(await driver.waitFor('[data-testid="tutorial-title"]', { timeout: 240000 }));
  check(again.length > 0, `Regenerate asks the model again and opens its answer (“${again}”)`);
}

/** Installs the cached test model (the cargo tests fetch it) into the data folder. */
function installTestModel() {
  const cache = process.env.CADENCE_TEST_MODELS ?? join(process.env.HOME ?? "", ".cache/cadence/test-models");
  const gguf = join(cache, "SmolLM2-135M-Instruct.Q4_1.gguf");
  if (!existsSync(gguf)) throw new Error(`${gguf} is missing: run cargo test -p cadence-tests --test test_model first`);
  const dir = join(home, "models", "smollm2-135m");
  mkdirSync(dir, { recursive: true });
  copyFileSync(gguf, join(dir, "SmolLM2-135M-Instruct.Q4_1.gguf"));
}

/** A third launch: every command the window registers, called with hostile arguments. */
async function hostileSession(driver) {
  await driver.start(binary);
  await driver.waitFor("main h2", { predicate: (t) => t === "Create" });
  await hostileCalls(driver, { check, home, exportDir, root });
  const settings = await read(driver, "get_settings");
  check(settings.gemini_key_in_environment, "the window had the sentinel Gemini key in its environment");
  await driver.stop();
  // A command that panics on a worker thread leaves the window running, but says so on stderr.
  const panics = Buffer.concat(windowOutput).toString().match(/thread .* panicked at .*/g) ?? [];
  check(panics.length === 0, `the window printed no panic${panics.length ? `: ${panics.join("; ")}` : ""}`);
}

/** The sentinel key the window was given is nowhere in its output, its data folder or its exports. */
function keyNeverWritten() {
  const { found, files, bytes } = placesHolding(sentinel, {
    folders: [home, exportDir],
    outputs: { "the output of the window and its drivers": windowOutput },
  });
  const probe = placesHolding(sentinel, { folders: [], outputs: { probe: [Buffer.from(`key=${encodeURIComponent(sentinel)}`)] } });
  check(probe.found.length === 1, "the search finds the key where it is written (URL-encoded here)");
  const searched = `${files} files and ${windowOutput.length} pieces of output, ${(bytes / 1e6).toFixed(1)} MB`;
  check(found.length === 0, `the Gemini key given to the window is written nowhere (${searched})${found.length ? `: ${found.join("; ")}` : ""}`);
}

let failed = false;
try {
  console.log(`e2e: ${binary} on display ${display}, data in ${home}`);
  start("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {});
  await sleep(700);
  start(tauriDriver, ["--port", String(port)], {
    DISPLAY: display,
    CADENCE_HOME: home,
    // The webview keeps its storage (theme, text size) under XDG_DATA_HOME: keep it private too.
    XDG_DATA_HOME: join(home, "xdg-data"),
    XDG_CACHE_HOME: join(home, "xdg-cache"),
    // A key that must never be written anywhere (keyNeverWritten), sent nowhere real.
    GEMINI_API_KEY: sentinel,
    CADENCE_GEMINI_ENDPOINT: "http://127.0.0.1:9",
    // No keychain: the window never reads or changes the user's own.
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, "no-session-bus")}`,
  }, windowOutput);
  await waitForPort();
  await firstSession(new WebDriver(`http://127.0.0.1:${port}`));
  await damagedModelSession(new WebDriver(`http://127.0.0.1:${port}`), { binary, check, go, home, screenshot });
  installTestModel();
  seedGenerationLog();
  await secondSession(new WebDriver(`http://127.0.0.1:${port}`));
  await hostileSession(new WebDriver(`http://127.0.0.1:${port}`));
  keyNeverWritten();
  console.log(`e2e: ${passed} checks passed; screenshots in ${shots}`);
} catch (error) {
  failed = true;
  console.error(`e2e: FAILED after ${passed} checks: ${error.stack ?? error}`);
} finally {
  for (const child of children.reverse()) child.kill();
  rmSync(home, { recursive: true, force: true });
  rmSync(exportDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
