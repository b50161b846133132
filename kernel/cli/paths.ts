// Where the CLI finds the project's apps and init manifest when run from dist/.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const appsDirectory = resolve(projectRoot, "apps");
export const defaultInitManifestPath = resolve(projectRoot, "kernel", "init", "init.json");
export const defaultSystemPolicyPath = resolve(projectRoot, "kernel", "policy", "system-policy.json");
