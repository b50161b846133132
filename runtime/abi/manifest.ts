// The module manifest: what a module declares about itself. The build embeds it as the custom
// section `singlet.manifest` (JSON, UTF-8); a `manifest.json` beside the app is its source.
import type { AbiValueType } from "./descriptor.js";
import { networkDeclarationProblem, type NetworkDeclaration } from "./network.js";
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

/** Rights by name, as a manifest writes them (numbered at the ABI: read 1, write 2, grant 4). */
export const RIGHT_NAMES = ["read", "write", "grant"] as const;
export type RightName = typeof RIGHT_NAMES[number];

export interface CapabilityRequestDeclaration {
  readonly name: string;
  /** The rights the grant carries; at most those the kind can be granted with. */
  readonly rights?: readonly RightName[];
}
export type CapabilityRequest = string | CapabilityRequestDeclaration;

/** The kind a capability request names. */
export function capabilityRequestName(request: CapabilityRequest): string {
  return typeof request === "string" ? request : request.name;
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
  /**
   * Capabilities the module asks for at start, in order: a kind's name (`"console"`: every right
   * that kind can be granted with) or `{ "name", "rights" }` naming fewer (docs/abi/capabilities.md).
   */
  readonly capabilities?: readonly CapabilityRequest[];
  /** Exported functions callable from outside the module, with their mode attributes. */
  readonly entryPoints?: Readonly<Record<string, EntryPointDeclaration>>;
  readonly limits?: ManifestLimits;
  /** Other modules of the same app this module imports from, by module name. */
  readonly links?: readonly string[];
  /** Names in the name service the module publishes (docs/abi/names.md). */
  readonly provides?: readonly string[];
  /** Names in the name service the module connects to. */
  readonly uses?: readonly string[];
  /** Channel contracts this module's channels may follow, by name (docs/abi/channels.md). */
  readonly contracts?: Readonly<Record<string, ContractDeclaration>>;
  /**
   * Addresses and ports the module's sockets may use, per direction: `{ "listen": [...],
   * "connect": [...] }` of rules like "127.0.0.1:1024-65535" (docs/files-and-sockets.md).
   * Absent: loopback only. The system policy may narrow it.
   */
  readonly network?: NetworkDeclaration;
}

/** The two ends of a channel: the one that connects (client) and the one that serves. */
export const CHANNEL_SIDES = ["client", "server"] as const;
export type ChannelSide = typeof CHANNEL_SIDES[number];

/**
 * A channel contract: which side sends each message, and a state machine saying which messages
 * may be sent in which state and where each leads. Messages are numbered at the ABI in the order
 * `messages` lists them.
 */
export interface ContractDeclaration {
  /** Message name → the side that sends it. */
  readonly messages: Readonly<Record<string, ChannelSide>>;
  readonly initial: string;
  /** State → (message → next state). A message missing from a state's map may not be sent in it. */
  readonly states: Readonly<Record<string, Readonly<Record<string, string>>>>;
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

/**
 * What a manifest problem concerns: its outline, which makes the whole manifest unusable, or
 * one entry point's mode or fuel, which the verifier reports under codes of their own
 * (`entry-point-mode-invalid`, `entry-point-fuel-invalid`) and the loader refuses like any other.
 */
export type ManifestProblemKind = "outline" | "entry-mode" | "entry-fuel";

export interface ManifestProblem {
  readonly kind: ManifestProblemKind;
  /** Where in the manifest: `name`, `entryPoints.main`, `limits.memoryPages`, ... */
  readonly item: string;
  readonly message: string;
}

/** Limits a manifest may ask for (kernel/policy/limits.ts checks them against the principal's ceilings). */
export const MANIFEST_LIMIT_NAMES: readonly (keyof ManifestLimits)[] = ["fuelPerEntry", "memoryPages", "cpuMilliseconds"];

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Largest contract: messages and states each, so checking a send stays a lookup in small tables. */
export const MAX_CONTRACT_ENTRIES = 256;

function contractProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "must be an object with messages, initial and states";
  const { messages, initial, states, ...rest } = value;
  if (Object.keys(rest).length > 0) return `has unknown field '${Object.keys(rest)[0]}' (known: messages, initial, states)`;
  if (!isPlainObject(messages) || Object.keys(messages).length === 0) return "must name its messages: an object of message → client or server";
  if (Object.keys(messages).length > MAX_CONTRACT_ENTRIES) return `has more than ${MAX_CONTRACT_ENTRIES} messages`;
  for (const [message, side] of Object.entries(messages)) {
    if (!(CHANNEL_SIDES as readonly unknown[]).includes(side)) return `says message '${message}' is sent by ${JSON.stringify(side)}; expected client or server`;
  }
  if (!isPlainObject(states) || Object.keys(states).length === 0) return "must have states: an object of state → (message → next state)";
  if (Object.keys(states).length > MAX_CONTRACT_ENTRIES) return `has more than ${MAX_CONTRACT_ENTRIES} states`;
  if (typeof initial !== "string" || !Object.hasOwn(states, initial)) return "must name one of its states as 'initial'";
  for (const [state, moves] of Object.entries(states)) {
    if (!isPlainObject(moves)) return `state '${state}' must be an object of message → next state`;
    for (const [message, next] of Object.entries(moves)) {
      if (!Object.hasOwn(messages, message)) return `state '${state}' names message '${message}', which the contract does not list`;
      if (typeof next !== "string" || !Object.hasOwn(states, next)) return `state '${state}' leads by '${message}' to ${JSON.stringify(next)}, which is not one of its states`;
    }
  }
  return undefined;
}

function capabilityRequestProblem(request: unknown): string | undefined {
  if (typeof request === "string") return request === "" ? "is an empty name" : undefined;
  if (typeof request !== "object" || request === null || Array.isArray(request)) return "must be a kind's name or { \"name\", \"rights\" }";
  const { name, rights, ...rest } = request as Record<string, unknown>;
  if (typeof name !== "string" || name === "") return "must have a non-empty 'name'";
  const extra = Object.keys(rest);
  if (extra.length > 0) return `has unknown field '${extra[0]}' (known: name, rights)`;
  if (rights !== undefined && (!Array.isArray(rights) || !rights.every((right) => typeof right === "string" && (RIGHT_NAMES as readonly string[]).includes(right)))) {
    return `must list its rights by name (${RIGHT_NAMES.join(", ")})`;
  }
  return undefined;
}

/**
 * The one manifest validator, used by the toolchain, the loader and the verifier: every problem
 * of a parsed manifest, in document order; empty when it is a valid Manifest.
 */
export function manifestProblems(value: unknown): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const outline = (item: string, message: string) => problems.push({ kind: "outline", item, message });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    outline("manifest", "is not a JSON object");
    return problems;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.name !== "string" || record.name === "") outline("name", "'name' must be a non-empty string");
  if (record.description !== undefined && typeof record.description !== "string") outline("description", "'description' must be a string");
  if (record.capabilities !== undefined) {
    if (!Array.isArray(record.capabilities)) outline("capabilities", "'capabilities' must be an array");
    else record.capabilities.forEach((request: unknown, index) => {
      const problem = capabilityRequestProblem(request);
      if (problem) outline(`capabilities.${index}`, `capability ${index} ${problem}`);
    });
  }
  const entryPoints = record.entryPoints;
  if (entryPoints !== undefined && (typeof entryPoints !== "object" || entryPoints === null || Array.isArray(entryPoints))) {
    outline("entryPoints", "'entryPoints' must be an object");
  } else {
    for (const [name, declaration] of Object.entries((entryPoints ?? {}) as Record<string, unknown>)) {
      const item = `entryPoints.${name}`;
      if (typeof declaration !== "object" || declaration === null || Array.isArray(declaration)) {
        outline(item, `entry point '${name}' must be an object`);
        continue;
      }
      const { mode, parameters, fuel } = declaration as Record<string, unknown>;
      if (mode !== undefined && (typeof mode !== "string" || !MODE_ATTRIBUTES.has(mode))) {
        problems.push({ kind: "entry-mode", item, message: `entry point '${name}' has mode ${JSON.stringify(mode)}; expected kernel, user or callers` });
      }
      if (parameters !== undefined && (!Array.isArray(parameters) || !parameters.every((type) => typeof type === "string" && ENTRY_PARAMETER_TYPES.has(type)))) {
        outline(item, `entry point '${name}' parameters must be a list of ABI value types (${[...ENTRY_PARAMETER_TYPES].join(", ")})`);
      }
      if (fuel !== undefined && !isPositiveInteger(fuel)) {
        problems.push({ kind: "entry-fuel", item, message: `entry point '${name}' has fuel ${JSON.stringify(fuel)}; expected a positive integer` });
      }
    }
  }
  const limits = record.limits;
  if (limits !== undefined && (typeof limits !== "object" || limits === null || Array.isArray(limits))) {
    outline("limits", "'limits' must be an object");
  } else {
    for (const [name, limit] of Object.entries((limits ?? {}) as Record<string, unknown>)) {
      if (!(MANIFEST_LIMIT_NAMES as readonly string[]).includes(name)) outline(`limits.${name}`, `unknown limit '${name}' (known: ${MANIFEST_LIMIT_NAMES.join(", ")})`);
      else if (!isPositiveInteger(limit)) outline(`limits.${name}`, `limit '${name}' must be a positive integer`);
    }
  }
  if (record.links !== undefined && !isStringList(record.links)) outline("links", "'links' must be an array of module names");
  for (const field of ["provides", "uses"] as const) {
    if (record[field] !== undefined && !isStringList(record[field])) outline(field, `'${field}' must be an array of service names`);
  }
  if (record.contracts !== undefined) {
    if (!isPlainObject(record.contracts)) outline("contracts", "'contracts' must be an object of contract name → contract");
    else for (const [name, contract] of Object.entries(record.contracts as Record<string, unknown>)) {
      const problem = contractProblem(contract);
      if (problem) outline(`contracts.${name}`, `contract '${name}' ${problem}`);
    }
  }
  if (record.network !== undefined) {
    const problem = networkDeclarationProblem(record.network);
    if (problem) outline("network", `'network' ${problem}`);
  }
  return problems;
}

/** Checks a parsed manifest with `manifestProblems`; throws ManifestError naming the first problem. */
export function parseManifest(value: unknown): Manifest {
  const problems = manifestProblems(value);
  if (problems.length > 0) throw new ManifestError(problems[0]!.message);
  return value as Manifest;
}

/**
 * The manifest in a module's `singlet.manifest` sections (their payloads, found with the
 * verifier's reader: verifier/binary/sections.ts), or undefined when it has none.
 */
export function manifestFromSections(payloads: readonly Uint8Array[]): Manifest | undefined {
  if (payloads.length === 0) return undefined;
  if (payloads.length > 1) throw new ManifestError(`more than one '${MANIFEST_SECTION_NAME}' section`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloads[0]));
  } catch (error) {
    throw new ManifestError(`'${MANIFEST_SECTION_NAME}' section is not UTF-8 JSON (${(error as Error).message})`);
  }
  return parseManifest(parsed);
}

/** Custom section written by the mode transform: JSON `{ exportName: ModeAttribute }`. */
export const MODES_SECTION_NAME = "singlet.modes";

/** The modes in a module's `singlet.modes` sections (their payloads), or undefined when it has none. */
export function modesFromSections(payloads: readonly Uint8Array[]): Readonly<Record<string, ModeAttribute>> | undefined {
  if (payloads.length === 0) return undefined;
  if (payloads.length > 1) throw new ManifestError(`more than one '${MODES_SECTION_NAME}' section`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloads[0]));
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
