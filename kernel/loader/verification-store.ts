// The on-disk verification cache: verdicts and verified bytes kept between runs, so an unchanged
// app is neither re-verified nor re-instrumented from one `singlet run` to the next.
//
// An entry is trusted only as far as its own content hash says it is intact:
//
//   entry  = sha256(body) (32 bytes) || body
//   body   = "SVC1" || u32le(json length) || json || output bytes
//   json   = { format, policyVersion, key, result fields except the output bytes }
//
// Anything that does not check out — a short file, a digest mismatch, another format or policy
// version, a key that is not the one asked for, a field of the wrong shape — is a miss, and the
// module is verified from scratch. The digest detects corruption, truncation and edits that do
// not recompute it; it is not a signature: whoever can write this directory can also write the
// kernel's own compiled code beside it, so the directory is given the same trust (project-local,
// never a shared temporary directory). Writes go to a temporary file renamed into place, so a
// reader sees a whole entry or none. Entries live under one folder per policy version; writing
// removes the folders of other versions, so a policy change invalidates everything before it.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { POLICY_VERSION, limits, type Finding, type VerdictClass, type VerificationResult, type VerificationStats } from "../../verifier/index.js";

/** Bumped whenever the entry layout changes; older entries then read as misses. */
const FORMAT = 1;
const MAGIC = "SVC1";
const DIGEST_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 4;
/**
 * An entry holds at most one output module plus its findings and names: a file larger than the
 * largest module the verifier accepts, with room for the metadata, is not an entry and is not read.
 */
const MAX_ENTRY_BYTES = limits.MAX_MODULE_BYTES * 2;
const VERDICTS: readonly VerdictClass[] = ["Accepted", "Malformed", "PolicyViolation", "LimitExceeded", "InternalError"];
const KEY_PATTERN = /^[0-9a-f]{64}$/;
/**
 * Entries kept by default: the apps of a project and their versions under development, with
 * room to spare; each is about the size of its module, so the folder stays a few megabytes.
 */
export const VERIFICATION_STORE_ENTRIES = 256;

export interface VerificationStoreOptions {
  /** Policy version the entries must carry; the verifier's by default (tests pass others). */
  readonly policyVersion?: string;
  /** How many entries to keep; the least recently written go first. */
  readonly capacity?: number;
}

/** What the store did, for tests and `--stats`. */
export interface VerificationStoreCounters {
  hits: number;
  misses: number;
  /** Entries found but not trusted (corrupt, truncated, tampered, wrong version or key). */
  rejected: number;
  writes: number;
  /** Writes that failed (read-only or full disk): the run goes on without caching. */
  failedWrites: number;
}

export class VerificationStore {
  readonly directory: string;
  readonly counters: VerificationStoreCounters = { hits: 0, misses: 0, rejected: 0, writes: 0, failedWrites: 0 };
  private readonly policyVersion: string;
  private readonly capacity: number;

  /** `root` is the cache's folder; entries go in a sub-folder named by policy version. */
  constructor(readonly root: string, options: VerificationStoreOptions = {}) {
    this.policyVersion = options.policyVersion ?? POLICY_VERSION;
    this.capacity = options.capacity ?? VERIFICATION_STORE_ENTRIES;
    this.directory = join(root, `policy-${encodeURIComponent(this.policyVersion)}`);
  }

  entryPath(key: string): string {
    return join(this.directory, `${key}.entry`);
  }

  /** The stored result for `key`, or undefined when there is none or it cannot be trusted. */
  get(key: string): VerificationResult | undefined {
    if (!KEY_PATTERN.test(key)) return this.miss();
    let data: Buffer;
    try {
      if (statSync(this.entryPath(key)).size > MAX_ENTRY_BYTES) return this.reject();
      data = readFileSync(this.entryPath(key));
    } catch {
      return this.miss();
    }
    const result = this.decode(key, data);
    if (result === undefined) return this.reject();
    this.counters.hits++;
    return result;
  }

  /** Stores `result` under `key`; a failure to write is counted, never thrown. */
  set(key: string, result: VerificationResult): void {
    if (!KEY_PATTERN.test(key) || result.verdict === "InternalError") return;
    const temporary = join(this.directory, `.${key}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      mkdirSync(this.directory, { recursive: true });
      writeFileSync(temporary, this.encode(key, result));
      renameSync(temporary, this.entryPath(key));
      this.counters.writes++;
      this.prune();
    } catch {
      this.counters.failedWrites++;
      try { unlinkSync(temporary); } catch { /* never written */ }
    }
  }

  private miss(): undefined {
    this.counters.misses++;
    return undefined;
  }

  private reject(): undefined {
    this.counters.rejected++;
    this.counters.misses++;
    return undefined;
  }

  private encode(key: string, result: VerificationResult): Buffer {
    const output = result.output ?? new Uint8Array(0);
    const json = Buffer.from(JSON.stringify({
      format: FORMAT,
      policyVersion: this.policyVersion,
      key,
      verdict: result.verdict,
      accepted: result.accepted,
      findings: result.findings,
      stats: result.stats,
      hasOutput: result.output !== undefined,
      outputBytes: output.byteLength,
      functionNames: [...result.functionNames],
      fuelInstrumented: result.fuelInstrumented,
      manifestName: result.manifestName ?? null,
    }), "utf8");
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, "latin1");
    header.writeUInt32LE(json.byteLength, MAGIC.length);
    const body = Buffer.concat([header, json, output]);
    return Buffer.concat([createHash("sha256").update(body).digest(), body]);
  }

  private decode(key: string, data: Buffer): VerificationResult | undefined {
    if (data.byteLength < DIGEST_BYTES + HEADER_BYTES) return undefined;
    const body = data.subarray(DIGEST_BYTES);
    if (!createHash("sha256").update(body).digest().equals(data.subarray(0, DIGEST_BYTES))) return undefined;
    if (body.toString("latin1", 0, MAGIC.length) !== MAGIC) return undefined;
    const jsonBytes = body.readUInt32LE(MAGIC.length);
    if (HEADER_BYTES + jsonBytes > body.byteLength) return undefined;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(body.toString("utf8", HEADER_BYTES, HEADER_BYTES + jsonBytes)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const outputStart = HEADER_BYTES + jsonBytes;
    if (entry.format !== FORMAT || entry.policyVersion !== this.policyVersion || entry.key !== key) return undefined;
    if (!VERDICTS.includes(entry.verdict as VerdictClass) || typeof entry.accepted !== "boolean") return undefined;
    if (entry.accepted !== (entry.verdict === "Accepted") || typeof entry.fuelInstrumented !== "boolean") return undefined;
    if (entry.outputBytes !== body.byteLength - outputStart || entry.hasOutput !== entry.accepted) return undefined;
    if (!Array.isArray(entry.findings) || !isPlainObject(entry.stats) || !Array.isArray(entry.functionNames)) return undefined;
    if (entry.accepted && entry.findings.length > 0) return undefined;
    const functionNames = new Map<number, string>();
    for (const pair of entry.functionNames as unknown[]) {
      if (!Array.isArray(pair) || !Number.isInteger(pair[0]) || typeof pair[1] !== "string") return undefined;
      functionNames.set(pair[0] as number, pair[1]);
    }
    // A copy, not a view: the entry's buffer may be pooled, and the kernel keeps the output.
    const output = entry.accepted ? new Uint8Array(body.subarray(outputStart)) : undefined;
    return {
      verdict: entry.verdict as VerdictClass,
      accepted: entry.accepted,
      findings: entry.findings as Finding[],
      stats: entry.stats as unknown as VerificationStats,
      output,
      functionNames,
      cacheKey: key,
      fuelInstrumented: entry.fuelInstrumented,
      fromCache: false,
      manifestName: typeof entry.manifestName === "string" ? entry.manifestName : undefined,
    };
  }

  /** Drops other policy versions' folders and, past capacity, the oldest entries. */
  private prune(): void {
    const own = basename(this.directory);
    for (const name of readdirSync(this.root)) {
      if (name !== own && name.startsWith("policy-")) rmSync(join(this.root, name), { recursive: true, force: true });
    }
    const entries = readdirSync(this.directory).filter((name) => name.endsWith(".entry"));
    if (entries.length <= this.capacity) return;
    const byAge = entries
      .map((name) => ({ name, written: statSync(join(this.directory, name)).mtimeMs }))
      .sort((a, b) => a.written - b.written);
    for (const { name } of byAge.slice(0, entries.length - this.capacity)) rmSync(join(this.directory, name), { force: true });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
