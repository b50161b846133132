// The messages sent to one endpoint and not yet received, oldest first: two parallel arrays (the
// numbers, the attachments in flight) used from `head` to `tail` (kernel/events/queue-front.ts),
// rather than an array of message objects, so a send allocates nothing. A request/reply
// conversation empties the queue on every receive.
import type { HeldCapability } from "../capabilities/index.js";
import { frontWorthReclaiming, moveToFront } from "../events/index.js";

/** A taken front longer than this (and than what is left) is reclaimed. */
const COMPACT_AFTER = 64;

export class MessageQueue {
  private readonly numbers: number[] = [];
  private readonly attachments: (HeldCapability | undefined)[] = [];
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(number: number, attachment: HeldCapability | undefined): void {
    this.numbers[this.tail] = number;
    this.attachments[this.tail] = attachment;
    this.tail++;
  }

  /** The oldest message's number; only while `length > 0`. */
  firstNumber(): number {
    return this.numbers[this.head]!;
  }

  /** The oldest message's attachment, in flight; only while `length > 0`. */
  firstAttachment(): HeldCapability | undefined {
    return this.attachments[this.head];
  }

  /** Removes the oldest message (received: its attachment went to the receiver or was discarded). */
  dropFirst(): void {
    this.attachments[this.head] = undefined;
    this.head++;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else if (frontWorthReclaiming(this.head, this.tail, COMPACT_AFTER)) {
      this.tail = moveToFront(this.head, this.tail, [this.numbers], [this.attachments]);
      this.head = 0;
    }
  }

  /** Empties the queue, returning the attachments still in flight (the endpoint closed: they are discarded). */
  takeAll(): HeldCapability[] {
    const inFlight: HeldCapability[] = [];
    for (let index = this.head; index < this.tail; index++) {
      const attachment = this.attachments[index];
      if (attachment) inFlight.push(attachment);
      this.attachments[index] = undefined;
    }
    this.head = 0;
    this.tail = 0;
    return inFlight;
  }
}
