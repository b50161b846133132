// Conformance: capability tables — generations, rights, revocation, release.
import { expect } from "chai";
import { BadHandleError, CapabilityTable, LoadError, NotPermittedError, Rights } from "../../kernel/index.js";
import { manifestProblems } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat } from "../helpers/wat.js";
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

  describe("the derivation tree", () => {
    it("revokes every grant derived from a handle, at any depth and in every table, and keeps the handle itself", () => {
      const sender = new CapabilityTable();
      const receiver = new CapabilityTable();
      const root = sender.insert({ object: object(), rights: Rights.all });
      const child = sender.restrict(root, Rights.read | Rights.grant);
      const grandchild = sender.restrict(child, Rights.read | Rights.grant);
      const delegated = sender.transfer(grandchild, receiver);
      const deeper = receiver.restrict(delegated, Rights.read);
      expect(sender.revokeDerived(root)).to.equal(3);
      for (const [table, handle] of [[sender, child], [receiver, delegated], [receiver, deeper]] as const) {
        expect(() => table.lookup(handle)).to.throw(BadHandleError);
      }
      expect(sender.lookup(root).rights).to.equal(Rights.all);
      // Revoked grants free their slots: nothing is left behind in either table.
      expect(sender.size).to.equal(1);
      expect(receiver.size).to.equal(0);
    });

    it("revokes only the subtree below a grant: its siblings and parent stay", () => {
      const table = new CapabilityTable();
      const root = table.insert({ object: object(), rights: Rights.all });
      const left = table.restrict(root, Rights.read | Rights.write);
      const right = table.restrict(root, Rights.read);
      const below = table.restrict(left, Rights.read);
      expect(table.revokeDerived(left)).to.equal(1);
      expect(() => table.lookup(below)).to.throw(BadHandleError);
      expect(table.lookup(left).rights).to.equal(Rights.read | Rights.write);
      expect(table.lookup(right).rights).to.equal(Rights.read);
      expect(table.lookup(root).rights).to.equal(Rights.all);
    });

    it("moves a grant on transfer: the sender's handle goes stale, and a grant without the grant right stays put", () => {
      const sender = new CapabilityTable();
      const receiver = new CapabilityTable();
      const movable = sender.insert({ object: object(), rights: Rights.read | Rights.grant });
      const moved = receiver.lookup(sender.transfer(movable, receiver));
      expect(moved.rights).to.equal(Rights.read | Rights.grant);
      expect(() => sender.lookup(movable)).to.throw(BadHandleError);
      const fixed = sender.insert({ object: object(), rights: Rights.read });
      expect(() => sender.transfer(fixed, receiver)).to.throw(NotPermittedError);
      expect(sender.lookup(fixed).rights).to.equal(Rights.read);
    });

    it("leaves the sender's handle as it was when the receiver's table is full", () => {
      const sender = new CapabilityTable();
      const receiver = new CapabilityTable(1);
      receiver.insert({ object: object(), rights: 0 });
      const handle = sender.insert({ object: object(), rights: Rights.all });
      expect(() => sender.transfer(handle, receiver)).to.throw(/capability table full/);
      expect(sender.lookup(handle).rights).to.equal(Rights.all);
      expect(receiver.size).to.equal(1);
    });

    it("closes an object with its last grant, not its first", () => {
      let closed = 0;
      const shared = { ...object(), close: () => { closed++; } };
      const table = new CapabilityTable();
      const handle = table.insert({ object: shared, rights: Rights.all });
      const copy = table.restrict(handle, Rights.read);
      table.remove(handle);
      expect(closed).to.equal(0);
      table.remove(copy);
      expect(closed).to.equal(1);
      const again = table.insert({ object: shared, rights: Rights.all });
      table.restrict(again, Rights.read);
      table.revokeDerived(again);
      expect(closed).to.equal(1);
      table.clear();
      expect(closed).to.equal(2);
    });
  });

  describe("rights per grant", () => {
    const app = `(module
      (import "singlet:kernel/capabilities@0.1.0" "initial-get" (func $initial (param i32) (result i32)))
      (import "singlet:kernel/capabilities@0.1.0" "rights" (func $rights (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
      (func (export "main") (result i32)
        (i32.add (i32.mul (call $rights (call $initial (i32.const 0))) (i32.const 10)) (call $rights (call $initial (i32.const 1))))))`;

    it("grants the rights a manifest names, and a kind's full set when it names none", async () => {
      const kernel = testKernel();
      const bytes = await assembleWat(app);
      const image = kernel.load(bytes, { manifest: { name: "rights", capabilities: [{ name: "clock", rights: ["read"] }, "console"], entryPoints: { main: {} } } });
      const run = await runCaptured(kernel, image);
      expect(run.status).to.deep.equal({ kind: "exited", code: Rights.read * 10 + (Rights.write | Rights.grant) });
      await kernel.shutdown();
    });

    it("refuses a manifest asking for a right its kind is never granted with, before any process exists", async () => {
      const kernel = testKernel();
      const image = kernel.load(await assembleWat(app), { manifest: { name: "greedy", capabilities: [{ name: "console", rights: ["read", "write"] }], entryPoints: { main: {} } } });
      expect(() => kernel.spawn(image)).to.throw(LoadError, /right 'read' on 'console'/);
      expect(kernel.processes.count).to.equal(0);
      await kernel.shutdown();
    });

    it("refuses capability requests of the wrong shape in the one manifest validator", () => {
      for (const request of [{ name: "console", rights: ["all"] }, { name: "console", extra: 1 }, { rights: ["read"] }, 3]) {
        expect(manifestProblems({ name: "m", capabilities: [request] }), JSON.stringify(request)).to.have.length(1);
      }
    });
  });

  it("answers a kernel service's check from the grant that satisfied it last, never from a stale one", () => {
    const table = new CapabilityTable();
    const console = table.insert({ object: object(1), rights: Rights.write });
    expect(table.holds(1, Rights.write)).to.equal(true);
    table.remove(console);
    // The freed slot now holds a clock: the remembered slot must not answer for the console.
    const clock = table.insert({ object: object(2), rights: Rights.read });
    expect(clock & 0xffff).to.equal(console & 0xffff);
    expect(table.holds(1, Rights.write)).to.equal(false);
    const shared = object(1);
    table.insert({ object: shared, rights: Rights.write });
    expect(table.holds(1, Rights.write)).to.equal(true);
    shared.revoked = true;
    expect(table.holds(1, Rights.write)).to.equal(false);
    expect(table.holds(1, Rights.read)).to.equal(false);
  });
});
