// Hostile init entries: one that cannot load or start is reported in boot's summary with its
// error code and reason, and every other entry still runs to its normal end.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { appendCustomSection } from "../../runtime/toolchain/custom-section.js";
import { projectRoot } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const cli = resolve(projectRoot, "dist", "kernel", "cli", "main.js");
const scratch = mkdtempSync(join(tmpdir(), "singlet-hostile-boot-"));

function scratchFile(name: string, contents: Uint8Array | string): string {
  const path = join(scratch, name);
  writeFileSync(path, contents);
  return path;
}

/** Boots the real CLI with `entries` as the init manifest. */
function boot(entries: readonly unknown[]) {
  const manifest = scratchFile(`init-${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ processes: entries }));
  const result = spawnSync(process.execPath, [cli, "boot", "--init", manifest], { cwd: projectRoot, encoding: "utf8" });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

const healthy = { app: "hello", args: ["healthy", "neighbour"] };

async function moduleWithManifest(name: string, manifest: object, imports = ""): Promise<string> {
  const bytes = appendCustomSection(await assembleWat(conformantModule(imports, "(i32.const 0)")), "singlet.manifest",
    new TextEncoder().encode(JSON.stringify(manifest)));
  return scratchFile(`${name}.wasm`, bytes);
}

interface HostileEntryRow {
  readonly name: string;
  readonly entry: () => Promise<object>;
  /** The error code and its name, as the summary prints them. */
  readonly error: RegExp;
  /** A fragment of the reason. */
  readonly reason: RegExp;
}

const rows: HostileEntryRow[] = [
  {
    name: "a manifest asking for an unknown capability",
    entry: async () => ({ app: await moduleWithManifest("unknown-capability", fixtureManifest("unknown-capability", ["bogus"])) }),
    error: /error 22 invalidArgument:/,
    reason: /manifest asks for unknown capability 'bogus'/,
  },
  {
    name: "a file that is not Wasm",
    entry: async () => ({ app: scratchFile("not-wasm.wasm", "this is text, not a module\n") }),
    error: /error 22 invalidArgument:/,
    reason: /malformed module/,
  },
  {
    name: "a missing app",
    entry: async () => ({ app: "no-such-app" }),
    error: /error 22 invalidArgument:/,
    reason: /no app or module named 'no-such-app'/,
  },
  {
    name: "an unverified module forced into the kernel domain",
    entry: async () => ({
      app: await moduleWithManifest("unverified", fixtureManifest("unverified", ["console"]), `(import "env" "syscall" (func $syscall (param i32) (result i32)))`),
      domain: "kernel",
    }),
    // A trust refusal of the one pipeline: the default principal runs only verified code in kernel mode.
    error: /error 1 notPermitted:/,
    reason: /the module is not verified .*\(rule kernel-mode-without-capability\)/,
  },
  {
    name: "an entry whose domain is neither kernel nor user",
    entry: async () => ({ app: "hello", domain: "ring0" }),
    error: /error 22 invalidArgument:/,
    reason: /'domain' must be "kernel" or "user"/,
  },
  {
    name: "an entry without an app",
    entry: async () => ({ args: ["x"] }),
    error: /error 22 invalidArgument:/,
    reason: /needs 'app'/,
  },
];

describe("hostile/boot", () => {
  for (const row of rows) {
    it(`reports ${row.name} in the summary and runs its healthy neighbours`, async () => {
      const result = boot([healthy, await row.entry(), healthy]);
      expect(result.signal, result.stderr).to.equal(null);
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(result.stdout).to.contain("[hello] Hello from Singlet!\n");
      expect(result.stdout.match(/\[hello\] args: healthy neighbour\n/g)).to.have.length(2);
      const failed = result.stdout.split("\n").filter((line) => line.includes("[not started]"));
      expect(failed, result.stdout).to.have.length(1);
      expect(failed[0]).to.match(row.error).and.match(row.reason).and.match(/\(unexpected\)$/);
      expect(result.stdout.match(/^ {2}pid \d+ hello \[kernel\] exit 0$/gm), result.stdout).to.have.length(2);
      expect(result.stdout).to.contain("2 of 3 processes ended as expected; kernel still up with 0 live processes");
      expect(result.stderr).to.not.match(/\n\s+at /);
    });
  }

  it("exits with the number of entries that did not end as expected, all of them reported", async () => {
    const entries = await Promise.all(rows.map((row) => row.entry()));
    const result = boot([healthy, ...entries, { app: "fault" }, healthy]);
    // Every hostile row plus the fault that was not expected to fault.
    expect(result.code, result.stdout + result.stderr).to.equal(rows.length + 1);
    expect(result.stdout.split("\n").filter((line) => line.includes("[not started]"))).to.have.length(rows.length);
    expect(result.stdout).to.match(/fault \[kernel\] fault: trap .*\(unexpected\)/);
    expect(result.stdout).to.contain(`2 of ${rows.length + 3} processes ended as expected; kernel still up with 0 live processes`);
  });

  it("counts an entry that fails to start as expected when its manifest says which error it expects", async () => {
    const result = boot([healthy, { app: "no-such-app", expect: { error: "invalidArgument" } }]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/- no-such-app \[not started\] error 22 invalidArgument: no app or module named 'no-such-app'\n/);
    expect(result.stdout).to.contain("2 of 2 processes ended as expected");
  });

  it("still refuses an init manifest that is not a list of entries, as a usage error", () => {
    const path = scratchFile("not-a-list.json", JSON.stringify({ processes: "hello" }));
    const result = spawnSync(process.execPath, [cli, "boot", "--init", path], { cwd: projectRoot, encoding: "utf8" });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/'processes' must be a list/);
  });
});
