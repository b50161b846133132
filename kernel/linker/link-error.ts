// Link-time refusals: each names the module, the function and the rule it breaks, so a person
// can tell "missing module" from "kernel mode without the capability".
import { ErrorCode } from "../../runtime/abi/index.js";
import { KernelError } from "../errors.js";
import type { ExitStatus } from "../process/index.js";

/** The rules the linker enforces (docs/modes.md, "Errors"). */
export type LinkRule =
  | "missing-module"
  | "not-in-links"
  | "missing-export"
  | "not-an-entry-point"
  | "kernel-mode-without-capability"
  | "callers-mode-unverified-in-kernel"
  | "mixed-fixed-modes"
  | "attribute-mismatch"
  | "cyclic-direct-links"
  | "instantiation-failed"
  | "too-many-modules"
  | "no-user-domains"
  | "limit-exceeded";

/** Rules that are trust refusals (EPERM); the others are malformed apps (EINVAL). */
const PERMISSION_RULES: ReadonlySet<LinkRule> = new Set(["kernel-mode-without-capability", "callers-mode-unverified-in-kernel"]);

export class LinkError extends KernelError {
  /**
   * @param ending how a start function ended the link (a trap, an exit): what the process's
   * status says when the link happened after the process existed.
   */
  constructor(readonly moduleName: string, readonly functionName: string, readonly rule: LinkRule, readonly detail: string, readonly ending?: ExitStatus) {
    super(`link: ${moduleName}.${functionName}: ${detail} (rule ${rule})`, PERMISSION_RULES.has(rule) ? ErrorCode.notPermitted : ErrorCode.invalidArgument);
  }
}
