// Conformance: capability tables — generations, rights, revocation, release.
import { expect } from "chai";
import { BadHandleError, CapabilityTable, NotPermittedError, Rights } from "../../kernel/index.js";
import { MAX_HANDLES_PER_PROCESS } from "../../kernel/params.js";

function object(kind = 1) {
  return { kind, target: undefined, revoked: false };
}

describe("kernel/capabilities", () => {
  it("never hands out handle 0", () => {
    const table = new CapabilityTable();
    expect(table.insert({ object: object(), rights: Rights.all })).to.not.equal(0);
    expect(() => table.lookup(0)).to.throw(BadHandleError);
  });

  it("rejects a stale handle after its slot is reused", () => {
    const table = new CapabilityTable();
    const first = table.insert({ object: object(), rights: Rights.all });
    table.remove(first);
    const second = table.insert({ object: object(), rights: Rights.all });
    expect(second & 0xffff).to.equal(first & 0xffff);
    expect(() => table.lookup(first)).to.throw(BadHandleError, /no such handle/);
    expect(table.lookup(second).rights).to.equal(Rights.all);
  });

  it("rejects a handle of the wrong kind", () => {
    const table = new CapabilityTable();
    const handle = table.insert({ object: object(1), rights: Rights.all });
    expect(() => table.lookup(handle, 2)).to.throw(BadHandleError, /kind/);
  });

  it("only shrinks rights on restrict", () => {
    const table = new CapabilityTable();
    const handle = table.insert({ object: object(), rights: Rights.read | Rights.write });
    const narrow = table.restrict(handle, Rights.read);
    expect(table.lookup(narrow).rights).to.equal(Rights.read);
    expect(() => table.restrict(narrow, Rights.read | Rights.write)).to.throw(NotPermittedError);
    expect(() => table.lookup(narrow, undefined, Rights.write)).to.throw(NotPermittedError);
  });

  it("revokes every handle derived from a revoked object", () => {
    const table = new CapabilityTable();
    const shared = object();
    const handle = table.insert({ object: shared, rights: Rights.all });
    const derived = table.restrict(handle, Rights.read);
    shared.revoked = true;
    expect(() => table.lookup(handle)).to.throw(BadHandleError, /revoked/);
    expect(() => table.lookup(derived)).to.throw(BadHandleError, /revoked/);
    expect(table.holds(1, 0)).to.equal(false);
  });

  it("stops at the per-process handle limit instead of growing without bound", () => {
    const table = new CapabilityTable();
    for (let index = 0; index < MAX_HANDLES_PER_PROCESS; index++) table.insert({ object: object(), rights: 0 });
    expect(() => table.insert({ object: object(), rights: 0 })).to.throw(/limit 1024/);
  });

  it("clears every handle when the process dies", () => {
    const table = new CapabilityTable();
    const handles = [1, 2, 3].map(() => table.insert({ object: object(), rights: Rights.all }));
    expect(table.clear()).to.equal(3);
    for (const handle of handles) expect(() => table.lookup(handle)).to.throw(BadHandleError);
  });
});
