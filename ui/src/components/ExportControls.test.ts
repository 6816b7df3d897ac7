import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

const { save } = vi.hoisted(() => ({ save: vi.fn() }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const { default: ExportControls } = await import("./ExportControls.svelte");

describe("ExportControls", () => {
  it("offers MusicXML wherever MIDI is offered and saves to the chosen path", async () => {
    const written = vi.fn(async (path: string) => ({ path, bytes: 1200, format: "musicxml" as const }));
    const { getByTestId, findByTestId } = render(ExportControls, {
      title: "The ii-V-I in Eb",
      what: "tutorial",
      formats: ["json", "midi"],
      save: written,
    });
    expect(getByTestId("export-midi")).toBeTruthy();
    const button = getByTestId("export-musicxml");
    expect(button.textContent).toContain("Export MusicXML…");
    save.mockResolvedValueOnce("/home/me/ii-V-I in Eb.musicxml");
    await fireEvent.click(button);
    expect(save).toHaveBeenLastCalledWith(
      expect.objectContaining({
        defaultPath: "The ii-V-I in Eb.musicxml",
        filters: [{ name: "MusicXML", extensions: ["musicxml"] }],
      }),
    );
    expect((await findByTestId("export-done")).textContent).toContain("ii-V-I in Eb.musicxml (1200 bytes)");
    expect(written).toHaveBeenCalledWith("/home/me/ii-V-I in Eb.musicxml");
  });

  it("offers no MusicXML for a document that is not music", () => {
    const { getByTestId, queryByTestId, getByLabelText } = render(ExportControls, {
      title: "A curriculum",
      what: "curriculum",
      formats: ["json"],
      save: vi.fn(),
    });
    expect(getByTestId("export-json")).toBeTruthy();
    expect(queryByTestId("export-musicxml")).toBeNull();
    expect(getByLabelText(/Full path ending in \.json$/)).toBeTruthy();
  });
});
