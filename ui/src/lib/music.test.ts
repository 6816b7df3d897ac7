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

  it("sounds a guitar chord's shape and writes a low line in the bass clef", () => {
    const music = {
      key: "C major",
      chords: [{ bar: 1, numeral: "I", symbol: "C", notes: ["C", "E", "G"], guitar: { frets: [null, 3, 2, 0, 1, 0], notes: ["C3", "E3", "G3", "C4", "E4"] } }],
      melody: [{ note: "C2", beats: 4 }],
    };
    expect(chordChartAbc(music)).toContain('"C"[C,E,G,CE]16');
    expect(playEvents(music, "chords").events[0].midi).toEqual([48, 52, 55, 60, 64]);
    expect(melodyAbc(music)).toContain("K:C clef=bass");
    expect(melodyAbc({ key: "C major", melody: [{ note: "C4", beats: 4 }] })).not.toContain("clef=bass");
  });

  it("schedules one chord per bar", () => {
    const { events, beats } = playEvents(openedTutorial.tutorial.music, "chords");
    expect(beats).toBe(12);
    expect(events.map((e) => e.start)).toEqual([0, 4, 8]);
    expect(events[0].midi).toEqual([56, 60, 63, 67]);
  });
});
