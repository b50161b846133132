// Which manifest a module is checked against: the caller's, else the one embedded in the
// `singlet.manifest` custom section, else the default (one entry point, `main`).
import { MANIFEST_SECTION_NAME, type Manifest } from "../runtime/abi/index.js";
import type { DecodedModule } from "./binary/module.js";
import { finding } from "./codes.js";
import type { Finding } from "./verdict.js";

export const DEFAULT_MANIFEST: Manifest = { name: "(no manifest)", entryPoints: { main: {} } };

/** The manifest embedded in the module, or undefined; problems become findings. */
export function readEmbeddedManifest(module: DecodedModule, findings: Finding[]): Manifest | undefined {
  const sections = module.customSections.filter((section) => section.name === MANIFEST_SECTION_NAME);
  if (sections.length === 0) return undefined;
  if (sections.length > 1) {
    findings.push(finding("manifest-duplicate", `module has ${sections.length} '${MANIFEST_SECTION_NAME}' sections; expected one`,
      { item: MANIFEST_SECTION_NAME, byteOffset: sections[1]!.start }));
    return undefined;
  }
  const section = sections[0]!;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(module.bytes.subarray(section.contentStart, section.end)));
  } catch (error) {
    findings.push(finding("manifest-invalid", `'${MANIFEST_SECTION_NAME}' is not utf-8 json: ${(error as Error).message}`,
      { item: MANIFEST_SECTION_NAME, byteOffset: section.start }));
    return undefined;
  }
  const shapeProblem = manifestShapeProblem(parsed);
  if (shapeProblem !== undefined) {
    findings.push(finding("manifest-invalid", `'${MANIFEST_SECTION_NAME}' ${shapeProblem}`, { item: MANIFEST_SECTION_NAME, byteOffset: section.start }));
    return undefined;
  }
  return parsed as Manifest;
}

/** What is wrong with the manifest's outline, or undefined. Entry details are policy checks. */
export function manifestShapeProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "is not a json object";
  const record = value as Record<string, unknown>;
  if (typeof record.name !== "string") return "has no string 'name'";
  const entryPoints = record.entryPoints;
  if (entryPoints !== undefined && (typeof entryPoints !== "object" || entryPoints === null || Array.isArray(entryPoints))) {
    return "has 'entryPoints' that is not an object";
  }
  for (const [name, declaration] of Object.entries((entryPoints ?? {}) as Record<string, unknown>)) {
    if (typeof declaration !== "object" || declaration === null) return `has entry point '${name}' that is not an object`;
  }
  const limits = record.limits;
  if (limits !== undefined && (typeof limits !== "object" || limits === null)) return "has 'limits' that is not an object";
  for (const [name, limit] of Object.entries((limits ?? {}) as Record<string, unknown>)) {
    if (!(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) return `has limit '${name}' that is not a positive integer`;
  }
  return undefined;
}
