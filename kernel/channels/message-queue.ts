// The messages sent to one endpoint and not yet received, oldest first: two parallel arrays (the
// numbers, the attachments in flight) used from `head` to `tail`, rather than an array of message
// objects, so a send allocates nothing. A request/reply conversation empties the queue on every
// receive, and an emptied queue starts again at index 0 over the same arrays; a queue that never
// empties moves what it holds to the front once the taken part is most of the arrays.
import type { HeldCapability } from "../capabilities/index.js";

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
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.tail) {
      const left = this.tail - this.head;
      this.numbers.copyWithin(0, this.head, this.tail);
      this.attachments.copyWithin(0, this.head, this.tail);
      // The moved attachments' old places would keep them reachable.
      this.attachments.fill(undefined, left, this.tail);
      this.tail = left;
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
