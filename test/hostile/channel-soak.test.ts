// The channel soak: pairs of processes exchanging a million messages in all, each pair over its own
// channel found through the name service, none lost, duplicated or reordered. Each message's
// number is the next value of the pair's sequence; sender and receiver each keep a running
// checksum of the values and print it with their counts. The receiver credits what it took back
// to the sender, which never has more than a queue's worth unanswered, so no send is refused.
// Seeded (each pair's share of the messages and first value), bounded in count; both domains.
import { expect } from "chai";
import { openEndpoints } from "../../kernel/channels/index.js";
import type { Domain } from "../../kernel/index.js";
import { MAX_QUEUED_MESSAGES } from "../../kernel/params.js";
import { acceptOnlyConnection, eachQueuedMessage } from "../helpers/channel-apps.js";
import { expectNothingLeaked, untilEnded, untilPrinted } from "../helpers/channel-kernel.js";
import { connectName, eventApp, eventManifest, highHalf, int, line, publishName, text } from "../helpers/event-apps.js";
import { NODE_USER, SIM_KERNEL, withEventKernel, type EventKernel, type EventProcess } from "../helpers/event-kernel.js";

const SEED = 0x5eed_c4a7;
/** Largest first value of a pair's sequence: values stay positive i32s. */
const MAX_FIRST_VALUE = 1 << 30;
/** Generous for a loaded two-core machine; the count is what is bounded, not the speed. */
const SOAK_TIMEOUT_MILLISECONDS = 180_000;

/** mulberry32: a small seeded generator, so every run exchanges the same messages. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Pair {
  readonly name: string;
  readonly count: number;
  readonly first: number;
  readonly senderDomain: Domain;
  readonly receiverDomain: Domain;
}

/** `total` messages split over `domains.length` pairs at seeded shares (each at least 1), each pair with a seeded first value. */
function pairsOf(total: number, domains: readonly [Domain, Domain][]): Pair[] {
  const random = seededRandom(SEED);
  const weights = domains.map(() => 1 + random());
  const sum = weights.reduce((left, right) => left + right, 0);
  const counts = weights.map((weight) => Math.max(1, Math.floor((total * weight) / sum)));
  counts[0]! += total - counts.reduce((left, right) => left + right, 0);
  return domains.map(([senderDomain, receiverDomain], index) => ({
    name: `soak-${index}`, count: counts[index]!, first: Math.floor(random() * MAX_FIRST_VALUE), senderDomain, receiverDomain,
  }));
}

/** The checksum both sides keep: checksum * 31 + value, in i32 arithmetic as the apps compute it. */
function checksumOf(pair: Pair): number {
  let checksum = 0;
  for (let index = 0; index < pair.count; index++) checksum = (Math.imul(checksum, 31) + pair.first + index) | 0;
  return checksum;
}

/** `(global.set $checksum checksum * 31 + value)` for an i32 expression `value`. */
function addToChecksum(value: string): string {
  return `(global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31)) ${value}))`;
}

/**
 * Sends the pair's sequence, never more than a queue's worth beyond what the receiver credited;
 * each credit (a message whose number is how many it took) lets it send more. When all were
 * sent and credited it prints its count and checksum and drops its end.
 */
function senderApp(pair: Pair): Promise<Uint8Array<ArrayBuffer>> {
  return eventApp({
    globals: ["end", "sent", "credited", "checksum"],
    locals: ["result"],
    longLocals: ["packed"],
    fields: `
      (func $fill (local $result i32)
        (block $stop (loop $more
          (br_if $stop (i32.ge_u (global.get $sent) (i32.const ${pair.count})))
          (br_if $stop (i32.ge_u (i32.sub (global.get $sent) (global.get $credited)) (i32.const ${MAX_QUEUED_MESSAGES})))
          (local.set $result (call $send (global.get $end) (i32.add (i32.const ${pair.first}) (global.get $sent)) (i32.const 0)))
          (if (i32.ne (local.get $result) (i32.const 0)) (then ${line(text("sender: send"), int("(local.get $result)"))} (call $exit (i32.const 2))))
          ${addToChecksum(`(i32.add (i32.const ${pair.first}) (global.get $sent))`)}
          (global.set $sent (i32.add (global.get $sent) (i32.const 1)))
          (br $more)))
        (if (i32.eq (global.get $credited) (i32.const ${pair.count})) (then
          ${line(text("sender: sent"), int("(global.get $sent)"), text("checksum"), int("(global.get $checksum)"))}
          (drop (call $capabilityDrop (global.get $end))))))`,
    main: `
      (global.set $end ${connectName(pair.name)})
      (if (i32.lt_s (global.get $end) (i32.const 0)) (then ${line(text("sender: connect"), int("(global.get $end)"))} (return (i32.const 1))))
      (drop (call $watch (global.get $end) (i32.const 1)))
      (call $fill)
      (i32.const 0)`,
    dispatch: `
      (if (i32.eq (local.get $kind) (i32.const 4)) (then ${line(text("sender: the receiver closed"))} (call $exit (i32.const 3))))
      ${eachQueuedMessage("(global.get $end)", `(global.set $credited (i32.add (global.get $credited) ${highHalf("(local.get $packed)")}))`)}
      (call $fill)`,
  });
}

/**
 * Publishes the pair's name, takes the one connection, and receives: each value is checked
 * against the next expected one (an error counted otherwise) and added to the checksum; what it
 * took is credited back after each drain. When the sender's end closes it prints its count,
 * checksum and errors.
 */
function receiverApp(pair: Pair): Promise<Uint8Array<ArrayBuffer>> {
  return eventApp({
    globals: ["listener", "end", "received", "errors", "checksum", "uncredited"],
    locals: ["value"],
    longLocals: ["packed"],
    main: `
      (global.set $listener ${publishName(pair.name)})
      (drop (call $watch (global.get $listener) (i32.const 1)))
      ${line(text("receiver: serving"))}
      (i32.const 0)`,
    dispatch: `
      (if (i32.eq (local.get $tag) (i32.const 1)) (then
        ${acceptOnlyConnection()}
        (drop (call $watch (global.get $end) (i32.const 2)))
        (return)))
      (if (i32.eq (local.get $kind) (i32.const 4)) (then
        ${line(text("receiver: received"), int("(global.get $received)"), text("checksum"), int("(global.get $checksum)"), text("errors"), int("(global.get $errors)"))}
        (drop (call $capabilityDrop (global.get $end)))
        (return)))
      ${eachQueuedMessage("(global.get $end)", `
        (local.set $value ${highHalf("(local.get $packed)")})
        (if (i32.ne (local.get $value) (i32.add (i32.const ${pair.first}) (global.get $received)))
          (then (global.set $errors (i32.add (global.get $errors) (i32.const 1)))))
        ${addToChecksum("(local.get $value)")}
        (global.set $received (i32.add (global.get $received) (i32.const 1)))
        (global.set $uncredited (i32.add (global.get $uncredited) (i32.const 1)))`)}
      (if (i32.gt_u (global.get $uncredited) (i32.const 0)) (then
        (if (i32.eqz (call $send (global.get $end) (global.get $uncredited) (i32.const 0))) (then (global.set $uncredited (i32.const 0))))))`,
  });
}

async function soak(system: EventKernel, pairs: readonly Pair[]): Promise<void> {
  const endpointsBefore = openEndpoints();
  const receivers: EventProcess[] = [];
  const senders: EventProcess[] = [];
  for (const pair of pairs) {
    const receiverImage = system.load(await receiverApp(pair), eventManifest(`receiver-${pair.name}`, { capabilities: ["console"], provides: [pair.name] }));
    const senderImage = system.load(await senderApp(pair), eventManifest(`sender-${pair.name}`, { capabilities: ["console"], uses: [pair.name] }));
    const receiver = system.spawn(receiverImage, { domain: pair.receiverDomain });
    receivers.push(receiver);
    // Its sender connects once it has published.
    await untilPrinted(system, receiver, "receiver: serving");
    senders.push(system.spawn(senderImage, { domain: pair.senderDomain }));
  }
  const statuses = await untilEnded(system, [...senders, ...receivers]);
  expect(statuses.every((status) => status.kind === "exited" && status.code === 0), JSON.stringify(statuses)).to.equal(true);
  pairs.forEach((pair, index) => {
    const checksum = checksumOf(pair);
    expect(senders[index]!.lines(), pair.name).to.deep.equal([`sender: sent ${pair.count} checksum ${checksum}`]);
    expect(receivers[index]!.lines(), pair.name).to.deep.equal(["receiver: serving", `receiver: received ${pair.count} checksum ${checksum} errors 0`]);
  });
  await expectNothingLeaked(system, [...senders, ...receivers], endpointsBefore);
}

const KERNEL_PAIRS = 8;
const KERNEL_MESSAGES = 1_000_000;
const MIXED_MESSAGES = 1_000_000;
/** Worker threads cross for every call: fewer messages keep the case within half a minute on a loaded machine. */
const WORKER_MESSAGES = 100_000;

describe("hostile/channel soak", function () {
  this.timeout(SOAK_TIMEOUT_MILLISECONDS);

  it(`carries ${KERNEL_MESSAGES} messages between ${KERNEL_PAIRS} pairs of in-kernel processes, none lost, duplicated or reordered (sim HAL)`, () => withEventKernel(SIM_KERNEL, async (system) => {
    const pairs = pairsOf(KERNEL_MESSAGES, Array.from({ length: KERNEL_PAIRS }, () => ["kernel", "kernel"] as [Domain, Domain]));
    expect(pairs.reduce((sum, pair) => sum + pair.count, 0)).to.equal(KERNEL_MESSAGES);
    await soak(system, pairs);
  }));

  it(`carries ${MIXED_MESSAGES} messages between pairs with user-domain senders, receivers or both, none lost, duplicated or reordered (sim HAL)`, () => withEventKernel(SIM_KERNEL, async (system) => {
    const pairs = pairsOf(MIXED_MESSAGES, [["user", "kernel"], ["kernel", "user"], ["user", "user"], ["kernel", "kernel"]]);
    expect(pairs.reduce((sum, pair) => sum + pair.count, 0)).to.equal(MIXED_MESSAGES);
    await soak(system, pairs);
  }));

  it(`carries ${WORKER_MESSAGES} messages between pairs with senders, receivers or both in worker-thread user domains, none lost, duplicated or reordered (Node HAL)`, () => withEventKernel(NODE_USER, async (system) => {
    const pairs = pairsOf(WORKER_MESSAGES, [["user", "kernel"], ["kernel", "user"], ["user", "user"], ["kernel", "kernel"]]);
    expect(pairs.reduce((sum, pair) => sum + pair.count, 0)).to.equal(WORKER_MESSAGES);
    await soak(system, pairs);
  }));
});
