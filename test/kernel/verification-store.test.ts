// Conformance: the on-disk verification cache. A stored verdict spares the next process the
// verifier; an entry that is corrupt, truncated, tampered with, another module's, or from
// another policy version is never trusted, and the module is verified from scratch.
import { expect } from "chai";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Loader, VerificationStore } from "../../kernel/loader/index.js";
import { verifyModule, type VerificationResult } from "../../verifier/index.js";
import { appBytes } from "../helpers/kernel.js";
import { assembleWat } from "../helpers/wat.js";

function scratchRoot(): string {
  return mkdtempSync(join(tmpdir(), "singlet-store-"));
}

function loaderWith(store: VerificationStore): Loader {
  const loader = new Loader();
  loader.useVerificationStore(store);
  return loader;
}

/** Fills a store from one process's worth of loading, returns the entry's path and the first image. */
function storeHello(root: string) {
  const first = loaderWith(new VerificationStore(root)).load(appBytes("hello"), { name: "hello" });
  return { first, path: new VerificationStore(root).entryPath(first.verification.cacheKey) };
}

function reload(root: string) {
  const store = new VerificationStore(root);
  const image = loaderWith(store).load(appBytes("hello"), { name: "hello" });
  return { store, image };
}

describe("kernel/loader verification store", () => {
  it("a second process reads the verdict and the verified bytes back instead of verifying again", () => {
    const root = scratchRoot();
    const { first } = storeHello(root);
    expect(first.verification.fromCache).to.equal(false);
    const { store, image } = reload(root);
    expect(image.verification.fromCache).to.equal(true);
    expect(store.counters).to.include({ hits: 1, misses: 0, rejected: 0, writes: 0 });
    expect(image.verified).to.equal(true);
    expect(Buffer.from(image.bytes).equals(Buffer.from(first.bytes))).to.equal(true);
    expect([...image.functionNames]).to.deep.equal([...first.functionNames]);
    expect(image.verification.stats).to.deep.equal(first.verification.stats);
  });

  const damages: [string, (entry: Buffer) => Buffer][] = [
    ["with one flipped byte in the verified module", (entry) => { const copy = Buffer.from(entry); copy[copy.length - 10]! ^= 0x01; return copy; }],
    ["with one flipped byte in the digest", (entry) => { const copy = Buffer.from(entry); copy[0]! ^= 0x80; return copy; }],
    ["truncated to half", (entry) => entry.subarray(0, entry.length >> 1)],
    ["truncated inside the digest", (entry) => entry.subarray(0, 20)],
    ["that is empty", () => Buffer.alloc(0)],
    ["replaced by garbage of the same length", (entry) => Buffer.alloc(entry.length, 0x5a)],
  ];
  for (const [damage, apply] of damages) {
    it(`an entry ${damage} is not trusted: the module is verified from scratch and the entry rewritten`, () => {
      const root = scratchRoot();
      const { first, path } = storeHello(root);
      writeFileSync(path, apply(readFileSync(path)));
      const { store, image } = reload(root);
      expect(image.verification.fromCache).to.equal(false);
      expect(store.counters).to.include({ hits: 0, rejected: 1, writes: 1 });
      expect(Buffer.from(image.bytes).equals(Buffer.from(first.bytes))).to.equal(true);
      expect(reload(root).image.verification.fromCache).to.equal(true);
    });
  }

  it("a tampered verdict (a refusal edited to read as accepted, digest not recomputed) is not trusted", async () => {
    const root = scratchRoot();
    const bytes = await assembleWat(`(module (import "env" "anything" (func)) (memory (export "memory") 1))`);
    const refused = verifyModule(bytes, {});
    expect(refused.accepted).to.equal(false);
    const store = new VerificationStore(root);
    store.set(refused.cacheKey, refused);
    const path = store.entryPath(refused.cacheKey);
    // "false" and "true " are the same length, and both parse as JSON.
    writeFileSync(path, Buffer.from(readFileSync(path).toString("latin1").replace('"accepted":false', '"accepted":true '), "latin1"));
    expect(readFileSync(path, "latin1")).to.contain('"accepted":true ');
    const reader = new VerificationStore(root);
    expect(reader.get(refused.cacheKey)).to.equal(undefined);
    expect(reader.counters.rejected).to.equal(1);
  });

  it("another module's entry renamed to this module's key is not trusted", async () => {
    const root = scratchRoot();
    const { first, path } = storeHello(root);
    const other = verifyModule(appBytes("spin"), {});
    const store = new VerificationStore(root);
    store.set(other.cacheKey, other);
    renameSync(store.entryPath(other.cacheKey), path);
    const { store: reader, image } = reload(root);
    expect(reader.counters.rejected).to.equal(1);
    expect(image.verification.fromCache).to.equal(false);
    expect(Buffer.from(image.bytes).equals(Buffer.from(first.bytes))).to.equal(true);
  });

  it("a policy-version change invalidates every entry, and the first write under the new version removes the old ones", () => {
    const root = scratchRoot();
    const result = verifyModule(appBytes("hello"), {});
    const before = new VerificationStore(root, { policyVersion: "test-1" });
    before.set(result.cacheKey, result);
    expect(before.get(result.cacheKey)?.accepted).to.equal(true);
    const after = new VerificationStore(root, { policyVersion: "test-2" });
    expect(after.get(result.cacheKey)).to.equal(undefined);
    after.set(result.cacheKey, result);
    expect(existsSync(before.directory)).to.equal(false);
    expect(after.get(result.cacheKey)?.accepted).to.equal(true);
  });

  it("an intact entry copied into another policy version's folder is not trusted there", () => {
    const root = scratchRoot();
    const result = verifyModule(appBytes("hello"), {});
    const before = new VerificationStore(root, { policyVersion: "test-1" });
    before.set(result.cacheKey, result);
    const after = new VerificationStore(root, { policyVersion: "test-2" });
    mkdirSync(after.directory, { recursive: true });
    copyFileSync(before.entryPath(result.cacheKey), after.entryPath(result.cacheKey));
    expect(after.get(result.cacheKey)).to.equal(undefined);
    expect(after.counters.rejected).to.equal(1);
  });

  it("writes leave only whole entries behind, and the oldest go past capacity", () => {
    const root = scratchRoot();
    const store = new VerificationStore(root, { capacity: 2 });
    const results: VerificationResult[] = ["hello", "spin", "fault"].map((name) => verifyModule(appBytes(name), {}));
    // Written a minute apart, as far as the folder can tell: equal times would leave the order to readdir.
    const minuteAgo = Date.now() / 1000 - 60;
    results.forEach((result, index) => {
      store.set(result.cacheKey, result);
      if (index < 2) utimesSync(store.entryPath(result.cacheKey), minuteAgo + index, minuteAgo + index);
    });
    const files = readdirSync(store.directory);
    expect(files).to.have.length(2);
    expect(files.every((name) => name.endsWith(".entry"))).to.equal(true);
    expect(files.sort()).to.deep.equal([`${results[1]!.cacheKey}.entry`, `${results[2]!.cacheKey}.entry`].sort());
  });

  it("a store that cannot write counts the failure and the load goes on", () => {
    const root = join(scratchRoot(), "not-a-folder");
    writeFileSync(root, "a file where the cache folder would be");
    const store = new VerificationStore(root);
    const image = loaderWith(store).load(appBytes("hello"), { name: "hello" });
    expect(image.verified).to.equal(true);
    expect(store.counters).to.include({ writes: 0, failedWrites: 1 });
  });
});
