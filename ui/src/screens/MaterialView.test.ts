import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { OpenedMaterial } from "../lib/api";

const { invoke, opened } = vi.hoisted(() => ({ invoke: vi.fn(), opened: { current: null as unknown } }));
vi.mock("@tauri-apps/api/core", () => ({
  invoke,
  Channel: class {
    onmessage: ((message: unknown) => void) | null = null;
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

invoke.mockImplementation(async (command: string) => {
  if (command === "open_material") return opened.current;
  if (command === "rename_material") return null;
  throw new Error(`unexpected ${command}`);
});

const { default: MaterialView } = await import("./MaterialView.svelte");

const assessment: OpenedMaterial = {
  id: 3,
  kind: "assessment",
  title: "Diagnostic: the ii-V-I in Eb major",
  instrument: "piano",
  created_at: 0,
  checked: 2,
  document: {
    title: "Diagnostic: the ii-V-I in Eb major",
    kind: "diagnostic",
    level: "beginner",
    topic: "ii-V-I",
    questions: [
      {
        number: 1,
        prompt: "Which chord is ii7 in Eb major?",
        spec: { type: "chord_for_numeral", key: "Eb major", numeral: "ii7" },
        choices: ["Fm7", "Gm7", "Bbm7"],
        answer: ["Fm7"],
        points: 2,
      },
      {
        number: 2,
        prompt: "Which notes make up Bb7?",
        spec: { type: "chord_notes", symbol: "Bb7" },
        answer: ["Bb", "D", "F", "Ab"],
        points: 1,
      },
    ],
  },
};

const lessonPlan: OpenedMaterial = {
  id: 4,
  kind: "lesson_plan_part",
  title: "Differentiation: steady beat (grade 3)",
  instrument: "voice",
  created_at: 0,
  checked: 1,
  document: {
    title: "Differentiation: steady beat (grade 3)",
    topic: "steady beat",
    grade: "3",
    standards: ["MU:Pr4.2.3a"],
    content: {
      part: "differentiation",
      support: ["Pat the beat on the knees first"],
      extension: ["Add an ostinato"],
      english_learners: ["Show the word 'beat' with a picture"],
      accommodations: ["Allow a drum instead of clapping"],
    },
  },
};

describe("MaterialView", () => {
  it("shows an assessment's questions and reveals the engine's answer key on request", async () => {
    opened.current = assessment;
    const { findByTestId, getByTestId, queryAllByTestId } = render(MaterialView, { id: 3 });
    const questions = await findByTestId("questions");
    expect(questions.textContent).toContain("Which chord is ii7 in Eb major?");
    expect(questions.textContent).toContain("B. Gm7");
    expect(queryAllByTestId("answer")).toHaveLength(0);
    await fireEvent.click(getByTestId("show-answers"));
    const answers = queryAllByTestId("answer").map((a) => a.textContent);
    expect(answers).toEqual(["Answer: Fm7", "Answer: Bb D F Ab"]);
    // Only exercises have music to write as MIDI.
    expect(() => getByTestId("export-midi")).toThrow();
    expect(getByTestId("export-json")).toBeTruthy();
  });

  it("renders a lesson-plan part by its sections with the standards it cites", async () => {
    opened.current = lessonPlan;
    const { findByTestId, getByTestId } = render(MaterialView, { id: 4 });
    const part = await findByTestId("plan-part");
    expect(part.textContent).toContain("Differentiation");
    expect(part.textContent).toContain("English learners");
    expect(part.textContent).toContain("Allow a drum instead of clapping");
    expect(getByTestId("standards-cited").textContent).toContain("MU:Pr4.2.3a");
  });

  it("renames through the library and shows the new title", async () => {
    opened.current = lessonPlan;
    const { findByText, getByTestId, findByTestId } = render(MaterialView, { id: 4 });
    await fireEvent.click(await findByText("Rename"));
    await fireEvent.input(getByTestId("material-title-input"), { target: { value: "Week 3 support" } });
    await fireEvent.submit(getByTestId("material-title-input").closest("form")!);
    expect((await findByTestId("material-title")).textContent).toBe("Week 3 support");
    expect(invoke).toHaveBeenCalledWith("rename_material", { id: 4, title: "Week 3 support" });
  });
});
