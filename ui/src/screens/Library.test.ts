import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { MaterialListItem } from "../lib/api";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({
  invoke,
  Channel: class {
    onmessage: ((message: unknown) => void) | null = null;
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

const plan: MaterialListItem = {
  id: 9,
  kind: "lesson_plan_part",
  title: "Differentiation: steady beat (grade 3)",
  topic: "steady beat",
  music_key: null,
  level: null,
  grade: "3",
};

invoke.mockImplementation(async (command: string) => {
  if (command === "list_tutorials" || command === "list_curricula" || command === "trashed_curricula") return [];
  if (command === "list_materials") return [plan];
  if (command === "delete_material") return null;
  throw new Error(`unexpected ${command}`);
});

const { default: Library } = await import("./Library.svelte");

describe("Library materials", () => {
  it("lists materials, hides a deleted one at once, and Undo brings it back without deleting", async () => {
    const { findByTestId, findByText, getByLabelText, getByTestId, queryByText } = render(Library);
    await findByText(plan.title);
    const list = getByTestId("material-list");
    expect(list.textContent).toContain("lesson-plan part · steady beat · grade 3");
    await fireEvent.click(getByLabelText(`Delete ${plan.title}`));
    expect((await findByTestId("material-undo-bar")).textContent).toContain(plan.title);
    expect(queryByText(plan.title)).toBeNull();
    await fireEvent.click(getByTestId("material-undo"));
    expect(await findByTestId("material-list")).toBeTruthy();
    expect(queryByText(plan.title)).not.toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("delete_material", expect.anything());
  });

  it("carries out a deletion when the screen is left before the undo time is up", async () => {
    const { findByText, getByLabelText, unmount } = render(Library);
    await findByText(plan.title);
    await fireEvent.click(getByLabelText(`Delete ${plan.title}`));
    unmount();
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("delete_material", { id: 9 }));
  });
});
