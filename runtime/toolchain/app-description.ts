// `app.json` of a multi-module app: its modules (one folder each) and which one holds `main`.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const APP_DESCRIPTION_FILE = "app.json";

export interface AppDescription {
  /** The module whose `main` starts the app. */
  readonly main: string;
  /** Module names, each a folder beside app.json and a build/<name>.wasm after the build. */
  readonly modules: readonly string[];
}

export function parseAppDescription(value: unknown, where: string): AppDescription {
  const record = value as Partial<AppDescription> | null;
  if (typeof record !== "object" || record === null) throw new Error(`${where}: not a JSON object`);
  if (!Array.isArray(record.modules) || record.modules.length === 0 || !record.modules.every((name) => typeof name === "string" && /^[a-z][a-z0-9-]*$/.test(name))) {
    throw new Error(`${where}: 'modules' must be a non-empty list of lower-case module names`);
  }
  if (typeof record.main !== "string" || !record.modules.includes(record.main)) throw new Error(`${where}: 'main' must name one of the modules`);
  return { main: record.main, modules: record.modules };
}

export function readAppDescription(appDirectory: string): AppDescription {
  const path = join(appDirectory, APP_DESCRIPTION_FILE);
  return parseAppDescription(JSON.parse(readFileSync(path, "utf8")), path);
}
