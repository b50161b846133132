// Name-service calls (kernel/channels/name-service.ts): publish a service, connect to one.
import { ErrorCode } from "../../runtime/abi/index.js";
import { requireService } from "../channels/index.js";
import { NotImplementedError } from "../errors.js";
import type { CallContext } from "../syscalls/context.js";
import { contractNamed } from "./channel-calls.js";

function nameService(context: CallContext) {
  const names = context.services.names;
  if (!names) throw new NotImplementedError("this kernel has no name service");
  return names;
}

export function namePublish(context: CallContext, name: string, contractName: string): number {
  const services = context.process.services;
  requireService(services.provides, services.allowed, name, "names.publish", "provides");
  return nameService(context).publish(context.process.capabilities, name, contractNamed(context, contractName));
}

export function nameConnect(context: CallContext, name: string): number {
  const services = context.process.services;
  requireService(services.uses, services.allowed, name, "names.connect", "uses");
  const client = nameService(context).connect(context.process.capabilities, name);
  return client === false ? -ErrorCode.wouldBlock : client;
}
