// A deterministic random source for tests: the same seed gives the same bytes on every run.

export class SeededRandom {
  private state: number;

  constructor(seed = 0x9e3779b9) {
    this.state = seed >>> 0 || 1;
  }

  fill(bytes: Uint8Array): void {
    // xorshift32: fast, and its sequence is fixed by the seed, which is all a test asks of it.
    let state = this.state;
    for (let index = 0; index < bytes.length; index++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[index] = state & 0xff;
    }
    this.state = state >>> 0;
  }
}
