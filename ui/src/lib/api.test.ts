import { beforeEach, describe, expect, it, vi } from "vitest";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({
  invoke,
  Channel: class {
    onmessage: ((message: unknown) => void) | null = null;
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(async () => "/home/me/lesson.json") }));

const api = await import("./api");

describe("api", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("calls each command by name with camel-case arguments", async () => {
    invoke.mockResolvedValue({ id: 3 });
    await api.createTutorial("ii-V-I", "Eb major", "beginner", "guitar");
    expect(invoke).toHaveBeenLastCalledWith(
      "create_tutorial",
      expect.objectContaining({ topic: "ii-V-I", key: "Eb major", level: "beginner", instrument: "guitar" }),
    );
    await api.exportTutorial(3, "/tmp/x.json", 100);
    expect(invoke).toHaveBeenLastCalledWith("export_tutorial", { id: 3, path: "/tmp/x.json", tempoBpm: 100 });
    await api.listTutorials();
    expect(invoke).toHaveBeenLastCalledWith("list_tutorials", { query: "" });
    await api.usageReport("2026-02");
    expect(invoke).toHaveBeenLastCalledWith("usage_report", { month: "2026-02" });
    await api.usageReport();
    expect(invoke).toHaveBeenLastCalledWith("usage_report", { month: null });
  });

  it("turns a rejected invoke into an ApiError carrying Rust's sentence", async () => {
    invoke.mockRejectedValue("the title must have 1 to 200 characters");
    const error = await api.renameTutorial(1, "").catch((e) => e);
    expect(error).toBeInstanceOf(api.ApiError);
    expect(error.message).toBe("the title must have 1 to 200 characters");
    expect(error.command).toBe("rename_tutorial");
  });

  it("streams a tutorial's steps and text through a channel", async () => {
    invoke.mockImplementation(async (_command: string, args: { onProgress: { onmessage: (p: unknown) => void } }) => {
      args.onProgress.onmessage({ event: "step", message: "writing with smollm2-135m (attempt 1)…" });
      args.onProgress.onmessage({ event: "delta", text: '{"title"' });
      return { id: 4, title: "ii-V-I", generator: "smollm2-135m", checked: 12, repaired: 0 };
    });
    const seen: unknown[] = [];
    const created = await api.createTutorial("ii-V-I", "C major", "beginner", "piano", (p) => seen.push(p));
    expect(seen).toEqual([
      { event: "step", message: "writing with smollm2-135m (attempt 1)…" },
      { event: "delta", text: '{"title"' },
    ]);
    expect(created.generator).toBe("smollm2-135m");
  });

  it("streams curriculum progress through a channel", async () => {
    invoke.mockImplementation(async (_command: string, args: { onProgress: { onmessage: (p: unknown) => void } }) => {
      args.onProgress.onmessage({ done: 1, total: 2, message: "outline" });
      return { id: 1, lessons: 1, tutorials_written: 1 };
    });
    const seen: string[] = [];
    const request = { key: "C major", level: "beginner" as const, weeks: 4, instrument: "guitar", goal: "play the blues" };
    const result = await api.createCurriculum(request, (p) => seen.push(p.message));
    expect(seen).toEqual(["outline"]);
    expect(result.lessons).toBe(1);
    expect(invoke).toHaveBeenCalledWith("create_curriculum", expect.objectContaining({ instrument: "guitar", goal: "play the blues", weeks: 4 }));
  });

  it("streams download progress and cancels by model id", async () => {
    invoke.mockImplementation(async (command: string, args: { onProgress: { onmessage: (p: unknown) => void } }) => {
      if (command !== "download_model") return undefined;
      args.onProgress.onmessage({ phase: "downloading", done: 41_300_000, total: 98_400_000, bytes_per_second: 12_340_000 });
      return { outcome: "paused", done: 41_300_000, total: 98_400_000 };
    });
    const seen: string[] = [];
    const outcome = await api.downloadModel("smollm2-135m", (p) => seen.push(api.describeProgress(p)));
    expect(invoke).toHaveBeenLastCalledWith("download_model", expect.objectContaining({ id: "smollm2-135m" }));
    expect(seen).toEqual(["41% · 41.3 MB of 98.4 MB · 12.3 MB/s"]);
    expect(outcome).toEqual({ outcome: "paused", done: 41_300_000, total: 98_400_000 });
    await api.cancelDownload("smollm2-135m");
    expect(invoke).toHaveBeenLastCalledWith("cancel_download", { id: "smollm2-135m" });
    expect(api.describeProgress({ phase: "verifying", done: 1, total: 1, bytes_per_second: 0 })).toBe(
      "Verifying the checksum…",
    );
  });

  it("asks the native dialog for a path with the right extension", async () => {
    const dialog = await import("@tauri-apps/plugin-dialog");
    await api.chooseExportPath("ii-V-I: in Eb?", "midi");
    expect(dialog.save).toHaveBeenLastCalledWith(expect.objectContaining({ defaultPath: "ii-V-I in Eb.mid" }));
  });

  it("writes months and costs as the usage report does", () => {
    expect(api.thisMonth(new Date(2026, 0, 31))).toBe("2026-01");
    expect(api.thisMonth(new Date(2026, 11, 1))).toBe("2026-12");
    expect(api.formatDollars(0)).toBe("$0.00");
    expect(api.formatDollars(0.0031)).toBe("$0.0031");
    expect(api.formatDollars(6.3)).toBe("$6.30");
  });

  it("describes availability and sizes for people", () => {
    expect(api.describeAvailability({ state: "partial", bytes: 1_500_000 })).toBe("Partly downloaded (1.5 MB)");
    expect(api.describeAvailability({ state: "disabled", reason: "no key" })).toBe("Disabled (no key)");
    expect(api.describeAvailability({ state: "damaged", path: "m.gguf", problem: "m.gguf is not a usable GGUF model" })).toBe(
      "Damaged — download again",
    );
    expect(api.formatBytes(2_393_232_672)).toBe("2.4 GB");
    expect(api.formatBytes(null)).toBe("—");
  });

  it("coaches in a conversation that remembers finished answers only", async () => {
    const sent: { history: unknown[]; question: string; tutorialId: number | null }[] = [];
    invoke.mockImplementation(async (command: string, args: Record<string, unknown>) => {
      if (command === "cancel_coach") return undefined;
      sent.push(args as never);
      const question = args.question as string;
      if (question === "stop me") throw "cancelled; nothing was saved";
      (args.onDelta as { onmessage: (t: string) => void }).onmessage("Play ");
      (args.onDelta as { onmessage: (t: string) => void }).onmessage("slowly.");
      return { text: "Play slowly.", model: "phi-3.5-mini", dropped_turns: 0, fallbacks: [] };
    });
    const backend = api.coachConversation(
      { model: "phi-3.5-mini", reason: "tier small" },
      { level: "beginner", instrument: "piano", tutorialId: 7 },
    );
    expect(backend.unavailableReason).toBeNull();
    const tokens: string[] = [];
    await backend.ask("How fast?", (t) => tokens.push(t));
    expect(tokens.join("")).toBe("Play slowly.");
    await expect(backend.ask("stop me", () => {})).rejects.toThrow("cancelled");
    await backend.ask("And then?", () => {});
    expect(sent[0]).toMatchObject({ question: "How fast?", history: [], level: "beginner", tutorialId: 7 });
    // The cancelled question left nothing behind.
    expect(sent[2].history).toEqual([
      { speaker: "student", text: "How fast?" },
      { speaker: "coach", text: "Play slowly." },
    ]);
    await backend.cancel();
    expect(invoke).toHaveBeenLastCalledWith("cancel_coach", undefined);
  });

  it("says what to do when no model can coach", () => {
    const backend = api.coachConversation(
      { model: null, reason: "coaching needs a language model and none can run: download one on the Models screen" },
      { level: "beginner", instrument: "piano", tutorialId: null },
    );
    expect(backend.unavailableReason).toMatch(/download one on the Models screen/);
  });
});
