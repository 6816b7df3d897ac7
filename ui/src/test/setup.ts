import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";

// Each test starts with an empty document.
afterEach(() => {
  cleanup();
});
