import { render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { openedTutorial } from "../test/fixtures";

vi.mock("@tauri-apps/api/core", () => ({
  invoke: vi.fn(async (command: string) => {
    if (command === "open_tutorial") return openedTutorial;
    throw new Error(`unexpected ${command}`);
  }),
  Channel: class {},
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
// abcjs measures text in a real layout engine; here it is enough that it was asked to draw.
vi.mock("abcjs", () => ({ default: { renderAbc: vi.fn() } }));

const { default: TutorialView } = await import("./TutorialView.svelte");

describe("TutorialView", () => {
  it("renders the tutorial as a lesson with its chords", async () => {
    const { findByTestId, getAllByTestId, getByText } = render(TutorialView, { id: 7 });
    expect((await findByTestId("tutorial-title")).textContent).toBe("The ii-V-I in Eb major");
    expect(getAllByTestId("chord").map((c) => c.querySelector(".symbol")!.textContent)).toEqual(["Fm7", "Bb7", "Ebmaj7"]);
    for (const heading of ["Overview", "Theory", "Practice", "Common mistakes", "Next steps"]) expect(getByText(heading)).toBeTruthy();
    expect(getByText(/Keep common tones/)).toBeTruthy();
  });
});
