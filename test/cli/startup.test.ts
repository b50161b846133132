// Conformance: what start-up changed about the `singlet` command, spawned as a person runs it.
// The bin is one bundled file that behaves as the unbundled command does, and verdicts are kept
// on disk between runs, in a project-local folder, unless turned off.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../helpers/kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.js");
const unbundled = resolve(projectRoot, "dist", "kernel", "cli", "main.js");

function run(cli: string, args: string[], environment: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, ...environment } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scratchCache(): string {
  return mkdtempSync(join(tmpdir(), "singlet-cli-cache-"));
}

describe("cli/startup", () => {
  it("the package's bin is the bundled command, an executable script", () => {
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
    const folder = join(directory, readdirSync(directory)[0]!);
    const entry = join(folder, readdirSync(folder)[0]!);
    const bytes = readFileSync(entry);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(entry, bytes);
    const second = run(bundled, ["run", "--stats", "apps/hello"], { SINGLET_CACHE_DIR: directory });
    expect(second.code).to.equal(0);
    expect(second.stdout).to.equal(first.stdout);
    expect(second.stderr).to.match(/verification cache: 0 hits, 1 misses, 1 untrusted entries, 1 writes/);
  });

  it("SINGLET_CACHE=off and --no-cache turn the on-disk cache off", () => {
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
    expect(readFileSync(resolve(projectRoot, ".gitignore"), "utf8").split("\n")).to.include("node_modules/");
  });
});
