// Errors of the WIT toolchain: they carry the line so a person can fix the ABI source.
export class WitSyntaxError extends Error {
  constructor(readonly detail: string, readonly line: number) {
    super(`singlet.wit:${line}: ${detail}`);
    this.name = "WitSyntaxError";
  }
}
