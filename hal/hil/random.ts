// A random-number device: fills bytes from the host's cryptographic generator.

export interface RandomSource {
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): void;
}
