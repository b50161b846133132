// The plan the code walk hands to the rewriter: where fuel is charged and at what cost, which
// calls must hand the counter over, and which immediates change.
//
// Edits are flat records of EDIT_STRIDE numbers, (byte offset, kind, value, extra), in
// ascending byte offset within each body; records at the same offset apply in plan order.
// `value` is the number of input bytes the edit replaces (0 when it only inserts), except for
// the charges, where it is the cost.
//
// The rewritten function keeps its fuel in a parameter (rewrite/fuel.ts says why and how):
// every edit below exists to keep that one local the true count.

/** Numbers per edit record. */
export const EDIT_STRIDE = 4;

/**
 * The charge of `value` units at a function entry, just after the local declarations (which
 * the rewriter re-declares: see CodePlan.movedLocalOffsets). The two wrapping blocks open here.
 */
export const EDIT_FUEL_ENTRY = 0;
/** `call f` (value: its byte length; extra: f): passes the counter to a defined f, or flushes around an import. */
export const EDIT_CALL = 1;
/**
 * A bulk memory or table instruction, whose work grows with its length operand: `value` is its
 * byte length; `extra` is set by the rewriter's planBulkHelpers to the helper that replaces it.
 */
export const EDIT_BULK = 2;
/** `ref.func f` (value: its byte length; extra: f): a reference names f's entry wrapper. */
export const EDIT_REF_FUNC = 3;
/**
 * The final `end` of a function: before it the two wrapping blocks close, the counter is
 * returned, and the exhaustion path flushes and calls `exhausted`.
 */
export const EDIT_FUEL_EXIT = 4;
/**
 * The charge of `value` units at a loop header. Its check branches out to the exhaustion block,
 * `extra` being that block's label as seen from the header, rather than calling `exhausted`
 * in place: V8 neither unrolls nor peels a loop with a call in it.
 */
export const EDIT_FUEL_LOOP = 5;
/** `return`: the counter is pushed as the last result (inserts; value 0). */
export const EDIT_RETURN = 6;
/** `return_call f` (value: its byte length; extra: f). */
export const EDIT_RETURN_CALL = 7;
/**
 * `call_indirect` or `return_call_indirect` (value: its byte length; extra: its opcode). When
 * the tables hold rewritten functions, the counter is passed as for `call` (and the type
 * immediate names the rewritten type); when they hold entry wrappers, it is flushed and reloaded.
 */
export const EDIT_CALL_INDIRECT = 8;

export interface CodePlan {
  /** Edit records, EDIT_STRIDE numbers each (offsets, costs and labels all fit in 32 bits). */
  readonly edits: Int32Array;
  /** Per body: the index of its first edit number, and one final entry past the last. */
  readonly bodyEditStarts: number[];
  instructions: number;
  fuelPoints: number;
  /**
   * Byte offsets of the index immediates of `local.get/set/tee` naming a function's first
   * declared local: the counter parameter takes that index, so the local moves to the end of
   * the locals and these immediates change. Kept apart from `edits`, one number each: they are
   * most of the plan (nine in ten edits of generated code), and at four numbers each writing and
   * reading them cost more than the rest of the rewrite.
   */
  readonly movedLocalOffsets: Int32Array;
  /** Per body: the index of its first moved-local offset, and one final entry past the last. */
  readonly bodyMovedLocalStarts: number[];
  /** Index in `edits` of every EDIT_BULK record: they are rare, and the rewriter looks only at them. */
  readonly bulkEdits: number[];
  /** The largest single charge planned: how far past zero the counter can go before a check stops it. */
  largestCharge: number;
}
