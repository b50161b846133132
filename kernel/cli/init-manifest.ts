// The init manifest: which apps boot starts, with what arguments, and how each should end.
import { readFileSync } from "node:fs";
import type { Domain, ExitStatus } from "../process/index.js";
import { UsageError } from "./arguments.js";

export interface InitProcess {
  readonly app: string;
  readonly args?: readonly string[];
  readonly domain?: Domain;
  /**
   * How the entry should end: an exit code, a fault kind, or an error code name when it should
   * not start at all (`"error": "invalidArgument"`). Exit 0 when it says nothing.
   */
  readonly expect?: { readonly exit?: number; readonly fault?: string; readonly error?: string };
}

/** An init entry that could not be loaded or started: the error code and why. */
export interface StartFailure {
  readonly errorCode: number;
  readonly errorName: string;
  readonly message: string;
  readonly reasons: readonly string[];
}

export interface InitManifest {
  /** Entries as written; boot checks each with entryProblem and reports a bad one. */
  readonly processes: readonly InitProcess[];
}

export function readInitManifest(path: string): InitManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read init manifest ${path}: ${(error as Error).message}`);
  }
  const processes = (parsed as { processes?: unknown } | null)?.processes;
  // Only the list itself is checked here: a bad entry is reported by boot, beside the others.
  if (!Array.isArray(processes)) {
    throw new UsageError(`init manifest ${path}: 'processes' must be a list of { app, args?, domain?, expect? }`);
  }
  return { processes };
}

/** Why `entry` is not a well-formed init entry, or undefined when it is. */
export function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== "object" || entry === null) return "an init entry must be an object { app, args?, domain?, expect? }";
  const { app, args, domain } = entry as Record<string, unknown>;
  if (typeof app !== "string" || app === "") return "an init entry needs 'app', a non-empty string";
  if (args !== undefined && !(Array.isArray(args) && args.every((argument) => typeof argument === "string"))) return `${app}: 'args' must be a list of strings`;
  if (domain !== undefined && domain !== "kernel" && domain !== "user") return `${app}: 'domain' must be "kernel" or "user"`;
  return undefined;
}

/** Whether `outcome` is what the init entry expects (exit 0 when it says nothing). */
export function endedAsExpected(entry: InitProcess, outcome: ExitStatus | StartFailure): boolean {
  const expected = entry.expect ?? { exit: 0 };
  if (!("kind" in outcome)) return expected.error !== undefined && expected.error === outcome.errorName;
  const status = outcome;
  if (expected.error !== undefined) return false;
  if (expected.fault !== undefined) return status.kind === "faulted" && status.fault.kind === expected.fault;
  return status.kind === "exited" && status.code === (expected.exit ?? 0);
}
