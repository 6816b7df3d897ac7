// Which screen the window shows. Kept in the URL hash so the back key and reloads work.
export type Screen = "create" | "library" | "tutorial" | "material" | "practice" | "coach" | "models" | "usage" | "settings";

export interface Route {
  screen: Screen;
  id?: number;
}

const SCREENS: Screen[] = ["create", "library", "tutorial", "material", "practice", "coach", "models", "usage", "settings"];

export function parseHash(hash: string): Route {
  const [name, id] = hash.replace(/^#\/?/, "").split("/");
  const screen = SCREENS.includes(name as Screen) ? (name as Screen) : "create";
  const number = Number(id);
  const valid = Number.isInteger(number) && number > 0;
  if (screen === "tutorial" || screen === "material") {
    return valid ? { screen, id: number } : { screen: "library" };
  }
  // The Coach may be about a lesson.
  if (screen === "coach" && valid) return { screen, id: number };
  return { screen };
}

export const nav = $state<{ route: Route }>({ route: parseHash(globalThis.location?.hash ?? "") });

export function go(route: Route) {
  nav.route = route;
  const hash = `#${route.screen}${route.id ? `/${route.id}` : ""}`;
  if (globalThis.location && globalThis.location.hash !== hash) history.pushState(null, "", hash);
}

globalThis.addEventListener?.("popstate", () => {
  nav.route = parseHash(location.hash);
});
