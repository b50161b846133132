// Reads the `app.json` of a multi-module app from disk for the build.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { APP_DESCRIPTION_FILE, parseAppDescription, type AppDescription } from "../abi/manifest.js";

export function readAppDescription(appDirectory: string): AppDescription {
  const path = join(appDirectory, APP_DESCRIPTION_FILE);
  return parseAppDescription(JSON.parse(readFileSync(path, "utf8")), path);
}
