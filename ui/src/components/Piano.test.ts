import { render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import Piano from "./Piano.svelte";

describe("Piano", () => {
  it("lights exactly the voicing's keys and names them", () => {
    const { container, getByRole } = render(Piano, { notes: ["Ab3", "C4", "Eb4", "G4"] });
    const lit = [...container.querySelectorAll("rect.lit")].map((r) => (r as SVGElement).dataset.note);
    expect(lit.sort()).toEqual(["C4", "D#4", "G#3", "G4"].sort());
    expect(getByRole("img").getAttribute("aria-label")).toContain("Ab3, C4, Eb4, G4");
  });
});
