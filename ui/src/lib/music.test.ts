import { describe, expect, it } from "vitest";
import { abcKey, chordChartAbc, keySignature, melodyAbc, midiNumber, playEvents } from "./music";
import { openedTutorial } from "../test/fixtures";

describe("music", () => {
  it("numbers notes like MIDI", () => {
    expect(midiNumber("C4")).toBe(60);
    expect(midiNumber("Eb4")).toBe(63);
    expect(midiNumber("B#3")).toBe(60);
    expect(midiNumber("Cbb4")).toBe(58);
    expect(midiNumber("H2")).toBeNull();
  });

  it("reads key signatures", () => {
    expect(keySignature("Eb major")).toBe(-3);
    expect(keySignature("C minor")).toBe(-3);
    expect(keySignature("F# major")).toBe(6);
    expect(abcKey("C minor")).toBe("Cm");
    expect(keySignature("A# major")).toBeNull();
  });

  it("writes the chord chart with symbols and only the accidentals the key lacks", () => {
    const abc = chordChartAbc(openedTutorial.tutorial.music)!;
    expect(abc).toContain("K:Eb");
    expect(abc).toContain('"Fm7"[A,CEG]16');
    // D natural against Eb major's signature needs no sign; A flat is in the key.
    expect(abc).toContain('"Bb7"[A,CDG]16');
  });

  it("marks naturals and ties notes across bar lines", () => {
    const abc = melodyAbc({ key: "F major", melody: [{ note: "B4", beats: 3 }, { note: "C5", beats: 2 }, { note: "Bb4", beats: 3 }] })!;
    expect(abc).toContain("=B12");
    expect(abc).toContain("c4-");
    expect(abc).toContain("|]");
  });

  it("schedules one chord per bar", () => {
    const { events, beats } = playEvents(openedTutorial.tutorial.music, "chords");
    expect(beats).toBe(12);
    expect(events.map((e) => e.start)).toEqual([0, 4, 8]);
    expect(events[0].midi).toEqual([56, 60, 63, 67]);
  });
});
