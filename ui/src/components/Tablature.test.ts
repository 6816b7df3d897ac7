import { render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { ChordEntry } from "../lib/bindings";
import Tablature from "./Tablature.svelte";

const chords: ChordEntry[] = [
  { bar: 1, numeral: "ii7", symbol: "Am7", guitar: { frets: [null, 0, 2, 0, 1, 0], notes: ["A2", "E3", "G3", "C4", "E4"] } },
  { bar: 2, numeral: "V7", symbol: "D7", guitar: { frets: [null, null, 0, 2, 1, 2], notes: ["D3", "A3", "C4", "F#4"] } },
  { bar: 3, numeral: "Imaj7", symbol: "Gmaj7" },
];

describe("Tablature", () => {
  it("writes each chord's frets on the six strings, high e on top", () => {
    const { getByTestId, container } = render(Tablature, { chords, selected: 1 });
    const column = (index: number) => [5, 4, 3, 2, 1, 0].map((string) => getByTestId(`tab-${index}-${string}`).textContent).join("");
    expect(column(0)).toBe("01020x");
    expect(column(1)).toBe("2120xx");
    expect(container.querySelectorAll("rect.selected")).toHaveLength(1);
    const label = getByTestId("tablature").getAttribute("aria-label");
    expect(label).toBe("Guitar tablature: Am7 x02010, D7 xx0212, Gmaj7 (no shape)");
  });
});
