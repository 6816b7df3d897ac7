// The Gemini key must never leave the process that uses it: the suite starts the window with
// a sentinel key in GEMINI_API_KEY, records what the window and its drivers print, and at
// the end looks for the key in that output and in every file of the data and export folders.
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A key no one else would write; the `+` makes its URL-encoded form differ from it. */
export function sentinelKey() {
  return `AIzaE2eSentinel+${randomBytes(16).toString("hex")}`;
}

/** Passes a child's output on to this process's, keeping a copy in `output` (a list of Buffers). */
export function recordOutput(child, output) {
  child.stdout.on("data", (chunk) => {
    output.push(chunk);
    process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk) => {
    output.push(chunk);
    process.stderr.write(chunk);
  });
}

/** The forms the key could be written in: as it is, and URL-encoded (either case of hex). */
function forms(secret) {
  const encoded = encodeURIComponent(secret);
  return [...new Set([secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())])];
}

/** Every file under `folder`, links not followed. */
function filesUnder(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) return filesUnder(path);
    return stat.isFile() ? [path] : [];
  });
}

/**
 * Where `secret` appears: files under `folders` (read as raw bytes: SQLite pages, its WAL,
 * caches) and the recorded `outputs` ({ name: [Buffer, …] }). Also returns how many files
 * and bytes were searched.
 */
export function placesHolding(secret, { folders, outputs }) {
  const needles = forms(secret).map((form) => Buffer.from(form));
  const found = [];
  let files = 0;
  let bytes = 0;
  const search = (where, data) => {
    bytes += data.length;
    for (const needle of needles) if (data.includes(needle)) found.push(`${where} holds ${needle}`);
  };
  for (const folder of folders) {
    for (const file of filesUnder(folder)) {
      files += 1;
      search(file, readFileSync(file));
    }
  }
  for (const [name, chunks] of Object.entries(outputs)) search(name, Buffer.concat(chunks));
  return { found, files, bytes };
}
