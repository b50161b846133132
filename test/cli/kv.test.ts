// Conformance: the key-value example through the bundled `singlet boot --init`: apps/kv-server
// serving two clients, apps/kv-client in the kernel domain and in a user domain, each client's
// conversation exact and every process ending as the init manifest expects.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../helpers/kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.cjs");

/** Each line of `stdout` that `process` (as boot prefixes it) printed, without the prefix. */
function linesOf(stdout: string, process: string): string[] {
  const prefix = `[${process}] `;
  return stdout.split("\n").filter((printed) => printed.startsWith(prefix)).map((printed) => printed.slice(prefix.length));
}

describe("cli/kv", function () {
  this.timeout(60_000);

  it("boots kv-server with a client in each domain: each client's lines exact, all exit 0, 3 of 3 as expected", () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-kv-"));
    try {
      const init = join(directory, "init.json");
      writeFileSync(init, JSON.stringify({
        processes: [
          { app: "kv-server", args: ["2"] },
          { app: "kv-client", args: ["ada"], domain: "kernel" },
          { app: "kv-client", args: ["grace"], domain: "user" },
        ],
      }));
      const result = spawnSync(process.execPath, [bundled, "boot", "--init", init], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" } });
      expect(result.status, result.stderr).to.equal(0);
      const clientLines = linesOf(result.stdout, "kv-client");
      const conversation = (name: string, domain: string) => [
        `kv-client ${name} (${domain} domain): put name-${name}=${name} -> ok`,
        `kv-client ${name} (${domain} domain): get name-${name} -> ${name}`,
        `kv-client ${name} (${domain} domain): get nobody-put-this -> missing`,
      ];
      expect(clientLines.filter((printed) => printed.startsWith("kv-client ada "))).to.deep.equal(conversation("ada", "kernel"));
      expect(clientLines.filter((printed) => printed.startsWith("kv-client grace "))).to.deep.equal(conversation("grace", "user"));
      expect(clientLines).to.have.length(6);
      expect(linesOf(result.stdout, "kv-server")).to.deep.equal(["kv-server: serving kv for 2 clients", "kv-server: served 2 clients, closing"]);
      expect(result.stdout).to.match(/^ {2}pid \d+ kv-server \[kernel\] exit 0$/m);
      expect(result.stdout).to.match(/^ {2}pid \d+ kv-client \[kernel\] exit 0$/m);
      expect(result.stdout).to.match(/^ {2}pid \d+ kv-client \[user\] exit 0$/m);
      expect(result.stdout).to.include("3 of 3 processes ended as expected");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
