// Many processes that wait at once: a thousand tickers in the kernel domain on the virtual clock
// (every tick exact and reproducible), and fifty in user domains on worker threads, where real
// time passes and only what they print is compared. Each prints exactly its own lines and exits 0,
// and afterwards the kernel holds no process, timer, queued delivery or thread.
import { expect } from "chai";
import type { Domain } from "../../kernel/index.js";
import { appBytes, tickerOutput } from "../helpers/kernel.js";
import { EventKernel, NODE_USER, SIM_KERNEL, eventually, liveThreads, type EventSetting } from "../helpers/event-kernel.js";

const KERNEL_TICKERS = 1000;
/** User domains cost a thread each (tens of milliseconds to start): 50 keeps the case bounded on two cores. */
const USER_TICKERS = 50;

/** Each ticker's own ticks (1 to 4) and period (1 to 5 ms), so no two neighbours print the same. */
function tickerArgs(index: number): { ticks: number; milliseconds: number } {
  return { ticks: 1 + (index % 4), milliseconds: 1 + (index % 5) };
}

async function runTickers(setting: EventSetting, count: number, domain: Domain): Promise<void> {
  const system = new EventKernel(setting.hal);
  try {
    const { kernel } = system;
    const ticker = kernel.load(appBytes("ticker"));
    const tickers = Array.from({ length: count }, (_, index) => {
      const { ticks, milliseconds } = tickerArgs(index);
      return { index, ticks, milliseconds, ...system.spawn(ticker, { domain, args: [`${ticks}`, `${milliseconds}`] }) };
    });
    expect(kernel.processes.count).to.equal(count);
    const all = Promise.all(tickers.map((one) => one.status));
    // The virtual clock moves a millisecond at a time; on the Node HAL real time passes anyway.
    await system.advanceUntil(all, system.sim ? 1 : 10);
    for (const one of tickers) {
      expect(await one.status, `ticker ${one.index}`).to.deep.equal({ kind: "exited", code: 0 });
      expect(one.output.stdout, `ticker ${one.index}`).to.equal(tickerOutput(one.ticks, one.milliseconds));
      expect(one.process.events.statistics.delivered, `ticker ${one.index} took one event per tick`).to.equal(one.ticks);
      expect(one.process.capabilities.size, `ticker ${one.index}`).to.equal(0);
    }
    await system.settle();
    expect(kernel.processes.count, "no process is left").to.equal(0);
    expect(kernel.services.timers!.pending, "no timer is left").to.equal(0);
    expect(kernel.scheduler.runnable, "the run queue drained").to.equal(0);
    await eventually(() => liveThreads(kernel) === 0, "every domain's thread to end");
  } finally {
    await system.shutdown();
  }
}

describe("hostile/many timer processes", function () {
  this.timeout(180000);

  it(`runs ${KERNEL_TICKERS} tickers at once in the kernel domain, each printing exactly its own ticks and exiting 0 (${SIM_KERNEL.name})`, async () => {
    await runTickers(SIM_KERNEL, KERNEL_TICKERS, "kernel");
  });

  it(`runs ${USER_TICKERS} tickers at once in user domains, each printing exactly its own ticks and exiting 0 (${NODE_USER.name})`, async () => {
    await runTickers(NODE_USER, USER_TICKERS, "user");
  });
});
