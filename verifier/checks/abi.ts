// Kernel ABI conformance: every import is a kernel call of the WIT world with its exact core
// type. The lookup table is built once from the generated syscall descriptors.
import { syscallDescriptors, type SyscallDescriptor } from "../../runtime/abi/index.js";
import { functionTypeToString, sameFunctionType, type DecodedModule, type ImportEntry } from "../binary/module.js";
import { finding } from "../codes.js";
import { FUEL_IMPORT_MODULE } from "../fuel-contract.js";
import type { Finding } from "../verdict.js";

const descriptorsByModule = new Map<string, Map<string, SyscallDescriptor>>();
for (const descriptor of syscallDescriptors) {
  let byName = descriptorsByModule.get(descriptor.importModule);
  if (byName === undefined) descriptorsByModule.set(descriptor.importModule, (byName = new Map()));
  byName.set(descriptor.functionName, descriptor);
}

const KIND_CODES = {
  memory: "memory-imported", table: "table-imported", global: "global-imported", tag: "tag-imported",
} as const;

/**
 * `linkedModules` names the sibling modules of a multi-module app: their function imports are
 * the kernel linker's to check (export exists, entry point, mode rules). A name that is a kernel
 * ABI interface or the fuel module is never exempted.
 */
export function checkImports(module: DecodedModule, findings: Finding[], linkedModules: readonly string[] = []): void {
  let functionIndex = 0;
  for (const entry of module.imports) {
    if (entry.kind === "function") {
      const index = functionIndex++;
      if (linkedModules.includes(entry.module) && !descriptorsByModule.has(entry.module) && entry.module !== FUEL_IMPORT_MODULE) continue;
      const descriptor = descriptorsByModule.get(entry.module)?.get(entry.name);
      if (descriptor !== undefined && entry.module !== FUEL_IMPORT_MODULE
        && sameFunctionType(module.types[entry.typeIndex]!, descriptor.coreParameters, descriptor.coreResults)) continue;
      checkFunctionImport(module, entry, index, findings);
    } else {
      const item = `${entry.module}.${entry.name}`;
      findings.push(finding(KIND_CODES[entry.kind], `import ${item} is a ${entry.kind}; only kernel ABI functions may be imported`,
        { item, byteOffset: entry.byteOffset }));
    }
  }
}

/** Explains why a function import is refused; only called for imports that fail the fast check. */
function checkFunctionImport(module: DecodedModule, entry: ImportEntry, functionIndex: number, findings: Finding[]): void {
  const item = `${entry.module}.${entry.name}`;
  const location = { item, byteOffset: entry.byteOffset, functionIndex };
  if (entry.module === FUEL_IMPORT_MODULE) {
    findings.push(finding("import-fuel-reserved", `import ${item} uses the fuel interface, which only the verifier may add`, location));
    return;
  }
  const byName = descriptorsByModule.get(entry.module);
  if (byName === undefined) {
    findings.push(finding("import-unknown-module", `import ${item}: module '${entry.module}' is not a kernel ABI interface`, location));
    return;
  }
  const descriptor = byName.get(entry.name);
  if (descriptor === undefined) {
    findings.push(finding("import-unknown-function", `import ${item}: '${entry.name}' is not a function of '${entry.module}'`, location));
    return;
  }
  const type = module.types[entry.typeIndex]!;
  const expected = `(${descriptor.coreParameters.join(", ")}) -> (${descriptor.coreResults.join(", ")})`;
  findings.push(finding("import-signature-mismatch",
    `import ${item} has type ${functionTypeToString(type)}; the kernel ABI says ${expected}`, location));
}
