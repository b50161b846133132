// Events, timers and the scheduler (docs/process-model.md).
export { NO_EVENT, ProcessEvents, type EventSource, type EventStatistics, type MessageReceipt, type PendingEvent } from "./process-events.js";
export { KernelTimer, TimerService } from "./timers.js";
export { Scheduler, type Deliver } from "./scheduler.js";
export { frontWorthReclaiming, moveToFront } from "./queue-front.js";
