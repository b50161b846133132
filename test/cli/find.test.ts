// Conformance: `singlet run --dir T::/data apps/find -- /data …` prints the paths GNU find prints
// for T (mapped to /data), in both domains, with -name and -type. Order is each directory's own
// (it differs between hosts and tools), so the lists are compared sorted; where the host's lister
// lists host mounts (Linux), the order is the host's own, GNU find's, and compared as it is.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateTree } from "../../bench/file-tree.js";
import { NodeHostFiles } from "../../hal/node/index.js";
import { projectRoot } from "../helpers/kernel.js";

const bundled = resolve(projectRoot, "dist", "singlet.cjs");

function singlet(args: readonly string[]) {
  return spawnSync(process.execPath, [bundled, ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE: "off" }, maxBuffer: 64 << 20 });
}

function sortedLines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "").sort();
}

const EXPRESSIONS: readonly (readonly string[])[] = [[], ["-name", "*.txt"], ["-type", "d"], ["-type", "f"], ["-type", "f", "-name", "data file-[0-4]*"], ["-name", "résumé*"], ["-type", "l"]];

describe("cli/find", function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "singlet-find-"));
    generateTree(root, 400);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of [[], ["--user"]] as const) {
    for (const expression of EXPRESSIONS) {
      it(`prints what GNU find prints for ${expression.join(" ") || "the whole tree"} (${mode.length ? "user" : "kernel"} domain)`, () => {
        const ours = singlet(["run", ...mode, "--dir", `${root}::/data`, "apps/find", "--", "/data", ...expression]);
        expect(ours.status, ours.stderr).to.equal(0);
        const theirs = spawnSync("find", [root, ...expression], { encoding: "utf8" });
        expect(theirs.status).to.equal(0);
        const expected = sortedLines(theirs.stdout).map((path) => "/data" + path.slice(root.length));
        expect(expected.length).to.be.greaterThan(0);
        expect(sortedLines(ours.stdout)).to.deep.equal(expected);
      });
    }
  }

  for (const mode of [[], ["--user"]] as const) {
    it(`prints what GNU find prints in GNU find's order, where the host's lister lists the mount (${mode.length ? "user" : "kernel"} domain)`, function () {
      if (!new NodeHostFiles().lister) this.skip();
      const ours = singlet(["run", ...mode, "--dir", `${root}::/data`, "apps/find", "--", "/data"]);
      expect(ours.status, ours.stderr).to.equal(0);
      const theirs = spawnSync("find", [root], { encoding: "utf8" });
      const expected = theirs.stdout.split("\n").filter((line) => line !== "").map((path) => "/data" + path.slice(root.length));
      expect(ours.stdout.split("\n").filter((line) => line !== "")).to.deep.equal(expected);
    });
  }

  for (const mode of [[], ["--user"]] as const) {
    it(`treats a starting link as GNU find does: itself unless its name ends with a slash, -type l on it (${mode.length ? "user" : "kernel"} domain)`, () => {
      const tree = mkdtempSync(join(tmpdir(), "singlet-find-link-"));
      try {
        mkdirSync(join(tree, "d", "e"), { recursive: true });
        writeFileSync(join(tree, "d", "f"), "");
        symlinkSync("d", join(tree, "l"));
        for (const [start, expression] of [["l", []], ["l/", []], ["l", ["-type", "l"]], ["l", ["-type", "d"]], ["l/", ["-type", "d"]]] as const) {
          const ours = singlet(["run", ...mode, "--dir", `${tree}::/data`, "apps/find", "--", `/data/${start}`, ...expression]);
          expect(ours.status, ours.stderr).to.equal(0);
          const theirs = spawnSync("find", [`${tree}/${start}`, ...expression], { encoding: "utf8" });
          const label = `find ${start} ${expression.join(" ")}`;
          expect(sortedLines(ours.stdout), label).to.deep.equal(sortedLines(theirs.stdout).map((path) => "/data" + path.slice(tree.length)));
        }
        // Itself: one line, the link.
        expect(singlet(["run", ...mode, "--dir", `${tree}::/data`, "apps/find", "--", "/data/l"]).stdout).to.equal("/data/l\n");
      } finally {
        rmSync(tree, { recursive: true, force: true });
      }
    });
  }

  it("prints a listing larger than a process's output queue whole in the kernel domain (find defers while the console drains)", () => {
    const large = mkdtempSync(join(tmpdir(), "singlet-find-large-"));
    try {
      generateTree(large, 4000);
      const ours = singlet(["run", "--dir", `${large}::/data/with/a/long/mount/path`, "apps/find", "--", "/data/with/a/long/mount/path"]);
      expect(ours.status, ours.stderr).to.equal(0);
      const theirs = spawnSync("find", [large], { encoding: "utf8", maxBuffer: 64 << 20 });
      expect(ours.stdout.length).to.be.greaterThan(64 * 1024);
      expect(sortedLines(ours.stdout)).to.deep.equal(sortedLines(theirs.stdout).map((path) => "/data/with/a/long/mount/path" + path.slice(large.length)));
    } finally {
      rmSync(large, { recursive: true, force: true });
    }
  });

  it("the boot demo (npm start) finds, lists and prints the seeded in-memory tree, in both domains", () => {
    const result = singlet(["boot"]);
    expect(result.status, result.stderr).to.equal(0);
    const lines = result.stdout.split("\n");
    expect(lines).to.include.members(["[find] /home/ada/notes.txt", "[find] /home/grace/todo.txt", "[ls] motd", "[ls] hosts", "[cat] Welcome to Singlet: this tree lives in kernel memory."]);
  });

  it("singlet boot --dir mounts for every init process", () => {
    const init = join(root, "..", `${root.split("/").pop()}-init.json`);
    writeFileSync(init, JSON.stringify({ processes: [{ app: "find", args: ["/data", "-type", "d"] }, { app: "find", args: ["/data", "-type", "d"], domain: "user" }] }));
    try {
      const result = singlet(["boot", "--init", init, "--dir", `${root}::/data`]);
      expect(result.status, result.stderr).to.equal(0);
      const printed = result.stdout.split("\n").filter((line) => line.startsWith("[find] ")).map((line) => line.slice("[find] ".length));
      const expected = sortedLines(spawnSync("find", [root, "-type", "d"], { encoding: "utf8" }).stdout).map((path) => "/data" + path.slice(root.length));
      expect(printed.sort()).to.deep.equal([...expected, ...expected].sort());
    } finally {
      rmSync(init, { force: true });
    }
  });

  it("refuses a malformed --dir with a usage error (exit 2) naming the form", () => {
    const result = singlet(["run", "--dir", `${root}:/data`, "apps/find", "--", "/data"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/--dir HOST::GUEST\[::rw\]/);
  });

  it("refuses a host directory that does not exist with a usage error", () => {
    const result = singlet(["run", "--dir", `${join(root, "nothing")}::/data`, "apps/find", "--", "/data"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/cannot mount/);
  });

  it("find, cat and ls complain in GNU's words: the same standard error for the same mistakes, mapped to /data", () => {
    mkdirSync(join(root, "a-directory"), { recursive: true });
    const cases: readonly [string, readonly string[]][] = [
      ["find", ["nothing"]], ["find", ["nothing/below"]], ["cat", ["a-directory"]], ["cat", ["nothing"]], ["ls", ["nothing"]],
    ];
    for (const [tool, paths] of cases) {
      const ours = singlet(["run", "--dir", `${root}::/data`, `apps/${tool}`, "--", ...paths.map((path) => `/data/${path}`)]);
      // The C locale's quoting ('), which ours prints: a UTF-8 locale makes GNU's quotes curly.
      const theirs = spawnSync(tool, paths.map((path) => `${root}/${path}`), { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
      expect(ours.status, `${tool} ${paths.join(" ")}`).to.not.equal(0);
      expect(ours.stderr, `${tool} ${paths.join(" ")}`).to.equal(theirs.stderr.replaceAll(root, "/data"));
    }
  });

  it("reports a path that is not there as GNU find does, exit 1", () => {
    const result = singlet(["run", "--dir", `${root}::/data`, "apps/find", "--", "/data/nothing"]);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("find: '/data/nothing': No such file or directory");
  });
});
