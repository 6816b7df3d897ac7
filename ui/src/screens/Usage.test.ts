import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { BudgetStatus, UsageReport, UsageRow } from "../lib/bindings";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke, Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

const { default: Usage } = await import("./Usage.svelte");
const { thisMonth } = await import("../lib/api");

function row(name: string, requests: number, cost_usd: number, latency: number | null): UsageRow {
  return {
    name,
    requests,
    tokens_in: 1500 * requests,
    tokens_out: 900 * requests,
    cost_usd,
    cache_hits: 1,
    latency_p50_ms: latency,
    latency_p95_ms: latency === null ? null : latency * 2,
  };
}

function budget(month: string, spent_usd: number): BudgetStatus {
  const share = spent_usd / 5;
  return {
    month,
    budget_usd: 5,
    spent_usd,
    share,
    warning: share >= 0.8 ? `$${spent_usd.toFixed(2)} of the $5.00 monthly budget is spent (84%); cloud calls stop at 100%` : null,
  };
}

function report(month: string, rows: UsageRow[], spent_usd: number): UsageReport {
  return {
    month,
    totals: { ...row("total", rows.reduce((n, r) => n + r.requests, 0), spent_usd, 900), cache_hits: rows.length },
    by_model: rows,
    by_task: [row("curriculum_planning", 3, spent_usd, 900)],
    cache_hit_rate: rows.length ? 0.25 : null,
    json_valid_rate: rows.length ? 1 : null,
    budget: budget(month, spent_usd),
  };
}

describe("Usage", () => {
  it("shows this month's tables, latencies and the budget with its warning", async () => {
    invoke.mockImplementation(async (command: string, args: { month: string | null }) => {
      expect(command).toBe("usage_report");
      return args.month === "2026-01"
        ? report("2026-01", [], 0)
        : report(thisMonth(), [row("gemini", 2, 4.2, 2400), row("smollm2-135m", 1, 0, null)], 4.2);
    });
    const { findByTestId, getByTestId, queryByTestId } = render(Usage);
    const byModel = await findByTestId("usage-by-model");
    const gemini = byModel.querySelector('[data-name="gemini"]')!;
    expect([...gemini.children].map((cell) => cell.textContent)).toEqual(["gemini", "2", (3000).toLocaleString(), (1800).toLocaleString(), "1", "2.4 s", "4.8 s", "$4.20"]);
    expect(byModel.querySelector('[data-name="smollm2-135m"]')!.textContent).toContain("—");
    expect(getByTestId("usage-by-task").textContent).toContain("curriculum planning");
    expect(getByTestId("usage-budget").textContent).toContain("Spent $4.20 of the $5.00 monthly budget (84%)");
    expect(getByTestId("usage-budget-warning").textContent).toContain("cloud calls stop at 100%");
    expect(invoke).toHaveBeenLastCalledWith("usage_report", { month: thisMonth() });

    await fireEvent.input(getByTestId("usage-month"), { target: { value: "2026-01" } });
    expect((await findByTestId("usage-empty")).textContent).toContain("No model generations in");
    expect(invoke).toHaveBeenLastCalledWith("usage_report", { month: "2026-01" });
    expect(queryByTestId("usage-budget-warning")).toBeNull();
    expect(getByTestId("usage-budget").textContent).toContain("(0%)");
  });

  it("shows the sentence a refused month comes with", async () => {
    invoke.mockRejectedValue("the month must be written YYYY-MM, such as 2026-03; got “June”");
    const { findByTestId } = render(Usage);
    expect((await findByTestId("usage-error")).textContent).toContain("YYYY-MM");
  });
});
