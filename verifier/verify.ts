// The verifier pipeline. v0: decode → validate → kernel ABI conformance of imports. The full
// pipeline (policy, limits, fuel) grows here behind the same `verifyModule` call.
import { createHash } from "node:crypto";
import { syscallDescriptors, type Manifest, type SyscallDescriptor } from "../runtime/abi/index.js";
import type { Finding, VerificationResult, VerdictClass } from "./verdict.js";
import { readFunctionNames } from "./names.js";

export const POLICY_VERSION = "0";

export interface VerifyOptions {
  readonly manifest?: Manifest;
  /** Sibling modules of a multi-module app: the kernel's linker resolves and checks their function imports. */
  readonly linkedModules?: readonly string[];
}

const descriptorsByImport = new Map<string, SyscallDescriptor>(
  syscallDescriptors.map((descriptor) => [`${descriptor.importModule}\u0000${descriptor.functionName}`, descriptor]),
);

export function verifyModule(bytes: Uint8Array<ArrayBuffer>, options: VerifyOptions = {}): VerificationResult {
  const started = performance.now();
  const cacheKey = createHash("sha256")
    .update(bytes).update("\u0000").update(JSON.stringify(options.manifest ?? null)).update(JSON.stringify(options.linkedModules ?? [])).update("\u0000" + POLICY_VERSION)
    .digest("hex");
  const findings: Finding[] = [];
  let functionNames: ReadonlyMap<number, string> = new Map();
  let functions = 0;
  if (!WebAssembly.validate(bytes)) {
    let detail = "not a valid WebAssembly module";
    try { new WebAssembly.Module(bytes); } catch (error) { detail = (error as Error).message.replace(/^WebAssembly\.Module\(\): /, ""); }
    findings.push({ code: "malformed-module", verdictClass: "Malformed", message: `malformed module: ${detail}`, location: { byteOffset: byteOffsetOf(detail) } });
  } else {
    const module = new WebAssembly.Module(bytes);
    functionNames = readFunctionNames(module);
    for (const entry of WebAssembly.Module.imports(module)) {
      if (entry.kind !== "function") {
        findings.push({ code: "import-not-function", verdictClass: "PolicyViolation", message: `import ${entry.module}.${entry.name} is a ${entry.kind}; only kernel ABI functions may be imported`, location: { item: `${entry.module}.${entry.name}` } });
      } else if (options.linkedModules?.includes(entry.module)) {
        // Checked by the kernel's linker (kernel/linker): export exists, is an entry point, mode rules hold.
      } else if (!descriptorsByImport.has(`${entry.module}\u0000${entry.name}`)) {
        findings.push({ code: "import-outside-abi", verdictClass: "PolicyViolation", message: `import ${entry.module}.${entry.name} is not part of the kernel ABI`, location: { item: `${entry.module}.${entry.name}` } });
      }
    }
    functions = WebAssembly.Module.exports(module).length;
  }
  const verdict: VerdictClass = findings.length > 0 ? findings[0]!.verdictClass : "Accepted";
  return {
    verdict, accepted: verdict === "Accepted", findings,
    stats: { bytes: bytes.byteLength, functions, milliseconds: performance.now() - started, fuelPointsInserted: 0 },
    output: verdict === "Accepted" ? bytes : undefined,
    functionNames, cacheKey,
  };
}

function byteOffsetOf(detail: string): number | undefined {
  const match = /@\+(\d+)/.exec(detail);
  return match ? Number(match[1]) : undefined;
}
