// Another build to compare with in the same run: a checkout whose `dist/` (and apps) are built,
// say main, named by SINGLET_BENCH_BASELINE. Each build runs its own kernel and its own apps,
// which are built against its own runtime and ABI.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The baseline checkout's directory, when SINGLET_BENCH_BASELINE names one. */
export function baselineDirectory(): string | undefined {
  const directory = process.env.SINGLET_BENCH_BASELINE;
  return directory ? resolve(directory) : undefined;
}

/** The baseline's commit, which names it in a table without the machine's paths. */
export function baselineCommit(directory: string): string {
  try {
    return execFileSync("git", ["-C", directory, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "a build outside git";
  }
}

/** A module of the baseline's build, by its path under `dist/` ("kernel/index.js"). */
export async function importBaseline<Module>(directory: string, path: string): Promise<Module> {
  return await import(pathToFileURL(join(directory, "dist", path)).href) as Module;
}
