// apps/find, apps/ls and apps/cat on the in-memory tree `singlet boot` seeds (DEMO_TREE), in both
// domains: find lists in creation order, ls sorts and marks directories, cat prints files whole.
import { expect } from "chai";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, DEMO_TREE, seedDemoTree } from "../../kernel/index.js";
import { appBytes, runCaptured } from "../helpers/kernel.js";

function demoKernel() {
  const kernel = bootKernel({ hal: createSimHal() });
  seedDemoTree(kernel.services.files!);
  return kernel;
}

async function run(app: string, args: string[], domain: "kernel" | "user") {
  const kernel = demoKernel();
  try {
    return await runCaptured(kernel, kernel.load(appBytes(app)), { args, domain });
  } finally {
    await kernel.shutdown();
  }
}

describe("kernel/files apps on the demo tree", function () {
  this.timeout(60_000);

  for (const domain of ["kernel", "user"] as const) {
    it(`find / prints the root and every seeded path in creation order (${domain} domain)`, async () => {
      const result = await run("find", ["/"], domain);
      expect(result.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(result.stdout).to.equal(["/", ...DEMO_TREE.keys()].join("\n") + "\n");
    });

    it(`find / -type f -name '*.txt' prints the two notes (${domain} domain)`, async () => {
      const result = await run("find", ["/", "-type", "f", "-name", "*.txt"], domain);
      expect(result.stdout).to.equal("/home/ada/notes.txt\n/home/grace/todo.txt\n");
    });

    it(`ls sorts names and marks directories; a missing path exits 1 (${domain} domain)`, async () => {
      expect((await run("ls", [], domain)).stdout).to.equal("etc/\nhome/\ntmp/\n");
      expect((await run("ls", ["/etc"], domain)).stdout).to.equal("hosts\nmotd\n");
      const missing = await run("ls", ["/nothing"], domain);
      expect(missing.status).to.deep.equal({ kind: "exited", code: 1 });
      expect(missing.stderr).to.equal("ls: cannot access '/nothing': No such file or directory\n");
    });

    it(`find and ls list a directory wider than the runtime's block, the rest read through its handle (${domain} domain)`, async () => {
      // 1,500 entries of 33 bytes: about 49 KiB of listing against a 32 KiB block.
      const kernel = demoKernel();
      try {
        const files = kernel.services.files!;
        files.mkdir("/wide");
        const names = Array.from({ length: 1500 }, (_, index) => `entry-${String(index).padStart(4, "0")}-${"x".repeat(19)}`);
        for (const name of names) files.mkdir(`/wide/${name}`);
        const found = await runCaptured(kernel, kernel.load(appBytes("find")), { args: ["/wide"], domain });
        expect(found.stdout).to.equal(["/wide", ...names.map((name) => `/wide/${name}`)].join("\n") + "\n");
        const listed = await runCaptured(kernel, kernel.load(appBytes("ls")), { args: ["/wide"], domain });
        expect(listed.stdout).to.equal(names.map((name) => `${name}/`).join("\n") + "\n");
      } finally {
        await kernel.shutdown();
      }
    });

    it(`cat prints files whole and in order (${domain} domain)`, async () => {
      const result = await run("cat", ["/etc/motd", "/etc/hosts"], domain);
      expect(result.stdout).to.equal(DEMO_TREE.get("/etc/motd")! + DEMO_TREE.get("/etc/hosts")!);
    });
  }
});
