// Channel calls (kernel/channels): create, send, receive, poll, watch, subscribe.
import { ErrorCode } from "../../runtime/abi/index.js";
import { createChannel, receiveMessage, sendMessage, watchEndpoint, type Contract } from "../channels/index.js";
import { KernelError } from "../errors.js";
import { chargeForWork, type CallContext } from "../syscalls/context.js";

class ContractNotFoundError extends KernelError {
  constructor(name: string) {
    super(`the process's manifests declare no contract '${name}'`, ErrorCode.notFound);
  }
}

/** The contract `name` of the caller's manifests; undefined for "" (no contract). */
export function contractNamed(context: CallContext, name: string): Contract | undefined {
  if (name === "") return undefined;
  const contract = context.process.contracts.get(name);
  if (!contract) throw new ContractNotFoundError(name);
  return contract;
}

/** Made once: a poll of an empty queue is the common answer of a draining loop. */
const WOULD_BLOCK = BigInt(-ErrorCode.wouldBlock);

export function channelCreate(context: CallContext, contractName: string): bigint {
  const [client, server] = createChannel(context.process.capabilities, contractNamed(context, contractName));
  return (BigInt(client) << 32n) | BigInt(server);
}

export function channelSend(context: CallContext, endpoint: number, message: number, attachment: number): number {
  chargeForWork(context, 0);
  // A full peer queue is answered with the code, not a thrown error: a flooding sender makes many.
  return sendMessage(context.process.capabilities, endpoint, message, attachment) ? 0 : -ErrorCode.wouldBlock;
}

export function channelReceive(context: CallContext, endpoint: number): bigint {
  chargeForWork(context, 0);
  return receiveMessage(context.process.capabilities, endpoint) ?? WOULD_BLOCK;
}

export function channelPoll(context: CallContext, endpoint: number): bigint {
  return channelReceive(context, endpoint);
}

export function channelWatch(context: CallContext, endpoint: number, tag: number): number {
  watchEndpoint(context.process.capabilities, endpoint, tag, context.process.events);
  return 0;
}

export function channelSubscribe(context: CallContext, endpoint: number, tag: number): number {
  watchEndpoint(context.process.capabilities, endpoint, tag, context.process.events, true);
  return 0;
}
