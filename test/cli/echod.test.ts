// Conformance: `singlet run apps/echod -- PORT` answers a real Node client over loopback in both
// domains, and the system policy's network field narrows what its manifest allows.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../helpers/kernel.js";
import { echoed } from "../helpers/socket-kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.cjs");

/** A port nothing listens at now: the host picked it for a listener that closed again. */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("cli/echod", function () {
  this.timeout(30_000);

  for (const flags of [[], ["--user"]]) {
    it(`answers a Node client over loopback${flags.length ? " with --user" : ""}, then ends after its one connection`, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [bundled, "run", ...flags, "apps/echod", "--", String(port), "1"], { cwd: projectRoot, env: { ...process.env, SINGLET_CACHE: "off" } });
      let stdout = "";
      const listening = new Promise<void>((resolveListening) => child.stdout.on("data", (data: Buffer) => {
        stdout += data.toString();
        if (stdout.includes("listening")) resolveListening();
      }));
      const exited = new Promise<number | null>((resolveExit) => child.on("exit", resolveExit));
      await listening;
      expect((await echoed(port, "hello from a real client\n")).toString()).to.equal("hello from a real client\n");
      expect(await exited).to.equal(0);
      expect(stdout).to.equal(`echod: listening on 127.0.0.1 port ${port}\nechod: served 1 connections\n`);
    });
  }

  it("is refused the address its principal's policy does not allow, in both domains (error 99)", () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-policy-"));
    const policy = join(directory, "policy.json");
    writeFileSync(policy, JSON.stringify({ version: 1, defaultPrincipal: "user", principals: { user: { capabilities: ["kernelModeByPage"], network: { listen: ["127.0.0.1:5000"] } } } }));
    for (const flags of [[], ["--user"]]) {
      const result = spawnSync(process.execPath, [bundled, "run", "--policy", policy, ...flags, "apps/echod", "--", "5001"], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" } });
      expect(result.stderr).to.contain("echod: cannot listen on port 5001: Cannot assign requested address (error 99)");
      expect(result.status).to.equal(1);
    }
  });

  it("finds a server started on port 0 through the name service: echod publishes its port, clients in both domains ask for it", () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-echo-init-"));
    const init = join(directory, "init.json");
    writeFileSync(init, JSON.stringify({ processes: [
      { app: "echod", args: ["0", "2", "echo"] },
      { app: "echo-client", args: ["echo", "one", "from", "the", "kernel", "domain"] },
      { app: "echo-client", args: ["echo", "one", "from", "a", "user", "domain"], domain: "user" },
    ] }));
    const result = spawnSync(process.execPath, [bundled, "boot", "--init", init], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" } });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/\[echod\] echod: listening on 127\.0\.0\.1 port [1-9]\d*\n/);
    expect(result.stdout).to.include("[echo-client] echo-client: one from the kernel domain\n");
    expect(result.stdout).to.include("[echo-client] echo-client: one from a user domain\n");
    expect(result.stdout).to.include("[echod] echod: served 2 connections\n");
    expect(result.stdout).to.include("3 of 3 processes ended as expected; kernel still up with 0 live processes");
  });

  it("a client asking for a name nobody publishes tries for a while, then gives up with notFound", () => {
    const result = spawnSync(process.execPath, [bundled, "run", "apps/echo-client", "--", "echo", "hi"], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" } });
    expect(result.stderr).to.contain("echo-client: cannot find echo: No such file or directory (error 2)\n");
    expect(result.status).to.equal(1);
  });
});
