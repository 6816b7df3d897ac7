// The one module that talks to Rust. Components call these functions, never `invoke` directly.
import { invoke } from "@tauri-apps/api/core";

export type Availability =
  | { state: "installed"; path: string }
  | { state: "not_installed" }
  | { state: "partial"; bytes: number }
  | { state: "wrong_size"; bytes: number }
  | { state: "enabled" }
  | { state: "disabled"; reason: string };

export interface ModelStatus {
  id: string;
  name: string;
  kind: "local" | "cloud";
  tiers: string[];
  download_bytes: number | null;
  memory_mb: number | null;
  availability: Availability;
}

export interface AppInfo {
  version: string;
  data_folder: string;
  catalog: string;
}

export const appInfo = (): Promise<AppInfo> => invoke<AppInfo>("app_info");
export const listModels = (): Promise<ModelStatus[]> => invoke<ModelStatus[]>("list_models");

export function describeAvailability(availability: Availability): string {
  switch (availability.state) {
    case "installed":
      return "Installed";
    case "not_installed":
      return "Not installed";
    case "partial":
      return "Partly downloaded";
    case "wrong_size":
      return "Damaged — download again";
    case "enabled":
      return "Enabled";
    case "disabled":
      return `Disabled (${availability.reason})`;
  }
}
