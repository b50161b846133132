// Network limits, one per line, each with the reason it exists (docs/files-and-sockets.md).

/**
 * Bytes a connection holds received and not yet read by its process. At the limit the kernel
 * stops reading from the host (the peer's window fills and its sends wait): a flooding peer
 * costs the kernel this much per connection, plus at most one host read (64 KiB) in flight.
 */
export const MAX_SOCKET_RECEIVE_BYTES = 64 * 1024;
/**
 * Bytes a connection holds sent and not yet taken by the host. A send past it is short, or
 * answers wouldBlock when nothing fits: a peer that never reads cannot make the kernel buffer
 * without end.
 */
export const MAX_SOCKET_SEND_BYTES = 64 * 1024;
/** Sockets one process may hold at once: each is a host descriptor and up to two buffers. */
export const MAX_SOCKETS_PER_PROCESS = 256;
/**
 * Connections a listener holds arrived and not yet accepted. Past it a new connection is closed
 * as it arrives (and counted): a connection flood costs a slow server nothing more.
 */
export const MAX_PENDING_ACCEPTS = 64;
/** Largest UDP payload: what fits one IPv4 datagram (65535 − 8 UDP − 20 IP header bytes). */
export const MAX_DATAGRAM_BYTES = 65507;
/** Bytes of datagrams a UDP socket holds unread; past it arrivals are dropped (counted), as UDP may. */
export const MAX_DATAGRAM_QUEUE_BYTES = 256 * 1024;
