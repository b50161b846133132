// A block device: fixed-size blocks read and written whole, completions delivered to a client.

export interface BlockClient {
  readCompleted(blockIndex: number, data: Uint8Array | null, error?: Error): void;
  writeCompleted(blockIndex: number, error?: Error): void;
}

export interface BlockDevice {
  readonly blockSize: number;
  readonly blockCount: number;
  read(blockIndex: number, client: BlockClient): void;
  write(blockIndex: number, data: Uint8Array, client: BlockClient): void;
}
