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

export function finding(code: FindingCode, message: string, location?: FindingLocation): Finding {
  return location === undefined
    ? { code, verdictClass: FINDING_CODES[code], message }
    : { code, verdictClass: FINDING_CODES[code], message, location };
}
