// The Node console device: the host process's standard output and error, with backpressure.
// On a pipe Node writes asynchronously and buffers without bound; this device refuses text
// once the stream is past its high-water mark (the kernel queues or short-writes instead) and
// turns a closed reader (EPIPE) into a stream failure instead of an uncaught error.
import type { Writable } from "node:stream";
import type { ConsoleDevice, ConsoleStream, ConsoleStreamFailure } from "../hil/index.js";

/**
 * What is known about one host stream. Kept once per stream, shared by every NodeConsole over
 * it, so many HALs in one process (tests) add one error listener, not one each.
 */
class StreamWatch {
  failure: ConsoleStreamFailure | undefined;
  private waiting: (() => void)[] = [];

  constructor(readonly stream: Writable) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      // Only the first failure counts; later ones (writes already queued in Node) repeat it.
      this.failure ??= { code: error.code ?? "EIO", message: error.message };
      this.wakeAll();
    });
    stream.on("drain", () => this.wakeAll());
  }

  get writable(): boolean {
    return this.failure === undefined && !this.stream.destroyed && !this.stream.writableNeedDrain;
  }

  whenWritable(listener: () => void): void {
    if (this.writable || this.failure) {
      queueMicrotask(listener);
      return;
    }
    this.waiting.push(listener);
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const listener of waiting) listener();
  }
}

const watches = new WeakMap<Writable, StreamWatch>();

function watchOf(stream: Writable): StreamWatch {
  let watch = watches.get(stream);
  if (!watch) {
    watch = new StreamWatch(stream);
    watches.set(stream, watch);
  }
  return watch;
}

export interface NodeConsoleStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export class NodeConsole implements ConsoleDevice {
  /** Streams are watched on first use: a HAL whose console is never written adds no listeners. */
  constructor(private readonly streams: NodeConsoleStreams = { stdout: process.stdout, stderr: process.stderr }) {}

  write(stream: ConsoleStream, text: string): number {
    const watch = watchOf(this.streams[stream]);
    if (!watch.writable) return 0;
    watch.stream.write(text);
    return text.length;
  }

  writable(stream: ConsoleStream): boolean {
    return watchOf(this.streams[stream]).writable;
  }

  failure(stream: ConsoleStream): ConsoleStreamFailure | undefined {
    const watch = watchOf(this.streams[stream]);
    if (!watch.failure && watch.stream.destroyed) {
      watch.failure = { code: "ERR_STREAM_DESTROYED", message: `${stream} was closed` };
    }
    return watch.failure;
  }

  whenWritable(stream: ConsoleStream, listener: () => void): void {
    watchOf(this.streams[stream]).whenWritable(listener);
  }

  backlog(stream: ConsoleStream): number {
    return this.streams[stream].writableLength;
  }

  flushed(stream: ConsoleStream): Promise<void> {
    const watch = watchOf(this.streams[stream]);
    if (this.failure(stream) || watch.stream.writableLength === 0) return Promise.resolve();
    // An empty write completes after every write before it, or fails with the stream.
    return new Promise((resolve) => { watch.stream.write("", () => resolve()); });
  }
}
