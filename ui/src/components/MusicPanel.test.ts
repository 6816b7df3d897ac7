import { render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { MusicPayload } from "../lib/bindings";

// abcjs measures text in a real layout engine; here it is enough that it was asked to draw.
const renderAbc = vi.hoisted(() => vi.fn());
vi.mock("abcjs", () => ({ default: { renderAbc } }));

const { default: MusicPanel } = await import("./MusicPanel.svelte");

// What the screen shows: the print layout's diagrams are hidden there.
const outsidePrint = (all: HTMLElement[]) => all.filter((element) => !element.closest(".print-only"));

const guitar: MusicPayload = {
  key: "G major",
  instrument: "guitar",
  chords: [
    { bar: 1, numeral: "ii7", symbol: "Am7", notes: ["A", "C", "E", "G"], guitar: { frets: [null, 0, 2, 0, 1, 0], notes: ["A2", "E3", "G3", "C4", "E4"] } },
    { bar: 2, numeral: "V7", symbol: "D7", notes: ["D", "F#", "A", "C"], guitar: { frets: [null, null, 0, 2, 1, 2], notes: ["D3", "A3", "C4", "F#4"] } },
  ],
};

const bass: MusicPayload = {
  key: "F major",
  instrument: "bass",
  chords: [
    { bar: 1, numeral: "I7", symbol: "F7", notes: ["F", "A", "C", "Eb"] },
    { bar: 2, numeral: "IV7", symbol: "Bb7", notes: ["Bb", "D", "F", "Ab"] },
  ],
  melody: [
    { note: "F1", beats: 4 },
    { note: "Bb1", beats: 4 },
  ],
};

describe("MusicPanel", () => {
  it("shows a guitar chord's shape in place of the keyboard, and the chords as tablature", async () => {
    const { getByTestId, queryAllByTestId, getAllByTestId } = render(MusicPanel, { music: guitar });
    expect(outsidePrint(queryAllByTestId("piano"))).toHaveLength(0);
    const onScreen = () => outsidePrint(queryAllByTestId("guitar-chord"));
    expect(onScreen()).toHaveLength(1);
    expect(onScreen()[0].getAttribute("aria-label")).toContain("Am7 on the guitar: x02010");
    const printed = queryAllByTestId("guitar-chord").filter((d) => d.closest('[data-testid="print-keyboards"]'));
    expect(printed.map((d) => d.getAttribute("aria-label"))).toEqual([
      expect.stringContaining("Am7 on the guitar: x02010"),
      expect.stringContaining("D7 on the guitar: xx0212"),
    ]);
    expect(getByTestId("tablature")).toBeTruthy();
    getAllByTestId("chord")[1].click();
    await vi.waitFor(() => expect(onScreen()[0].getAttribute("aria-label")).toContain("D7 on the guitar: xx0212"));
  });

  it("shows a bass's root movement as the line, written an octave up in the bass clef", () => {
    renderAbc.mockClear();
    const { getByTestId, queryByTestId, getAllByTestId } = render(MusicPanel, { music: bass });
    expect(getByTestId("line-heading").textContent).toBe("Bass line: the root movement");
    expect(queryByTestId("tablature")).toBeNull();
    const [piano] = outsidePrint(getAllByTestId("piano"));
    expect(piano.getAttribute("aria-label")).toContain("F1, Bb1");
    const drawn = renderAbc.mock.calls.map((call) => call[1] as string);
    expect(drawn.some((abc) => abc.includes("K:F clef=bass") && abc.includes("F,,16") && abc.includes(" B,,16"))).toBe(true);
  });
});
