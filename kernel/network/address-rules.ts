// Which addresses and ports a process's sockets may use: what its manifest's `network` field
// allows and its principal's policy allows, both (loopback only where either says nothing).
import { HOST_CHOSEN_PORTS, LOOPBACK_RULES, parseAddressRule, type AddressRule, type NetworkDeclaration, type NetworkDirection } from "../../runtime/abi/index.js";

function compile(rules: readonly string[] | undefined): readonly AddressRule[] {
  // Checked already (manifest validator, policy reader): an unreadable rule allows nothing.
  return (rules ?? LOOPBACK_RULES).map(parseAddressRule).filter((rule): rule is AddressRule => typeof rule !== "string");
}

function allows(rules: readonly AddressRule[], address: string, port: number): boolean {
  return rules.some((rule) => (rule.address === "*" || rule.address === address)
    && (port === 0 ? rule.lowPort <= HOST_CHOSEN_PORTS.low && rule.highPort >= HOST_CHOSEN_PORTS.high : rule.lowPort <= port && port <= rule.highPort));
}

type CompiledRules = Readonly<Record<NetworkDirection, readonly AddressRule[]>>;

export class NetworkRules {
  // Read at a process's first socket call, not when it is made: most processes never open one,
  // and the first IPv6 check compiles Node's address pattern, about 3 ms of a cold `singlet run`
  // (docs/startup.md).
  private compiled: { readonly manifest: CompiledRules; readonly policy: CompiledRules } | undefined;

  /** `manifest`: the app's declaration (undefined: loopback); `policy`: the principal's (undefined: loopback). */
  constructor(private readonly manifest: NetworkDeclaration | undefined, private readonly policy: NetworkDeclaration | undefined) {}

  /** Whether both the manifest and the policy allow `address`:`port` (0: a port the host picks) for `direction`. */
  allows(direction: NetworkDirection, address: string, port: number): boolean {
    this.compiled ??= {
      manifest: { listen: compile(this.manifest?.listen), connect: compile(this.manifest?.connect) },
      policy: { listen: compile(this.policy?.listen), connect: compile(this.policy?.connect) },
    };
    return allows(this.compiled.manifest[direction], address, port) && allows(this.compiled.policy[direction], address, port);
  }
}

/** Loopback only, for processes made without a manifest's or a policy's word (tests, embedders). */
export const LOOPBACK_ONLY = new NetworkRules(undefined, undefined);
