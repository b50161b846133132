// Network addresses at the ABI: the rules a manifest's `network` field and the system policy
// write ("127.0.0.1:1024-65535"), and the header `sockets.receive-from` puts before a datagram.
import { isIP } from "node:net";

/** What a process may do at an address: listen there (and bind UDP), or connect (and send UDP) to it. */
export type NetworkDirection = "listen" | "connect";
export const NETWORK_DIRECTIONS: readonly NetworkDirection[] = ["listen", "connect"];

/** A manifest's (or a principal's) `network` field: address rules per direction. */
export interface NetworkDeclaration {
  readonly listen?: readonly string[];
  readonly connect?: readonly string[];
}

/** Loopback only: what a process may use when its manifest or its principal's policy says nothing. */
export const LOOPBACK_RULES: readonly string[] = ["127.0.0.1:*", "[::1]:*"];

export interface AddressRule {
  /** An IP literal, or "*" for any. */
  readonly address: string;
  readonly lowPort: number;
  readonly highPort: number;
}

const HIGHEST_PORT = 65535;
/** Ports the host may pick for a listen at port 0: a rule must allow all of them to allow port 0. */
export const HOST_CHOSEN_PORTS = { low: 1024, high: HIGHEST_PORT } as const;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= HIGHEST_PORT ? port : undefined;
}

/**
 * Reads "ADDRESS:PORTS": ADDRESS an IPv4 literal, an IPv6 literal in brackets, or `*`; PORTS a
 * port, `LOW-HIGH`, or `*`. Returns the rule or a problem in words.
 */
export function parseAddressRule(text: string): AddressRule | string {
  const split = text.lastIndexOf(":");
  if (split <= 0) return `'${text}' is not ADDRESS:PORTS`;
  let address = text.slice(0, split);
  const ports = text.slice(split + 1);
  if (address.startsWith("[") && address.endsWith("]")) {
    address = address.slice(1, -1);
    if (isIP(address) !== 6) return `'${text}' has '${address}' in brackets, which is not an IPv6 address`;
  } else if (address !== "*" && isIP(address) !== 4) {
    return `'${text}' has address '${address}': expected an IPv4 address, [an IPv6 address] or *`;
  }
  if (ports === "*") return { address, lowPort: 1, highPort: HIGHEST_PORT };
  const range = ports.split("-");
  const low = parsePort(range[0]!);
  const high = range.length === 2 ? parsePort(range[1]!) : range.length === 1 ? low : undefined;
  if (low === undefined || high === undefined || high < low) return `'${text}' has ports '${ports}': expected a port, LOW-HIGH within 1..${HIGHEST_PORT}, or *`;
  return { address, lowPort: low, highPort: high };
}

/** Problems of a `network` field, for the manifest validator and the policy reader. */
export function networkDeclarationProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "must be an object with 'listen' and/or 'connect' lists";
  for (const [field, rules] of Object.entries(value)) {
    if (!(NETWORK_DIRECTIONS as readonly string[]).includes(field)) return `has unknown field '${field}' (known: ${NETWORK_DIRECTIONS.join(", ")})`;
    if (!Array.isArray(rules) || !rules.every((rule) => typeof rule === "string")) return `'${field}' must be a list of ADDRESS:PORTS rules`;
    for (const rule of rules as string[]) {
      const parsed = parseAddressRule(rule);
      if (typeof parsed === "string") return `'${field}': ${parsed}`;
    }
  }
  return undefined;
}

/**
 * `sockets.receive-from` writes this many bytes before the datagram: the source's family (4 or
 * 6, byte 0), a zero byte, its port (u16 little-endian, bytes 2–3) and its address (bytes 4–19:
 * an IPv4 address in 4–7 and zeros after, or the 16 bytes of an IPv6 address).
 */
export const DATAGRAM_HEADER_BYTES = 20;
