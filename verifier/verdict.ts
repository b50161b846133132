// What the verifier says about a module: a verdict class, findings with codes and locations,
// and the stats of the run.
export type VerdictClass = "Accepted" | "Malformed" | "PolicyViolation" | "LimitExceeded" | "InternalError";

export interface FindingLocation {
  readonly functionIndex?: number;
  readonly functionName?: string;
  /** Index of the instruction within its function body, counting from 0. */
  readonly instructionIndex?: number;
  readonly byteOffset?: number;
  /** Import or export name, section name, or other non-code place. */
  readonly item?: string;
}

export interface Finding {
  /** Stable code, documented in docs/verifier/messages.md. */
  readonly code: string;
  readonly verdictClass: Exclude<VerdictClass, "Accepted">;
  /** Short lower-case fact with the values involved. */
  readonly message: string;
  readonly location?: FindingLocation;
}

export interface VerificationStats {
  readonly bytes: number;
  readonly functions: number;
  readonly milliseconds: number;
  readonly fuelPointsInserted: number;
  /** Instructions walked in function bodies. */
  readonly instructions: number;
  /** Size of the output module, 0 when rejected. */
  readonly outputBytes: number;
  /** Milliseconds per pipeline stage, in pipeline order. */
  readonly stageMilliseconds: Readonly<Record<string, number>>;
}

export interface VerificationResult {
  readonly verdict: VerdictClass;
  readonly accepted: boolean;
  readonly findings: readonly Finding[];
  readonly stats: VerificationStats;
  /** The module to run: the input, or its fuel-instrumented rewrite. Present when accepted; shared by cached results, so treat it as read-only. */
  readonly output?: Uint8Array<ArrayBuffer>;
  /** Function names by function index of the *output* module (imports included). */
  readonly functionNames: ReadonlyMap<number, string>;
  /**
   * Hex SHA-256 of (module, manifest, policy version, options): the cache key. Hashed before
   * verifying when a cache is consulted; otherwise on the first read, from the bytes as they are
   * then (do not change the input before reading it), since without a cache nothing may need it.
   */
  readonly cacheKey: string;
  /** True when the output carries fuel accounting (see fuel-contract.ts). */
  readonly fuelInstrumented: boolean;
  /** True when this result came from a verification cache. */
  readonly fromCache: boolean;
  /** Manifest the module was checked against (the option, else the embedded one). */
  readonly manifestName?: string;
}
