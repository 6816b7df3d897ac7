import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { editableText, fieldLabel, problemsAt } from "../lib/edit";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke, Channel: class {} }));

const document = {
  schema_version: 1,
  title: "ii–V–I in Eb",
  topic: "ii-V-I",
  overview: { difficulty: "beginner", what_you_will_learn: ["Guide tones"] },
  music: {
    key: "Eb major",
    chords: [
      { bar: 1, numeral: "ii7", symbol: "Fm7", notes: ["F", "Ab", "C", "Eb"] },
      { bar: 2, numeral: "V7", symbol: "Bb7", notes: ["Bb", "D", "F", "Ab"] },
    ],
  },
};

const { default: DocumentEditor } = await import("./DocumentEditor.svelte");

describe("the document's editable text", () => {
  it("is its prose, not its music, codes or enumerations", () => {
    const paths = editableText(document).map((f) => f.path);
    expect(paths).toEqual(["title", "overview.what_you_will_learn[0]"]);
    expect(fieldLabel("overview.what_you_will_learn[0]")).toBe("Overview › what you will learn › 1");
    const problems = [{ field: "music.chords[1].symbol", message: "x" }, { field: "music.chords[10]", message: "y" }];
    expect(problemsAt(problems, "music.chords[1]").map((p) => p.message)).toEqual(["x"]);
  });
});

describe("DocumentEditor", () => {
  it("sends the edited chord and shows a refusal on the chord it is about", async () => {
    invoke.mockImplementation(async (command: string, args: { document?: typeof document }) => {
      if (command === "document_history") return [];
      if (command === "edit_document") {
        expect(args.document?.music.chords[1].symbol).toBe("E7");
        return { outcome: "refused", problems: [{ field: "music.chords[1]", message: "E7 is not V7 in Eb major" }] };
      }
      throw new Error(`unexpected ${command}`);
    });
    const onSaved = vi.fn();
    const { getByTestId, findByText } = render(DocumentEditor, {
      props: { target: "tutorial", id: 3, document, onSaved, onClose: () => {} },
    });
    await fireEvent.input(getByTestId("edit-symbol-1"), { target: { value: "E7" } });
    await fireEvent.click(getByTestId("edit-save"));
    const problem = await findByText("E7 is not V7 in Eb major");
    expect(problem.closest("tr")?.previousElementSibling?.classList.contains("wrong")).toBe(true);
    expect(onSaved).not.toHaveBeenCalled();
    expect(document.music.chords[1].symbol).toBe("Bb7");
  });

  it("shows the engine's completed document after a save, and can undo it", async () => {
    const completed = structuredClone(document);
    completed.music.chords[0] = { bar: 1, numeral: "vi7", symbol: "Cm7", notes: ["C", "Eb", "G", "Bb"] };
    invoke.mockImplementation(async (command: string) => {
      if (command === "document_history") return [];
      if (command === "edit_document")
        return { outcome: "saved", document: completed, checked: 9, history: [{ title: document.title, edited_at: 0 }] };
      if (command === "undo_edit") return { outcome: "saved", document, checked: 9, history: [] };
      throw new Error(`unexpected ${command}`);
    });
    const onSaved = vi.fn();
    const { getByTestId, findByTestId } = render(DocumentEditor, {
      props: { target: "material", id: 5, document, onSaved, onClose: () => {} },
    });
    expect((getByTestId("edit-undo") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(getByTestId("edit-symbol-0"), { target: { value: "Cm7" } });
    await fireEvent.click(getByTestId("edit-save"));
    await findByTestId("edit-saved");
    expect((getByTestId("edit-numeral-0") as HTMLInputElement).value).toBe("vi7");
    expect(onSaved).toHaveBeenCalledWith(completed);
    await fireEvent.click(getByTestId("edit-undo"));
    await vi.waitFor(() => expect((getByTestId("edit-numeral-0") as HTMLInputElement).value).toBe("ii7"));
    expect(invoke).toHaveBeenCalledWith("undo_edit", { target: "material", id: 5 });
  });
});
