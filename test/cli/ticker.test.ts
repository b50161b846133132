// Conformance: apps/ticker through the bundled `singlet` command — the same lines in either
// domain, and the events line of `--stats`.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { projectRoot, tickerOutput } from "../helpers/kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.cjs");

function singlet(...args: string[]) {
  const result = spawnSync(process.execPath, [bundled, ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("cli/ticker", function () {
  this.timeout(30000);

  it("prints exactly the same lines in the kernel domain and with --user, and exits 0", () => {
    const inKernel = singlet("run", "apps/ticker", "--", "3", "10");
    const inUser = singlet("run", "--user", "apps/ticker", "--", "3", "10");
    expect(inKernel.code).to.equal(0);
    expect(inUser.code).to.equal(0);
    expect(inKernel.stdout).to.equal(tickerOutput(3, 10));
    expect(inUser.stdout).to.equal(inKernel.stdout);
    expect(inKernel.stderr).to.equal("");
    expect(inUser.stderr).to.equal("");
  });

  it("--stats shows the events line: three delivered, fuel per delivery in the kernel domain, waits and their ring switches in a user domain", () => {
    const inKernel = singlet("run", "--stats", "apps/ticker", "--", "3", "10");
    const inUser = singlet("run", "--user", "--stats", "apps/ticker", "--", "3", "10");
    expect(inKernel.code).to.equal(0);
    expect(inUser.code).to.equal(0);
    expect(inKernel.stderr).to.match(/^ {2}events: 3 delivered, \d+ wake-ups, queue high-water 1, \d+ coalesced, fuel per delivery \d+$/m);
    expect(inKernel.stderr).to.not.match(/waits/);
    // Four waits: one per tick and the last, answered noEventSources; each two ring switches.
    const events = /^ {2}events: 3 delivered, \d+ wake-ups, queue high-water 1, \d+ coalesced, waits (\d+) \(ring switches (\d+)\)$/m.exec(inUser.stderr);
    expect(events, inUser.stderr).to.not.equal(null);
    expect(Number(events![1])).to.equal(4);
    expect(Number(events![2])).to.equal(8);
    const waits = /traps: .*events\.wait=(\d+)/.exec(inUser.stderr);
    expect(Number(waits![1])).to.equal(Number(events![1]));
  });
});
