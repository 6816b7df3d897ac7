import { describe, expect, it, vi } from "vitest";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke, Channel: class {} }));

const { endPrint, printing, startPrint } = await import("./print.svelte");

describe("printing", () => {
  it("shows the print layout before the system's dialog opens, and keeps it until closed", async () => {
    invoke.mockImplementation(async (command: string) => {
      expect(command).toBe("print_page");
      expect(document.documentElement.dataset.printing).toBe("answer-key");
      return null;
    });
    await startPrint("answer-key");
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(printing.mode).toBe("answer-key");
    expect(document.documentElement.dataset.printing).toBe("answer-key");
    endPrint();
    expect(document.documentElement.dataset.printing).toBeUndefined();
    expect(printing.mode).toBeNull();
  });

  it("says why when the system cannot print", async () => {
    invoke.mockRejectedValue("no printer");
    await startPrint();
    expect(printing.error).toBe("no printer");
    endPrint();
  });
});
