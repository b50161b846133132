// Conformance: the logscan example app — an untrusted parser in @userMode, a kernel-mode tally,
// shared @callersMode helpers — through the library and through `singlet run`.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadApp, principalHolding, resolveAppSource, runApp, type Kernel } from "../../kernel/index.js";
import { appsDirectory, projectRoot } from "../helpers/kernel.js";
import { quietKernel } from "./app-fixtures.js";

const cli = resolve(projectRoot, "dist", "kernel", "cli", "main.js");

function singlet(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: projectRoot, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function logscan(kernel: Kernel) {
  const source = resolveAppSource("logscan", appsDirectory)!;
  return loadApp(kernel.loader, source.name, source.main, source.modules);
}

describe("modes/logscan example app", () => {
  it("is four verified modules whose entry points carry the modes their decorators gave them", () => {
    const app = logscan(quietKernel());
    expect([...app.modules.keys()]).to.deep.equal(["driver", "parser", "tally", "shared"]);
    for (const image of app.modules.values()) expect(image.verified, image.name).to.equal(true);
    expect(app.modules.get("parser")!.manifest.entryPoints!.parseRecord!.mode).to.equal("user");
    expect(app.modules.get("tally")!.manifest.entryPoints!.add!.mode).to.equal("kernel");
    expect(app.modules.get("shared")!.manifest.entryPoints!.mix!.mode).to.equal("callers");
  });

  it("runs the driver and tally in the kernel, the parser in a user domain, and shared in both", async () => {
    const kernel = quietKernel();
    let stdout = "";
    const { status, linked } = await runApp(kernel, logscan(kernel), {
      principal: principalHolding("user", ["kernelModeByPage"]),
      args: ["a=1", "b=x", "c=41"], output: (_stream, text) => { stdout += text; },
    });
    expect(status).to.deep.equal({ kind: "exited", code: 0 });
    expect(stdout).to.contain("records: 2 counted, 1 rejected\nsum: 42");
    expect(stdout).to.contain("driver ran in kernel mode, parser in user mode, tally in kernel mode");
    expect(linked.plan.instances.map((instance) => `${instance.module}@${instance.domain}`))
      .to.have.members(["driver@kernel", "tally@kernel", "parser@user", "shared@kernel", "shared@user"]);
    const parse = linked.counters.find((counter) => counter.callee === "parser.parseRecord")!;
    expect(parse).to.include({ kind: "upcall", calls: 3, modeSwitches: 6 });
    expect(linked.counters.find((counter) => counter.callee === "tally.add")).to.include({ kind: "direct", modeSwitches: 0 });
  });

  it("runs with `singlet run apps/logscan` and prints the plan and counters with --stats", () => {
    const result = singlet("run", "apps/logscan", "--stats", "--", "x=5");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal("records: 1 counted, 0 rejected\nsum: 5 digest: " + result.stdout.split("digest: ")[1]!.split("\n")[0] + "\ndriver ran in kernel mode, parser in user mode, tally in kernel mode\n");
    // Two instantiations, one start function (the parser's top-level code), the parserMode and parseRecord
    // upcalls, and the parser's mode.current: two switches each.
    expect(result.stderr).to.contain("ring switches: 12 (traps: mode.current=1; kernel jumps 0, upcalls 2)");
    expect(result.stderr).to.contain("edge driver@kernel -> parser.parseRecord@user upcall calls=1 mode-switches=2");
  });

  it("refuses to link for a principal without kernel-mode capabilities, naming the kernel-mode entry", () => {
    const result = singlet("run", "apps/logscan", "--principal", "guest");
    expect(result.code).to.equal(77);
    expect(result.stderr).to.match(/^singlet: refused: link: tally\.\w+: .*principal 'guest' .* \(rule kernel-mode-without-capability\); error 1 \(notPermitted\)/);
  });

  it("takes the principal from the policy file given with --policy", () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-policy-"));
    const path = join(directory, "policy.json");
    writeFileSync(path, JSON.stringify({ version: 1, defaultPrincipal: "nobody", principals: { nobody: { capabilities: [] } } }));
    const result = singlet("run", "apps/logscan", "--policy", path);
    expect(result.code).to.equal(77);
    expect(result.stderr).to.contain("principal 'nobody'");
  });

  it("boots from an init manifest that starts it beside a single-module app", () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-init-"));
    const path = join(directory, "init.json");
    writeFileSync(path, JSON.stringify({ processes: [{ app: "logscan", args: ["k=7"] }, { app: "hello" }] }));
    const result = singlet("boot", "--init", path);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain("[logscan] records: 1 counted, 0 rejected");
    expect(result.stdout).to.match(/pid \d+ logscan \[kernel \+ user domain, \d+ ring switches\] exit 0/);
  });

  it("verifies each module for kernel mode, leaving imports from linked modules to the linker", () => {
    const result = singlet("verify", "apps/logscan/build/tally.wasm");
    expect(result.code, result.stdout).to.equal(0);
    expect(result.stdout).to.contain("accepted for kernel mode");
    expect(result.stdout).to.contain("note: imports from linked modules (shared) are checked by the linker at link time");
  });

  it("runs main in a user domain with --user, reaching the kernel-mode tally only by syskerneljump", () => {
    const result = singlet("run", "apps/logscan", "--user", "--stats", "--", "x=5");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("driver ran in user mode, parser in user mode, tally in kernel mode\n");
    expect(result.stderr).to.contain("edge driver@user -> tally.add@kernel kernel-jump calls=1 mode-switches=2");
  });

  it("refuses an unknown principal or an unreadable policy file as a usage error, not a refusal", () => {
    expect(singlet("run", "apps/logscan", "--principal", "nobody")).to.include({ code: 2 });
    expect(singlet("run", "apps/hello", "--principal", "nobody").stderr).to.contain("no principal 'nobody' (known: user, guest, root)");
    expect(singlet("run", "apps/hello", "--policy", join(tmpdir(), "no-such-policy.json")).code).to.equal(2);
  });
});
