import { render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { GenerationPlan } from "../lib/bindings";

const { invoke, plan } = vi.hoisted(() => ({
  invoke: vi.fn(),
  plan: { current: null as unknown },
}));
vi.mock("@tauri-apps/api/core", () => ({
  invoke,
  Channel: class {
    onmessage: ((message: unknown) => void) | null = null;
  },
}));

invoke.mockImplementation(async (command: string) => {
  if (command === "plan_generation") return plan.current;
  if (command === "list_tutorials") return [];
  throw new Error(`unexpected ${command}`);
});

const { default: Create } = await import("./Create.svelte");

const qwen = "Qwen2.5-7B-Instruct (Q4_K_M)";
const basePlan: GenerationPlan = {
  kind: "tutorial",
  task: "tutorial_generation",
  complexity: 7,
  tier: "medium",
  model: "qwen2.5-7b",
  model_name: qwen,
  model_ready: true,
  model_reason: `complexity 7 belongs to the medium tier (${qwen}); it is ready`,
  cannot_start: null,
  generator: "model",
  explanation: "qwen2.5-7b writes it under the tutorial's schema.",
};

describe("Create", () => {
  it("offers the topics the template generator teaches, and only progressions for an analysis", async () => {
    plan.current = basePlan;
    const { container } = render(Create, {});
    const options = (list: string) =>
      [...container.querySelectorAll(`datalist#${list} option`)].map((option) => [
        option.getAttribute("value"),
        option.getAttribute("label"),
      ]);
    const topics = options("topics");
    expect(topics).toContainEqual(["ii-v-i", "ii-V-I"]);
    expect(topics).toContainEqual(["gospel-walk-up", "gospel walk-up"]);
    expect(topics).toContainEqual(["harmonic minor scale", "The harmonic minor scale"]);
    expect(topics).toContainEqual(["drop-2 voicings", "Drop-2 voicings"]);
    const progressions = options("progressions");
    expect(progressions).toContainEqual(["jazz-blues", "jazz blues"]);
    expect(progressions.some(([id]) => id?.endsWith("scale") || id?.endsWith("voicings"))).toBe(false);
  });

  it("offers the instruments the engine writes music for", async () => {
    plan.current = basePlan;
    const { getByTestId } = render(Create, {});
    const select = getByTestId("instrument") as HTMLSelectElement;
    expect([...select.options].map((option) => option.value)).toEqual(["piano", "guitar", "bass", "voice"]);
    expect(select.value).toBe("piano");
  });

  it("shows a ready model without a warning", async () => {
    plan.current = basePlan;
    const { getByTestId, queryByTestId } = render(Create, {});
    await vi.waitFor(() => expect(getByTestId("plan").textContent).toContain("(ready)"));
    expect(queryByTestId("model-cannot-start")).toBeNull();
  });

  it("warns, with the reason and what to do, when the routed model cannot start", async () => {
    const problem = `${qwen} needs 5.9 GB but only 4.0 GB is free for models: use Phi-3.5-mini-instruct (Q4_K_M) instead, or lower its context_length in models.toml`;
    plan.current = {
      ...basePlan,
      model_ready: false,
      model_reason: `complexity 7 belongs to the medium tier (${qwen}); it cannot start: ${problem}`,
      cannot_start: problem,
      explanation: "phi-3.5-mini writes it under the tutorial's schema.",
    };
    const { findByTestId, getByTestId } = render(Create, {});
    const notice = await findByTestId("model-cannot-start");
    expect(notice.getAttribute("role")).toBe("alert");
    expect(notice.textContent).toContain(`${qwen} cannot start on this machine.`);
    expect(notice.textContent).toContain("use Phi-3.5-mini-instruct (Q4_K_M) instead");
    expect(getByTestId("plan").textContent).toContain("(cannot start)");
  });
});
