import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { CurriculumDetail, CurriculumListItem } from "../lib/api";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke, Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

const item: CurriculumListItem = {
  id: 4,
  title: "Autumn term",
  level: "beginner",
  duration_weeks: 2,
  module_count: 2,
  lesson_count: 3,
};
const lesson = (id: number, title: string) => ({
  id,
  title,
  difficulty: "beginner",
  duration_minutes: 30,
  tutorial_id: null,
  exercises: [],
});
const detail: CurriculumDetail = {
  id: 4,
  title: "Autumn term",
  level: "beginner",
  duration_weeks: 2,
  description: "Two weeks of triads",
  modules: [
    { title: "Week 1", week_start: 1, week_end: 1, lessons: [lesson(10, "Triads"), lesson(11, "Inversions")] },
    { title: "Week 2", week_start: 2, week_end: 2, lessons: [lesson(12, "Cadences")] },
  ],
};

const { default: CurriculumItem } = await import("./CurriculumItem.svelte");

describe("CurriculumItem", () => {
  it("moves the last lesson of a module across into the next, and renames and deletes", async () => {
    invoke.mockImplementation(async (command: string, args: Record<string, unknown>) => {
      if (command === "open_curriculum") return detail;
      if (command === "move_lesson") {
        expect(args).toEqual({ id: 4, lesson: 11, to: { module: 1, position: 0 } });
        return {
          curriculum: {
            ...detail,
            modules: [
              { ...detail.modules[0], lessons: [lesson(10, "Triads")] },
              { ...detail.modules[1], lessons: [lesson(11, "Inversions"), lesson(12, "Cadences")] },
            ],
          },
          prerequisites_dropped: 1,
        };
      }
      if (command === "rename_curriculum" || command === "delete_curriculum") return null;
      throw new Error(`unexpected ${command}`);
    });
    const onChanged = vi.fn();
    const onDeleted = vi.fn();
    const { findAllByTestId, getByLabelText, getByTestId } = render(CurriculumItem, {
      item,
      open: true,
      onToggle: () => {},
      onChanged,
      onDeleted,
    });
    expect((await findAllByTestId("curriculum-lesson")).length).toBe(3);
    expect((getByLabelText("Move Triads up") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(getByLabelText("Move Inversions down"));
    await vi.waitFor(() => {
      const modules = document.querySelectorAll('[data-testid="module-lessons"]');
      expect(modules[1].textContent).toContain("Inversions");
      expect(modules[0].textContent).not.toContain("Inversions");
    });
    expect(getByTestId("prerequisites-dropped").textContent).toContain("1 lesson no longer builds on a lesson after it");

    await fireEvent.click(getByLabelText("Rename Autumn term"));
    await fireEvent.input(getByTestId("curriculum-title-input"), { target: { value: "Spring term" } });
    await fireEvent.submit(getByTestId("curriculum-title-input").closest("form")!);
    await vi.waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("rename_curriculum", { id: 4, title: "Spring term" });

    await fireEvent.click(getByLabelText("Delete Autumn term"));
    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalledWith(item));
  });

  it("edits the curriculum's words and undoes the edit with the words it had", async () => {
    const previous = {
      title: "Autumn term",
      description: "Two weeks of triads",
      module_titles: ["Week 1", "Week 2"],
      lessons: [
        { id: 10, title: "Triads" },
        { id: 11, title: "Inversions" },
        { id: 12, title: "Cadences" },
      ],
    };
    const sent: unknown[] = [];
    invoke.mockImplementation(async (command: string, args: { texts?: typeof previous }) => {
      if (command === "open_curriculum") return detail;
      if (command === "edit_curriculum_texts") {
        sent.push(args.texts);
        return { curriculum: { ...detail, description: args.texts!.description }, previous };
      }
      throw new Error(`unexpected ${command}`);
    });
    const onChanged = vi.fn();
    const { findByTestId, getByTestId, queryByTestId } = render(CurriculumItem, {
      item,
      open: true,
      onToggle: () => {},
      onChanged,
      onDeleted: () => {},
    });
    await fireEvent.click(await findByTestId("edit-words"));
    await fireEvent.input(getByTestId("words-description"), { target: { value: "Three weeks of sevenths" } });
    await fireEvent.submit(getByTestId("curriculum-words"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ ...previous, description: "Three weeks of sevenths" });
    await fireEvent.click(await findByTestId("undo-words"));
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toEqual(previous);
    await vi.waitFor(() => expect(queryByTestId("undo-words")).toBeNull());
    expect(onChanged).toHaveBeenCalledTimes(2);
  });
});
