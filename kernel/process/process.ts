// A process: identity, arguments, capabilities, output, and how it ended.
import type { UserDomainStats } from "../../hal/hil/index.js";
import { CapabilityTable } from "../capabilities/index.js";
import type { ExitStatus } from "./fault.js";

export type Domain = "kernel" | "user";
export type ProcessState = "starting" | "running" | "exited";
export type OutputStream = "stdout" | "stderr";
export type OutputSink = (stream: OutputStream, text: string) => void;

/** What the kernel needs of a process's user domain: its counters, and a way to stop it. */
export interface ProcessUserDomain {
  stats(): UserDomainStats;
  terminate(reason: string): void;
}

export interface ProcessOptions {
  readonly processId: number;
  readonly name: string;
  readonly args: readonly string[];
  readonly domain: Domain;
  readonly output: OutputSink;
  /** Who runs the process: the principal whose ceilings it counts against. */
  readonly principal?: string;
  /** Capability slots the process may have (its principal's ceiling). */
  readonly handleLimit?: number;
}

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
  private readonly output: OutputSink;

  constructor(options: ProcessOptions) {
    this.processId = options.processId;
    this.name = options.name;
    this.args = options.args;
    this.domain = options.domain;
    this.principal = options.principal;
    this.capabilities = new CapabilityTable(options.handleLimit);
    this.output = options.output;
    this.completion = new Promise((resolve) => { this.resolveCompletion = resolve; });
  }

  write(stream: OutputStream, text: string): void {
    this.output(stream, text);
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
