// Hostile fault text: an abort message or file name the process writes is bounded and kept on one
// line in every report made from it (MAX_FAULT_MESSAGE_UNITS), with a marker naming its length.
import { expect } from "chai";
import { boundedFaultText, formatFault, truncationMarker } from "../../kernel/index.js";
import { MAX_FAULT_MESSAGE_UNITS } from "../../runtime/abi/index.js";
import { readProjectFile, runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const LIMIT = MAX_FAULT_MESSAGE_UNITS;
const FILE_UNITS = 4 * MAX_FAULT_MESSAGE_UNITS;
/** Filling a megabyte one unit at a time costs more than the default budget. */
const FILL_FUEL = 100_000_000;

/** What is kept of text `total` units long: the limit holds the marker too. */
function keptUnits(total: number): number {
  return LIMIT - truncationMarker(total).length;
}

const textRows: readonly { name: string; text: string; expected: string }[] = [
  { name: "short text", text: "assertion failed", expected: "assertion failed" },
  { name: "text of exactly the limit", text: "a".repeat(LIMIT), expected: "a".repeat(LIMIT) },
  { name: "text one unit over the limit", text: "a".repeat(LIMIT + 1), expected: "a".repeat(keptUnits(LIMIT + 1)) + truncationMarker(LIMIT + 1) },
  { name: "a 1 MiB message", text: "m".repeat(1 << 20), expected: "m".repeat(keptUnits(1 << 20)) + truncationMarker(1 << 20) },
  { name: "newlines that would forge log lines", text: "oops\nsinglet: process 1 (init) exited 0\r\n", expected: "oops\\nsinglet: process 1 (init) exited 0\\r\\n" },
  { name: "other control characters", text: "bell\u0007 escape\u001b[2J nul\u0000", expected: "bell\\u0007 escape\\u001b[2J nul\\u0000" },
  { name: "a surrogate pair across the cut", text: "a".repeat(keptUnits(LIMIT + 5) - 1) + "\u{1F600}" + "t".repeat(LIMIT), expected: "a".repeat(keptUnits(LIMIT + 5) - 1) + truncationMarker(keptUnits(LIMIT + 5) + 1 + LIMIT) },
];

/** Aborts with a message of `units` units (every 100th a newline) and a file name of the first FILE_UNITS of it. */
async function abortingModule(units: number): Promise<Uint8Array<ArrayBuffer>> {
  const pages = Math.ceil((units * 2 + 8192) / 65536) + 1;
  return assembleWat(conformantModule(`(import "singlet:kernel/process@0.1.0" "abort" (func $abort (param i32 i32 i32 i32 i32 i32)))`, `
    (local $index i32)
    (block $filled (loop $fill
      (br_if $filled (i32.ge_u (local.get $index) (i32.const ${units})))
      (i32.store16 (i32.add (i32.const 8192) (i32.shl (local.get $index) (i32.const 1)))
        (select (i32.const 10) (i32.const 120) (i32.eqz (i32.rem_u (local.get $index) (i32.const 100)))))
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br $fill)))
    (call $abort (i32.const 8192) (i32.const ${units}) (i32.const 8192) (i32.const ${FILE_UNITS}) (i32.const 7) (i32.const 9))
    (i32.const 0)`).replace(`(memory (export "memory") 1 4)`, `(memory (export "memory") ${pages} ${pages})`));
}

describe("hostile/fault messages", function () {
  this.timeout(30000);

  for (const row of textRows) {
    it(`bounds ${row.name}`, () => {
      const bounded = boundedFaultText(row.text);
      expect(bounded).to.equal(row.expected);
      expect(bounded.length).to.be.at.most(LIMIT);
      expect(bounded).to.not.match(/[\n\r]/);
      expect(boundedFaultText(bounded), "bounding twice changes nothing").to.equal(bounded);
    });
  }

  it("bounds the message and file of a report however it was made, and keeps it one line", () => {
    const line = formatFault({ kind: "abort", message: "x\n".repeat(1 << 19), file: "f\n".repeat(1 << 19), line: 1, column: 2 });
    expect(line).to.not.contain("\n");
    expect(line.length).to.be.lessThan(3 * LIMIT);
    expect(line).to.contain(truncationMarker(1 << 20));
  });

  // 1 MiB runs in the kernel domain; a user domain's kernel calls carry at most the trap page
  // (256 KiB), so 100 000 units (200 KB) is about the longest message that reaches its kernel.
  for (const [domain, units] of [["kernel", 1 << 20], ["user", 100_000]] as const) {
    it(`reports a ${units}-unit abort message of a ${domain}-domain process as one bounded line`, async () => {
      const kernel = testKernel();
      const image = kernel.load(await abortingModule(units), { manifest: { ...fixtureManifest("shouter"), limits: { fuelPerEntry: FILL_FUEL } } });
      expect(image.verified).to.equal(true);
      const bystander = kernel.load(await assembleWat(conformantModule("", "(i32.const 4)")), { manifest: fixtureManifest("bystander") });
      const [run, other] = await Promise.all([runCaptured(kernel, image, { domain }), runCaptured(kernel, bystander, { domain })]);
      expect(other.status).to.deep.equal({ kind: "exited", code: 4 });
      expect(run.status.kind).to.equal("faulted");
      if (run.status.kind !== "faulted") return;
      expect(run.status.fault.message.length).to.be.lessThan(3 * LIMIT);
      expect(run.status.fault.message).to.contain(truncationMarker(units));
      expect(run.status.fault.message).to.not.contain("\n");
      const line = formatFault(run.status.fault);
      expect(line).to.not.contain("\n");
      expect(line.length).to.be.lessThan(4 * LIMIT);
      // The abort reaches the process's status as the kernel's own ending in either domain.
      expect(line).to.match(/:7:9: /);
      expect(line).to.contain(truncationMarker(FILE_UNITS));
      expect(run.process.capabilities.size).to.equal(0);
      expect(kernel.processes.count).to.equal(0);
      await kernel.shutdown();
    });
  }

  it("documents the limit in docs/faults.md with its value", () => {
    expect(readProjectFile("docs/faults.md")).to.contain(`${LIMIT} UTF-16 units (\`MAX_FAULT_MESSAGE_UNITS\`)`);
  });
});
