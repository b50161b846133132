// The exchange heap (Singularity's): blocks of bytes the kernel holds outside every process's
// linear memory, each owned by exactly one process through exactly one handle. Sending a block
// moves its handle (CapabilityTable.transfer), never its bytes; the owner reads and writes it by
// copy. A process's blocks count against its `exchangeBytes` limit and are freed when it ends.
import { CapabilityKind, Rights, type CapabilityObject, type CapabilityTable } from "../capabilities/index.js";
import { InvalidArgumentError, ResourceLimitError } from "../errors.js";
import { MAX_BLOCK_BYTES, MAX_BLOCK_COPY_BYTES } from "../params.js";

/** What one process owns of the exchange heap, against its limit. */
export class ExchangeAccount {
  private used = 0;
  private blockCount = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  get blocks(): number {
    return this.blockCount;
  }

  charge(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      throw new ResourceLimitError(`${what}: ${bytes} more exchange-heap bytes would make ${this.used + bytes} (limit ${this.limit})`);
    }
    this.used += bytes;
    this.blockCount++;
  }

  release(bytes: number): void {
    this.used -= bytes;
    this.blockCount--;
  }
}

/** Each process's account, found by its capability table: a block moving between tables moves its charge. */
const accounts = new WeakMap<CapabilityTable, ExchangeAccount>();

export function openExchangeAccount(table: CapabilityTable, limit: number): ExchangeAccount {
  const account = new ExchangeAccount(limit);
  accounts.set(table, account);
  return account;
}

export interface Block {
  readonly bytes: Uint8Array;
  owner: ExchangeAccount;
  freed: boolean;
}

/** A new zero-filled block charged to `table`'s process; returns its one handle. */
export function createBlock(table: CapabilityTable, size: number): number {
  if (!Number.isInteger(size) || size <= 0 || size > MAX_BLOCK_BYTES) {
    throw new InvalidArgumentError(`blocks.create: size ${size} is outside 1..${MAX_BLOCK_BYTES} bytes`);
  }
  const owner = accounts.get(table);
  if (!owner) throw new InvalidArgumentError("blocks.create: the caller has no exchange-heap account");
  owner.charge(size, "blocks.create");
  const block: Block = { bytes: new Uint8Array(size), owner, freed: false };
  const object: CapabilityObject = {
    kind: CapabilityKind.block, target: block, revoked: false, exclusive: true,
    close: () => {
      if (block.freed) return;
      block.freed = true;
      block.owner.release(size);
    },
    moving: (destination) => {
      const receiver = accounts.get(destination);
      if (!receiver) throw new InvalidArgumentError("the receiver has no exchange-heap account");
      // Back to its own owner (a channel with both ends in one process): charged already, and
      // charging it again first would refuse a block over half the quota.
      if (receiver === block.owner) return;
      receiver.charge(size, "sending a block");
      block.owner.release(size);
      block.owner = receiver;
    },
  };
  // A full table releases the new grant again, and with it the charge (close).
  return table.insert({ object, rights: Rights.read | Rights.write | Rights.grant });
}

export function blockOf(table: CapabilityTable, handle: number, rights: number): Block {
  return table.lookup(handle, CapabilityKind.block, rights).object.target as Block;
}

/** Checks that [offset, offset + length) lies in the block and is no longer than one copy may be. */
export function checkBlockRange(block: Block, offset: number, length: number, call: string): void {
  if (length > MAX_BLOCK_COPY_BYTES) throw new InvalidArgumentError(`${call}: ${length} bytes in one copy (limit ${MAX_BLOCK_COPY_BYTES})`);
  if (offset + length > block.bytes.byteLength) {
    throw new InvalidArgumentError(`${call}: bytes ${offset}..${offset + length} are outside the block of ${block.bytes.byteLength}`);
  }
}
