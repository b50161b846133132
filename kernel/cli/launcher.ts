// The `singlet` bin's work (bin.ts, built to dist/singlet.cjs): runs the bundled command with V8's code cache,
// so every run after the first skips parsing and compiling the kernel's JavaScript. Measured on
// `singlet run apps/hello` (bench/startup.ts): about 10 ms of 90. Node 20 takes cached code only
// for a vm.Script, not for an ES module, hence a CommonJS bundle run as a script here.
//
// The cache entry is trusted only as far as it checks out: it is named by a hash of the bundle's
// text and the Node version, so an edited bundle never meets old code (V8's own check compares
// the source's length, not its text); it carries a SHA-256 of its bytes, so a corrupt or
// truncated entry is dropped before V8 sees it; V8 then rejects data from another V8 or other
// flags. As with verdicts, the folder is as trusted as dist/: whoever can write it could write
// the bundle too. Written at exit (to include the functions the run compiled), temporary file
// then rename. SINGLET_CACHE=off or --no-cache: compiled from scratch, nothing written.
//
// The build leaves one more entry, read-only, in dist/code-cache (runtime/toolchain/
// install-code-cache.ts): the code of a `singlet run apps/hello`, made when the package is
// built, as Node ships compiled code for its own modules. A run whose cache folder has no entry
// yet (the first run, or an emptied cache) starts from it instead of parsing and compiling the
// whole bundle, and still leaves its own entry. It is checked as the other is.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { cacheDirectory, cachingDisabled } from "./cache-settings.js";

/** The bundle beside this launcher in dist/. */
export const BUNDLE_FILE_NAME = "singlet-bundle.cjs";
const DIGEST_BYTES = 32;
const ENTRY_SUFFIX = ".v8cache";

function sha256(data: string | Uint8Array): Buffer {
  return createHash("sha256").update(data).digest();
}

/** The cached code in `path`, or undefined when there is none or its digest does not match. */
export function readTrustedEntry(path: string): Buffer | undefined {
  let entry: Buffer;
  try {
    entry = readFileSync(path);
  } catch {
    return undefined;
  }
  if (entry.byteLength <= DIGEST_BYTES) return undefined;
  const payload = entry.subarray(DIGEST_BYTES);
  return sha256(payload).equals(entry.subarray(0, DIGEST_BYTES)) ? payload : undefined;
}

/** Writes the entry whole or not at all, and drops the entries of other bundles. */
function writeEntry(path: string, payload: Buffer): void {
  const directory = dirname(path);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(directory, { recursive: true });
    writeFileSync(temporary, Buffer.concat([sha256(payload), payload]));
    renameSync(temporary, path);
    for (const name of readdirSync(directory)) {
      if (name.endsWith(ENTRY_SUFFIX) && join(directory, name) !== path) rmSync(join(directory, name), { force: true });
    }
  } catch {
    // A read-only or full disk costs the next run its compile, nothing more.
    rmSync(temporary, { force: true });
  }
}

/** The bundle's text as the launcher compiles it: a CommonJS function, without its shebang line. */
export function wrapBundle(bundleText: string): string {
  // The bundle's lazy imports of npm packages (jco, wabt) come back here as calls to
  // __singletImport: import() in code restored from a cache has lost what it needs to resolve.
  return `(function (exports, require, module, __filename, __dirname, __singletImport) {${bundleText.replace(/^#!.*/, "")}\n})`;
}

/** An entry's file name: the bundle (its text, or the file's bytes: the same key) and this Node. */
function entryName(bundle: string | Uint8Array): string {
  // Hashed as bytes: a string is hashed as its UTF-8, which is what the file holds.
  return `${createHash("sha256").update(bundle).update(`\u0000${process.version}\u0000${process.arch}`).digest("hex")}${ENTRY_SUFFIX}`;
}

/** Where the code cache of this bundle, on this Node, lives. */
export function codeCacheEntryPath(bundle: string | Uint8Array, environment: NodeJS.ProcessEnv): string {
  return join(cacheDirectory("code", environment), entryName(bundle));
}

/** The folder beside the bundle that holds the entry the build made. */
export const INSTALLED_CODE_CACHE_DIRECTORY = "code-cache";

/** Where the build's entry for this bundle, beside `bundlePath`, lives. */
export function installedCodeCacheEntryPath(bundle: string | Uint8Array, bundlePath: string): string {
  return join(dirname(bundlePath), INSTALLED_CODE_CACHE_DIRECTORY, entryName(bundle));
}

export function launch(bundlePath: string, argv: readonly string[], environment: NodeJS.ProcessEnv): void {
  // Read once, hashed as bytes (hashing the text would encode it again).
  const bundleBytes = readFileSync(bundlePath);
  let entryPath: string | undefined;
  let cachedData: Buffer | undefined;
  let ownEntry = false;
  if (!cachingDisabled(argv, environment)) {
    entryPath = codeCacheEntryPath(bundleBytes, environment);
    cachedData = readTrustedEntry(entryPath);
    ownEntry = cachedData !== undefined;
    cachedData ??= readTrustedEntry(installedCodeCacheEntryPath(bundleBytes, bundlePath));
  }
  const script = new Script(wrapBundle(bundleBytes.toString("utf8")), { filename: bundlePath, cachedData });
  if (entryPath !== undefined && (!ownEntry || script.cachedDataRejected === true)) {
    const path = entryPath;
    process.once("exit", () => writeEntry(path, script.createCachedData()));
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, directory: string, load: (specifier: string) => Promise<unknown>) => void;
  run(module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath), (specifier) => import(specifier));
}

/** dist/kernel/cli → dist/singlet-bundle.cjs, beside the bin. */
export const bundlePath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", BUNDLE_FILE_NAME);
