// A process killed while it holds open files, in a worker-thread user domain on the Node HAL:
// its file handles are released and every host descriptor it opened is closed, as on exit or fault.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeHostFiles } from "../../hal/node/index.js";
import { bootKernel, openFileCount } from "../../kernel/index.js";
import { loadProbe } from "../helpers/file-probe.js";
import { eventually } from "../helpers/event-kernel.js";
import { descriptorsUnder } from "../helpers/host-descriptors.js";

const READ = 1;

describe("hostile: files of a killed process", function () {
  this.timeout(60_000);

  it("releases the handles and closes the host descriptors of a user-domain process killed mid-loop", async () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-files-kill-"));
    writeFileSync(join(directory, "a.txt"), "host");
    const kernel = bootKernel({ mounts: [{ hostDirectory: directory, guestPath: "/data", writable: false }] });
    try {
      const openThreeThenSpin = `(drop (call $open {/data/a.txt} (i32.const ${READ}))) (drop (call $open {/data/a.txt} (i32.const ${READ})))
        (drop (call $open {/data} (i32.const ${READ}))) (loop $forever (br $forever)) (i32.const 0)`;
      const image = await loadProbe(kernel, openThreeThenSpin);
      // The mount itself may hold its root open (where the host lists beneath it): a baseline, not the process's.
      const held = descriptorsUnder(directory);
      expect(held).to.be.at.most(1);
      const process = kernel.spawn(image, { domain: "user", output: () => undefined });
      await eventually(() => openFileCount(process.capabilities) === 3, "the probe opened its three files");
      // Two files, and the directory: read through the host's lister, an open directory holds its descriptor too.
      expect(descriptorsUnder(directory)).to.equal(held + (new NodeHostFiles().lister ? 3 : 2));
      kernel.kill(process, "killed by the test");
      const status = await process.completion;
      expect(status.kind).to.equal("faulted");
      expect(openFileCount(process.capabilities)).to.equal(0);
      expect(descriptorsUnder(directory)).to.equal(held);
    } finally {
      await kernel.shutdown();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("closes what a mount holds on the host when the kernel shuts down", async () => {
    const directory = mkdtempSync(join(tmpdir(), "singlet-files-shutdown-"));
    try {
      const kernel = bootKernel({ mounts: [{ hostDirectory: directory, guestPath: "/data", writable: false }] });
      kernel.services.files!.open("/data", { read: false, write: false, create: false, truncate: false, append: false, exclusive: false, directory: true }).node.close();
      await kernel.shutdown();
      expect(descriptorsUnder(directory)).to.equal(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
