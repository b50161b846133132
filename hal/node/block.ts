// A block device in host memory: blocks live in one buffer, completions arrive on a later tick.
import type { BlockClient, BlockDevice } from "../hil/index.js";

export class BlockRangeError extends Error {
  constructor(readonly blockIndex: number, readonly blockCount: number) {
    super(`block ${blockIndex} is outside the device (${blockCount} blocks)`);
    this.name = "BlockRangeError";
  }
}

export class MemoryBlockDevice implements BlockDevice {
  private readonly storage: Uint8Array;

  constructor(readonly blockSize: number, readonly blockCount: number) {
    this.storage = new Uint8Array(blockSize * blockCount);
  }

  read(blockIndex: number, client: BlockClient): void {
    if (!this.inRange(blockIndex)) {
      queueMicrotask(() => client.readCompleted(blockIndex, null, new BlockRangeError(blockIndex, this.blockCount)));
      return;
    }
    const data = this.storage.slice(blockIndex * this.blockSize, (blockIndex + 1) * this.blockSize);
    queueMicrotask(() => client.readCompleted(blockIndex, data));
  }

  write(blockIndex: number, data: Uint8Array, client: BlockClient): void {
    if (!this.inRange(blockIndex)) {
      queueMicrotask(() => client.writeCompleted(blockIndex, new BlockRangeError(blockIndex, this.blockCount)));
      return;
    }
    this.storage.set(data.subarray(0, this.blockSize), blockIndex * this.blockSize);
    queueMicrotask(() => client.writeCompleted(blockIndex));
  }

  private inRange(blockIndex: number): boolean {
    return Number.isInteger(blockIndex) && blockIndex >= 0 && blockIndex < this.blockCount;
  }
}
