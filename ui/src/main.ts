import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// If the window cannot start, say so on screen rather than leaving it blank.
function showFatal(error: unknown) {
  const box = document.createElement("p");
  box.className = "error";
  box.setAttribute("role", "alert");
  box.textContent = `Cadence's window failed to start: ${error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error)}. Restart Cadence; if this happens again, report this message.`;
  target!.replaceChildren(box);
}

let app;
try {
  app = mount(App, { target });
} catch (error) {
  showFatal(error);
}
window.addEventListener("error", (event) => {
  if (!target.childElementCount) showFatal(event.error ?? event.message);
});

export default app;
