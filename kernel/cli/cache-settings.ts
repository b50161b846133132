// Where `singlet` keeps what it caches between runs, and how a person turns that off. Read by
// the bin's launcher (compiled code) and by `singlet run` (verdicts) alike, so both agree.
//
//   default               <project>/node_modules/.cache/singlet (project-local; git ignores it)
//   SINGLET_CACHE_DIR=d   keep the caches in d instead (tests and benchmarks give each run its own)
//   SINGLET_CACHE=off     no on-disk caches: every run compiles and verifies from scratch
//   --no-cache            the same, for one command
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CACHE_ENVIRONMENT_VARIABLE = "SINGLET_CACHE";
export const CACHE_DIRECTORY_ENVIRONMENT_VARIABLE = "SINGLET_CACHE_DIR";
export const NO_CACHE_FLAG = "no-cache";

/** dist/kernel/cli → the project root; its node_modules is project-local and ignored by git. */
export const defaultCacheRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "node_modules", ".cache", "singlet");

/** True when the environment, or `--no-cache` among the command's own arguments (before `--`), turns caching off. */
export function cachingDisabled(argv: readonly string[], environment: NodeJS.ProcessEnv): boolean {
  const separator = argv.indexOf("--");
  if ((separator >= 0 ? argv.slice(0, separator) : argv).includes(`--${NO_CACHE_FLAG}`)) return true;
  const setting = environment[CACHE_ENVIRONMENT_VARIABLE]?.trim().toLowerCase();
  return setting === "off" || setting === "0" || setting === "false";
}

export function cacheRoot(environment: NodeJS.ProcessEnv): string {
  const directory = environment[CACHE_DIRECTORY_ENVIRONMENT_VARIABLE];
  return directory ? resolve(directory) : defaultCacheRoot;
}

/** The folder of one cache (`verification`, `code`) under the root. */
export function cacheDirectory(name: string, environment: NodeJS.ProcessEnv): string {
  return join(cacheRoot(environment), name);
}
