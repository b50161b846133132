// Conformance: the `singlet` command, spawned as a person would run it.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../helpers/kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

const cli = resolve(projectRoot, "dist", "kernel", "cli", "main.js");

function singlet(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: projectRoot, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scratchFile(name: string, bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), "singlet-cli-")), name);
  writeFileSync(path, bytes);
  return path;
}

describe("cli/singlet", () => {
  it("runs apps/hello with arguments and exits 0", () => {
    const result = singlet("run", "apps/hello", "--", "a", "b");
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal("Hello from Singlet!\nargs: a b\n");
  });

  it("run --user prints exactly what the in-kernel run prints, and --stats counts ring switches, page table and TLB", () => {
    const inKernel = singlet("run", "apps/hello", "--", "x");
    const inUser = singlet("run", "--user", "--stats", "apps/hello", "--", "x");
    expect(inUser.code).to.equal(0);
    expect(inUser.stdout).to.equal(inKernel.stdout);
    expect(inUser.stderr).to.match(/domain=user/);
    // Every crossing is two switches: the instantiation, the start function (AssemblyScript's
    // top-level code, run without blocking the kernel), the entry, and the four kernel calls.
    expect(inUser.stderr).to.match(/ring switches: 14 \(traps: .*console\.write=2/);
    expect(inUser.stderr).to.match(/page table: \d+ pages mapped, 0 page faults/);
    expect(inUser.stderr).to.match(/TLB: \d+ hits, \d+ misses, \d+ flushes/);
    expect(inUser.stderr).to.match(/output: 28 units accepted, 0 refused, 0 dropped; peak queued \d+ units \(limit 65536\)/);
  });

  it("stops spin in a user domain at its CPU budget with a one-line report", () => {
    const result = singlet("run", "--user", "apps/spin");
    expect(result.code).to.equal(70);
    expect(result.stderr.trim().split("\n")).to.have.length(1);
    expect(result.stderr).to.match(/faulted: cpu-budget: ran [\d.]+ ms in user mode without waiting \(budget \d+ ms\)/);
  });

  it("reports a faulting app in one line, without a kernel stack trace, and exits non-zero", () => {
    const result = singlet("run", "apps/fault");
    expect(result.code).to.equal(70);
    const report = result.stderr.trim().split("\n");
    expect(report).to.have.length(1);
    expect(report[0]).to.match(/^singlet: process \d+ \(fault\) faulted: trap in function \d+ .* memory access out of bounds$/);
    expect(result.stderr).to.not.match(/\n\s+at /);
  });

  it("verify accepts every built app for kernel mode", () => {
    for (const app of ["hello", "spin", "fault"]) {
      const result = singlet("verify", `apps/${app}/build/${app}.wasm`);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.contain("accepted");
    }
  });

  it("verify rejects an import outside the kernel ABI and names it", async () => {
    const path = scratchFile("outside.wasm", await assembleWat(conformantModule(
      `(import "env" "syscall" (func $syscall (param i32) (result i32)))`, "(call $syscall (i32.const 0))")));
    const result = singlet("verify", path);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.contain("env.syscall");
    const json = JSON.parse(singlet("verify", path, "--json").stdout);
    expect(json.accepted).to.equal(false);
    expect(json.findings.map((finding: { message: string }) => finding.message).join()).to.contain("env.syscall");
  });

  it("verify says a malformed file is malformed", () => {
    const path = scratchFile("broken.wasm", new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xff]));
    const result = singlet("verify", path);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.match(/malformed/i);
  });

  it("verify exits 2 on a missing file and on bad usage", () => {
    expect(singlet("verify", "no/such/file.wasm").code).to.equal(2);
    expect(singlet("verify").code).to.equal(2);
    expect(singlet("run", "apps/hello", "--bogus").code).to.equal(2);
  });

  it("boot runs the init manifest's apps and exits 0 with every process ended as expected", () => {
    const result = singlet("boot");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("[hello] Hello from Singlet!");
    expect(result.stdout).to.match(/processes ended as expected; kernel still up/);
  });

  it("runs a single-module app as the guest principal in a user domain, as it would a multi-module one", () => {
    const result = singlet("run", "--principal", "guest", "--stats", "apps/hello", "--", "g");
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal("Hello from Singlet!\nargs: g\n");
    expect(result.stderr).to.contain("domain=user principal 'guest' (no kernel-mode capability)");
    expect(result.stderr).to.contain("instance hello@user verified=true");
    expect(result.stderr).to.match(/ring switches: [1-9]\d* \(traps: /);
  });

  it("refuses an app whose kernel-mode half the principal may not run, with its own exit code, the rule and the ABI code", () => {
    const result = singlet("run", "--principal", "guest", "apps/logscan");
    expect(result.code).to.equal(77);
    expect(result.stderr).to.match(/rule kernel-mode-without-capability\); error 1 \(notPermitted\)/);
  });
});
