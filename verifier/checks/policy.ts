// Policy: what a module must offer and may do to run in the kernel domain. Entry points exist
// with the world's types, the canonical-ABI exports are present, no shared memory, no
// imported start function, no reserved names, sane mode attributes and budgets.
//
// Start-function rule: a start function is allowed (AssemblyScript initialises its globals in
// one) but must be defined in the module, never a kernel import called before any entry. It
// runs under the fuel the module is instantiated with (fuel-contract.ts, FUEL_AT_INSTANTIATION).
import { deliverExport, worldExports, type Manifest } from "../../runtime/abi/index.js";
import { functionTypeToString, sameFunctionType, type DecodedModule } from "../binary/module.js";
import { finding } from "../codes.js";
import { FUEL_GLOBAL_EXPORT } from "../fuel-contract.js";
import { MAX_FUEL_PER_ENTRY } from "../limits.js";
import type { Finding } from "../verdict.js";

/**
 * The export the kernel moves a verified module's start function to, so the start function runs
 * after instantiation with its memory bound (kernel/sip/start-export.ts).
 */
export const KERNEL_START_EXPORT = "singlet_start";
const RESERVED_EXPORTS: ReadonlyMap<string, string> = new Map([
  [FUEL_GLOBAL_EXPORT, "the verifier's fuel counter"],
  [KERNEL_START_EXPORT, "the start function the kernel runs after instantiation"],
]);

const REALLOC_PARAMETERS = ["i32", "i32", "i32", "i32"] as const;
const REALLOC_RESULTS = ["i32"] as const;

function functionTypeOf(module: DecodedModule, functionIndex: number) {
  return module.types[module.functionTypes[functionIndex]!]!;
}

export function checkPolicy(module: DecodedModule, manifest: Manifest, findings: Finding[]): void {
  const exportsByName = new Map(module.exports.map((entry) => [entry.name, entry]));
  checkEntryPoints(module, manifest, exportsByName, findings);

  const memory = exportsByName.get("memory");
  if (memory === undefined || memory.kind !== "memory") {
    findings.push(finding("memory-export-missing",
      memory === undefined ? "module does not export its memory as 'memory'" : `export 'memory' is a ${memory.kind}, not a memory`,
      { item: "memory", byteOffset: memory?.byteOffset }));
  }
  const realloc = exportsByName.get("cabi_realloc");
  if (realloc === undefined || realloc.kind !== "function") {
    findings.push(finding("realloc-export-missing",
      realloc === undefined ? "module does not export 'cabi_realloc'" : `export 'cabi_realloc' is a ${realloc.kind}, not a function`,
      { item: "cabi_realloc", byteOffset: realloc?.byteOffset }));
  } else {
    const type = functionTypeOf(module, realloc.index);
    if (!sameFunctionType(type, REALLOC_PARAMETERS, REALLOC_RESULTS)) {
      findings.push(finding("realloc-signature-mismatch",
        `export 'cabi_realloc' has type ${functionTypeToString(type)}; expected (i32, i32, i32, i32) -> (i32)`,
        { item: "cabi_realloc", functionIndex: realloc.index, byteOffset: realloc.byteOffset }));
    }
  }
  for (const [name, purpose] of RESERVED_EXPORTS) {
    const reserved = exportsByName.get(name);
    if (reserved !== undefined) {
      findings.push(finding("export-name-reserved", `export '${name}' is reserved for ${purpose}`, { item: name, byteOffset: reserved.byteOffset }));
    }
  }

  module.memories.forEach((entry, index) => {
    if (entry.shared) {
      findings.push(finding("memory-shared", `memory ${index} is shared; kernel-mode modules may not share memory`,
        { item: `memory ${index}`, byteOffset: entry.byteOffset }));
    }
  });
  if (module.startFunction !== undefined && module.startFunction < module.importedFunctionCount) {
    const entry = module.imports.filter((item) => item.kind === "function")[module.startFunction]!;
    findings.push(finding("start-function-imported",
      `start function ${module.startFunction} is the import ${entry.module}.${entry.name}; a start function must be defined in the module`,
      { functionIndex: module.startFunction, item: `${entry.module}.${entry.name}` }));
  }
  if (module.tagCount > 0) {
    findings.push(finding("unsupported-feature", `module declares ${module.tagCount} exception tags; exceptions are not supported in kernel mode`));
  }
}

function checkEntryPoints(
  module: DecodedModule, manifest: Manifest, exportsByName: Map<string, DecodedModule["exports"][number]>, findings: Finding[],
): void {
  const entries = Object.entries(manifest.entryPoints ?? {});
  if (entries.length === 0) {
    findings.push(finding("entry-points-none", `manifest '${manifest.name}' declares no entry points`, { item: "entryPoints" }));
  }
  const fuelPerEntry = manifest.limits?.fuelPerEntry;
  if (fuelPerEntry !== undefined && fuelPerEntry > MAX_FUEL_PER_ENTRY) {
    findings.push(finding("fuel-budget-too-large", `limits.fuelPerEntry is ${fuelPerEntry} (limit ${MAX_FUEL_PER_ENTRY})`, { item: "limits.fuelPerEntry" }));
  }
  // Modes and fuel that are not valid at all are the manifest validator's findings (verifier/manifest.ts).
  for (const [name, declaration] of entries) {
    const item = `entryPoints.${name}`;
    const fuel = declaration.fuel;
    if (typeof fuel === "number" && Number.isSafeInteger(fuel) && fuel > MAX_FUEL_PER_ENTRY) {
      findings.push(finding("fuel-budget-too-large", `entry point '${name}' asks for ${fuel} fuel (limit ${MAX_FUEL_PER_ENTRY})`, { item }));
    }
    const exported = exportsByName.get(name);
    if (exported === undefined) {
      findings.push(finding("entry-point-missing", `entry point '${name}' is declared in the manifest but not exported`, { item: name }));
      continue;
    }
    if (exported.kind !== "function") {
      findings.push(finding("entry-point-not-function", `entry point '${name}' is exported as a ${exported.kind}, not a function`,
        { item: name, byteOffset: exported.byteOffset }));
      continue;
    }
  }
  checkWorldExportTypes(module, exportsByName, findings);
}

/**
 * The world's exports (`main`) must have the world's core types whether or not the manifest
 * declares them: the kernel calls `main` in either domain, and one of another type would be
 * called with the wrong values, so the loader refuses it everywhere (REFUSED_IN_EVERY_DOMAIN).
 * So must `deliver`, which the kernel calls too, though the world does not list it.
 */
function checkWorldExportTypes(module: DecodedModule, exportsByName: Map<string, DecodedModule["exports"][number]>, findings: Finding[]): void {
  for (const world of [...worldExports, deliverExport]) {
    const exported = exportsByName.get(world.name);
    if (exported === undefined || exported.kind !== "function") continue;
    const type = functionTypeOf(module, exported.index);
    if (!sameFunctionType(type, world.coreParameters, world.coreResults)) {
      const expected = `(${world.coreParameters.join(", ")}) -> (${world.coreResults.join(", ")})`;
      findings.push(finding("entry-point-signature-mismatch",
        `entry point '${world.name}' has type ${functionTypeToString(type)}; the world says ${expected}`,
        { item: world.name, functionIndex: exported.index, byteOffset: exported.byteOffset }));
    }
  }
}
