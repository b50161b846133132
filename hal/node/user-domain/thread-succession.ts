// One domain thread, one domain after another. A Worker costs tens of milliseconds to start and
// its exit a few more, so a thread whose domain ended cleanly is kept (worker-pool.ts) and serves
// the next domain from a boot of its own. Between domains the thread holds nothing of the last
// one: the domain's object and everything it reached (instances, memories, tables, globals, trap
// stubs, export numbers, channel) become unreachable when park() returns, each domain gets a new
// channel and new trap pages, and a message a domain left on the port is thrown away unread.
// That is the clean-isolate guarantee stated in docs/hal/README.md.
import type { MessagePort } from "node:worker_threads";
import { workerThreads } from "../on-demand-modules.js";
import type { SyscallDescriptor } from "../../../runtime/abi/index.js";
import { runUserDomainThread, type DomainBootData } from "./domain-thread.js";

/** The thread's one message through its parent port: how the kernel reaches it from then on. */
export interface ThreadBootData {
  /** Domain boots and instantiation requests, read synchronously: the thread never returns to its event loop. */
  readonly port: MessagePort;
  /** One Int32 the kernel bumps (and notifies) after posting a domain boot: the idle thread sleeps on it. */
  readonly doorbell: SharedArrayBuffer;
}

/**
 * A domain's boot as it travels. Without `calls` when the kernel's call table is the one the
 * thread's previous domain had: the table is the kernel's, not a process's, and copying it costs
 * a structured clone on each side.
 */
export type DomainBootMessage = Omit<DomainBootData, "calls"> & { readonly calls?: readonly SyscallDescriptor[] };

/** The doorbell's only word. */
export const DOORBELL_WORD = 0;

export function serveDomains(thread: ThreadBootData): never {
  const doorbell = new Int32Array(thread.doorbell);
  let calls: readonly SyscallDescriptor[] = [];
  for (;;) {
    const boot = nextDomainBoot(thread.port, doorbell);
    calls = boot.calls ?? calls;
    runUserDomainThread({ ...boot, calls }, thread.port);
  }
}

/**
 * Sleeps until a domain boot is on the port. Anything else there is what an earlier domain left
 * unread (an instantiation request it never reached) and is dropped: it must not reach the next.
 */
function nextDomainBoot(port: MessagePort, doorbell: Int32Array): DomainBootMessage {
  for (;;) {
    // Read before looking at the port: a boot posted after the look bumps the word, so the wait returns.
    const rung = Atomics.load(doorbell, DOORBELL_WORD);
    const { receiveMessageOnPort } = workerThreads();
    for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
      const message = received.message as { readonly kind?: unknown } | null;
      if (message?.kind === "domain-boot") return message as DomainBootMessage;
    }
    Atomics.wait(doorbell, DOORBELL_WORD, rung);
  }
}
