// `npm run bench -- echod`: the seed's echo experiment. apps/echod in the kernel domain, apps/echod
// in a user domain and a plain node:net echo server, measured in one run, interleaved, by one load
// generator over loopback (bench/echo-load.ts, in a worker thread): round-trip latency p50/p99 and
// throughput, beside the seed's figure (the Kernel Mode Linux + TAL paper: an echo round trip 4 µs
// shorter in kernel mode than in user mode). Writes the figures as JSON too (bench/results/echod.json).
// With SINGLET_BENCH_BASELINE naming another built checkout, its echod in both domains (its own
// kernel, its own build of the app) takes turns with the rest, so a change is measured in one run.
import { createServer, type Server } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { bootKernel, resolveModuleSource, type Kernel } from "../kernel/index.js";
import { median, percentile, round } from "./measure.js";
import type { BenchTable } from "./table.js";
import { writeExperimentResults } from "./experiment-results.js";
import { baselineCommit, baselineDirectory, importBaseline } from "./baseline.js";
import type { EchoResults } from "./seed-chart.js";
import type { LoadRequest, LoadResult } from "./echo-load.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Eight clients of 64-byte round trips: small messages, where a round trip is mostly overhead. */
const CLIENTS = 8;
const PAYLOAD_BYTES = 64;
const ROUND_TRIPS_PER_CLIENT = 2_500;
/** Each server is measured this many times, the three taking turns, after one warm-up each. */
const ROUNDS = 3;
const TIME_LIMIT_MILLISECONDS = 20_000;
/** The seed's figure: an echo round trip 4 µs shorter in kernel mode than in user mode. */
const SEED_SAVING_MICROSECONDS = 4;

type ServerKind = "echod (kernel domain)" | "echod (user domain)" | "node:net echo server";
const KINDS: readonly ServerKind[] = ["echod (kernel domain)", "echod (user domain)", "node:net echo server"];
/** A server measured in the run: one of ours, or the baseline's echod in a domain. */
interface Contender {
  readonly name: string;
  readonly start: () => Promise<RunningServer>;
}

interface RunningServer {
  readonly port: number;
  /** A user domain's kernel entries and thread sleeps so far; undefined for a server with no domain. */
  readonly crossings?: () => DomainCrossings;
  stop(): Promise<void>;
}

/** What a user-domain server's echoes cost in crossings: kernel entries (calls in), and the times its thread slept in one. */
interface DomainCrossings {
  readonly entries: number;
  readonly sleeps: number;
}

function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL("./echo-load.js", import.meta.url), { workerData: request });
    worker.once("message", (message: LoadResult | { error: string }) => {
      void worker.terminate();
      if ("error" in message) reject(new Error(`echo load: ${message.error}`));
      else resolvePromise(message);
    });
    worker.once("error", reject);
  });
}

async function startEchod(kernel: Kernel, domain: "kernel" | "user", appsDirectory = resolve(projectRoot, "apps")): Promise<RunningServer> {
  const image = kernel.load(resolveModuleSource("echod", appsDirectory).bytes);
  let output = "";
  let announce!: (port: number) => void;
  const port = new Promise<number>((resolvePort) => { announce = resolvePort; });
  // Serves the load's clients, then ends.
  const process = kernel.spawn(image, {
    domain, args: ["0", String(CLIENTS)],
    output: (_stream, text) => {
      output += text;
      const listening = /port (\d+)/.exec(output);
      if (listening) announce(Number(listening[1]));
    },
  });
  return {
    port: await port,
    crossings: () => {
      const stats = process.userDomain?.stats();
      if (!stats) return { entries: 0, sleeps: 0 };
      return { entries: Object.values(stats.trapsByCall).reduce((sum, count) => sum + count, 0), sleeps: stats.waits.userSleeps };
    },
    stop: async () => {
      const status = await process.completion;
      if (status.kind !== "exited" || status.code !== 0) throw new Error(`echod (${domain}) ended ${JSON.stringify(status)}: ${output}`);
    },
  };
}

function startNodeServer(): Promise<RunningServer> {
  return new Promise((resolvePromise) => {
    const server: Server = createServer({ noDelay: true }, (socket) => {
      socket.on("data", (data) => socket.write(data));
      socket.on("end", () => socket.end());
      socket.on("error", () => {});
    });
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolvePromise({
        port: typeof address === "object" && address ? address.port : 0,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

async function measure(contender: Contender): Promise<LoadResult & { crossings?: DomainCrossings }> {
  const server = await contender.start();
  const before = server.crossings?.();
  const result = await load({ port: server.port, clients: CLIENTS, roundTripsPerClient: ROUND_TRIPS_PER_CLIENT, payloadBytes: PAYLOAD_BYTES, timeLimitMilliseconds: TIME_LIMIT_MILLISECONDS });
  // Read once the load is done, before the server ends: what its echoes took, its start and end left out.
  const after = server.crossings?.();
  await server.stop();
  if (!before || !after) return result;
  return { ...result, crossings: { entries: after.entries - before.entries, sleeps: after.sleeps - before.sleeps } };
}

const SILENT_CONSOLE = { console: { write: (_stream: unknown, text: string) => text.length } };

/** The baseline checkout's echod in both domains, on its own kernel, when one is named. */
async function baselineContenders(): Promise<{ contenders: Contender[]; shutdown: () => Promise<void> }> {
  const directory = baselineDirectory();
  if (!directory) return { contenders: [], shutdown: async () => {} };
  const { bootKernel: bootBaseline } = await importBaseline<{ bootKernel: typeof bootKernel }>(directory, "kernel/index.js");
  const kernel = bootBaseline({ devices: SILENT_CONSOLE });
  const commit = baselineCommit(directory);
  const contenders = (["kernel", "user"] as const).map((domain): Contender => ({
    name: `echod (${domain} domain), baseline ${commit}`,
    start: () => startEchod(kernel, domain, resolve(directory, "apps")),
  }));
  return { contenders, shutdown: () => kernel.shutdown() };
}

export async function runEchodBenchmarks(): Promise<BenchTable[]> {
  const kernel = bootKernel({ devices: SILENT_CONSOLE });
  const ours: Contender[] = KINDS.map((kind) => ({
    name: kind,
    start: () => kind === "node:net echo server" ? startNodeServer() : startEchod(kernel, kind === "echod (kernel domain)" ? "kernel" : "user"),
  }));
  const baseline = await baselineContenders();
  const contenders = [...ours, ...baseline.contenders];
  const latencies = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const throughputs = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const userDomainEchoes = { echoes: 0, entries: 0, sleeps: 0 };
  try {
    for (const contender of contenders) await measure(contender);
    for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
      for (const contender of contenders) {
        const result = await measure(contender);
        latencies.get(contender.name)!.push(...result.latencies);
        throughputs.get(contender.name)!.push(result.latencies.length / (result.elapsedMilliseconds / 1000));
        if (contender.name === "echod (user domain)" && result.crossings) {
          userDomainEchoes.echoes += result.latencies.length;
          userDomainEchoes.entries += result.crossings.entries;
          userDomainEchoes.sleeps += result.crossings.sleeps;
        }
      }
    }
  } finally {
    await kernel.shutdown();
    await baseline.shutdown();
  }
  const p50 = (name: string) => percentile(latencies.get(name)!, 0.5) / 1000;
  const p99 = (name: string) => percentile(latencies.get(name)!, 0.99) / 1000;
  const rows = contenders.map(({ name }) => [name, round(p50(name), 1), round(p99(name), 1), Math.round(median(throughputs.get(name)!)), latencies.get(name)!.length]);
  const kernelOverNode = p50("echod (kernel domain)") / p50("node:net echo server");
  const userMinusKernel = p50("echod (user domain)") - p50("echod (kernel domain)");
  const table: BenchTable = {
    title: `Echo round trips over loopback: ${CLIENTS} clients × ${ROUND_TRIPS_PER_CLIENT} round trips of ${PAYLOAD_BYTES} bytes, ${ROUNDS} interleaved rounds`,
    columns: ["server", "p50 µs", "p99 µs", "round trips/s (median of rounds)", "samples"],
    rows: [
      ...rows,
      ["kernel-domain p50 ÷ node:net p50 (goal ≤ 1.5×)", round(kernelOverNode, 2), "", "", ""],
      ["user − kernel domain p50, µs (goal ≥ seed's 4 µs)", round(userMinusKernel, 1), "", "", ""],
      ["seed: kernel mode saves per round trip, µs (Kernel Mode Linux + TAL, published)", SEED_SAVING_MICROSECONDS, "", "", ""],
      ["echod (user domain): kernel entries per echo", round(userDomainEchoes.entries / userDomainEchoes.echoes, 2), "", "", ""],
      ["echod (user domain): thread sleeps per echo (a wait that found nothing queued)", round(userDomainEchoes.sleeps / userDomainEchoes.echoes, 2), "", "", ""],
    ],
    notes: [
      "the kernel and every server run in the bench's main thread; the load generator runs in a worker thread, so its sockets do not share the server's event loop",
      "latency is what a client sees: from its write to the whole echo read back, with 8 round trips in flight at once",
      "user domain: its receive and send go with the wait for the next event (batch.submit-and-wait), so an echo is one kernel entry; the entries and sleeps rows count them over the measured rounds (userDomain.stats(): trapsByCall, waits.userSleeps)",
      "a sleep is a wait that found no event queued: the domain's thread sleeps in the kernel call and the kernel thread wakes it when the next data arrives (Atomics.wait / Atomics.notify), which batching cannot remove",
    ],
  };
  writeJson(table, KINDS.map((kind) => ({
    server: kind, p50Microseconds: p50(kind), p99Microseconds: p99(kind), requestsPerSecond: median(throughputs.get(kind)!), ours: kind.startsWith("echod"),
  })));
  return [table];
}

function writeJson(table: BenchTable, servers: EchoResults["servers"]): void {
  writeExperimentResults("echod", {
    clients: CLIENTS, roundTripsPerClient: ROUND_TRIPS_PER_CLIENT, payloadBytes: PAYLOAD_BYTES, rounds: ROUNDS,
    seed: { kernelSavesMicroseconds: SEED_SAVING_MICROSECONDS }, servers, table,
  });
}
