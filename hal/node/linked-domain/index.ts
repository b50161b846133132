// Linked domains: several module instances of one process in one worker isolate, with upcalls
// from the kernel and kernel jumps into it over one crossing channel.
export { NodeLinkedDomain } from "./node-linked-domain.js";
export { Channel, CHANNEL_VALUE_SLOTS } from "./channel.js";
