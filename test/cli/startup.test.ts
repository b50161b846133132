// Conformance: what start-up changed about the `singlet` command, spawned as a person runs it.
// The bin runs one bundled file that behaves as the unbundled command does, with V8's code cache;
// verdicts and compiled code are kept on disk between runs, in a project-local folder, unless
// turned off, and an entry that does not check out is never used.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Script } from "node:vm";
import { codeCacheEntryPath, installedCodeCacheEntryPath, readTrustedEntry, wrapBundle } from "../../kernel/cli/launcher.js";
import { projectRoot } from "../helpers/kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.cjs");
const bundle = resolve(projectRoot, "dist", "singlet-bundle.cjs");
const unbundled = resolve(projectRoot, "dist", "kernel", "cli", "main.js");

function run(cli: string, args: string[], environment: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, ...environment } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scratchCache(): string {
  return mkdtempSync(join(tmpdir(), "singlet-cli-cache-"));
}

describe("cli/startup", () => {
  it("the package's bin is the launcher of the bundled command, a script with a shebang line", () => {
    const manifest = JSON.parse(readFileSync(resolve(projectRoot, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(resolve(projectRoot, manifest.bin.singlet!)).to.equal(bundled);
    expect(readFileSync(bundled, "utf8").startsWith("#!/usr/bin/env node\n")).to.equal(true);
  });

  it("the bundled command runs apps/hello in either domain and verifies as the unbundled one does", () => {
    for (const args of [["run", "apps/hello", "--", "a", "b"], ["run", "--user", "apps/hello", "--", "x"], ["run", "apps/fault"], ["verify", "apps/hello/build/hello.wasm"]]) {
      const fromBundle = run(bundled, args, { SINGLET_CACHE: "off" });
      const fromFiles = run(unbundled, args, { SINGLET_CACHE: "off" });
      expect(fromBundle.code, args.join(" ")).to.equal(fromFiles.code);
      expect(fromBundle.stdout.replace(/[\d.]+ ms/g, "N ms"), args.join(" ")).to.equal(fromFiles.stdout.replace(/[\d.]+ ms/g, "N ms"));
      expect(fromBundle.stderr.replace(/[\d.]+ ms/g, "N ms"), args.join(" ")).to.equal(fromFiles.stderr.replace(/[\d.]+ ms/g, "N ms"));
    }
  });

  it("the second run reads the verdict from the on-disk cache and prints the same", () => {
    const directory = scratchCache();
    const first = run(bundled, ["run", "--stats", "apps/hello"], { SINGLET_CACHE_DIR: directory });
    const second = run(bundled, ["run", "--stats", "apps/hello"], { SINGLET_CACHE_DIR: directory });
    expect(first.code).to.equal(0);
    expect(second.stdout).to.equal(first.stdout);
    expect(first.stderr).to.match(/verification cache: 0 hits, 1 misses, 0 untrusted entries, 1 writes/);
    expect(second.stderr).to.match(/verification cache: 1 hits, 0 misses, 0 untrusted entries, 0 writes/);
    expect(second.stderr).to.match(/instance hello@kernel verified=true/);
  });

  it("a corrupt entry is not trusted: the run verifies from scratch, prints the same and rewrites it", () => {
    const directory = scratchCache();
    const first = run(bundled, ["run", "apps/hello"], { SINGLET_CACHE_DIR: directory });
    const folder = join(directory, "verification", readdirSync(join(directory, "verification"))[0]!);
    const entry = join(folder, readdirSync(folder)[0]!);
    const bytes = readFileSync(entry);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(entry, bytes);
    const second = run(bundled, ["run", "--stats", "apps/hello"], { SINGLET_CACHE_DIR: directory });
    expect(second.code).to.equal(0);
    expect(second.stdout).to.equal(first.stdout);
    expect(second.stderr).to.match(/verification cache: 0 hits, 1 misses, 1 untrusted entries, 1 writes/);
  });

  it("SINGLET_CACHE=off and --no-cache turn both on-disk caches off: nothing is written, neither code nor verdicts", () => {
    const directory = scratchCache();
    expect(run(bundled, ["run", "--stats", "apps/hello"], { SINGLET_CACHE: "off", SINGLET_CACHE_DIR: directory }).stderr).to.match(/verification cache: off/);
    expect(run(bundled, ["run", "--stats", "--no-cache", "apps/hello"], { SINGLET_CACHE_DIR: directory }).stderr).to.match(/verification cache: off/);
    expect(readdirSync(directory)).to.deep.equal([]);
  });

  it("by default the cache lives in the project's node_modules/.cache, which git ignores", () => {
    const environment = { ...process.env };
    delete environment.SINGLET_CACHE_DIR;
    delete environment.SINGLET_CACHE;
    const result = spawnSync(process.execPath, [bundled, "run", "--stats", "hello"], { cwd: tmpdir(), encoding: "utf8", env: environment });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stderr).to.contain(`(${join(projectRoot, "node_modules", ".cache", "singlet", "verification")}`);
    expect(existsSync(codeCacheEntryPath(readFileSync(bundle, "utf8"), environment))).to.equal(true);
    expect(readFileSync(resolve(projectRoot, ".gitignore"), "utf8").split("\n")).to.include("node_modules/");
  });

  it("the code cache a run leaves is one V8 accepts for the bundle as the launcher compiles it", () => {
    const directory = scratchCache();
    expect(run(bundled, ["run", "apps/hello"], { SINGLET_CACHE_DIR: directory }).code).to.equal(0);
    const text = readFileSync(bundle, "utf8");
    const cachedData = readTrustedEntry(codeCacheEntryPath(text, { SINGLET_CACHE_DIR: directory }));
    expect(cachedData).to.not.equal(undefined);
    const script = new Script(wrapBundle(text), { filename: bundle, cachedData });
    expect(script.cachedDataRejected).to.equal(false);
  });

  it("the build leaves a code cache entry for the bundle in dist/code-cache that V8 accepts, and a first run still leaves its own", () => {
    const text = readFileSync(bundle, "utf8");
    const installed = readTrustedEntry(installedCodeCacheEntryPath(text, bundle));
    expect(installed).to.not.equal(undefined);
    expect(new Script(wrapBundle(text), { filename: bundle, cachedData: installed }).cachedDataRejected).to.equal(false);
    const directory = scratchCache();
    const first = run(bundled, ["run", "apps/hello", "--", "a"], { SINGLET_CACHE_DIR: directory });
    expect(first.code).to.equal(0);
    expect(first.stdout).to.equal("Hello from Singlet!\nargs: a\n");
    expect(readTrustedEntry(codeCacheEntryPath(text, { SINGLET_CACHE_DIR: directory }))).to.not.equal(undefined);
  });

  it("a corrupt or truncated code cache entry is never handed to V8: the run compiles from scratch, prints the same and rewrites it", () => {
    const directory = scratchCache();
    const environment = { SINGLET_CACHE_DIR: directory };
    const first = run(bundled, ["run", "apps/hello", "--", "a"], environment);
    const entry = codeCacheEntryPath(readFileSync(bundle, "utf8"), environment);
    const damages = [
      (bytes: Buffer) => { const copy = Buffer.from(bytes); copy[copy.length >> 1]! ^= 0x10; return copy; },
      (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1),
      () => Buffer.alloc(0),
    ];
    for (const damage of damages) {
      writeFileSync(entry, damage(readFileSync(entry)));
      expect(readTrustedEntry(entry)).to.equal(undefined);
      const again = run(bundled, ["run", "apps/hello", "--", "a"], environment);
      expect(again.code).to.equal(0);
      expect(again.stdout).to.equal(first.stdout);
      expect(readTrustedEntry(entry)).to.not.equal(undefined);
    }
  });

  it("the bundle is ASCII text, which V8 keeps at one byte a character", () => {
    expect(/[^\x00-\x7f]/.test(readFileSync(bundle, "latin1"))).to.equal(false);
  });

  it("running a kernel-domain app loads none of the Node modules only threads, UDP or the component check need", () => {
    const directory = scratchCache();
    const report = join(directory, "loaded-modules.cjs");
    writeFileSync(report, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(join(directory, "loaded.txt"))}, process.moduleLoadList.join("\\n")));`);
    const result = spawnSync(process.execPath, ["--require", report, bundled, "run", "apps/hello"], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE_DIR: directory } });
    expect(result.status, result.stderr).to.equal(0);
    const loaded = readFileSync(join(directory, "loaded.txt"), "utf8").split("\n");
    for (const module of ["NativeModule worker_threads", "NativeModule dgram", "NativeModule fs/promises"]) expect(loaded, module).to.not.include(module);
    expect(run(bundled, ["run", "--user", "apps/hello"], { SINGLET_CACHE_DIR: directory }).stdout).to.equal(result.stdout);
  });

  it("the bundled command still imports npm packages lazily when its code comes from the cache (verify --component uses jco)", () => {
    const directory = scratchCache();
    for (let runIndex = 0; runIndex < 2; runIndex++) {
      const result = run(bundled, ["verify", "--component", "apps/hello/build/hello.wasm"], { SINGLET_CACHE_DIR: directory });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/component check \(jco\): ok/);
    }
  });
});
