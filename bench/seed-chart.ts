// `npm run bench:chart`: draws docs/seed-experiments.svg from the figures the last
// `npm run bench -- find` and `npm run bench -- echod` wrote to bench/results/. The chart says
// when and where its figures were measured; it is redrawn, never edited by hand.
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot } from "../runtime/toolchain/paths.js";
import { renderBarChart, type ChartPanel } from "./bar-chart.js";
import { RESULTS_DIRECTORY } from "./experiment-results.js";

export const SEED_CHART_PATH = join(projectRoot, "docs", "seed-experiments.svg");

/** What bench/find.ts writes: one row per tree. */
export interface FindResults {
  readonly date: string;
  readonly loadAverage?: readonly number[];
  readonly milliseconds: readonly { tree: string; entries: number; kernel: number; user: number; javascript: number; gnuFind: number }[];
}

/** What bench/echod.ts writes: one row per server. */
export interface EchoResults {
  readonly date: string;
  readonly loadAverage?: readonly number[];
  readonly clients: number;
  readonly servers: readonly { server: string; p50Microseconds: number; p99Microseconds: number; requestsPerSecond: number; ours: boolean }[];
}

export function findPanel(results: FindResults): ChartPanel {
  return {
    title: `find over a generated tree of ${results.milliseconds[0]?.entries ?? 0} entries (ms, median; lower is better)`,
    unit: "ms",
    groups: results.milliseconds.map((row) => ({
      label: row.tree,
      bars: [
        { label: "Singlet find, kernel mode", value: row.kernel, highlight: true },
        { label: "Singlet find, user mode", value: row.user },
        { label: "plain JavaScript walk", value: row.javascript },
        { label: "GNU find (child process)", value: row.gnuFind },
      ],
    })),
  };
}

export function echoPanels(results: EchoResults): ChartPanel[] {
  const latency = (label: string, pick: (server: EchoResults["servers"][number]) => number) => ({
    label,
    bars: results.servers.map((server) => ({ label: server.server, value: pick(server), highlight: server.ours && /kernel/.test(server.server) })),
  });
  return [
    {
      title: `echo round trip over loopback, ${results.clients} clients (µs; lower is better)`,
      unit: "µs",
      groups: [latency("p50", (server) => server.p50Microseconds), latency("p99", (server) => server.p99Microseconds)],
    },
    {
      title: "echo throughput (round trips per second; higher is better)",
      unit: "/s",
      groups: [latency("all clients together", (server) => server.requestsPerSecond)],
    },
  ];
}

function loadText(load: readonly number[] | undefined): string {
  return load ? load.map((value) => value.toFixed(1)).join(" ") : "not recorded";
}

function readResults<Results>(experiment: string): Results {
  return JSON.parse(readFileSync(join(RESULTS_DIRECTORY, `${experiment}.json`), "utf8")) as Results;
}

export function drawSeedChart(): string {
  const find = readResults<FindResults>("find");
  const echo = readResults<EchoResults>("echod");
  const svg = renderBarChart({
    title: "Singlet's seed experiments: find and echod, kernel mode and user mode",
    panels: [findPanel(find), ...echoPanels(echo)],
    caption: [
      `find measured ${find.date} (load average ${loadText(find.loadAverage)}), echod ${echo.date} (load ${loadText(echo.loadAverage)}), on a 2-vCPU VM shared with other work.`,
      "Commands: npm run bench -- find; npm run bench -- echod; then npm run bench:chart draws this file.",
      "Seed (Kernel Mode Linux + TAL paper): find 14 % faster and echo round trip 4 µs shorter in kernel mode than in user mode.",
    ],
  });
  writeFileSync(SEED_CHART_PATH, svg);
  return SEED_CHART_PATH;
}

if (process.argv[1]?.endsWith("seed-chart.js")) {
  process.stdout.write(`wrote ${relative(projectRoot, drawSeedChart())}\n`);
}
