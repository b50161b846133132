// The init manifest: which apps boot starts, with what arguments, and how each should end.
import { readFileSync } from "node:fs";
import type { Domain, ExitStatus } from "../process/index.js";
import { UsageError } from "./arguments.js";

export interface InitProcess {
  readonly app: string;
  readonly args?: readonly string[];
  readonly domain?: Domain;
  readonly expect?: { readonly exit?: number; readonly fault?: string };
}

export interface InitManifest {
  readonly processes: readonly InitProcess[];
}

export function readInitManifest(path: string): InitManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read init manifest ${path}: ${(error as Error).message}`);
  }
  const processes = (parsed as { processes?: unknown }).processes;
  if (!Array.isArray(processes) || !processes.every((entry) => typeof entry?.app === "string")) {
    throw new UsageError(`init manifest ${path}: 'processes' must be a list of { app, args?, domain?, expect? }`);
  }
  return { processes };
}

/** Whether `status` is what the init entry expects (exit 0 when it says nothing). */
export function endedAsExpected(entry: InitProcess, status: ExitStatus): boolean {
  const expected = entry.expect ?? { exit: 0 };
  if (expected.fault !== undefined) return status.kind === "faulted" && status.fault.kind === expected.fault;
  return status.kind === "exited" && status.code === (expected.exit ?? 0);
}
