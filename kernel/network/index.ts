// Sockets as capabilities (docs/files-and-sockets.md): TCP listeners and connections and UDP
// sockets over the HAL's network device, with bounded buffers and readiness events.
export { NetworkService, socketOf, socketCount, holdSocket, checkAddress } from "./network-service.js";
export { NetworkRules, LOOPBACK_ONLY } from "./address-rules.js";
export { KernelSocket, openSockets } from "./socket.js";
export { StreamSocket } from "./stream-socket.js";
export { ListenerSocket } from "./listener-socket.js";
export { DatagramSocket } from "./datagram-socket.js";
export { MessageTooLongError, AddressNotAvailableError } from "./errors.js";
export * as networkLimits from "./limits.js";
