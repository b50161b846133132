// The plan the code walk hands to the rewriter: where fuel is charged and at what cost, which
// immediates move, and where a function is wrapped so its loops can leave on exhaustion.
//
// Edits are flat records of EDIT_STRIDE numbers, (byte offset, kind, value, extra), in
// ascending byte offset within each body; records at the same offset apply in plan order.

/** Numbers per edit record. */
export const EDIT_STRIDE = 4;

/**
 * The charge of `value` units at a function entry; its check calls `exhausted` in place.
 * `extra` is 1 when the function is wrapped (a `block` follows the charge, see EDIT_FUEL_EXIT).
 */
export const EDIT_FUEL_ENTRY = 0;
/** A function index immediate to renumber: `value` is its byte length, `extra` the index. */
export const EDIT_FUNCTION_INDEX = 1;
/**
 * A bulk memory or table instruction, whose work grows with its length operand: `value` is its
 * byte length; `extra` is set by the rewriter's planBulkHelpers to the helper that replaces it.
 */
export const EDIT_BULK = 2;
/**
 * A branch label that names the function in a wrapped function: the wrapping block now sits
 * between, so the label grows by one. `value` is its byte length, `extra` the new label.
 */
export const EDIT_BRANCH_LABEL = 3;
/**
 * The final `end` of a wrapped function: before it go `return`, the wrapping block's `end`,
 * and the exhausted call that the loop checks branch to.
 */
export const EDIT_FUEL_EXIT = 4;
/**
 * The charge of `value` units at a loop header. Its check branches out to the wrapping block,
 * `extra` being that block's label as seen from the header, rather than calling `exhausted`
 * in place: V8 neither unrolls nor peels a loop with a call in it, which made a tight inner
 * loop 40% slower, and a branch out of the loop does not stop either.
 */
export const EDIT_FUEL_LOOP = 5;

export interface CodePlan {
  /** Edit records, EDIT_STRIDE numbers each (offsets, costs and labels all fit in 32 bits). */
  readonly edits: Int32Array;
  /** Per body: the index of its first edit number, and one final entry past the last. */
  readonly bodyEditStarts: number[];
  instructions: number;
  fuelPoints: number;
}
