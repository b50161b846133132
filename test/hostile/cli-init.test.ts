// Bad init entries for `singlet boot --init file.json`: a module that asks for an unknown
// capability, a file that is not Wasm, an app that does not exist, an unverified module forced into
// the kernel domain. Boot must end on its own (no signal, no hang) with a failing exit code, name
// what was wrong, and the healthy hello before the bad entry must print its normal output. Only
// those facts are checked: the summary's wording and layout belong to boot, not to this suite.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MANIFEST_SECTION_NAME } from "../../runtime/abi/index.js";
import { appendCustomSection } from "../../runtime/toolchain/custom-section.js";
import { projectRoot } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const cli = resolve(projectRoot, "dist", "kernel", "cli", "main.js");
/** Generous: a boot that hangs is the failure this guards against, not a slow one. */
const BOOT_TIMEOUT_MILLISECONDS = 60_000;

interface BadEntry {
  readonly name: string;
  /** Writes the bad module (if any) into `directory` and returns the init entry naming it. */
  readonly entry: (directory: string) => Promise<Record<string, unknown>>;
  /** What the output must name so a person can find the bad entry. */
  readonly named: RegExp;
}

async function moduleFile(directory: string, file: string, bytes: Uint8Array): Promise<string> {
  const path = join(directory, file);
  writeFileSync(path, bytes);
  return path;
}

const badEntries: readonly BadEntry[] = [
  {
    name: "a module whose manifest asks for an unknown capability",
    entry: async (directory) => {
      const manifest = new TextEncoder().encode(JSON.stringify(fixtureManifest("telepath", ["telepathy"])));
      const bytes = appendCustomSection(await assembleWat(conformantModule("", "(i32.const 0)")), MANIFEST_SECTION_NAME, manifest);
      return { app: await moduleFile(directory, "telepath.wasm", bytes) };
    },
    named: /telepathy/,
  },
  {
    name: "a file that is not Wasm",
    entry: async (directory) => ({ app: await moduleFile(directory, "notes.wasm", new TextEncoder().encode("these are not the bytes you are looking for")) }),
    named: /notes/,
  },
  {
    name: "an app that does not exist",
    entry: async () => ({ app: "no-such-app-anywhere" }),
    named: /no-such-app-anywhere/,
  },
  {
    name: "an unverified module forced into the kernel domain",
    entry: async (directory) => {
      // Shared memory: valid Wasm the verifier refuses in kernel mode.
      const wat = conformantModule("", "(i32.const 0)").replace(`(memory (export "memory") 1 4)`, `(memory (export "memory") 1 4 shared)`);
      const manifest = new TextEncoder().encode(JSON.stringify(fixtureManifest("sharer")));
      return { app: await moduleFile(directory, "sharer.wasm", appendCustomSection(await assembleWat(wat), MANIFEST_SECTION_NAME, manifest)), domain: "kernel" };
    },
    named: /sharer[\s\S]*(not verified|kernel)/,
  },
];

describe("hostile/cli init", function () {
  this.timeout(2 * BOOT_TIMEOUT_MILLISECONDS);

  for (const bad of badEntries) {
    it(`ends boot with a failing exit code naming ${bad.name}, after the healthy hello before it printed its output`, async () => {
      const directory = mkdtempSync(join(tmpdir(), "singlet-init-"));
      const init = join(directory, "init.json");
      writeFileSync(init, JSON.stringify({ processes: [{ app: "hello", args: ["before", "the", "bad", "entry"] }, await bad.entry(directory)] }));
      const result = spawnSync(process.execPath, [cli, "boot", "--init", init], { cwd: projectRoot, encoding: "utf8", timeout: BOOT_TIMEOUT_MILLISECONDS });
      expect(result.signal, "boot ended on its own, not by a signal or the timeout").to.equal(null);
      expect(result.status, `boot fails\n${result.stdout}\n${result.stderr}`).to.be.a("number").and.not.equal(0);
      expect(result.stdout + result.stderr).to.match(bad.named);
      expect(result.stdout).to.contain("Hello from Singlet!");
      expect(result.stdout).to.contain("args: before the bad entry");
    });
  }
});
