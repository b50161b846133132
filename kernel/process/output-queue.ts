// A process's output queue: what it wrote that the reader has not taken yet, bounded per process.
//
// The kernel thread never blocks, so a write never waits for the reader. Text goes straight to
// the target (the console, or a sink a test or boot supplies) while the target takes it; when it
// does not, the text waits here, up to MAX_QUEUED_OUTPUT_UNITS per stream of each process
// (stdout and stderr have different readers; a full stdout must not silence error reports). Past that the write
// is short: the caller learns how many units were taken, and a write of which nothing could be
// taken fails with `would-block`. Once the target's stream has failed (the reader closed the
// pipe) the queue drops what it holds and every later write fails with `peer-closed`. So output
// costs the kernel at most twice the limit per process, however much a process writes, and a broken
// stdout ends writes, never the kernel.
import { ErrorCode } from "../../runtime/abi/index.js";
import { KernelError } from "../errors.js";
import { MAX_OUTPUT_CHUNK_UNITS, MAX_QUEUED_OUTPUT_UNITS } from "../params.js";

export type OutputStream = "stdout" | "stderr";

/** A plain output function: takes all of `text`, or returns the units it took. */
export type OutputFunction = (stream: OutputStream, text: string) => number | void;

/** Why a stream takes no more output (the console device's failure report). */
export interface OutputFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * Where a queue sends text: the console device has this shape. Without `whenWritable` a target
 * that takes less than offered is retried at the process's next write.
 */
export interface OutputTarget {
  write(stream: OutputStream, text: string): number | void;
  writable?(stream: OutputStream): boolean;
  failure?(stream: OutputStream): OutputFailure | undefined;
  whenWritable?(stream: OutputStream, listener: () => void): void;
}

/** Where a process's output goes: a plain function (tests capture this way) or a target. */
export type OutputSink = OutputFunction | OutputTarget;

/** A write of which nothing could be taken now: the queue is full. The caller may try again. */
export class OutputWouldBlockError extends KernelError {
  constructor(readonly stream: OutputStream, readonly queuedUnits: number, readonly limit: number) {
    super(`${stream}: output queue full (${queuedUnits} units queued, limit ${limit})`, ErrorCode.wouldBlock);
  }
}

/** The reader of a stream has gone away or writing to it failed: no more output is possible. */
export class OutputClosedError extends KernelError {
  constructor(readonly stream: OutputStream, readonly failure: OutputFailure) {
    super(`${stream} is closed (${failure.code}): ${failure.message}`, ErrorCode.peerClosed);
  }
}

/** Counters a person (or a test) reads to see that output stayed bounded. */
export interface OutputQueueStats {
  /** Units taken from the process: sent on or queued. */
  readonly acceptedUnits: number;
  /** Units the process offered that were not taken (short writes and would-block). */
  readonly refusedUnits: number;
  /** Writes of which nothing could be taken: each failed with would-block. */
  readonly wouldBlockWrites: number;
  /** Units taken, then dropped because the stream failed before the reader took them. */
  readonly droppedUnits: number;
  /** Units waiting now, both streams. */
  readonly queuedUnits: number;
  /** Most units ever waiting for one stream (at most limitUnits). */
  readonly peakQueuedUnits: number;
  /** The limit per stream. */
  readonly limitUnits: number;
}

/**
 * Where a piece of `text` starting at `start` and at most `units` long ends, without splitting a
 * surrogate pair: each piece is encoded on its own further down, and half a pair would become U+FFFD.
 */
function pieceEnd(text: string, start: number, units: number): number {
  let end = Math.min(text.length, start + Math.max(0, units));
  if (end < text.length && end > start) {
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
  }
  return end;
}

/** A FIFO of text pieces with a moving head, so taking from the front is O(1). */
class PieceQueue {
  private pieces: string[] = [];
  private head = 0;

  get empty(): boolean { return this.head === this.pieces.length; }
  get first(): string { return this.pieces[this.head]!; }
  push(piece: string): void { this.pieces.push(piece); }
  replaceFirst(piece: string): void { this.pieces[this.head] = piece; }

  shift(): void {
    this.head++;
    // Compact now and then: the array never holds more than the limit's worth of pieces.
    if (this.head === this.pieces.length) {
      this.pieces = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.pieces = [];
    this.head = 0;
  }
}

export class OutputQueue {
  private readonly queues: Record<OutputStream, PieceQueue> = { stdout: new PieceQueue(), stderr: new PieceQueue() };
  private readonly waitingForRoom: Record<OutputStream, boolean> = { stdout: false, stderr: false };
  private readonly failures: Partial<Record<OutputStream, OutputFailure>> = {};
  private drainListeners: (() => void)[] = [];
  private readonly roomListeners: Record<OutputStream, (() => void)[]> = { stdout: [], stderr: [] };
  private readonly queuedByStream: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private peakQueued = 0;
  private accepted = 0;
  private refused = 0;
  private wouldBlockWrites = 0;
  private dropped = 0;
  private readonly target: OutputTarget;

  constructor(output: OutputSink, readonly limit: number = MAX_QUEUED_OUTPUT_UNITS) {
    this.target = typeof output === "function" ? { write: output } : output;
  }

  /**
   * Takes what it can of `text` now; returns the units taken (a short write when the queue
   * fills). Throws OutputWouldBlockError when nothing could be taken, OutputClosedError once the
   * stream has failed.
   */
  write(stream: OutputStream, text: string): number {
    const taken = this.offer(stream, text);
    if (taken === 0 && text.length > 0) throw new OutputWouldBlockError(stream, this.queuedByStream[stream], this.limit);
    return taken;
  }

  /**
   * As `write`, but a write of which nothing could be taken returns 0 instead of throwing: under
   * a flood that is the common case, and building an exception for each costs about 5 µs
   * (measured), more than the rest of the call.
   */
  offer(stream: OutputStream, text: string): number {
    this.throwIfFailed(stream);
    if (text.length === 0) return 0;
    const queue = this.queues[stream];
    // A target that says it is full is not offered the queued text again on every refused write.
    if (!queue.empty && this.target.writable?.(stream) !== false) this.pump(stream);
    let taken = queue.empty ? this.send(stream, text) : 0;
    // The stream failed part-way: what was sent counts, as a short write; the next write fails.
    if (taken === 0) this.throwIfFailed(stream);
    if (taken < text.length && !this.failures[stream]) {
      const end = pieceEnd(text, taken, this.limit - this.queuedByStream[stream]);
      if (end > taken) {
        queue.push(text.slice(taken, end));
        this.queuedByStream[stream] += end - taken;
        if (this.queuedByStream[stream] > this.peakQueued) this.peakQueued = this.queuedByStream[stream];
        taken = end;
      }
      this.waitForRoom(stream);
    }
    this.accepted += taken;
    this.refused += text.length - taken;
    if (taken === 0) this.wouldBlockWrites++;
    return taken;
  }

  get stats(): OutputQueueStats {
    return {
      acceptedUnits: this.accepted, refusedUnits: this.refused, wouldBlockWrites: this.wouldBlockWrites, droppedUnits: this.dropped,
      queuedUnits: this.queued, peakQueuedUnits: this.peakQueued, limitUnits: this.limit,
    };
  }

  /** Why `stream` takes no more output, once it has failed. */
  failure(stream: OutputStream): OutputFailure | undefined {
    return this.failures[stream] ?? this.target.failure?.(stream);
  }

  /**
   * Resolves once nothing is queued: everything went to the target, or was dropped because the
   * stream failed. A process's output outlives the process until then. A target that once takes
   * less than offered must say when it has room (`whenWritable`), or this waits until the next write.
   */
  drained(): Promise<void> {
    for (const stream of ["stdout", "stderr"] as const) if (!this.queues[stream].empty) this.pump(stream);
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => { this.drainListeners.push(resolve); });
  }

  /**
   * Resolves once `stream` has room again (less queued than the limit) or has failed, so a writer
   * that was refused can wait instead of retrying: what a user domain's blocked write waits on.
   * Undefined when the target cannot say when it has room, and so nothing would ever resolve it.
   */
  roomFor(stream: OutputStream): Promise<void> | undefined {
    if (!this.target.whenWritable) return undefined;
    if (this.queuedByStream[stream] < this.limit || this.checkFailure(stream)) return Promise.resolve();
    return new Promise((resolve) => { this.roomListeners[stream].push(resolve); });
  }

  /** Sends `text` to the target in pieces while it takes them; returns the units it took. */
  private send(stream: OutputStream, text: string): number {
    let sent = 0;
    while (sent < text.length) {
      if (this.checkFailure(stream)) break;
      // A lone high surrogate at the very end of a chunk still goes: a piece is never empty.
      const end = Math.max(pieceEnd(text, sent, MAX_OUTPUT_CHUNK_UNITS), sent + 1);
      const piece = end - sent === text.length ? text : text.slice(sent, end);
      const took = this.target.write(stream, piece);
      const units = took === undefined ? piece.length : Math.max(0, Math.min(took, piece.length));
      sent += units;
      if (units < piece.length) break;
    }
    return sent;
  }

  /** Moves queued pieces of `stream` to the target while it takes them. */
  private pump(stream: OutputStream): void {
    const queue = this.queues[stream];
    while (!queue.empty) {
      const piece = queue.first;
      const sent = this.send(stream, piece);
      this.queuedByStream[stream] -= sent;
      if (sent < piece.length) {
        queue.replaceFirst(piece.slice(sent));
        break;
      }
      queue.shift();
    }
    if (this.checkFailure(stream)) return;
    if (!queue.empty) this.waitForRoom(stream);
    if (this.queuedByStream[stream] < this.limit) this.notifyRoom(stream);
    this.notifyIfDrained();
  }

  private notifyRoom(stream: OutputStream): void {
    const listeners = this.roomListeners[stream];
    if (listeners.length === 0) return;
    this.roomListeners[stream] = [];
    for (const listener of listeners) listener();
  }

  private waitForRoom(stream: OutputStream): void {
    if (this.waitingForRoom[stream] || !this.target.whenWritable || this.queues[stream].empty) return;
    this.waitingForRoom[stream] = true;
    this.target.whenWritable(stream, () => {
      this.waitingForRoom[stream] = false;
      this.pump(stream);
    });
  }

  /** Whether `stream` has failed; on first sight drops what is queued for it. */
  private checkFailure(stream: OutputStream): boolean {
    if (this.failures[stream]) return true;
    const failure = this.target.failure?.(stream);
    if (!failure) return false;
    this.failures[stream] = failure;
    const queue = this.queues[stream];
    while (!queue.empty) {
      this.dropped += queue.first.length;
      this.queuedByStream[stream] -= queue.first.length;
      queue.shift();
    }
    queue.clear();
    this.notifyRoom(stream);
    this.notifyIfDrained();
    return true;
  }

  private throwIfFailed(stream: OutputStream): void {
    if (this.checkFailure(stream)) throw new OutputClosedError(stream, this.failures[stream]!);
  }

  private get queued(): number {
    return this.queuedByStream.stdout + this.queuedByStream.stderr;
  }

  private notifyIfDrained(): void {
    if (this.queued !== 0 || this.drainListeners.length === 0) return;
    const listeners = this.drainListeners;
    this.drainListeners = [];
    for (const listener of listeners) listener();
  }
}
