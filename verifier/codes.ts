// Every finding code the verifier can emit, with its verdict class. docs/verifier/messages.md
// documents each one; a test keeps the two in step.
import type { Finding, FindingLocation, VerdictClass } from "./verdict.js";

export const FINDING_CODES = {
  // Malformed: the bytes are not a module, or its manifest is not readable.
  "malformed-module": "Malformed",
  "manifest-invalid": "Malformed",
  "manifest-duplicate": "Malformed",
  // PolicyViolation, kernel ABI conformance of imports.
  "import-unknown-module": "PolicyViolation",
  "import-unknown-function": "PolicyViolation",
  "import-signature-mismatch": "PolicyViolation",
  "import-fuel-reserved": "PolicyViolation",
  "memory-imported": "PolicyViolation",
  "table-imported": "PolicyViolation",
  "global-imported": "PolicyViolation",
  "tag-imported": "PolicyViolation",
  // PolicyViolation, exports and the manifest.
  "entry-point-missing": "PolicyViolation",
  "entry-point-not-function": "PolicyViolation",
  "entry-point-signature-mismatch": "PolicyViolation",
  "entry-point-mode-invalid": "PolicyViolation",
  "entry-point-fuel-invalid": "PolicyViolation",
  "entry-points-none": "PolicyViolation",
  "memory-export-missing": "PolicyViolation",
  "realloc-export-missing": "PolicyViolation",
  "realloc-signature-mismatch": "PolicyViolation",
  "export-name-reserved": "PolicyViolation",
  // PolicyViolation, what may run in the kernel domain.
  "memory-shared": "PolicyViolation",
  "atomics-in-kernel-mode": "PolicyViolation",
  "start-function-imported": "PolicyViolation",
  "unsupported-feature": "PolicyViolation",
  // LimitExceeded: each quotes its limit from limits.ts.
  "module-too-large": "LimitExceeded",
  "too-many-types": "LimitExceeded",
  "too-many-parameters": "LimitExceeded",
  "too-many-results": "LimitExceeded",
  "too-many-imports": "LimitExceeded",
  "too-many-exports": "LimitExceeded",
  "too-many-functions": "LimitExceeded",
  "too-many-locals": "LimitExceeded",
  "function-body-too-large": "LimitExceeded",
  "nesting-too-deep": "LimitExceeded",
  "too-many-memories": "LimitExceeded",
  "memory-pages-exceeded": "LimitExceeded",
  "memory-maximum-missing": "LimitExceeded",
  "too-many-tables": "LimitExceeded",
  "table-too-large": "LimitExceeded",
  "too-many-globals": "LimitExceeded",
  "too-many-data-segments": "LimitExceeded",
  "data-too-large": "LimitExceeded",
  "too-many-element-segments": "LimitExceeded",
  "fuel-budget-too-large": "LimitExceeded",
  // InternalError: a verifier bug, never the module author's fault.
  "internal-error": "InternalError",
  "decoder-disagrees": "InternalError",
} as const satisfies Record<string, Exclude<VerdictClass, "Accepted">>;

export type FindingCode = keyof typeof FINDING_CODES;

/**
 * Findings that make a module unrunnable in *any* domain, not merely untrusted in the kernel's:
 * a kernel call whose core type differs from the WIT would be called with the wrong values (or
 * fail to link) in a user domain just as in the kernel, a kernel interface's import it does not
 * have and the fuel hook cannot link, and a `main` of another type cannot be called as the
 * world says. `import-unknown-module` is not here: an import from a sibling module is the
 * linker's to judge (it may be an app's link), and a lone module's unknown import fails to link. The loader refuses a module
 * with any of these instead of running it as a fallback process (docs/verifier/messages.md).
 */
export const REFUSED_IN_EVERY_DOMAIN: ReadonlySet<string> = new Set<FindingCode>([
  "import-unknown-function",
  "import-signature-mismatch",
  "import-fuel-reserved",
  "memory-imported",
  "table-imported",
  "global-imported",
  "tag-imported",
  "entry-point-signature-mismatch",
  // The kernel compiles and holds every module it runs, whichever domain runs it.
  "module-too-large",
]);

export function finding(code: FindingCode, message: string, location?: FindingLocation): Finding {
  return location === undefined
    ? { code, verdictClass: FINDING_CODES[code], message }
    : { code, verdictClass: FINDING_CODES[code], message, location };
}
