// A module over the size the kernel holds (MAX_MODULE_BYTES) runs nowhere: not in the kernel
// domain, and not in a user domain either, since the kernel compiles and keeps every module it runs.
import { expect } from "chai";
import { LoadError } from "../../kernel/index.js";
import { limits } from "../../verifier/index.js";
import { testKernel } from "../helpers/kernel.js";

/** A valid module made of one custom section padded to `bytes` in all. */
function paddedModule(bytes: number): Uint8Array<ArrayBuffer> {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const name = [0x03, 0x70, 0x61, 0x64];
  // Section id, a five-byte LEB size, then the name and the padding.
  const payload = bytes - header.length - 1 - 5;
  const module = new Uint8Array(bytes);
  module.set(header);
  let at = header.length;
  module[at++] = 0;
  for (let shift = 0, rest = payload; shift < 5; shift++, rest = Math.floor(rest / 128)) module[at++] = (rest & 0x7f) | (shift < 4 ? 0x80 : 0);
  module.set(name, at);
  return module;
}

describe("hostile/module size", function () {
  this.timeout(60000);

  it("refuses a module over MAX_MODULE_BYTES at load, for every domain, and the kernel keeps loading others", () => {
    const kernel = testKernel();
    const huge = paddedModule(limits.MAX_MODULE_BYTES + 1);
    expect(WebAssembly.validate(huge)).to.equal(true);
    expect(() => kernel.load(huge, { manifest: { name: "huge" } })).to.throw(LoadError, /cannot run in any domain: module-too-large/);
    const small = paddedModule(1024);
    expect(kernel.load(small, { manifest: { name: "small" } }).name).to.equal("small");
  });
});
