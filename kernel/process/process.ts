// A process: identity, arguments, capabilities, output, and how it ended.
import type { UserDomainStats } from "../../hal/hil/index.js";
import { CapabilityTable } from "../capabilities/index.js";
import { ProcessEvents } from "../events/index.js";
import { CEILING_EXCHANGE_BYTES, MAX_EVENT_SOURCES_PER_PROCESS } from "../params.js";
import { openExchangeAccount, type ExchangeAccount } from "../exchange/index.js";
import type { Contract } from "../channels/index.js";
import { LOOPBACK_ONLY, type NetworkRules } from "../network/index.js";
import type { ExitStatus } from "./fault.js";
import { OutputQueue, type OutputSink, type OutputStream } from "./output-queue.js";

export type Domain = "kernel" | "user";
export type ProcessState = "starting" | "running" | "exited";

/** What the kernel needs of a process's user domain: its counters, and a way to stop it. */
export interface ProcessUserDomain {
  stats(): UserDomainStats;
  /** One event handled, the next asked for: the CPU budget counts from here (hal/hil/user-domain.ts). */
  entryBegins(): void;
  terminate(reason: string): void;
}

export interface ProcessOptions {
  readonly processId: number;
  readonly name: string;
  readonly args: readonly string[];
  readonly domain: Domain;
  /** Where the process's output goes; its own bounded queue sits in front of it. */
  readonly output: OutputSink;
  /** Who runs the process: the principal whose ceilings it counts against. */
  readonly principal?: string;
  /** Capability slots the process may have (its principal's ceiling). */
  readonly handleLimit?: number;
  /** UTF-16 units its output queue holds per stream (its principal's ceiling). */
  readonly outputLimit?: number;
  /** Event sources it may hold at once (its principal's ceiling); also its event queue's bound. */
  readonly eventSourceLimit?: number;
  /** Exchange-heap bytes it may own at once (its principal's ceiling). */
  readonly exchangeLimit?: number;
  /** The channel contracts its modules declare, by name. */
  readonly contracts?: ReadonlyMap<string, Contract>;
  /** The names its manifests publish and connect to, and whether its principal may use a name. */
  readonly services?: ProcessServices;
  /** The addresses its sockets may use (its manifests' and its principal's rules); loopback only when omitted. */
  readonly network?: NetworkRules;
}

export interface ProcessServices {
  readonly provides: ReadonlySet<string>;
  readonly uses: ReadonlySet<string>;
  readonly allowed: (name: string) => boolean;
}

const NO_SERVICES: ProcessServices = { provides: new Set(), uses: new Set(), allowed: () => false };

export class Process {
  readonly processId: number;
  readonly name: string;
  readonly args: readonly string[];
  readonly domain: Domain;
  readonly principal: string | undefined;
  readonly capabilities: CapabilityTable;
  /** Handles granted at start, in manifest order; `capabilities.initial-get` indexes this. */
  readonly initialHandles: number[] = [];
  /** The protected domain the process's user-mode instances run in; its stats count ring switches and faults. */
  userDomain: ProcessUserDomain | undefined;
  state: ProcessState = "starting";
  status: ExitStatus | undefined;
  readonly completion: Promise<ExitStatus>;
  private resolveCompletion!: (status: ExitStatus) => void;
  /** Output not yet taken by the reader; it outlives the process until drained. */
  readonly output: OutputQueue;
  /** Its timers' and yields' events, queued until delivered (docs/process-model.md). */
  readonly events: ProcessEvents;
  /**
   * The code `process.exit` was called with: an exit ends the process even when it holds event
   * sources, whereas `main` returning leaves it running until nothing can wake it.
   */
  exitRequested: number | undefined;
  /** The exchange-heap blocks it owns, against its limit; its blocks go with its handles. */
  readonly exchange: ExchangeAccount;
  /** The channel contracts its modules declare: `channels.create` names one of them. */
  readonly contracts: ReadonlyMap<string, Contract>;
  /** What it may publish and connect to in the name service. */
  readonly services: ProcessServices;
  /** The addresses and ports its sockets may use. */
  readonly network: NetworkRules;

  constructor(options: ProcessOptions) {
    this.processId = options.processId;
    this.name = options.name;
    this.args = options.args;
    this.domain = options.domain;
    this.principal = options.principal;
    this.capabilities = new CapabilityTable(options.handleLimit);
    this.output = new OutputQueue(options.output, options.outputLimit);
    this.events = new ProcessEvents(options.eventSourceLimit ?? MAX_EVENT_SOURCES_PER_PROCESS);
    this.exchange = openExchangeAccount(this.capabilities, options.exchangeLimit ?? CEILING_EXCHANGE_BYTES);
    this.contracts = options.contracts ?? new Map();
    this.services = options.services ?? NO_SERVICES;
    this.network = options.network ?? LOOPBACK_ONLY;
    this.completion = new Promise((resolve) => { this.resolveCompletion = resolve; });
  }

  /**
   * Returns the units taken, 0 when the queue is full (would-block); throws OutputClosedError once
   * the reader has gone (output-queue.ts).
   */
  write(stream: OutputStream, text: string): number {
    return this.output.offer(stream, text);
  }

  /** Records how the process ended; only the first call counts. */
  finish(status: ExitStatus): boolean {
    if (this.status) return false;
    this.status = status;
    this.state = "exited";
    this.resolveCompletion(status);
    return true;
  }
}
