// Hostile output: a process that writes more than its reader takes, or to a reader that has
// gone away, costs the kernel a bounded queue and gets short writes, would-block or peer-closed;
// a healthy process beside it finishes with its normal output, and the kernel carries on.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { NodeConsole } from "../../hal/node/index.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { prefixedOutput } from "../../kernel/cli/output.js";
import {
  MAX_OUTPUT_CHUNK_UNITS, MAX_PREFIXED_LINE_UNITS, MAX_QUEUED_OUTPUT_UNITS,
} from "../../kernel/params.js";
import {
  OutputClosedError, OutputQueue, OutputWouldBlockError, type OutputFailure, type OutputStream, type OutputTarget,
} from "../../kernel/process/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { MAX_BOOT_EXIT_CODE } from "../../kernel/cli/commands/boot.js";
import { appBytes, projectRoot, readProjectFile, spawnCaptured, testKernel } from "../helpers/kernel.js";

/**
 * A reader of stdout that takes `perTurn` units and then nothing until the event loop turns, as
 * a pipe does whose reader is slower than the writer; it can also close after taking
 * `closeAfter` units, or be away for a while (goAwayUntil). stderr always takes everything, so
 * reports written there arrive.
 */
class FakeReader implements OutputTarget {
  readonly received: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  receivedUnits = 0;
  private takenThisTurn = 0;
  private closed: OutputFailure | undefined;
  private waiting: (() => void)[] = [];
  private turnScheduled = false;

  /** While set the reader takes nothing; it looks again only when the event loop turns. */
  private awayUntil: (() => boolean) | undefined;

  constructor(private readonly perTurn: number, private readonly closeAfter = Infinity) {}

  write(stream: OutputStream, text: string): number {
    if (stream === "stderr") {
      this.received.stderr.push(text);
      return text.length;
    }
    if (!this.writable(stream)) return 0;
    this.received.stdout.push(text);
    this.receivedUnits += text.length;
    this.takenThisTurn += text.length;
    if (this.receivedUnits >= this.closeAfter) this.closed = { code: "EPIPE", message: "the reader closed the pipe" };
    return text.length;
  }

  writable(stream: OutputStream): boolean {
    return stream === "stderr" || (!this.closed && !this.awayUntil && this.takenThisTurn < this.perTurn);
  }

  failure(stream: OutputStream): OutputFailure | undefined {
    return stream === "stdout" ? this.closed : undefined;
  }

  whenWritable(_stream: OutputStream, listener: () => void): void {
    this.waiting.push(listener);
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    const turn = (): void => {
      if (this.awayUntil && !this.awayUntil()) {
        setImmediate(turn);
        return;
      }
      this.awayUntil = undefined;
      this.turnScheduled = false;
      this.takenThisTurn = 0;
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake();
    };
    setImmediate(turn);
  }

  /** The reader is away, taking nothing, until `condition` holds at a turn of the event loop. */
  goAwayUntil(condition: () => boolean): void {
    this.awayUntil = condition;
  }

  text(stream: OutputStream): string {
    return this.received[stream].join("");
  }
}

/** What flood prints on stderr at the end: how its writes went. */
function floodReport(stderr: string): { written: number; refused: number; wouldBlock: number; stoppedBy?: number } {
  const match = /flood: wrote (\d+) units, refused (\d+), would-block (\d+)(?:, stopped by error (\d+))?/.exec(stderr);
  expect(match, `no flood report in ${JSON.stringify(stderr)}`).to.not.equal(null);
  return { written: Number(match![1]), refused: Number(match![2]), wouldBlock: Number(match![3]), stoppedBy: match![4] === undefined ? undefined : Number(match![4]) };
}

/** flood's line for `width` (docs in apps/flood/main.ts). */
function floodLine(width: number, tag = ""): string {
  return `${tag ? `${tag} ` : ""}${"flood ".repeat(Math.floor(width / 6) + 1)}`.slice(0, width - 1) + "\n";
}

describe("hostile/output", () => {
  describe("the output queue", () => {
    it("passes text straight to a reader that keeps up and queues nothing", () => {
      const reader = new FakeReader(Infinity);
      const queue = new OutputQueue(reader);
      expect(queue.write("stdout", "hello\n")).to.equal(6);
      expect(reader.text("stdout")).to.equal("hello\n");
      expect(queue.stats).to.include({ acceptedUnits: 6, refusedUnits: 0, queuedUnits: 0, peakQueuedUnits: 0 });
    });

    it("queues up to its limit for a slow reader, then writes short, then refuses with would-block", () => {
      const reader = new FakeReader(10);
      const queue = new OutputQueue(reader, 100);
      expect(queue.write("stdout", "a".repeat(60)), "the reader takes a whole piece while under its mark").to.equal(60);
      expect(queue.write("stdout", "b".repeat(60)), "the reader is past its mark: queued").to.equal(60);
      expect(queue.write("stdout", "c".repeat(60)), "short: room for 40 more").to.equal(40);
      expect(() => queue.write("stdout", "d")).to.throw(OutputWouldBlockError).with.property("errorCode", ErrorCode.wouldBlock);
      expect(queue.stats).to.include({ acceptedUnits: 160, refusedUnits: 21, queuedUnits: 100, peakQueuedUnits: 100, limitUnits: 100 });
    });

    it("keeps stdout and stderr apart: a full stdout does not silence stderr", () => {
      // A stdout that takes nothing and never says it has room: nothing is left waiting afterwards.
      const queue = new OutputQueue({ write: (stream, text) => (stream === "stderr" ? text.length : 0) }, 100);
      expect(queue.write("stdout", "x".repeat(500))).to.equal(100);
      expect(queue.write("stderr", "still heard\n")).to.equal(12);
    });

    it("hands queued text to the reader in order once it has room, and then has nothing queued", async () => {
      const reader = new FakeReader(7);
      const queue = new OutputQueue(reader, 1000);
      const expected = Array.from({ length: 40 }, (_, index) => `line ${index}\n`).join("");
      for (let offset = 0; offset < expected.length; offset += 5) expect(queue.write("stdout", expected.slice(offset, offset + 5))).to.be.greaterThan(0);
      await queue.drained();
      expect(reader.text("stdout")).to.equal(expected);
      expect(queue.stats.queuedUnits).to.equal(0);
    });

    it("drops what it holds when the reader closes, counts it, and fails later writes with peer-closed", async () => {
      const reader = new FakeReader(10, 25);
      const queue = new OutputQueue(reader, 1000);
      expect(queue.write("stdout", "a".repeat(10)), "taken: the reader's turn is now full").to.equal(10);
      for (let index = 0; index < 10; index++) expect(queue.write("stdout", "b".repeat(10))).to.equal(10);
      expect(queue.stats.queuedUnits).to.equal(100);
      await queue.drained();
      // The reader took two queued pieces, then closed: the other eight were dropped.
      expect(reader.receivedUnits).to.equal(30);
      expect(queue.stats).to.include({ droppedUnits: 80, queuedUnits: 0 });
      expect(() => queue.write("stdout", "more")).to.throw(OutputClosedError).with.property("errorCode", ErrorCode.peerClosed);
      expect(queue.write("stderr", "but stderr still works\n")).to.equal(23);
    });

    it("never splits a surrogate pair between the pieces it hands on", async () => {
      const reader = new FakeReader(1);
      const queue = new OutputQueue(reader, 10 * MAX_OUTPUT_CHUNK_UNITS);
      const text = "😀".repeat(MAX_OUTPUT_CHUNK_UNITS);
      expect(queue.write("stdout", text)).to.equal(text.length);
      await queue.drained();
      for (const piece of reader.received.stdout) {
        const last = piece.charCodeAt(piece.length - 1);
        expect(last >= 0xd800 && last <= 0xdbff, "a piece ends in half a pair").to.equal(false);
      }
      expect(reader.text("stdout")).to.equal(text);
    });
  });

  describe("the Node console device", () => {
    /** A host stream whose reader takes nothing until the test lets it, and can break the pipe. */
    function heldStream(highWaterMark: number) {
      const held: ((error?: Error | null) => void)[] = [];
      let received = "";
      let reading = false;
      const stream = new Writable({
        highWaterMark, decodeStrings: false,
        write(chunk: string, _encoding, done) {
          received += chunk;
          if (reading) done();
          else held.push(done);
        },
      });
      return {
        stream,
        received: () => received,
        /** The reader takes everything written so far. */
        release: () => { for (const done of held.splice(0)) done(); },
        /** From now on the reader keeps up. */
        keepUp: () => { reading = true; for (const done of held.splice(0)) done(); },
        /** The reader closes the pipe: the pending write fails as EPIPE does. */
        breakPipe: () => held.splice(0)[0]?.(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })),
      };
    }

    it("refuses text once its stream is past the high-water mark and says when it has room again", async () => {
      const stdout = heldStream(64);
      const device = new NodeConsole({ stdout: stdout.stream, stderr: heldStream(64).stream });
      expect(device.write("stdout", "x".repeat(100)), "under the mark: taken whole").to.equal(100);
      expect(device.writable("stdout")).to.equal(false);
      expect(device.write("stdout", "y"), "over the mark: nothing taken").to.equal(0);
      expect(device.backlog("stdout")).to.equal(100);
      const room = new Promise<void>((resolveRoom) => device.whenWritable("stdout", resolveRoom));
      stdout.release();
      await room;
      expect(device.writable("stdout")).to.equal(true);
      expect(device.write("stdout", "z")).to.equal(1);
      const flushed = device.flushed("stdout");
      stdout.keepUp();
      await flushed;
      expect(stdout.received()).to.equal(`${"x".repeat(100)}z`);
    });

    it("turns a broken pipe into a stream failure, not an uncaught error, and wakes whoever waits", async () => {
      const stdout = heldStream(64);
      const device = new NodeConsole({ stdout: stdout.stream, stderr: heldStream(64).stream });
      device.write("stdout", "x".repeat(100));
      const woken = new Promise<void>((resolveWoken) => device.whenWritable("stdout", resolveWoken));
      stdout.breakPipe();
      await woken;
      expect(device.failure("stdout")).to.include({ code: "EPIPE" });
      expect(device.write("stdout", "more")).to.equal(0);
      expect(device.failure("stderr")).to.equal(undefined);
      await device.flushed("stdout");
    });
  });

  describe("a flooding process beside a healthy one", () => {
    const rows = [
      { domain: "kernel", reader: "slow", lines: 20_000, perTurn: 4096, closeAfter: Infinity },
      { domain: "user", reader: "slow", lines: 3_000, perTurn: 4096, closeAfter: Infinity },
      { domain: "kernel", reader: "closed", lines: 20_000, perTurn: Infinity, closeAfter: 10_000 },
      { domain: "user", reader: "closed", lines: 20_000, perTurn: Infinity, closeAfter: 10_000 },
    ] as const;
    const width = 100;

    for (const row of rows) {
      it(`in the ${row.domain} domain with a ${row.reader} reader: bounded queue, the healthy app unharmed`, async () => {
        const kernel = testKernel();
        const reader = new FakeReader(row.perTurn, row.closeAfter);
        const flood = kernel.spawn(kernel.load(appBytes("flood")), { domain: row.domain, args: [String(row.lines), String(width)], output: reader });
        // A slow reader is away until the writer has been refused once; it reads after that.
        if (row.reader === "slow") reader.goAwayUntil(() => flood.output.stats.wouldBlockWrites > 0);
        const healthy = spawnCaptured(kernel, kernel.load(appBytes("hello")), { args: ["beside", "a", "flood"] });
        const [floodStatus, hello] = await Promise.all([flood.completion, healthy.done]);
        await flood.output.drained();

        expect(hello.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(hello.stdout).to.equal("Hello from Singlet!\nargs: beside a flood\n");
        expect(floodStatus).to.deep.equal({ kind: "exited", code: 0 });
        expect(kernel.processes.count, "every process left the table").to.equal(0);

        const report = floodReport(reader.text("stderr"));
        const stats = flood.output.stats;
        expect(stats.peakQueuedUnits).to.be.at.most(MAX_QUEUED_OUTPUT_UNITS);
        expect(stats.queuedUnits).to.equal(0);
        const received = reader.text("stdout");
        expect(floodLine(width).repeat(row.lines).startsWith(received), "the reader got a prefix of what was written, in order").to.equal(true);
        if (row.reader === "slow") {
          expect(stats.wouldBlockWrites, "the reader was slower than the writer").to.be.greaterThan(0);
          expect(received.length).to.equal(report.written);
          if (row.domain === "user") {
            // The user domain waited in its write until the queue had room, as a blocking write to a
            // pipe does: it never saw would-block, refused nothing and went at the reader's pace.
            expect(report.wouldBlock).to.equal(0);
            expect(report.refused).to.equal(0);
            expect(report.written).to.equal(row.lines * width);
          } else {
            expect(report.wouldBlock, "the in-kernel writer was answered would-block").to.be.greaterThan(0);
            // In the kernel domain nothing drains until main returns: the rest was refused.
            expect(report.written).to.be.at.most(MAX_QUEUED_OUTPUT_UNITS + row.perTurn + MAX_OUTPUT_CHUNK_UNITS);
            expect(report.written + report.refused).to.equal(row.lines * width);
          }
        } else {
          expect(report.stoppedBy).to.equal(ErrorCode.peerClosed);
          expect(received.length).to.be.at.most(row.closeAfter + MAX_OUTPUT_CHUNK_UNITS);
          expect(stats.acceptedUnits).to.equal(received.length + reader.text("stderr").length + stats.droppedUnits);
        }
        await kernel.shutdown();
      });
    }

  });

  describe("boot's line prefixes", () => {
    it("cost linear work for many small writes without a newline, and hold at most one bounded line", () => {
      const reader = new FakeReader(Infinity);
      const prefixed = prefixedOutput("[p] ", reader);
      const writes = 200_000;
      for (let index = 0; index < writes; index++) prefixed.write("stdout", "x");
      prefixed.flush();
      const lines = reader.text("stdout").split("\n").slice(0, -1);
      expect(lines.every((line) => line.startsWith("[p] x"))).to.equal(true);
      expect(lines.join("").replaceAll("[p] ", "")).to.have.length(writes);
      expect(prefixed.peakHeldUnits).to.be.at.most(MAX_PREFIXED_LINE_UNITS);
      // The earlier sink copied its whole partial line on every write: writes² / 2 units here.
      expect(prefixed.copiedUnits).to.be.at.most(3 * writes);
    });

    it("prefix every line, including lines split across writes and several lines in one write", () => {
      const reader = new FakeReader(Infinity);
      const prefixed = prefixedOutput("[p] ", reader);
      for (const piece of ["one\ntw", "o\n", "", "three\nfour\nfi", "ve"]) prefixed.write("stdout", piece);
      prefixed.flush();
      expect(reader.text("stdout")).to.equal("[p] one\n[p] two\n[p] three\n[p] four\n[p] five\n");
    });
  });
});

describe("hostile/output through the real CLI", () => {
  const cli = resolve(projectRoot, "dist", "kernel", "cli", "main.js");
  const scratch = mkdtempSync(join(tmpdir(), "singlet-hostile-output-"));

  function initFile(name: string, entries: readonly object[]): string {
    const path = join(scratch, `${name}.json`);
    writeFileSync(path, JSON.stringify({ processes: entries }));
    return path;
  }

  /** The peak resident memory of a live process, from the kernel's own accounting. */
  function peakResidentBytes(processId: number): number {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${processId}/status`, "utf8"));
    return Number(match![1]) * 1024;
  }

  interface BootRun {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly peakResidentBytes?: number;
  }

  /**
   * Boots `init` with stdout on a pipe the test reads as `reader` says: to the end at its own
   * pace, up to the first line and then closes, or never until the kernel says it is waiting
   * for the reader (then it measures the kernel's memory and closes).
   */
  function bootWithReader(init: string, reader: "slow" | "close-after-first-line" | "never"): Promise<BootRun> {
    return singletWithReader(["boot", "--init", init], reader);
  }

  function singletWithReader(args: readonly string[], reader: "slow" | "close-after-first-line" | "never", closeStderr = false): Promise<BootRun> {
    return new Promise((resolveRun) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
      if (closeStderr) child.stderr.destroy();
      let stdout = "";
      let stderr = "";
      let peak: number | undefined;
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (text: string) => {
        stderr += text;
        if (reader === "never" && peak === undefined && stderr.includes("waiting for the reader")) {
          peak = peakResidentBytes(child.pid!);
          child.stdout.destroy();
        }
      });
      if (reader === "slow") {
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (text: string) => {
          stdout += text;
          // Read a piece, then let the kernel run ahead: the reader is slower than the writers.
          child.stdout.pause();
          setTimeout(() => child.stdout.resume(), 1);
        });
      } else if (reader === "close-after-first-line") {
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (text: string) => {
          if (stdout.includes("\n")) return;
          stdout += text;
          if (stdout.includes("\n")) child.stdout.destroy();
        });
      } else {
        child.stdout.pause();
      }
      child.on("close", (code, signal) => resolveRun({ code, signal, stdout, stderr, peakResidentBytes: peak }));
    });
  }

  const hello = { app: "hello", args: ["beside", "a", "flood"] };

  it("a closed pipe (| head -1) ends the writers with peer-closed, and the kernel exits cleanly with its summary on stderr", async () => {
    const run = await bootWithReader(initFile("closed", [
      { app: "flood", args: ["100000", "100", "kernel"] },
      hello,
      { app: "flood", args: ["1000000", "100", "user"], domain: "user" },
    ]), "close-after-first-line");
    expect(run.signal, run.stderr).to.equal(null);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^singlet: kernel up/);
    expect(run.stderr).to.match(/singlet: stdout closed \(EPIPE\); the summary follows here/);
    expect(run.stderr).to.match(/pid \d+ hello \[kernel\] exit 0/);
    expect(run.stderr).to.match(/\[flood\] flood: wrote \d+ units, refused \d+, would-block \d+, stopped by error 32/);
    expect(run.stderr).to.contain("3 of 3 processes ended as expected; kernel still up with 0 live processes");
    expect(run.stderr).to.not.match(/Unhandled|\n\s+at /);
  });

  for (const domain of ["kernel", "user"] as const) {
    it(`run of a flood in the ${domain} domain into a closed pipe exits with the app's code and no kernel error`, async () => {
      const run = await singletWithReader(["run", ...(domain === "user" ? ["--user"] : []), "apps/flood", "--", "1000000", "100"], "close-after-first-line");
      expect(run.signal, run.stderr).to.equal(null);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^flood flood/);
      const report = floodReport(run.stderr);
      // An in-kernel main runs to its end before the closed pipe is noticed; a user domain sees it.
      if (domain === "user") expect(report.stoppedBy).to.equal(ErrorCode.peerClosed);
      else expect(report.wouldBlock).to.be.greaterThan(0);
      expect(run.stderr.trim().split("\n"), run.stderr).to.have.length(1);
    });
  }

  it("a closed stderr loses only what was written there: boot's summary and exit status, run's exit code", async () => {
    const booted = await singletWithReader(["boot", "--init", initFile("stderr-closed", [
      { app: "flood", args: ["3000", "100", "user"], domain: "user" }, hello, { app: "fault" },
    ])], "slow", true);
    expect(booted.signal).to.equal(null);
    expect(booted.code, "one entry (the fault) ended unexpectedly").to.equal(1);
    expect(booted.stdout).to.contain("[hello] Hello from Singlet!\n[hello] args: beside a flood\n");
    expect(booted.stdout).to.contain("2 of 3 processes ended as expected; kernel still up with 0 live processes");
    const ran = await singletWithReader(["run", "apps/fault"], "slow", true);
    expect(ran.code, "a fault still exits 70 with nobody reading the report").to.equal(70);
    expect((await singletWithReader(["boot", "--bogus"], "slow", true)).code, "a usage error still exits 2").to.equal(2);
  });

  it("a slow reader gets every line of the healthy app and of a user-domain flood, with the queue bounded", async () => {
    const userLines = 3000;
    const run = await bootWithReader(initFile("slow", [
      { app: "flood", args: ["100000", "100", "kernel"] },
      hello,
      { app: "flood", args: [String(userLines), "100", "user"], domain: "user" },
    ]), "slow");
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("[hello] Hello from Singlet!\n[hello] args: beside a flood\n");
    const userFloodLines = run.stdout.split("\n").filter((line) => line === `[flood] ${floodLine(100, "user").slice(0, -1)}`);
    expect(userFloodLines).to.have.length(userLines);
    const peak = /peak queued (\d+) units in one stream \(limit (\d+)\)/.exec(run.stdout);
    expect(Number(peak![2])).to.equal(MAX_QUEUED_OUTPUT_UNITS);
    expect(Number(peak![1])).to.be.at.most(MAX_QUEUED_OUTPUT_UNITS);
    expect(run.stdout).to.contain("3 of 3 processes ended as expected; kernel still up with 0 live processes");
  });

  it("a reader that never reads: the kernel waits with bounded memory and exits cleanly once the pipe closes", async () => {
    // Three in-kernel floods offer 3 × 200000 × 200 units (about 240 MB as UTF-16 strings).
    const flood = (tag: string) => ({ app: "flood", args: ["200000", "200", tag] });
    const run = await bootWithReader(initFile("never", [flood("one"), hello, flood("two"), flood("three")]), "never");
    expect(run.signal, run.stderr).to.equal(null);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/singlet: all 4 processes ended; waiting for the reader to take \d+ queued units of output/);
    const offeredBytes = 3 * 200_000 * 200 * 2;
    expect(run.peakResidentBytes, "peak resident memory").to.be.below(offeredBytes / 2);
    expect(run.stderr).to.match(/singlet: stdout closed \(EPIPE\); the summary follows here/);
    expect(run.stderr).to.contain("4 of 4 processes ended as expected; kernel still up with 0 live processes");
    const peak = /peak queued (\d+) units in one stream/.exec(run.stderr);
    expect(Number(peak![1])).to.be.at.most(MAX_QUEUED_OUTPUT_UNITS);
  });
});

describe("hostile/output documentation", () => {
  it("lists every error code with its number, and console.* among those raising wouldBlock and peerClosed", () => {
    const table = readProjectFile("docs/abi/errors.md");
    for (const [name, code] of Object.entries(ErrorCode)) expect(table, name).to.match(new RegExp(`^\\| ${code} \\| ${name} \\|`, "m"));
    expect(table).to.match(/^\| 11 \| wouldBlock \| console\.\*, events\.\*, channels\.\*, names\.connect \|/m);
    expect(table).to.match(/^\| 32 \| peerClosed \| console\.\*, channels\.\* \|/m);
  });

  it("quotes the output limits as kernel/params.ts sets them", () => {
    /** `NAME` (value), however the paragraph wraps. */
    const quoted = (name: string, value: number) => new RegExp(`\`${name}\`\\s+\\(${value}\\)`);
    const architecture = readProjectFile("docs/architecture.md");
    expect(architecture).to.match(quoted("MAX_QUEUED_OUTPUT_UNITS", MAX_QUEUED_OUTPUT_UNITS));
    expect(architecture).to.match(quoted("MAX_OUTPUT_CHUNK_UNITS", MAX_OUTPUT_CHUNK_UNITS));
    expect(architecture).to.match(quoted("MAX_PREFIXED_LINE_UNITS", MAX_PREFIXED_LINE_UNITS));
    expect(readProjectFile("docs/abi/errors.md")).to.match(quoted("MAX_QUEUED_OUTPUT_UNITS", MAX_QUEUED_OUTPUT_UNITS));
    expect(readProjectFile("docs/app-guide.md")).to.match(new RegExp(`capped at\\s+${MAX_BOOT_EXIT_CODE}\\b`));
  });
});
