// The exchange heap: blocks owned by one process at a time, moved without copying.
export { ExchangeAccount, openExchangeAccount, createBlock, blockOf, checkBlockRange, type Block } from "./exchange-heap.js";
