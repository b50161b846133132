// The verifier pipeline, as the eBPF verifier is laid out: checks first, then a marked line
// after which rewrites happen.
//
//   decode      the streaming section decoder (binary/decode.ts)
//   validate    WebAssembly.validate; on failure V8's message and byte offset (Malformed)
//   manifest    the caller's manifest, else the embedded one, else the default
//   abi         imports only from the kernel's WIT world with exact core types
//   policy      entry points and canonical-ABI exports, no shared memory, start-function rule
//   limits      module-wide counts, then the code walk (locals, body size, nesting, atomics)
//   ---------   rewrites after this line; nothing below may reject a module for its author
//   fuel        charges per region, the fuel import and global, renumbered indices
//   verdict     the class of the first finding, or Accepted; an exception is InternalError
import { createHash } from "node:crypto";
import type { Manifest } from "../runtime/abi/index.js";
import { decodeModule, UnsupportedFeature } from "./binary/decode.js";
import type { DecodedModule } from "./binary/module.js";
import { DecodeError } from "./binary/reader.js";
import { sharedVerificationCache, type VerificationCache } from "./cache.js";
import { checkImports } from "./checks/abi.js";
import { recyclePlan, walkCode, type CodePlan } from "./checks/code.js";
import { checkModuleLimits, checkModuleSize } from "./checks/limits.js";
import { checkPolicy } from "./checks/policy.js";
import { validateWithEngine } from "./checks/validate.js";
import { finding } from "./codes.js";
import { MAX_FINDINGS } from "./limits.js";
import { DEFAULT_MANIFEST, checkManifest, embeddedManifestOf } from "./manifest.js";
import { decodeFunctionNames } from "./names.js";
import { instrumentFuel } from "./rewrite/fuel.js";
import type { Finding, VerdictClass, VerificationResult, VerificationStats } from "./verdict.js";

/** Bumped whenever a rule changes what is accepted or what the output is: it keys the cache. */
export const POLICY_VERSION = "2";

export interface VerifyOptions {
  /** The manifest to check against; without it the embedded `singlet.manifest` is used. */
  readonly manifest?: Manifest;
  /** Instrument accepted modules with fuel (default true). Without fuel, nothing bounds running time. */
  readonly fuel?: boolean;
  /**
   * Re-validate the rewritten module with V8, so a rewriter bug becomes InternalError here rather
   * than a CompileError when the kernel compiles the output. Off by default: the kernel's compile
   * validates the output anyway, and a second validation costs as much as the first.
   */
  readonly validateOutput?: boolean;
  /** A cache to consult and fill, or `true` for the module-level shared cache. */
  readonly cache?: VerificationCache | boolean;
  /** Sibling modules of a multi-module app: the kernel's linker resolves and checks their function imports. */
  readonly linkedModules?: readonly string[];
}

export function verificationCacheKey(bytes: Uint8Array, options: VerifyOptions = {}): string {
  return createHash("sha256")
    .update(bytes).update("\u0000").update(JSON.stringify(options.manifest ?? null))
    .update("\u0000").update(JSON.stringify(options.linkedModules ?? []))
    .update(`\u0000${POLICY_VERSION}\u0000${options.fuel !== false}`)
    .digest("hex");
}

/**
 * The key is hashed before anything else only when a cache is consulted; otherwise when the
 * result's `cacheKey` is first read. SHA-256 runs at about 2 GB/s here, a tenth of the whole
 * verification of a small module and of a large one (hello: 8 of 240 µs; the 4 MiB module: 2.4
 * of 19 ms), paid by callers that never look at the key.
 */
export function verifyModule(bytes: Uint8Array<ArrayBuffer>, options: VerifyOptions = {}): VerificationResult {
  let cacheKey: string | undefined;
  try {
    const cache = options.cache === true ? sharedVerificationCache : options.cache || undefined;
    if (cache !== undefined) {
      cacheKey = verificationCacheKey(bytes, options);
      const cached = cache.get(cacheKey);
      // The key by name: a spread copies own properties, and a fresh result's key is its class's getter.
      if (cached !== undefined) return { ...cached, cacheKey, fromCache: true };
    }
    const result = runPipeline(bytes, options, cacheKey);
    if (cacheKey !== undefined && result.verdict !== "InternalError") cache?.set(cacheKey, result);
    return result;
  } catch (error) {
    return {
      verdict: "InternalError", accepted: false, findings: [internalFinding(error)],
      stats: { bytes: bytes?.byteLength ?? 0, functions: 0, milliseconds: 0, fuelPointsInserted: 0, instructions: 0, outputBytes: 0, stageMilliseconds: {} },
      functionNames: new Map(), cacheKey: cacheKey ?? "", fuelInstrumented: false, fromCache: false,
    };
  }
}

interface PipelineState {
  findings: Finding[];
  stageMilliseconds: Record<string, number>;
  module?: DecodedModule;
  plan?: CodePlan;
  manifest?: Manifest;
  output?: Uint8Array<ArrayBuffer>;
  functionNames: Map<number, string>;
  fuelInstrumented: boolean;
}

function runPipeline(bytes: Uint8Array<ArrayBuffer>, options: VerifyOptions, cacheKey: string | undefined): VerificationResult {
  const started = performance.now();
  const readCacheKey = cacheKeyReader(bytes, options, cacheKey);
  const state: PipelineState = { findings: [], stageMilliseconds: {}, functionNames: new Map(), fuelInstrumented: false };
  let stageStarted = started;
  const stage = (name: string): void => {
    const now = performance.now();
    state.stageMilliseconds[name] = now - stageStarted;
    stageStarted = now;
  };
  try {
    checkStages(bytes, options, state, stage);
    if (state.findings.length === 0) rewriteStages(options, state, stage);
  } catch (error) {
    state.findings.push(internalFinding(error));
  }
  const findings = nameFindings(state.findings.slice(0, MAX_FINDINGS), state);
  const plan = state.plan;
  if (plan !== undefined) recyclePlan(plan);
  const verdict: VerdictClass = findings.some((item) => item.verdictClass === "InternalError")
    ? "InternalError" : findings[0]?.verdictClass ?? "Accepted";
  const accepted = findings.length === 0;
  const output = accepted ? state.output ?? bytes : undefined;
  return new PipelineResult(verdict, accepted, findings, {
    bytes: bytes.byteLength,
    functions: state.module?.functionTypes.length ?? 0,
    milliseconds: performance.now() - started,
    fuelPointsInserted: accepted && state.fuelInstrumented ? plan?.fuelPoints ?? 0 : 0,
    instructions: plan?.instructions ?? 0,
    outputBytes: output?.byteLength ?? 0,
    stageMilliseconds: state.stageMilliseconds,
  }, output, accepted || !state.fuelInstrumented ? state.functionNames : new Map(), readCacheKey,
  accepted && state.fuelInstrumented, state.manifest?.name);
}

/**
 * A verification's result, its cache key read through the class's getter. Not an object literal
 * with a getter of its own: with one, a third of the young generation survived every scavenge
 * (a dead result kept its verification's garbage alive until a full collection), and garbage
 * collection took a sixth of the time of verifying apps/hello; with the class, none survives.
 */
class PipelineResult implements VerificationResult {
  readonly fromCache = false;

  constructor(
    readonly verdict: VerdictClass,
    readonly accepted: boolean,
    readonly findings: readonly Finding[],
    readonly stats: VerificationStats,
    readonly output: Uint8Array<ArrayBuffer> | undefined,
    readonly functionNames: ReadonlyMap<number, string>,
    private readonly readCacheKey: () => string,
    readonly fuelInstrumented: boolean,
    readonly manifestName: string | undefined,
  ) {}

  get cacheKey(): string {
    return this.readCacheKey();
  }
}

/**
 * The key already hashed, or a reader that hashes it once. A function of its own so that a
 * result whose key is known holds no reference to the input bytes.
 */
function cacheKeyReader(bytes: Uint8Array, options: VerifyOptions, known: string | undefined): () => string {
  if (known !== undefined) return () => known;
  let source: Uint8Array | undefined = bytes;
  let key = "";
  return () => {
    if (source !== undefined) {
      key = verificationCacheKey(source, options);
      source = undefined;
    }
    return key;
  };
}

function checkStages(bytes: Uint8Array<ArrayBuffer>, options: VerifyOptions, state: PipelineState, stage: (name: string) => void): void {
  const findings = state.findings;
  checkModuleSize(bytes, findings);
  if (findings.length > 0) return;
  const malformed = validateWithEngine(bytes);
  stage("validate");
  if (malformed !== undefined) {
    findings.push(malformed);
    return;
  }
  let module: DecodedModule;
  try {
    module = state.module = decodeModule(bytes);
  } catch (error) {
    findings.push(decodeFinding(error));
    return;
  }
  const names = module.customSections.find((section) => section.name === "name");
  if (names !== undefined) state.functionNames = decodeFunctionNames(bytes, names.contentStart, names.end);
  stage("decode");

  if (options.manifest !== undefined) {
    state.manifest = checkManifest(options.manifest, findings);
  } else {
    const before = findings.length;
    state.manifest = embeddedManifestOf(module, findings) ?? (findings.length === before ? DEFAULT_MANIFEST : undefined);
  }
  if (state.manifest === undefined) return;
  const manifest = state.manifest;

  checkImports(module, findings, options.linkedModules);
  stage("abi");
  checkPolicy(module, manifest, findings);
  stage("policy");
  checkModuleLimits(module, manifest, findings);
  try {
    state.plan = walkCode(module, findings);
  } catch (error) {
    findings.push(decodeFinding(error));
  }
  stage("limits");
}

// ---------------------------------------------------------------------------------------------
// Everything below rewrites an accepted module. Nothing here may produce a user-facing refusal.
// ---------------------------------------------------------------------------------------------

function rewriteStages(options: VerifyOptions, state: PipelineState, stage: (name: string) => void): void {
  if (options.fuel === false || state.module === undefined || state.plan === undefined) return;
  const rewrite = instrumentFuel(state.module, state.plan, state.functionNames);
  const renamed = new Map<number, string>();
  for (const [index, name] of state.functionNames) renamed.set(rewrite.renumber(index), name);
  for (const [index, name] of rewrite.addedNames) renamed.set(index, name);
  state.functionNames = renamed;
  state.output = rewrite.output;
  state.fuelInstrumented = true;
  stage("fuel");
  if (options.validateOutput === true && !WebAssembly.validate(rewrite.output)) {
    let detail = "";
    try { new WebAssembly.Module(rewrite.output); } catch (error) { detail = (error as Error).message; }
    state.findings.push(finding("internal-error", `fuel rewrite produced an invalid module: ${detail}`));
  }
  if (options.validateOutput === true) stage("revalidate");
}

function decodeFinding(error: unknown): Finding {
  if (error instanceof UnsupportedFeature) {
    return finding("unsupported-feature", `unsupported in kernel mode: ${error.feature}`, { byteOffset: error.byteOffset });
  }
  if (error instanceof DecodeError) {
    return finding("decoder-disagrees", `v8 accepted the module but the verifier's decoder did not: ${error.message}`, { byteOffset: error.byteOffset });
  }
  return internalFinding(error);
}

function internalFinding(error: unknown): Finding {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return finding("internal-error", `verifier bug: ${message}`);
}

function nameFindings(findings: Finding[], state: PipelineState): Finding[] {
  return findings.map((item) => {
    const index = item.location?.functionIndex;
    if (index === undefined || item.location?.functionName !== undefined) return item;
    const name = state.functionNames.get(index);
    return name === undefined ? item : { ...item, location: { ...item.location, functionName: name } };
  });
}
