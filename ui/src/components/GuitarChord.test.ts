import { render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import GuitarChord from "./GuitarChord.svelte";

describe("GuitarChord", () => {
  it("draws an open shape from the nut with its muted and open strings", () => {
    const shape = { frets: [null, 3, 2, 0, 1, 0], notes: ["C3", "E3", "G3", "C4", "E4"] };
    const { getAllByTestId, queryByTestId, getByTestId } = render(GuitarChord, { shape, symbol: "C" });
    expect(getAllByTestId("fretted")).toHaveLength(3);
    expect(getAllByTestId("muted")).toHaveLength(1);
    expect(getAllByTestId("open")).toHaveLength(2);
    expect(queryByTestId("barre")).toBeNull();
    expect(queryByTestId("guitar-position")).toBeNull();
    expect(getByTestId("guitar-chord").getAttribute("aria-label")).toBe("C on the guitar: x32010: C3 E3 G3 C4 E4");
  });

  it("draws a barre as one bar, and a shape up the neck from its position", () => {
    const barreF = { frets: [1, 3, 3, 2, 1, 1], notes: ["F2", "C3", "F3", "A3", "C4", "F4"] };
    const first = render(GuitarChord, { shape: barreF, symbol: "F" });
    expect(first.getAllByTestId("barre")).toHaveLength(1);
    expect(first.getAllByTestId("fretted")).toHaveLength(3);
    first.unmount();

    const high = { frets: [null, 6, 8, 8, 8, 6], notes: ["Eb3", "Bb3", "Eb4", "G4", "Bb4"] };
    const { getByTestId } = render(GuitarChord, { shape: high, symbol: "Eb" });
    expect(getByTestId("guitar-position").textContent).toBe("6fr");
  });
});
