// The Node random device: node:crypto's cryptographic generator.
import { randomFillSync } from "node:crypto";
import type { RandomSource } from "../hil/index.js";

export class NodeRandom implements RandomSource {
  fill(bytes: Uint8Array): void {
    randomFillSync(bytes);
  }
}
