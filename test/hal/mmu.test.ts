// Conformance of the MMU model: page table, translation through the TLB, faults, layout.
import { expect } from "chai";
import { PageFlag } from "../../hal/hil/index.js";
import {
  AddressSpace, MMU_COUNTER_WORDS, MmuCounter, PageTable, TranslationLookasideBuffer, deriveLayout, readModuleFacts,
} from "../../hal/node/mmu/index.js";
import { params } from "../../hal/node/index.js";
import { appBinary, assembleWat } from "./helpers.js";

const PAGE = params.MODEL_PAGE_BYTES;
const USER_RW = PageFlag.present | PageFlag.writable | PageFlag.user;
const USER_RO = PageFlag.present | PageFlag.user;

function addressSpace(pages = 16, memoryBytes = pages * PAGE) {
  const counters = new Int32Array(MMU_COUNTER_WORDS);
  const table = new PageTable(new Uint8Array(pages), counters);
  const space = new AddressSpace(table, [], () => memoryBytes, new TranslationLookasideBuffer(counters));
  return { space, counters, table };
}

describe("hal MMU model", () => {
  it("translates a mapped range to the same offset and faults on an unmapped page", () => {
    const { space } = addressSpace();
    space.map(0, 2 * PAGE, USER_RW);
    expect(space.translate(100, 200, "write")).to.deep.equal({ ok: true, offset: 100 });
    expect(space.translate(PAGE * 2 - 4, 8, "read")).to.deep.equal({ ok: false, fault: { address: PAGE * 2, access: "read", cause: "not-present" } });
  });

  it("refuses writes to read-only and kernel-trusted pages but allows reads", () => {
    const { space } = addressSpace();
    space.map(0, PAGE, USER_RO);
    space.map(PAGE, PAGE, PageFlag.present | PageFlag.writable | PageFlag.kernelTrust);
    expect(space.translate(10, 4, "read").ok).to.equal(true);
    expect(space.translate(10, 4, "write")).to.deep.include({ ok: false });
    expect(space.translate(PAGE + 10, 4, "read").ok).to.equal(true);
    expect(space.translate(PAGE + 10, 4, "write")).to.deep.equal({ ok: false, fault: { address: PAGE + 10, access: "write", cause: "read-only" } });
  });

  it("faults on pages without the user flag, past memory's end, and on ranges that wrap", () => {
    const { space } = addressSpace(4, 2 * PAGE);
    space.map(0, 4 * PAGE, USER_RW);
    space.protect(0, PAGE, PageFlag.present | PageFlag.writable);
    expect(space.translate(0, 1, "read")).to.deep.include({ ok: false });
    expect(space.translate(PAGE, PAGE + 1, "read")).to.deep.equal({ ok: false, fault: { address: 2 * PAGE, access: "read", cause: "outside-memory" } });
    expect(space.translate(2 ** 32 - 2, 4, "read")).to.deep.equal({ ok: false, fault: { address: 2 ** 32 - 2, access: "read", cause: "overflow" } });
  });

  it("counts faults and remembers the last faulting address", () => {
    const { space, counters } = addressSpace();
    space.translate(5 * PAGE + 3, 1, "read");
    space.translate(6 * PAGE, 1, "read");
    expect(counters[MmuCounter.pageFaults]).to.equal(2);
    expect(counters[MmuCounter.lastFaultAddress]).to.equal(6 * PAGE);
  });

  it("misses the TLB once per page and hits after", () => {
    const { space, counters } = addressSpace();
    space.map(0, 4 * PAGE, USER_RW);
    space.translate(0, 3 * PAGE, "read");
    space.translate(10, 10, "read");
    space.translate(PAGE + 10, 10, "read");
    expect([counters[MmuCounter.tlbMisses], counters[MmuCounter.tlbHits]]).to.deep.equal([3, 2]);
  });

  it("flushes the TLB when the page table changes, so a protect is seen at once", () => {
    const { space, counters } = addressSpace();
    space.map(0, PAGE, USER_RW);
    expect(space.translate(0, 4, "write").ok).to.equal(true);
    const flushesBefore = counters[MmuCounter.tlbFlushes]!;
    space.protect(0, PAGE, USER_RO);
    expect(space.translate(0, 4, "write")).to.deep.include({ ok: false });
    expect(counters[MmuCounter.tlbFlushes]).to.equal(flushesBefore + 1);
  });

  it("evicts the oldest entry when more pages are touched than the TLB holds", () => {
    const pages = params.TLB_ENTRIES + 1;
    const { space, counters } = addressSpace(pages);
    space.map(0, pages * PAGE, USER_RW);
    for (let page = 0; page < pages; page++) space.translate(page * PAGE, 1, "read");
    space.translate(0, 1, "read");
    expect(counters[MmuCounter.tlbMisses]).to.equal(pages + 1);
  });

  it("counts mapped pages and maps growth as heap without overwriting pages the kernel set", () => {
    const { space, table } = addressSpace(32);
    space.map(0, 16 * PAGE, USER_RW);
    space.protect(20 * PAGE, PAGE, USER_RO);
    space.mapGrowth(1, 2);
    expect(table.pagesMapped).to.equal(32);
    expect(space.flagsAt(20 * PAGE)).to.equal(USER_RO);
    space.unmap(0, PAGE);
    expect(table.pagesMapped).to.equal(31);
  });

  it("derives data, a stack guard page, stack and heap from an AssemblyScript app", () => {
    const regions = deriveLayout(readModuleFacts(appBinary("hello"))).regions;
    expect(regions.map((region) => [region.kind, region.address, region.length])).to.deep.equal([
      ["code", 0, regions[0]!.length], ["data", 0, PAGE], ["guard", PAGE, PAGE], ["stack", 2 * PAGE, 6 * PAGE], ["heap", 8 * PAGE, 8 * PAGE],
    ]);
    expect(regions[0]!.flags & PageFlag.kernelTrust).to.not.equal(0);
  });

  it("puts a null guard page below data that starts above the first page", async () => {
    const binary = await assembleWat("high-data", `(module (memory 1) (data (i32.const 0x3000) "x"))`);
    const regions = deriveLayout(readModuleFacts(binary)).regions;
    expect(regions.map((region) => [region.kind, region.address, region.length])).to.deep.equal([
      ["code", 0, 0], ["guard", 0, PAGE], ["heap", PAGE, 2 * PAGE], ["data", 3 * PAGE, PAGE], ["heap", 4 * PAGE, 12 * PAGE],
    ]);
  });
});
