// The one syscall table: every call of the generated kernel ABI maps to its handler here. The
// mapped type makes a call added to the WIT without a handler a compile error.
import { syscallDescriptors, type SyscallName } from "../../runtime/abi/index.js";
import * as services from "../services/index.js";
import type { CallContext } from "./context.js";

// Handlers take lifted values (numbers, bigints, strings, bytes) after the context.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SyscallHandler = (context: CallContext, ...args: any[]) => unknown;

export const syscallTable: { readonly [Name in SyscallName]: SyscallHandler } = {
  "process.exit": services.exitProcess,
  "process.yield": services.yieldProcess,
  "process.id": services.processId,
  "process.arg-count": services.argumentCount,
  "process.arg-get": services.argumentGet,
  "process.abort": services.abortProcess,
  "console.write": services.consoleWrite,
  "console.write-error": services.consoleWriteError,
  "clock.now": services.clockNow,
  "clock.wall": services.clockWall,
  "capabilities.initial-count": services.initialCount,
  "capabilities.initial-get": services.initialGet,
  "capabilities.kind": services.capabilityKind,
  "capabilities.rights": services.capabilityRights,
  "capabilities.restrict": services.capabilityRestrict,
  "capabilities.drop": services.capabilityDrop,
  "capabilities.revoke": services.capabilityRevoke,
  "mode.current": services.currentMode,
  "batch.submit": services.batchSubmit,
  "batch.submit-and-wait": services.batchSubmitAndWait,
  "events.wait": services.eventsWait,
  "events.poll": services.eventsPoll,
  "timers.start": services.timerStart,
  "timers.cancel": services.timerCancel,
  "blocks.create": services.blockCreate,
  "blocks.size": services.blockSize,
  "blocks.write": services.blockWrite,
  "blocks.read": services.blockRead,
  "channels.create": services.channelCreate,
  "channels.send": services.channelSend,
  "channels.receive": services.channelReceive,
  "channels.poll": services.channelPoll,
  "channels.watch": services.channelWatch,
  "channels.subscribe": services.channelSubscribe,
  "names.publish": services.namePublish,
  "names.connect": services.nameConnect,
  "files.open": services.fileOpen,
  "files.close": services.fileClose,
  "files.read": services.fileRead,
  "files.write": services.fileWrite,
  "files.seek": services.fileSeek,
  "files.read-directory": services.fileReadDirectory,
  "files.list-directory": services.fileListDirectory,
  "files.stat": services.fileStat,
  "files.stat-link": services.fileStatLink,
  "files.mkdir": services.fileMkdir,
  "files.unlink": services.fileUnlink,
  "files.remove-directory": services.fileRemoveDirectory,
  "files.rename": services.fileRename,
  "sockets.listen": services.socketListen,
  "sockets.local-port": services.socketLocalPort,
  "sockets.accept": services.socketAccept,
  "sockets.connect": services.socketConnect,
  "sockets.send": services.socketSend,
  "sockets.send-block": services.socketSendBlock,
  "sockets.receive": services.socketReceive,
  "sockets.shutdown": services.socketShutdown,
  "sockets.close": services.socketClose,
  "sockets.watch": services.socketWatch,
  "sockets.bind-datagram": services.socketBindDatagram,
  "sockets.send-to": services.socketSendTo,
  "sockets.receive-from": services.socketReceiveFrom,
  "random.fill": services.randomFill,
};

/** Handlers indexed by syscall number, the order of the generated descriptor table. */
export const handlersByNumber: readonly SyscallHandler[] = syscallDescriptors.map(
  (descriptor) => syscallTable[descriptor.qualifiedName as SyscallName],
);
