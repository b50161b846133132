// The decoded shape of a module: what the checks read and the rewriter renumbers.
// Only what the verifier needs is decoded; code bodies stay byte ranges until walked.

export type ValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export type ExternalKind = "function" | "table" | "memory" | "global" | "tag";

export interface FunctionType {
  readonly parameters: readonly ValueType[];
  readonly results: readonly ValueType[];
}

export interface Limits {
  readonly minimum: number;
  readonly maximum: number | undefined;
}

export interface ImportEntry {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternalKind;
  /** Function imports: the index of their type. */
  readonly typeIndex: number;
  readonly byteOffset: number;
}

export interface MemoryEntry extends Limits {
  readonly shared: boolean;
  readonly imported: boolean;
  readonly byteOffset: number;
}

export interface TableEntry extends Limits {
  readonly elementType: ValueType;
  readonly imported: boolean;
  readonly byteOffset: number;
}

export interface GlobalEntry {
  readonly type: ValueType;
  readonly mutable: boolean;
  readonly imported: boolean;
  readonly byteOffset: number;
}

export interface ExportEntry {
  readonly name: string;
  readonly kind: ExternalKind;
  readonly index: number;
  readonly byteOffset: number;
}

export interface FunctionBody {
  /** Index in the function index space (imports first). */
  readonly functionIndex: number;
  /** Offset of the body's size field: where the function starts in the binary. */
  readonly byteOffset: number;
  /** First byte after the size field (the local declarations). */
  readonly start: number;
  readonly end: number;
}

export interface SectionRange {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
  /** Custom sections only. */
  readonly name?: string;
}

export interface DecodedModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly sections: SectionRange[];
  readonly types: FunctionType[];
  readonly imports: ImportEntry[];
  /** Type index of every function, imported ones first. */
  readonly functionTypes: number[];
  readonly importedFunctionCount: number;
  readonly tables: TableEntry[];
  readonly memories: MemoryEntry[];
  readonly globals: GlobalEntry[];
  readonly exports: ExportEntry[];
  startFunction: number | undefined;
  elementSegmentCount: number;
  dataSegmentCount: number;
  dataBytes: number;
  tagCount: number;
  readonly bodies: FunctionBody[];
  readonly customSections: SectionRange[];
}

export const SECTION = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7,
  start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13,
} as const;

export function functionTypeToString(type: FunctionType): string {
  return `(${type.parameters.join(", ")}) -> (${type.results.join(", ")})`;
}

export function sameFunctionType(type: FunctionType, parameters: readonly string[], results: readonly string[]): boolean {
  return type.parameters.length === parameters.length && type.results.length === results.length
    && type.parameters.every((value, index) => value === parameters[index])
    && type.results.every((value, index) => value === results[index]);
}
