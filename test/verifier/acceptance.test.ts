// Acceptance, the log, the JSON form, the cache and the InternalError boundary.
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Manifest } from "../../runtime/abi/index.js";
import {
  FINDING_CODES, createVerificationCache, formatVerificationLog, sharedVerificationCache, verificationCacheKey, verificationToJson, verifyModule,
} from "../../verifier/index.js";
import { assemble, kernelApp } from "./support/assemble.js";
import { builtApp, builtApps, projectRoot } from "./support/apps.js";

describe("verifier acceptance", function () {
  this.timeout(20_000);

  it("accepts every app in apps/ for kernel mode", () => {
    const apps = builtApps();
    expect(apps.length).to.be.at.least(3);
    for (const app of apps) {
      const result = verifyModule(app.bytes);
      expect(result.accepted, formatVerificationLog(result)).to.equal(true);
      expect(result.verdict).to.equal("Accepted");
      expect(result.findings).to.deep.equal([]);
      expect(result.manifestName).to.equal(app.name);
      expect(result.stats.bytes).to.equal(app.bytes.byteLength);
      expect(result.stats.functions).to.be.greaterThan(0);
      expect(result.stats.fuelPointsInserted).to.be.greaterThan(0);
      expect(result.cacheKey).to.match(/^[0-9a-f]{64}$/);
    }
  });

  it("leaves an earlier output as it was when later verifications reuse the rewriter's buffers", () => {
    const [first, ...others] = builtApps();
    const earlier = verifyModule(first!.bytes);
    const kept = earlier.output!.slice();
    expect(others.length).to.be.greaterThan(0);
    for (const app of others) verifyModule(app.bytes);
    expect(earlier.output).to.deep.equal(kept);
    // Copied out at its length: the output owns its bytes and holds nothing of the kept buffer.
    expect(earlier.output!.byteOffset).to.equal(0);
    expect(earlier.output!.buffer.byteLength).to.equal(earlier.output!.byteLength);
  });

  it("reads a fresh result's cache key through its class, not a getter of its own (one kept every result's garbage alive)", () => {
    const result = verifyModule(builtApp("hello"));
    expect(Object.getOwnPropertyDescriptor(result, "cacheKey")).to.equal(undefined);
    expect(result.cacheKey).to.equal(verificationCacheKey(builtApp("hello")));
  });

  it("accepts the minimal conformant module with the default manifest", async () => {
    const result = verifyModule(await assemble(kernelApp()));
    expect(result.accepted, formatVerificationLog(result)).to.equal(true);
    expect(result.manifestName).to.equal("(no manifest)");
  });

  it("prints a log that names the code, the function, the instruction and the byte", async () => {
    const bytes = await assemble(kernelApp(`(func $worker (drop (i32.atomic.load (i32.const 0))))`));
    const result = verifyModule(bytes);
    const log = formatVerificationLog(result, { subject: "worker.wasm" });
    expect(log).to.match(/^worker\.wasm: rejected \(PolicyViolation\), 1 finding/);
    expect(log).to.include("atomics-in-kernel-mode");
    expect(log).to.include("function 0 (worker)");
    expect(log).to.match(/instruction 1, byte \d+ \(0x[0-9a-f]+\)/);
    expect(log).to.include("docs/verifier/messages.md");
    expect(result.findings[0]!.location).to.include({ functionIndex: 0, functionName: "worker", instructionIndex: 1 });
  });

  it("prints an accepted log with stats and the fuel state", () => {
    const log = formatVerificationLog(verifyModule(builtApp("hello")));
    expect(log).to.match(/^hello: accepted for kernel mode\n/);
    expect(log).to.match(/stats: \d+ bytes, \d+ functions, \d+ instructions, \d+ fuel points/);
    expect(log).to.include("fuel-instrumented");
  });

  it("gives a json form that survives JSON.stringify", async () => {
    const result = verifyModule(await assemble(kernelApp(`(import "env" "f" (func))`)));
    const json = JSON.parse(JSON.stringify(verificationToJson(result))) as Record<string, unknown>;
    expect(json.verdict).to.equal("PolicyViolation");
    expect((json.findings as { code: string }[])[0]!.code).to.equal("import-unknown-module");
    expect(json.stats).to.have.property("milliseconds");
  });

  it("returns the cached result on a second verify of the same input and counts the hit", () => {
    const cache = createVerificationCache();
    const bytes = builtApp("hello");
    const first = verifyModule(bytes, { cache });
    const second = verifyModule(bytes, { cache });
    expect(first.fromCache).to.equal(false);
    expect(second.fromCache).to.equal(true);
    expect(second.output).to.equal(first.output);
    expect(second.cacheKey).to.equal(first.cacheKey);
    expect(cache.hits).to.equal(1);
    expect(cache.misses).to.equal(1);
    const manifest: Manifest = { name: "hello", entryPoints: { main: { fuel: 1000 } } };
    const third = verifyModule(bytes, { cache, manifest });
    expect(third.fromCache).to.equal(false);
    expect(third.cacheKey).to.not.equal(first.cacheKey);
    expect(cache.misses).to.equal(2);
    expect(cache.size).to.equal(2);
  });

  it("gives the same cache key with a cache and without one, where it is hashed only when read", () => {
    const bytes = builtApp("hello");
    const options = { fuel: false };
    const uncached = verifyModule(bytes, options);
    const cached = verifyModule(bytes, { ...options, cache: createVerificationCache() });
    expect(uncached.cacheKey).to.equal(verificationCacheKey(bytes, options));
    expect(uncached.cacheKey).to.equal(cached.cacheKey);
    expect(JSON.parse(JSON.stringify(verificationToJson(uncached))).cacheKey).to.equal(cached.cacheKey);
  });

  it("keys the cache by fuel option too, and offers a shared cache", () => {
    const bytes = builtApp("spin");
    sharedVerificationCache.clear();
    verifyModule(bytes, { cache: true });
    const uninstrumented = verifyModule(bytes, { cache: true, fuel: false });
    expect(uninstrumented.fromCache).to.equal(false);
    expect(verifyModule(bytes, { cache: true }).fromCache).to.equal(true);
    expect(sharedVerificationCache.hits).to.equal(1);
  });

  it("drops the least recently used result when the cache is full", async () => {
    const cache = createVerificationCache(2);
    const modules = await Promise.all([1, 2, 3].map((value) => assemble(kernelApp("", `(i32.const ${value})`))));
    for (const bytes of modules) verifyModule(bytes, { cache });
    expect(cache.size).to.equal(2);
    expect(verifyModule(modules[0]!, { cache }).fromCache).to.equal(false);
    expect(verifyModule(modules[2]!, { cache }).fromCache).to.equal(true);
  });

  it("reports an exception inside the verifier as InternalError, never as the author's fault", () => {
    const hostile = { get name(): string { throw new Error("boom"); } } as unknown as Manifest;
    const result = verifyModule(builtApp("hello"), { manifest: hostile });
    expect(result.verdict).to.equal("InternalError");
    expect(result.accepted).to.equal(false);
    expect(result.findings[0]!.code).to.equal("internal-error");
    expect(result.findings[0]!.message).to.include("boom");
    expect(formatVerificationLog(result)).to.include("bug in the verifier");
  });

  it("documents every finding code in docs/verifier/messages.md with its class", () => {
    const page = readFileSync(join(projectRoot, "docs", "verifier", "messages.md"), "utf8");
    for (const [code, verdictClass] of Object.entries(FINDING_CODES)) {
      const heading = new RegExp(`^### \`${code}\`\\s*$`, "m");
      expect(page, code).to.match(heading);
      const section = page.slice(page.search(heading)).split(/\n### /)[0]!;
      expect(section, code).to.include(`Class: ${verdictClass}.`);
      expect(section, code).to.match(/Example:/);
      expect(section, code).to.match(/Fix:/);
    }
  });

  it("keeps jco and wabt off the load path: no static import of either in verifier/", () => {
    const directory = join(projectRoot, "verifier");
    const files = readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"));
    expect(files.length).to.be.greaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(directory, file), "utf8");
      expect(source, file).to.not.match(/^import [^;]*from "(@bytecodealliance\/jco|wabt)[^"]*";/m);
      expect(source, file).to.not.match(/from "\.\.\/kernel\//);
    }
  });
});
