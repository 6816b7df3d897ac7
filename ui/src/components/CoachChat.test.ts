import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import CoachChat from "./CoachChat.svelte";
import type { CoachBackend } from "../lib/api";

describe("CoachChat", () => {
  it("says why coaching is unavailable and disables asking", () => {
    const backend: CoachBackend = { unavailableReason: "No model.", ask: async () => {}, cancel: async () => {} };
    const { getByTestId } = render(CoachChat, { backend });
    expect(getByTestId("coach-unavailable").textContent).toBe("No model.");
    expect((getByTestId("coach-ask") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows an answer as its tokens stream in", async () => {
    const backend: CoachBackend = {
      unavailableReason: null,
      ask: async (_q, onToken) => {
        onToken("Keep ");
        onToken("the thumb low.");
      },
      cancel: async () => {},
    };
    const { getByTestId, findByText } = render(CoachChat, { backend });
    await fireEvent.input(getByTestId("coach-question"), { target: { value: "Why muddy?" } });
    await fireEvent.click(getByTestId("coach-ask"));
    expect(await findByText(/Keep the thumb low\./)).toBeTruthy();
  });
});
