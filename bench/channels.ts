// `npm run bench -- channels`: the Singularity table (minimum kernel call, message request/reply,
// process create and start) for Singlet's domains, measured side by side in one run, with the
// published figures beside them for reference.
import { performance } from "node:perf_hooks";
import { bootKernel, type Kernel, type ModuleImage, type Process } from "../kernel/index.js";
import type { Manifest } from "../runtime/abi/index.js";
import { baselineCommit, baselineDirectory, importBaseline } from "./baseline.js";
import { compileSubscribedPair } from "./assemblyscript-channel-apps.js";
import * as channelApps from "./channel-apps.js";
import { OWN_CHANNEL_ROUNDS, kernelCallLoop, ownChannelLoop, serverManifest, type EventForm } from "./channel-apps.js";
import { manifestFor, yieldingApp } from "./event-apps.js";
import { startMilliseconds } from "./hal.js";
import { median, round } from "./measure.js";
import type { BenchTable } from "./table.js";
import { assemble } from "./wat.js";

const KERNEL_ROUND_TRIPS = 100_000;
const USER_ROUND_TRIPS = 5_000;
const RUNS = 5;
const KERNEL_CALLS = 2_000_000;
/** Rounds of each piece of the breakdown. */
const PIECE_ROUNDS = 500_000;

type Domain = "kernel" | "user";

async function exited(process: Process): Promise<void> {
  const status = await process.completion;
  if (status.kind !== "exited" || status.code !== 0) throw new Error(`channels bench: ${process.name} ended ${JSON.stringify(status)}`);
}

/** A client's image and the arguments that say how many requests it makes. */
interface ClientStart {
  readonly image: ModuleImage;
  readonly args: readonly string[];
}

/** One request/reply measurement: a server image and a long and a one-message client, in one kernel. */
interface Conversation {
  readonly kernel: Kernel;
  readonly client: Domain;
  readonly server: Domain;
  readonly serverImage: ModuleImage;
  readonly longClient: ClientStart;
  readonly shortClient: ClientStart;
  readonly roundTrips: number;
}

/** Milliseconds for one client to make its requests of a fresh server. */
async function converse(conversation: Conversation, client: ClientStart): Promise<number> {
  const { kernel } = conversation;
  const serving = kernel.spawn(conversation.serverImage, { domain: conversation.server, output: () => undefined });
  while (kernel.services.names!.published === 0) await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  const talking = kernel.spawn(client.image, { domain: conversation.client, args: client.args, output: () => undefined });
  await exited(talking);
  const elapsed = performance.now() - started;
  await exited(serving);
  return elapsed;
}

/** The apps of one conversation, assembled and loaded into `kernel`. */
async function conversationOf(kernel: Kernel, apps: typeof channelApps, client: Domain, server: Domain, form?: EventForm): Promise<Conversation> {
  const roundTrips = client === "kernel" && server === "kernel" ? KERNEL_ROUND_TRIPS : USER_ROUND_TRIPS;
  const load = async (text: string, manifest: ReturnType<typeof serverManifest>) => kernel.load(await assemble(text), { manifest });
  const clientText = (trips: number) => client === "kernel" ? apps.eventClient(trips, form) : apps.blockingClient(trips);
  return {
    kernel, client, server, roundTrips,
    serverImage: await load(server === "kernel" ? apps.eventServer(form) : apps.blockingServer(), apps.serverManifest()),
    longClient: { image: await load(clientText(roundTrips), apps.clientManifest()), args: [] },
    shortClient: { image: await load(clientText(1), apps.clientManifest()), args: [] },
  };
}

/** The AssemblyScript pair's in-kernel conversation (assemblyscript-channel-apps.ts). */
async function assemblyScriptConversation(kernel: Kernel): Promise<Conversation> {
  const { server, client } = await compileSubscribedPair();
  const clientImage = kernel.load(client, { manifest: channelApps.clientManifest() });
  return {
    kernel, client: "kernel", server: "kernel", roundTrips: KERNEL_ROUND_TRIPS,
    serverImage: kernel.load(server, { manifest: channelApps.serverManifest() }),
    longClient: { image: clientImage, args: [String(KERNEL_ROUND_TRIPS)] },
    shortClient: { image: clientImage, args: ["1"] },
  };
}

/**
 * ns per request/reply of each conversation: (a long conversation − a one-message one) /
 * (round trips − 1), median of RUNS; the conversations take turns, so load on the machine falls
 * on each alike.
 */
async function requestReply(conversations: readonly Conversation[]): Promise<number[]> {
  for (const conversation of conversations) await converse(conversation, conversation.longClient);
  const samples = conversations.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) {
    for (const [index, conversation] of conversations.entries()) {
      const longRun = await converse(conversation, conversation.longClient);
      const shortRun = await converse(conversation, conversation.shortClient);
      samples[index]!.push(((longRun - shortRun) * 1e6) / (conversation.roundTrips - 1));
    }
  }
  return samples.map(median);
}

/** The baseline build's in-kernel conversation, with its own kernel and apps (bench/baseline.ts), when one is named. */
async function baselineConversation(): Promise<{ conversation: Conversation; commit: string } | undefined> {
  const directory = baselineDirectory();
  if (!directory) return undefined;
  const { bootKernel: bootBaseline } = await importBaseline<{ bootKernel: typeof bootKernel }>(directory, "kernel/index.js");
  const apps = await importBaseline<typeof channelApps>(directory, "bench/channel-apps.js");
  const kernel = bootBaseline({ devices: { console: { write: () => undefined } } });
  return { conversation: await conversationOf(kernel, apps, "kernel", "kernel"), commit: baselineCommit(directory) };
}

/**
 * ns per round of an in-kernel app made by `appOf(rounds)`: (the app making `rounds` rounds − the
 * same making none) / rounds, median of RUNS.
 */
async function nanosecondsPerRound(kernel: Kernel, appOf: (rounds: number) => string, rounds: number, manifest: Manifest): Promise<number> {
  const many = kernel.load(await assemble(appOf(rounds)), { manifest });
  const none = kernel.load(await assemble(appOf(0)), { manifest });
  const timed = async (image: ModuleImage) => {
    const started = performance.now();
    await exited(kernel.spawn(image, { domain: "kernel", output: () => undefined }));
    return performance.now() - started;
  };
  await timed(many);
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) samples.push(((await timed(many)) - (await timed(none))) * 1e6 / rounds);
  return median(samples);
}

const LOOP_MANIFEST: Manifest = { name: "calls", entryPoints: { main: { fuel: 1_000_000_000 } } };

/** The pieces an in-kernel request/reply is made of, each measured alone. */
async function breakdownTable(kernel: Kernel): Promise<BenchTable> {
  const sendAndReceive = await nanosecondsPerRound(kernel, (rounds) => ownChannelLoop(rounds, OWN_CHANNEL_ROUNDS.sendAndReceive), PIECE_ROUNDS, LOOP_MANIFEST);
  const receiveNothing = await nanosecondsPerRound(kernel, (rounds) => ownChannelLoop(rounds, OWN_CHANNEL_ROUNDS.receiveNothing), PIECE_ROUNDS, LOOP_MANIFEST);
  // yieldingApp(0) would still yield once in main: a one-event app is the floor instead.
  const delivery = await nanosecondsPerRound(kernel, (rounds) => yieldingApp(Math.max(rounds, 1)), PIECE_ROUNDS, manifestFor("yielding"));
  return {
    title: "Channels: the pieces of an in-kernel request/reply (ns, median, same run)",
    columns: ["piece", "ns"],
    rows: [
      ["a send and a receive of one message, on a channel between one process's own ends (no event)", round(sendAndReceive, 1)],
      ["a receive of an empty queue (wouldBlock)", round(receiveNothing, 1)],
      ["one scheduler delivery of an empty event to dispatch, with the process.yield that queued it", round(delivery, 1)],
    ],
    notes: [
      `each: (main or handlers making ${PIECE_ROUNDS.toLocaleString("en")} rounds − the same making none) / rounds, median of ${RUNS}. A subscribed request/reply is, per round trip, two sends, two deliveries (each receiving its message for the process) and nothing else.`,
    ],
  };
}

export async function runChannelBenchmarks(): Promise<BenchTable[]> {
  const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
  const baseline = await baselineConversation();
  try {
    const call = await nanosecondsPerRound(kernel, kernelCallLoop, KERNEL_CALLS, LOOP_MANIFEST);
    const inKernel = [
      await conversationOf(kernel, channelApps, "kernel", "kernel", "subscribe"), await conversationOf(kernel, channelApps, "kernel", "kernel", "watch"),
      await assemblyScriptConversation(kernel),
    ];
    const [subscribed, watched, assemblyScript, baselineRow] = await requestReply(baseline ? [...inKernel, baseline.conversation] : inKernel);
    const [userClient] = await requestReply([await conversationOf(kernel, channelApps, "user", "kernel")]);
    const [userServer] = await requestReply([await conversationOf(kernel, channelApps, "kernel", "user")]);
    const [bothUser] = await requestReply([await conversationOf(kernel, channelApps, "user", "user")]);
    const helloImage = kernel.load(await assemble(kernelCallLoop(0)), { manifest: { name: "start", entryPoints: { main: {} } } });
    const start = (await startMilliseconds(kernel, helloImage, "kernel")).completion * 1e6;
    const row = (operation: string, nanoseconds: number, singularity: string, linux: string) => [operation, round(nanoseconds, 1), singularity, linux];
    const pieces = await breakdownTable(kernel);
    return [{
      title: "Channels: the Singularity table (ns, median, same run; the published figures are cycles)",
      columns: ["operation", "Singlet ns", "Singularity cycles (published)", "Linux cycles (published)"],
      rows: [
        row("minimum kernel call: process.id from an in-kernel process", call, "91", "437"),
        row("message request/reply: two in-kernel processes (subscribed: messages arrive received)", subscribed!, "803", "5,800"),
        row("  the same, watched (each message event's handler calls receive)", watched!, "", ""),
        row("  the same, subscribed, AssemblyScript apps (Channels.subscribe)", assemblyScript!, "", ""),
        ...(baseline ? [row(`  the same, baseline build (${baseline.commit}), its own apps`, baselineRow!, "", "")] : []),
        row("message request/reply: user-domain client, in-kernel server", userClient!, "", ""),
        row("message request/reply: in-kernel client, user-domain server", userServer!, "", ""),
        row("message request/reply: both in user domains", bothUser!, "", ""),
        row("process create and start: an empty main, in-kernel, spawn → exit", start, "353,000", "719,000"),
      ],
      notes: [
        "goal (issue 11): in-kernel request/reply under 250 ns.",
        "published figures: the Singularity paper's table of basic operation costs, in CPU cycles, as issue 11 quotes them; ours are wall ns on this machine.",
        `request/reply = (a conversation of N round trips − one of 1) / (N − 1): N = ${KERNEL_ROUND_TRIPS.toLocaleString("en")} in-kernel, ${USER_ROUND_TRIPS.toLocaleString("en")} with a user domain; median of ${RUNS}. The two meet through the name service.`,
        "in-kernel sides are event-driven, one scheduler delivery per message: subscribed (channels.subscribe; the kernel receives each message as it delivers it, through the app's deliver export) or watched (channels.watch; dispatch, then a receive call); the rows take turns in each run. User-domain sides use the blocking receive, which parks in the call.",
        "the WAT rows' apps are hand-written (channel-apps.ts); the AssemblyScript row's are written with the runtime's Channels.subscribe and built as apps are (assemblyscript-channel-apps.ts): its handlers go through the runtime's deliver, tag lookup and callback.",
        "SINGLET_BENCH_BASELINE=<a built checkout> adds the baseline build's in-kernel row, measured in turn with ours; two builds' kernels in one process slow each other somewhat, so compare the rows of one run, not with a run without it.",
        "process create and start: hal.ts's start measurement (kernel.run of an empty main to completion, median of 10); `npm run bench -- kernel` and `-- hal` break starts down further.",
        `minimum kernel call: (main making ${KERNEL_CALLS.toLocaleString("en")} calls − main making none) / calls, median of ${RUNS}, fuel instrumentation included.`,
      ],
    }, pieces];
  } finally {
    await kernel.shutdown();
    await baseline?.conversation.kernel.shutdown();
  }
}
