// Printing: the window shows the print layout (the document alone: notation, chord chart and
// keyboard diagrams, without the app around it) and asks the system to print it. The layout
// stays on screen as a preview until the teacher closes it, because the system's print
// sheet may read the page after the call returns.
import { tick } from "svelte";
import { printPage } from "./api";

/** "layout": the document as it is taught; "answer-key": an assessment's answers alone. */
export type PrintMode = "layout" | "answer-key";

export const printing = $state<{ mode: PrintMode | null; error: string | null }>({ mode: null, error: null });

function show(mode: PrintMode | null) {
  printing.mode = mode;
  if (mode) document.documentElement.dataset.printing = mode;
  else delete document.documentElement.dataset.printing;
}

/** Shows the print layout and opens the system's print dialog for it. */
export async function startPrint(mode: PrintMode = "layout") {
  printing.error = null;
  show(mode);
  await tick();
  try {
    await printPage();
  } catch (e) {
    printing.error = (e as Error).message;
  }
}

export function endPrint() {
  printing.error = null;
  show(null);
}

/** Printing the system starts (a Print menu) gets the print layout too. */
export function followSystemPrinting() {
  const before = () => {
    if (!printing.mode) show("layout");
  };
  addEventListener("beforeprint", before);
  return () => removeEventListener("beforeprint", before);
}
