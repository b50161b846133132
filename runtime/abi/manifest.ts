// The module manifest: what a module declares about itself. The build embeds it as the custom
// section `singlet.manifest` (JSON, UTF-8); a `manifest.json` beside the app is its source.
import type { AbiValueType } from "./descriptor.js";
import { findCustomSections } from "./sections.js";
export const MANIFEST_SECTION_NAME = "singlet.manifest";

/** Where a function runs when called across a module boundary (DESIGN.md, Mode attributes). */
export type ModeAttribute = "kernel" | "user" | "callers";

export interface EntryPointDeclaration {
  /** AlwaysKernelMode, AlwaysUserMode or UseCallersMode (the default). */
  readonly mode?: ModeAttribute;
  /** Fuel budget for one call of this entry, overriding `limits.fuelPerEntry`. */
  readonly fuel?: number;
  /**
   * Canonical-ABI parameter types, needed only when a parameter is a `string` or `list<u8>`
   * (passed as pointer and length, copied into the callee's memory when called from another
   * module). Omitted: core values pass through unchanged.
   */
  readonly parameters?: readonly AbiValueType[];
}

export interface ManifestLimits {
  /** Fuel budget of one entry (main or a handler) when run in the kernel domain. */
  readonly fuelPerEntry?: number;
  /** Upper bound on linear memory, in 64 KiB pages. */
  readonly memoryPages?: number;
  /** CPU-time budget of one entry in a user domain, in milliseconds. */
  readonly cpuMilliseconds?: number;
}

export interface Manifest {
  readonly name: string;
  readonly description?: string;
  /** Capability kinds the module asks for at start (console, clock, ...). */
  readonly capabilities?: readonly string[];
  /** Exported functions callable from outside the module, with their mode attributes. */
  readonly entryPoints?: Readonly<Record<string, EntryPointDeclaration>>;
  readonly limits?: ManifestLimits;
  /** Other modules of the same app this module imports from, by module name. */
  readonly links?: readonly string[];
}

export class ManifestError extends Error {
  constructor(readonly detail: string) {
    super(`invalid manifest: ${detail}`);
    this.name = "ManifestError";
  }
}

const MODE_ATTRIBUTES: ReadonlySet<string> = new Set(["kernel", "user", "callers"]);
const ENTRY_PARAMETER_TYPES: ReadonlySet<string> = new Set([
  "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "list<u8>",
]);

/** Checks the shape of a parsed manifest; throws ManifestError naming the first problem. */
export function parseManifest(value: unknown): Manifest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ManifestError("not a JSON object");
  const record = value as Record<string, unknown>;
  if (typeof record.name !== "string" || record.name === "") throw new ManifestError("'name' must be a non-empty string");
  if (record.capabilities !== undefined) {
    if (!Array.isArray(record.capabilities) || !record.capabilities.every((item) => typeof item === "string")) {
      throw new ManifestError("'capabilities' must be an array of strings");
    }
  }
  if (record.entryPoints !== undefined) {
    if (typeof record.entryPoints !== "object" || record.entryPoints === null) throw new ManifestError("'entryPoints' must be an object");
    for (const [name, declaration] of Object.entries(record.entryPoints as Record<string, unknown>)) {
      if (typeof declaration !== "object" || declaration === null) throw new ManifestError(`entry point '${name}' must be an object`);
      const mode = (declaration as Record<string, unknown>).mode;
      if (mode !== undefined && (typeof mode !== "string" || !MODE_ATTRIBUTES.has(mode))) {
        throw new ManifestError(`entry point '${name}' has mode ${JSON.stringify(mode)}; expected kernel, user or callers`);
      }
      const parameters = (declaration as Record<string, unknown>).parameters;
      if (parameters !== undefined && (!Array.isArray(parameters) || !parameters.every((type) => typeof type === "string" && ENTRY_PARAMETER_TYPES.has(type)))) {
        throw new ManifestError(`entry point '${name}' parameters must be a list of ABI value types (${[...ENTRY_PARAMETER_TYPES].join(", ")})`);
      }
      const fuel = (declaration as Record<string, unknown>).fuel;
      if (fuel !== undefined && !(typeof fuel === "number" && Number.isSafeInteger(fuel) && fuel > 0)) {
        throw new ManifestError(`entry point '${name}' fuel must be a positive integer`);
      }
    }
  }
  if (record.limits !== undefined) {
    if (typeof record.limits !== "object" || record.limits === null) throw new ManifestError("'limits' must be an object");
    for (const [name, limit] of Object.entries(record.limits as Record<string, unknown>)) {
      if (!["fuelPerEntry", "memoryPages", "cpuMilliseconds"].includes(name)) throw new ManifestError(`unknown limit '${name}'`);
      if (!(typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0)) throw new ManifestError(`limit '${name}' must be a positive integer`);
    }
  }
  if (record.links !== undefined && (!Array.isArray(record.links) || !record.links.every((item) => typeof item === "string"))) {
    throw new ManifestError("'links' must be an array of module names");
  }
  return record as unknown as Manifest;
}

/** Reads the embedded manifest of a module binary, or undefined when it has none. */
export function readEmbeddedManifest(bytes: Uint8Array): Manifest | undefined {
  const sections = findCustomSections(bytes, MANIFEST_SECTION_NAME);
  if (sections.length === 0) return undefined;
  if (sections.length > 1) throw new ManifestError(`more than one '${MANIFEST_SECTION_NAME}' section`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(sections[0]));
  } catch (error) {
    throw new ManifestError(`'${MANIFEST_SECTION_NAME}' section is not UTF-8 JSON (${(error as Error).message})`);
  }
  return parseManifest(parsed);
}

/** Custom section written by the mode transform: JSON `{ exportName: ModeAttribute }`. */
export const MODES_SECTION_NAME = "singlet.modes";

/** Reads the `singlet.modes` section of a module binary, or undefined when it has none. */
export function readEmbeddedModes(bytes: Uint8Array): Readonly<Record<string, ModeAttribute>> | undefined {
  const sections = findCustomSections(bytes, MODES_SECTION_NAME);
  if (sections.length === 0) return undefined;
  if (sections.length > 1) throw new ManifestError(`more than one '${MODES_SECTION_NAME}' section`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(sections[0]));
  } catch (error) {
    throw new ManifestError(`'${MODES_SECTION_NAME}' section is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ManifestError(`'${MODES_SECTION_NAME}' section is not an object`);
  for (const [name, mode] of Object.entries(parsed)) {
    if (typeof mode !== "string" || !MODE_ATTRIBUTES.has(mode)) throw new ManifestError(`'${MODES_SECTION_NAME}': export '${name}' has mode ${JSON.stringify(mode)}`);
  }
  return parsed as Record<string, ModeAttribute>;
}

/** `app.json` beside the module folders of a multi-module app. */
export const APP_DESCRIPTION_FILE = "app.json";

export interface AppDescription {
  /** The module whose `main` starts the app. */
  readonly main: string;
  /** Module names: each a folder beside app.json, built to build/<name>.wasm. */
  readonly modules: readonly string[];
}

export function parseAppDescription(value: unknown, where: string): AppDescription {
  const record = value as Partial<AppDescription> | null;
  if (typeof record !== "object" || record === null) throw new ManifestError(`${where}: not a JSON object`);
  if (!Array.isArray(record.modules) || record.modules.length === 0 || !record.modules.every((name) => typeof name === "string" && /^[a-z][a-z0-9-]*$/.test(name))) {
    throw new ManifestError(`${where}: 'modules' must be a non-empty list of lower-case module names`);
  }
  if (typeof record.main !== "string" || !record.modules.includes(record.main)) throw new ManifestError(`${where}: 'main' must name one of the modules`);
  return { main: record.main, modules: record.modules };
}
