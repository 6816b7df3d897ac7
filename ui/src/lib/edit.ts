// What the document editor lets a teacher change, and where a problem is shown.
import type { EditProblem } from "./bindings";

/** A text field of a document: its path as the engine names it, and where it lives. */
export type TextField = { path: string; parent: Record<string | number, unknown>; key: string | number };

// Fields the engine or the library owns: codes, enumerations and the music (edited apart).
const NOT_TEXT = new Set([
  "schema_version",
  "music",
  "kind",
  "difficulty",
  "level",
  "style",
  "instrument",
  "grade",
  "standards",
  "topic",
  "voicing_kind",
  "meter",
  "answer",
  "answers",
  "part",
]);

/** Every string of `document` a teacher may rewrite, in document order. */
export function editableText(document: unknown): TextField[] {
  const fields: TextField[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const at = `${path}[${i}]`;
        if (typeof item === "string") fields.push({ path: at, parent: value as unknown as Record<number, unknown>, key: i });
        else walk(item, at);
      });
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (NOT_TEXT.has(key)) continue;
        const at = path ? `${path}.${key}` : key;
        if (typeof item === "string") fields.push({ path: at, parent: value as Record<string, unknown>, key });
        else walk(item, at);
      }
    }
  };
  walk(document, "");
  return fields;
}

/** "overview.what_you_will_learn[1]" as a person reads it: "Overview › what you will learn › 2". */
export function fieldLabel(path: string): string {
  const parts = path
    .replaceAll(/\[(\d+)\]/g, (_, n: string) => `.${Number(n) + 1}`)
    .split(".")
    .filter(Boolean)
    .map((part) => part.replaceAll("_", " "));
  const label = parts.join(" › ");
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The problems on `path` or inside it (a chord's problems include its numeral's and symbol's). */
export function problemsAt(problems: EditProblem[], path: string): EditProblem[] {
  return problems.filter((p) => p.field === path || p.field.startsWith(`${path}.`));
}
