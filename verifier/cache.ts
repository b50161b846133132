// The verification cache: results by hash of (module, manifest, policy version, options), so
// loading the same module twice costs one hash.
import { MAX_CACHE_ENTRIES } from "./limits.js";
import type { VerificationResult } from "./verdict.js";

export interface VerificationCache {
  get(key: string): VerificationResult | undefined;
  set(key: string, result: VerificationResult): void;
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
  clear(): void;
}

/** A bounded cache; the least recently used result is dropped first. */
export function createVerificationCache(capacity = MAX_CACHE_ENTRIES): VerificationCache {
  const entries = new Map<string, VerificationResult>();
  let hits = 0;
  let misses = 0;
  return {
    get(key) {
      const result = entries.get(key);
      if (result === undefined) {
        misses++;
        return undefined;
      }
      hits++;
      entries.delete(key);
      entries.set(key, result);
      return result;
    },
    set(key, result) {
      entries.delete(key);
      entries.set(key, result);
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
    get size() { return entries.size; },
    get hits() { return hits; },
    get misses() { return misses; },
    clear() {
      entries.clear();
      hits = 0;
      misses = 0;
    },
  };
}

/** The cache `verifyModule` uses when called with `cache: true`. */
export const sharedVerificationCache: VerificationCache = createVerificationCache();
