// Kernel ABI conformance: every import is a kernel call of the WIT world with its exact core
// type. The lookup table is built once from the generated syscall descriptors.
import { syscallDescriptors, type SyscallDescriptor } from "../../runtime/abi/index.js";
import { functionTypeToString, sameFunctionType, type DecodedModule } from "../binary/module.js";
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

export function checkImports(module: DecodedModule, findings: Finding[]): void {
  let functionIndex = 0;
  for (const entry of module.imports) {
    const item = `${entry.module}.${entry.name}`;
    const location = { item, byteOffset: entry.byteOffset };
    if (entry.kind !== "function") {
      findings.push(finding(KIND_CODES[entry.kind], `import ${item} is a ${entry.kind}; only kernel ABI functions may be imported`, location));
      continue;
    }
    const index = functionIndex++;
    const functionLocation = { ...location, functionIndex: index };
    if (entry.module === FUEL_IMPORT_MODULE) {
      findings.push(finding("import-fuel-reserved", `import ${item} uses the fuel interface, which only the verifier may add`, functionLocation));
      continue;
    }
    const byName = descriptorsByModule.get(entry.module);
    if (byName === undefined) {
      findings.push(finding("import-unknown-module", `import ${item}: module '${entry.module}' is not a kernel ABI interface`, functionLocation));
      continue;
    }
    const descriptor = byName.get(entry.name);
    if (descriptor === undefined) {
      findings.push(finding("import-unknown-function", `import ${item}: '${entry.name}' is not a function of '${entry.module}'`, functionLocation));
      continue;
    }
    const type = module.types[entry.typeIndex]!;
    if (!sameFunctionType(type, descriptor.coreParameters, descriptor.coreResults)) {
      const expected = `(${descriptor.coreParameters.join(", ")}) -> (${descriptor.coreResults.join(", ")})`;
      findings.push(finding("import-signature-mismatch",
        `import ${item} has type ${functionTypeToString(type)}; the kernel ABI says ${expected}`, functionLocation));
    }
  }
}
