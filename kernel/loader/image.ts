// A loaded module image: verified (or not), compiled once, instantiated per process.
import type { Manifest } from "../../runtime/abi/index.js";
import type { VerificationResult } from "../../verifier/index.js";

export interface ModuleImage {
  readonly name: string;
  readonly manifest: Manifest;
  readonly verification: VerificationResult;
  /** True when the verifier accepted the module for the kernel domain (KERNELTRUST). */
  readonly verified: boolean;
  /** The module as it runs: the verifier's output when verified, the input otherwise. */
  readonly module: WebAssembly.Module;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The module as loaded, before any rewrite: what a user domain runs (no fuel import). */
  readonly originalBytes: Uint8Array<ArrayBuffer>;
  readonly functionNames: ReadonlyMap<number, string>;
}
