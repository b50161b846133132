// Conformance of the simulated HAL: virtual time, a recording console and an in-thread CPU that
// counts switches the way the real one does.
import { expect } from "chai";
import { createSimHal, VirtualClock } from "../../hal/sim/index.js";
import { runModule } from "../../hal/node/index.js";
import { Syscall } from "../../runtime/abi/index.js";
import { FakeKernel, appBinary, domainSpec } from "./helpers.js";

describe("hal simulation", () => {
  it("fires alarms only when time is advanced, earliest first", () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const late = clock.createAlarm();
    const early = clock.createAlarm();
    late.arm(30, { alarmFired: () => fired.push(`late at ${clock.now()}`) });
    early.arm(10, { alarmFired: () => fired.push(`early at ${clock.now()}`) });
    expect(fired).to.deep.equal([]);
    clock.advance(15);
    expect(fired).to.deep.equal(["early at 10"]);
    clock.advance(100);
    expect(fired).to.deep.equal(["early at 10", "late at 30"]);
    expect(clock.now()).to.equal(115);
    expect(clock.pendingAlarms).to.equal(0);
  });

  it("does not fire a disarmed alarm and lets a client re-arm from its callback", () => {
    const clock = new VirtualClock();
    const alarm = clock.createAlarm();
    let count = 0;
    const client = { alarmFired: () => { if (++count < 3) alarm.arm(5, client); } };
    alarm.arm(5, client);
    clock.advance(100);
    expect(count).to.equal(3);
    alarm.arm(5, client);
    alarm.disarm();
    clock.advance(100);
    expect(count).to.equal(3);
  });

  it("records console output by stream", () => {
    const hal = createSimHal();
    hal.console.write("stdout", "a");
    hal.console.write("stderr", "b");
    hal.console.write("stdout", "c");
    expect([hal.console.text("stdout"), hal.console.text("stderr")]).to.deep.equal(["ac", "b"]);
  });

  it("runs hello on the simulated CPU with the same output and counts as a real domain", async () => {
    const kernel = new FakeKernel(["sim"]);
    const domain = runModule(createSimHal().cpu, domainSpec(appBinary("hello")), kernel);
    expect(await domain.completion).to.deep.equal({ kind: "returned", value: 0 });
    expect(kernel.output).to.equal("Hello from Singlet!\nargs: sim\n");
    const stats = domain.stats();
    // The instantiation and the entry, there and back, and four kernel calls.
    expect(stats.ringSwitches).to.equal(2 + 2 + 2 * 4);
    expect(stats.trapsByCall).to.deep.equal({ "console.write": 2, "process.arg-count": 1, "process.arg-get": 1 });
    expect(stats.tlb.misses).to.be.greaterThan(0);
  });

  it("ends a simulated domain terminated during a kernel call with the kernel's reason", async () => {
    const kernel = new FakeKernel();
    kernel.intercept = (domain, syscallNumber) => {
      if (syscallNumber === Syscall.consoleWrite) domain.terminate("stop in the simulator");
      return undefined;
    };
    const domain = runModule(createSimHal().cpu, domainSpec(appBinary("hello")), kernel);
    expect(await domain.completion).to.deep.equal({ kind: "faulted", fault: { kind: "kernel", message: "stop in the simulator" } });
    expect(kernel.calls).to.deep.equal([Syscall.consoleWrite]);
  });
});
