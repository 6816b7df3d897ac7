// A damaged model in the data folder: the test model installed with its first bytes
// overwritten, so it has the size models.toml pins and only its content is wrong (as after
// a disk fault). The Models screen marks it damaged with the reason, naming the file, and
// the coach, which loads it, answers with that reason instead of an answer.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Installs the damaged copy, opens the window on it, checks both screens and closes it. */
export async function damagedModelSession(driver, { binary, check, go, home, screenshot }) {
  const cache = process.env.CADENCE_TEST_MODELS ?? join(process.env.HOME ?? "", ".cache/cadence/test-models");
  const sound = join(cache, "SmolLM2-135M-Instruct.Q4_1.gguf");
  if (!existsSync(sound)) throw new Error(`${sound} is missing: run cargo test -p cadence-tests --test test_model first`);
  const folder = join(home, "models", "smollm2-135m");
  const installed = join(folder, "SmolLM2-135M-Instruct.Q4_1.gguf");
  mkdirSync(folder, { recursive: true });
  const bytes = readFileSync(sound);
  bytes.write("GGML", 0, "latin1");
  writeFileSync(installed, bytes);
  const problem = "does not start with the GGUF magic bytes";

  await driver.start(binary);
  await driver.waitFor("main h2", { predicate: (t) => t === "Create" });
  await go(driver, "models", "Models");
  const damage = await driver.text(await driver.waitFor('[data-model="smollm2-135m"] [data-testid="model-damage"]'));
  const row = await driver.text(await driver.find('[data-model="smollm2-135m"]'));
  check(
    damage.includes(installed) && damage.includes(problem) && row.includes("Damaged — download again") && row.includes("Download again"),
    `the Models screen marks the damaged model, naming its file and the problem (“${damage}”)`,
  );
  await screenshot(driver, "models-damaged");

  await go(driver, "coach", "Coach");
  await driver.type(await driver.waitFor('[data-testid="coach-question"]'), "How should I practise this progression?");
  await driver.click(await driver.find('[data-testid="coach-ask"]'));
  const failed = await driver.text(await driver.waitFor('[data-testid="coach-answer"][data-state="failed"]', { timeout: 60000 }));
  check(
    failed.includes(`${installed} is not a usable GGUF model`) && failed.includes(problem),
    `the coach says the model it loads is damaged, naming the file (“${failed.replace(/^Coach:\s*/, "")}”)`,
  );
  await driver.stop();
}
