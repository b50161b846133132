// Channel contracts, compiled from a manifest's declaration (runtime/abi/manifest.ts) into the
// tables a send is checked against: which side sends each message, and where each message leads
// from each state. A send the contract does not allow is refused to the sender; the peer never
// sees it.
import type { ChannelSide, ContractDeclaration } from "../../runtime/abi/index.js";

export class Contract {
  /** Message names in ABI order: message n is `messages[n]`. */
  readonly messages: readonly string[];
  readonly senders: readonly ChannelSide[];
  readonly stateNames: readonly string[];
  readonly initial: number;
  /** transitions[state][message] = next state, or -1 where the message may not be sent. */
  private readonly transitions: Int32Array[];

  constructor(readonly name: string, declaration: ContractDeclaration) {
    this.messages = Object.keys(declaration.messages);
    this.senders = this.messages.map((message) => declaration.messages[message]!);
    this.stateNames = Object.keys(declaration.states);
    this.initial = this.stateNames.indexOf(declaration.initial);
    this.transitions = this.stateNames.map((state) => {
      const row = new Int32Array(this.messages.length).fill(-1);
      for (const [message, next] of Object.entries(declaration.states[state]!)) row[this.messages.indexOf(message)] = this.stateNames.indexOf(next);
      return row;
    });
  }

  /** The state `message` sent by `side` leads to from `state`, or a reason it may not be sent. */
  next(state: number, side: ChannelSide, message: number): number | string {
    if (!Number.isInteger(message) || message < 0 || message >= this.messages.length) {
      return `message ${message} is not one of contract '${this.name}''s ${this.messages.length} messages`;
    }
    const name = this.messages[message]!;
    if (this.senders[message] !== side) return `'${name}' is the ${this.senders[message]}'s to send, not the ${side}'s`;
    const next = this.transitions[state]![message]!;
    if (next < 0) return `'${name}' may not be sent in state '${this.stateNames[state]}' of contract '${this.name}'`;
    return next;
  }
}

/** The contracts a process's modules declare, by name; one name may not mean two contracts. */
export function compileContracts(declarations: readonly (Readonly<Record<string, ContractDeclaration>> | undefined)[]): ReadonlyMap<string, Contract> {
  const contracts = new Map<string, Contract>();
  const seen = new Map<string, string>();
  for (const declared of declarations) {
    for (const [name, declaration] of Object.entries(declared ?? {})) {
      const text = JSON.stringify(declaration);
      const earlier = seen.get(name);
      if (earlier !== undefined && earlier !== text) throw new Error(`contract '${name}' is declared twice, differently`);
      if (earlier === undefined) {
        seen.set(name, text);
        contracts.set(name, new Contract(name, declaration));
      }
    }
  }
  return contracts;
}
