// Module-wide limits from limits.ts; per-function limits are checked during the code walk.
import type { Manifest } from "../../runtime/abi/index.js";
import type { DecodedModule } from "../binary/module.js";
import { finding } from "../codes.js";
import {
  DEFAULT_MAX_MEMORY_PAGES, MAX_DATA_BYTES, MAX_DATA_SEGMENTS, MAX_ELEMENT_SEGMENTS, MAX_EXPORTS, MAX_FUNCTION_PARAMETERS,
  MAX_FUNCTION_RESULTS, MAX_FUNCTIONS, MAX_GLOBALS, MAX_IMPORTS, MAX_MEMORIES, MAX_MODULE_BYTES, MAX_TABLE_ELEMENTS,
  MAX_TABLES, MAX_TYPES,
} from "../limits.js";
import type { Finding } from "../verdict.js";

/** The size limit is checked before anything else is decoded. */
export function checkModuleSize(bytes: Uint8Array, findings: Finding[]): void {
  if (bytes.length > MAX_MODULE_BYTES) {
    findings.push(finding("module-too-large", `module is ${bytes.length} bytes (limit ${MAX_MODULE_BYTES})`));
  }
}

function count(findings: Finding[], code: Parameters<typeof finding>[0], what: string, value: number, limit: number): void {
  if (value > limit) findings.push(finding(code, `module has ${value} ${what} (limit ${limit})`, { item: what }));
}

export function checkModuleLimits(module: DecodedModule, manifest: Manifest, findings: Finding[]): void {
  count(findings, "too-many-types", "types", module.types.length, MAX_TYPES);
  count(findings, "too-many-imports", "imports", module.imports.length, MAX_IMPORTS);
  count(findings, "too-many-exports", "exports", module.exports.length, MAX_EXPORTS);
  count(findings, "too-many-functions", "functions", module.functionTypes.length, MAX_FUNCTIONS);
  count(findings, "too-many-memories", "memories", module.memories.length, MAX_MEMORIES);
  count(findings, "too-many-tables", "tables", module.tables.length, MAX_TABLES);
  count(findings, "too-many-globals", "globals", module.globals.length, MAX_GLOBALS);
  count(findings, "too-many-data-segments", "data segments", module.dataSegmentCount, MAX_DATA_SEGMENTS);
  count(findings, "too-many-element-segments", "element segments", module.elementSegmentCount, MAX_ELEMENT_SEGMENTS);
  if (module.dataBytes > MAX_DATA_BYTES) {
    findings.push(finding("data-too-large", `data segments hold ${module.dataBytes} bytes (limit ${MAX_DATA_BYTES})`, { item: "data" }));
  }
  module.types.forEach((type, index) => {
    if (type.parameters.length > MAX_FUNCTION_PARAMETERS) {
      findings.push(finding("too-many-parameters", `type ${index} has ${type.parameters.length} parameters (limit ${MAX_FUNCTION_PARAMETERS})`, { item: `type ${index}` }));
    }
    if (type.results.length > MAX_FUNCTION_RESULTS) {
      findings.push(finding("too-many-results", `type ${index} has ${type.results.length} results (limit ${MAX_FUNCTION_RESULTS})`, { item: `type ${index}` }));
    }
  });
  const pageLimit = manifest.limits?.memoryPages ?? DEFAULT_MAX_MEMORY_PAGES;
  const source = manifest.limits?.memoryPages === undefined ? "default" : "manifest";
  module.memories.forEach((memory, index) => {
    const location = { item: `memory ${index}`, byteOffset: memory.byteOffset };
    if (memory.maximum === undefined) {
      findings.push(finding("memory-maximum-missing", `memory ${index} has no maximum (limit ${pageLimit} pages, ${source})`, location));
    } else if (memory.maximum > pageLimit || memory.minimum > pageLimit) {
      findings.push(finding("memory-pages-exceeded",
        `memory ${index} may grow to ${Math.max(memory.maximum, memory.minimum)} pages (limit ${pageLimit} pages, ${source})`, location));
    }
  });
  module.tables.forEach((table, index) => {
    const largest = table.maximum ?? Math.max(table.minimum, MAX_TABLE_ELEMENTS + 1);
    if (largest > MAX_TABLE_ELEMENTS || table.minimum > MAX_TABLE_ELEMENTS) {
      const detail = table.maximum === undefined ? "has no maximum" : `may grow to ${Math.max(table.maximum, table.minimum)} elements`;
      findings.push(finding("table-too-large", `table ${index} ${detail} (limit ${MAX_TABLE_ELEMENTS} elements)`,
        { item: `table ${index}`, byteOffset: table.byteOffset }));
    }
  });
}
