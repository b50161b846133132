// What the socket suites share: a process to make socket calls from (through the one syscall
// table, as a trap is served), echod spawned on a port the host picks, Node clients over
// loopback, and the counts every ending must bring back: kernel sockets and host sockets.
import { expect } from "chai";
import { Socket, connect } from "node:net";
import { bootKernel, CapabilityKind, Rights, type Kernel, type Process } from "../../kernel/index.js";
import { NetworkRules, openSockets } from "../../kernel/network/index.js";
import { WAIT_CONDITION_OF_CALL } from "../../kernel/services/index.js";
import { dispatchLifted } from "../../kernel/syscalls/dispatch-lifted.js";
import type { CallContext } from "../../kernel/syscalls/context.js";
import { createBlock } from "../../kernel/exchange/index.js";
import { syscallDescriptors, type NetworkDeclaration, type SyscallName } from "../../runtime/abi/index.js";
import type { AbiValue } from "../../hal/hil/index.js";
import type { NodeNetwork } from "../../hal/node/index.js";
import { eventually } from "./event-kernel.js";
import { appBytes } from "./kernel.js";

export type Domain = "kernel" | "user";

const kernels: Kernel[] = [];
const peers: Socket[] = [];

export function socketKernel(): Kernel {
  const kernel = bootKernel({ devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
  kernels.push(kernel);
  return kernel;
}

/** Ends every kernel a suite booted and every Node client it connected (mocha's afterEach). */
export async function closeSocketKernels(): Promise<void> {
  for (const peer of peers.splice(0)) peer.destroy();
  await Promise.all(kernels.splice(0).map((kernel) => kernel.shutdown()));
}

/** Host sockets the kernel's network device holds open. */
export function hostSockets(kernel: Kernel): number {
  return (kernel.devices.network as NodeNetwork).openObjects;
}

export interface CallingProcess {
  readonly process: Process;
  readonly context: CallContext;
  /** Makes the call as a trap is served: its result, a negated code for a refusal. */
  call(name: SyscallName, ...args: AbiValue[]): number;
  /** Makes the call; while it answers wouldBlock, waits as a parked user-domain call would, then makes it again. */
  callWaiting(name: SyscallName, ...args: AbiValue[]): Promise<number>;
  /** A new exchange-heap block of the process: its handle. */
  block(size: number): number;
  /** Ends the process as the kernel does when it dies. */
  end(): void;
}

const numberOf = new Map(syscallDescriptors.map((descriptor) => [descriptor.qualifiedName, descriptor.number]));
const WOULD_BLOCK = -11;

export interface CallingProcessOptions {
  readonly domain?: Domain;
  /** Capabilities to hold: kind name → rights. Network read and write and random by default. */
  readonly holds?: readonly [number, number][];
  readonly network?: NetworkDeclaration;
  readonly policy?: NetworkDeclaration;
  readonly eventSourceLimit?: number;
}

export function callingProcess(kernel: Kernel, options: CallingProcessOptions = {}): CallingProcess {
  const process = kernel.processes.create({
    name: "socket-caller", args: [], domain: options.domain ?? "kernel", output: () => {},
    network: new NetworkRules(options.network, options.policy), eventSourceLimit: options.eventSourceLimit,
  });
  const holds = options.holds ?? [[CapabilityKind.network, Rights.read | Rights.write], [CapabilityKind.random, Rights.read]];
  for (const [kind, rights] of holds) process.capabilities.insert({ object: { kind, target: undefined, revoked: false }, rights });
  const context: CallContext = { process, services: kernel.services };
  const call = (name: SyscallName, ...args: AbiValue[]): number => {
    const outcome = dispatchLifted(context, numberOf.get(name)!, args);
    if (outcome.kind !== "return") throw new Error(`${name} ended the process: ${JSON.stringify(outcome)}`);
    return outcome.value as number;
  };
  return {
    process, context, call,
    async callWaiting(name, ...args) {
      for (let attempt = 0; attempt < 10_000; attempt++) {
        const result = call(name, ...args);
        if (result !== WOULD_BLOCK) return result;
        const until = WAIT_CONDITION_OF_CALL.get(name)?.(context, args);
        if (!until) return result;
        await until;
      }
      throw new Error(`${name} kept answering wouldBlock`);
    },
    block: (size) => createBlock(process.capabilities, size),
    end: () => kernel.endProcess(process, { kind: "exited", code: 0 }),
  };
}

/** Listens on a port the host picks and waits until it is bound; returns [listener, port]. */
export async function boundListener(caller: CallingProcess): Promise<[number, number]> {
  // A user domain's listen waits until bound; the kernel domain's answers at once and binds later.
  const listener = caller.process.domain === "user" ? await caller.callWaiting("sockets.listen", "127.0.0.1", 0) : caller.call("sockets.listen", "127.0.0.1", 0);
  expect(listener, "listen").to.be.above(0);
  await eventually(() => caller.call("sockets.local-port", listener) > 0, "the listener to bind");
  return [listener, caller.call("sockets.local-port", listener)];
}

/** A connection the caller accepted from a Node client: its handle and the client. */
export async function acceptedConnection(caller: CallingProcess): Promise<{ handle: number; client: Socket }> {
  const [listener, port] = await boundListener(caller);
  const client = await nodeClient(port);
  let handle = WOULD_BLOCK;
  await eventually(() => (handle = caller.call("sockets.accept", listener)) !== WOULD_BLOCK, "a connection");
  return { handle, client };
}

export interface SpawnedEchod {
  readonly process: Process;
  readonly port: Promise<number>;
  readonly done: Promise<{ stdout: string; stderr: string; status: unknown }>;
  stdout(): string;
}

/** Spawns apps/echod on a port the host picks (serving `connections` then ending, when given). */
export function spawnEchod(kernel: Kernel, domain: Domain, connections?: number): SpawnedEchod {
  const output = { stdout: "", stderr: "" };
  let announce!: (port: number) => void;
  const port = new Promise<number>((resolve) => { announce = resolve; });
  const image = kernel.load(appBytes("echod"));
  const process = kernel.spawn(image, {
    domain, args: connections === undefined ? ["0"] : ["0", String(connections)],
    output: (stream, text) => {
      output[stream] += text;
      const listening = /listening on 127\.0\.0\.1 port (\d+)/.exec(output.stdout);
      if (listening) announce(Number(listening[1]));
    },
  });
  const done = process.completion.then((status) => ({ ...output, status }));
  return { process, port, done, stdout: () => output.stdout };
}

/** Connects a Node client over loopback. */
export function nodeClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true }, () => resolve(socket));
    peers.push(socket);
    socket.once("error", reject);
  });
}

/** Sends `payload`, half-closes, and returns everything the server sent until its end. */
export async function echoed(port: number, payload: Uint8Array | string): Promise<Buffer> {
  const socket = await nodeClient(port);
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    socket.on("data", (data: Buffer) => chunks.push(data));
    socket.on("end", () => resolve());
    socket.on("error", reject);
  });
  socket.end(payload);
  await ended;
  socket.destroy();
  return Buffer.concat(chunks);
}

/** Sends `payload` and waits for the same number of bytes back, keeping the connection open. */
export function roundTrip(socket: Socket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (data: Buffer) => {
      chunks.push(data);
      length += data.byteLength;
      if (length >= payload.byteLength) {
        socket.off("data", onData);
        socket.off("error", reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(payload);
  });
}

/** Waits until the kernel holds no socket beyond `kernelBefore` and the host none beyond `hostBefore`. */
export async function expectSocketsBackTo(kernel: Kernel, kernelBefore: number, hostBefore: number): Promise<void> {
  await eventually(() => openSockets() === kernelBefore, `kernel sockets back to ${kernelBefore} (now ${openSockets()})`);
  await eventually(() => hostSockets(kernel) === hostBefore, `host sockets back to ${hostBefore} (now ${hostSockets(kernel)})`);
}
