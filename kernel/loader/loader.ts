// The loader: bytes → manifest → verify → compile, with compiled images cached by the
// verifier's cache key so loading the same module again costs a lookup, and, when a store is
// attached, verdicts kept on disk so the next process skips the verifier too.
import { parseManifest, ManifestError, type Manifest } from "../../runtime/abi/index.js";
import { createVerificationCache, verifyModule, readFunctionNames, readManifestSection, REFUSED_IN_EVERY_DOMAIN, type VerificationCache } from "../../verifier/index.js";
import { LoadError } from "../errors.js";
import { IMAGE_CACHE_ENTRIES } from "../params.js";
import type { ModuleImage } from "./image.js";
import type { VerificationStore } from "./verification-store.js";

export interface LoadOptions {
  readonly name?: string;
  /** Overrides the manifest embedded in the module. */
  readonly manifest?: Manifest;
  /** Sibling modules whose imports the linker checks instead of the verifier (multi-module apps). */
  readonly linkedModules?: readonly string[];
}

export class Loader {
  private readonly images = new Map<string, ModuleImage>();
  /** Verdicts by hash of (module, manifest, policy version): a second load costs a lookup. */
  readonly verificationCache: VerificationCache = createVerificationCache();
  hits = 0;
  misses = 0;
  private store?: VerificationStore;
  private verificationLookup: VerificationCache = this.verificationCache;

  /** Keeps verdicts in `store` too, behind the in-memory cache; a stored verdict fills the memory one. */
  useVerificationStore(store: VerificationStore): void {
    this.store = store;
    this.verificationLookup = layered(this.verificationCache, store);
  }

  get verificationStore(): VerificationStore | undefined {
    return this.store;
  }

  load(bytes: Uint8Array<ArrayBuffer>, options: LoadOptions = {}): ModuleImage {
    let manifest: Manifest;
    try {
      // Given or embedded, a manifest passes the one validator (runtime/abi/manifest.ts) or the module does not load.
      manifest = options.manifest !== undefined ? parseManifest(options.manifest) : readManifestSection(bytes) ?? { name: options.name ?? "module" };
    } catch (error) {
      if (error instanceof ManifestError) throw new LoadError(error.message, [error.message]);
      throw error;
    }
    const verification = verifyModule(bytes, { manifest, linkedModules: options.linkedModules, cache: this.verificationLookup });
    // Refused before the image cache is consulted: nothing unrunnable is ever cached or run.
    const unrunnable = verification.findings.filter((item) => REFUSED_IN_EVERY_DOMAIN.has(item.code));
    if (unrunnable.length > 0) {
      throw new LoadError(
        `${options.name ?? manifest.name}: cannot run in any domain: ${unrunnable[0]!.code}: ${unrunnable[0]!.message}`
          + (unrunnable.length > 1 ? ` (and ${unrunnable.length - 1} more)` : ""),
        unrunnable.map((item) => `${item.code}: ${item.message}`),
        unrunnable.map((item) => item.code),
      );
    }
    const cached = this.images.get(verification.cacheKey);
    if (cached) {
      this.hits++;
      // Refresh its place in the least-recently-used order.
      this.images.delete(verification.cacheKey);
      this.images.set(verification.cacheKey, cached);
      return cached;
    }
    this.misses++;
    if (verification.verdict === "Malformed" || verification.verdict === "InternalError") {
      throw new LoadError(
        `${options.name ?? manifest.name}: ${verification.verdict === "Malformed" ? "malformed module" : "verifier internal error"}`,
        verification.findings.map((finding) => finding.message),
      );
    }
    const verified = verification.accepted && verification.output !== undefined;
    const runnable = verified ? verification.output! : bytes;
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(runnable);
    } catch (error) {
      throw new LoadError(`${manifest.name}: does not compile: ${(error as Error).message}`);
    }
    const image: ModuleImage = {
      name: options.name ?? manifest.name,
      manifest,
      verification,
      verified,
      module,
      bytes: runnable,
      originalBytes: bytes,
      functionNames: verified ? verification.functionNames : readFunctionNames(module),
    };
    this.images.set(verification.cacheKey, image);
    if (this.images.size > IMAGE_CACHE_ENTRIES) this.images.delete(this.images.keys().next().value!);
    return image;
  }
}

/** The memory cache first, then the store; what the store has is copied into memory. */
function layered(memory: VerificationCache, store: VerificationStore): VerificationCache {
  return {
    get(key) {
      const remembered = memory.get(key);
      if (remembered !== undefined) return remembered;
      const stored = store.get(key);
      if (stored !== undefined) memory.set(key, stored);
      return stored;
    },
    set(key, result) {
      memory.set(key, result);
      store.set(key, result);
    },
    get size() { return memory.size; },
    get hits() { return memory.hits; },
    get misses() { return memory.misses; },
    clear() { memory.clear(); },
  };
}
