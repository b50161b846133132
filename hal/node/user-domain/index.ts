// User domains: the worker-backed domain, its thread, the trap page and both halves of a
// crossing. The simulated CPU reuses the memory setup, trap stubs and trap service from here.
export { NodeUserDomain, type UserDomainTuning } from "./node-user-domain.js";
export { WorkerPool } from "./worker-pool.js";
export { setUpDomainMemory, type DomainMemory } from "./domain-memory.js";
export { DomainUnwind, buildTrapImports, observeMemory, type StubContext } from "./trap-stubs.js";
export { Channel, ChannelWord, CHANNEL_VALUE_SLOTS } from "./channel.js";
export { runModule, type ModuleRunSpec, type RunningModule } from "./run-module.js";
export { TrapService } from "./trap-service.js";
export { summarizeInstances, type InstanceCounters, type InstanceSummary } from "./instance-stats.js";
export { TrapPage, TrapWord, OutcomeCode, trapPageGeometry, type TrapPageGeometry } from "./trap-page.js";
export type { WorkerFault } from "./messages.js";
export { initialSpinState, nextSpinState, type SpinState } from "./spin-budget.js";
export { KernelPollWindow, WakePollBackoff } from "./wake-poll.js";
