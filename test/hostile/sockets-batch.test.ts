// Linked batch entries on real sockets (runtime/wit/singlet.wit, interface batch): a receive and the
// send of what it received in one kernel entry, and the hostile forms: forged handles in a chain, a
// chain whose first entry fails or has nothing to pass on, a forged handle the chain itself makes,
// and counts past the ring.
import { expect } from "chai";
import type { Socket } from "node:net";
import { ErrorCode, Syscall } from "../../runtime/abi/index.js";
import { entry, linked, narrowEntry, resultOf, ring, statusesOf } from "../helpers/batch-ring.js";
import { eventually } from "../helpers/event-kernel.js";
import { acceptedConnection, callingProcess, closeSocketKernels, socketKernel, type CallingProcess } from "../helpers/socket-kernel.js";

const FORGED = 0x1234_5678 & 0x7fff_ffff;
const BLOCK_BYTES = 64;
/** sockets.send-block's length: the argument a linked send takes the receive's count as. */
const LENGTH_ARGUMENT = 3;

/** [receive into the block, send from it what came]: the echo an echo server batches. */
function receiveThenSend(socket: number, block: number, sendSocket = socket, sendBlock = block): Uint8Array {
  return ring(
    narrowEntry(Syscall.socketsReceive, socket, block, 0, BLOCK_BYTES),
    narrowEntry(linked(Syscall.socketsSendBlock, LENGTH_ARGUMENT), sendSocket, sendBlock, 0, 0),
  );
}

function submit(caller: CallingProcess, entries: Uint8Array, count = entries.byteLength / 40): number {
  return caller.call("batch.submit", entries, count);
}

/** Everything the client reads until `bytes` have come. */
function readFrom(client: Socket, bytes: number): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (data: Buffer) => {
      text += data.toString();
      if (text.length < bytes) return;
      client.off("data", onData);
      resolve(text);
    };
    client.on("data", onData);
  });
}

describe("hostile: linked batches on sockets", function () {
  this.timeout(30_000);
  afterEach(closeSocketKernels);

  for (const domain of ["kernel", "user"] as const) {
    describe(`in the ${domain} domain`, () => {
      let caller: CallingProcess;
      let connection: number;
      let client: Socket;
      let block: number;

      beforeEach(async () => {
        caller = callingProcess(socketKernel(), { domain });
        ({ handle: connection, client } = await acceptedConnection(caller));
        block = caller.block(BLOCK_BYTES);
      });

      /** The client sends `text` and the kernel has it buffered for the connection. */
      async function arrives(text: string): Promise<void> {
        client.write(text);
        await eventually(() => (caller.process.capabilities.lookup(connection).object.target as { buffered: number }).buffered === text.length, "the bytes to arrive");
      }

      it("echoes what a receive took with the send linked to it, its count as the send's length", async () => {
        await arrives("hello");
        const echoed = readFrom(client, 5);
        const entries = receiveThenSend(connection, block);
        expect(submit(caller, entries)).to.equal(2);
        expect(statusesOf(entries)).to.deep.equal([0, 0]);
        expect([resultOf(entries, 0), resultOf(entries, 1)]).to.deep.equal([5n, 5n]);
        expect(await echoed).to.equal("hello");
      });

      it("cancels the send when the receive names a forged socket, and sends nothing", async () => {
        await arrives("kept");
        const entries = receiveThenSend(FORGED, block, connection);
        expect(submit(caller, entries)).to.equal(2);
        expect([statusesOf(entries), resultOf(entries, 0)]).to.deep.equal([[0, -ErrorCode.canceled], BigInt(-ErrorCode.badHandle)]);
        // The bytes are still there for an honest echo, and only they come back.
        const echoed = readFrom(client, 4);
        expect(submit(caller, receiveThenSend(connection, block))).to.equal(2);
        expect(await echoed).to.equal("kept");
      });

      it("cancels the send when the receive names a forged block", async () => {
        await arrives("x");
        const entries = receiveThenSend(connection, FORGED);
        submit(caller, entries);
        expect([statusesOf(entries), resultOf(entries, 0)]).to.deep.equal([[0, -ErrorCode.canceled], BigInt(-ErrorCode.badHandle)]);
      });

      it("cancels the send when nothing has arrived (the receive would block)", () => {
        const entries = receiveThenSend(connection, block);
        submit(caller, entries);
        expect([statusesOf(entries), resultOf(entries, 0)]).to.deep.equal([[0, -ErrorCode.canceled], BigInt(-ErrorCode.wouldBlock)]);
      });

      it("refuses the linked send's forged block after the receive took the bytes", async () => {
        await arrives("gone");
        const entries = receiveThenSend(connection, block, connection, FORGED);
        submit(caller, entries);
        expect(statusesOf(entries)).to.deep.equal([0, 0]);
        expect([resultOf(entries, 0), resultOf(entries, 1)]).to.deep.equal([4n, BigInt(-ErrorCode.badHandle)]);
      });

      it("refuses a handle the chain forges from a result (a block's size passed on as a socket)", () => {
        const entries = ring(entry(Syscall.blocksSize, BigInt(block)), entry(linked(Syscall.socketsClose, 0)));
        submit(caller, entries);
        expect(statusesOf(entries)).to.deep.equal([0, 0]);
        expect([resultOf(entries, 0), resultOf(entries, 1)]).to.deep.equal([BigInt(BLOCK_BYTES), BigInt(-ErrorCode.badHandle)]);
        expect(caller.call("sockets.close", connection)).to.equal(0);
      });

      for (const [name, count] of [["257 entries, one past the ring", 257], ["2^32 - 1 entries", 0xffff_ffff], ["more entries than the ring holds", 3]] as const) {
        it(`refuses a batch of ${name} as an invalid argument, running none`, async () => {
          await arrives("y");
          const entries = receiveThenSend(connection, block);
          expect(submit(caller, entries, count)).to.equal(-ErrorCode.invalidArgument);
          expect(statusesOf(entries)).to.deep.equal([0, 0]);
          expect(resultOf(entries, 0)).to.equal(0n);
        });
      }
    });
  }
});
