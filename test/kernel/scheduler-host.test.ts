// When a slice starts: readiness from a kernel call or a timer waits for the next event-loop turn
// (processes started together take turns from their first event); readiness from host I/O is
// served as soon as the host's callback returns, before the loop turns (docs/process-model.md).
import { expect } from "chai";
import { ProcessEvents, Scheduler, type EventSource } from "../../kernel/events/index.js";

const MESSAGE = 3;

function attached(): { scheduler: Scheduler; events: ProcessEvents; delivered: number[]; source: EventSource } {
  const scheduler = new Scheduler(undefined, () => performance.now());
  const events = new ProcessEvents(8);
  const delivered: number[] = [];
  scheduler.attach(events, (_kind, tag) => {
    delivered.push(tag);
    return 1;
  });
  events.addSource("test");
  return { scheduler, events, delivered, source: { queued: false } };
}

const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));
const loopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("kernel/scheduler: when a slice starts", () => {
  it("delivers an event a kernel call queued on the next turn of the event loop, not before", async () => {
    const { events, delivered, source } = attached();
    events.push(MESSAGE, 7, source);
    await microtasks();
    expect(delivered).to.deep.equal([]);
    await loopTurn();
    expect(delivered).to.deep.equal([7]);
  });

  it("delivers an event host I/O queued as soon as the host's callback returns, before the loop turns", async () => {
    const { events, delivered, source } = attached();
    // As a socket's host callback does: queue the event, then say the host made it ready.
    events.push(MESSAGE, 9, source);
    events.onHostActivity?.();
    expect(delivered, "never inside the callback itself").to.deep.equal([]);
    await microtasks();
    expect(delivered).to.deep.equal([9]);
    await loopTurn();
    expect(delivered, "the slice already pending finds nothing more to deliver").to.deep.equal([9]);
  });
});
