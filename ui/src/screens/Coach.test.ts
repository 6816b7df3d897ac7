import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { openedTutorial } from "../test/fixtures";

const { invoke, status } = vi.hoisted(() => ({
  invoke: vi.fn(),
  status: { model: "smollm2-135m" as string | null, reason: "the best installed model" },
}));
vi.mock("@tauri-apps/api/core", () => ({
  invoke,
  Channel: class {
    onmessage: ((message: unknown) => void) | null = null;
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

invoke.mockImplementation(async (command: string, args: Record<string, unknown>) => {
  if (command === "coach_status") return status;
  if (command === "open_tutorial") return openedTutorial;
  if (command === "ask_coach") {
    (args.onDelta as { onmessage: (t: string) => void }).onmessage("Count the beats aloud.");
    return { text: "Count the beats aloud.", model: "smollm2-135m", dropped_turns: 0, fallbacks: [] };
  }
  throw new Error(`unexpected ${command}`);
});

const { default: Coach } = await import("./Coach.svelte");

describe("Coach", () => {
  it("coaches about the open lesson at the chosen level", async () => {
    const { findByTestId, getByTestId, findByText } = render(Coach, { tutorialId: 7 });
    const lesson = await findByTestId("coach-lesson");
    await vi.waitFor(() => expect(lesson.textContent).toContain("The ii-V-I in Eb major"));
    await fireEvent.change(getByTestId("coach-level"), { target: { value: "advanced" } });
    const question = await findByTestId("coach-question");
    await fireEvent.input(question, { target: { value: "How do I keep time?" } });
    await fireEvent.click(getByTestId("coach-ask"));
    expect(await findByText(/Count the beats aloud\./)).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith(
      "ask_coach",
      expect.objectContaining({ question: "How do I keep time?", level: "advanced", tutorialId: 7, instrument: "piano" }),
    );
  });

  it("tells a first-time user to download a model", async () => {
    status.model = null;
    status.reason = "coaching needs a language model and none can run: download one on the Models screen";
    const { findByTestId } = render(Coach, {});
    expect((await findByTestId("coach-unavailable")).textContent).toContain("Models screen");
  });
});
