// Where `singlet` keeps verdicts between runs, and how a person turns that off.
//
//   default               <project>/node_modules/.cache/singlet/verification (git ignores it)
//   SINGLET_CACHE_DIR=d   keep them in d instead (tests and benchmarks give each run its own)
//   SINGLET_CACHE=off     no on-disk cache: every run verifies from scratch
//   --no-cache            the same, for one command
import { dirname, resolve } from "node:path";
import { VerificationStore } from "../loader/index.js";
import { appsDirectory } from "./paths.js";

export const CACHE_ENVIRONMENT_VARIABLE = "SINGLET_CACHE";
export const CACHE_DIRECTORY_ENVIRONMENT_VARIABLE = "SINGLET_CACHE_DIR";
export const NO_CACHE_FLAG = "no-cache";

/** The project root is the folder that holds apps/; its node_modules is project-local and ignored. */
export const defaultVerificationCacheDirectory = resolve(dirname(appsDirectory), "node_modules", ".cache", "singlet", "verification");

/** The store a command should use, or undefined when the flag or the environment turns it off. */
export function verificationStoreFor(flags: ReadonlySet<string>, environment: NodeJS.ProcessEnv = process.env): VerificationStore | undefined {
  if (flags.has(NO_CACHE_FLAG)) return undefined;
  const setting = environment[CACHE_ENVIRONMENT_VARIABLE]?.trim().toLowerCase();
  if (setting === "off" || setting === "0" || setting === "false") return undefined;
  const directory = environment[CACHE_DIRECTORY_ENVIRONMENT_VARIABLE];
  return new VerificationStore(directory ? resolve(directory) : defaultVerificationCacheDirectory);
}
