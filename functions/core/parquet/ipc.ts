import { RecordBatchStreamWriter, type Schema, Table } from "apache-arrow";

/**
 * A minimal Arrow IPC stream writer for our own column buffers. apache-arrow's writer spends most of a
 * batch's time copying: with ~1,100 mostly-null columns a batch of 8k rows is ~44 MB of IPC, nearly all
 * zeros. Here the message body is one freshly allocated (hence zero-filled) buffer: a column without a
 * value costs no copy at all, and the other buffers are copied once. The schema message comes from
 * apache-arrow once per schema. Format: https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc
 */
export class IpcBatchSink {
  /** (length, null_count) per field, depth-first, as the RecordBatch message lists them. */
  private readonly nodes: number[] = [];
  /** Per buffer: a view to copy, or a byte count that stays zero. */
  private readonly buffers: (Uint8Array | number)[] = [];

  node(length: number, nullCount: number): void {
    this.nodes.push(length, nullCount);
  }

  buffer(view: ArrayBufferView): void {
    this.buffers.push(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  zeros(bytes: number): void {
    this.buffers.push(bytes);
  }

  /**
   * The complete IPC stream (schema message, this record batch, end-of-stream marker). With `reuse`
   * (a previous result that the caller is done with) the bytes are written into it when they fit:
   * allocating ~10 MB per batch kept the garbage collector busy.
   */
  toStream(schemaMessage: Uint8Array, length: number, reuse?: Uint8Array): Uint8Array {
    const nodeCount = this.nodes.length / 2;
    const bufferCount = this.buffers.length;
    const layout: number[] = [];
    let bodyLength = 0;
    for (const b of this.buffers) {
      const size = typeof b === "number" ? b : b.byteLength;
      layout.push(bodyLength, size);
      bodyLength += pad8(size);
    }
    // Flatbuffer Message{version V5, header RecordBatch{length, nodes, buffers}, bodyLength}, laid out
    // front to back: every offset points forward, 8-byte fields and struct vectors 8-aligned.
    const nodesAt = 76;
    const buffersCountAt = nodesAt + 4 + 16 * nodeCount + 4;
    const metaLength = pad8(buffersCountAt + 4 + 16 * bufferCount);
    const total = schemaMessage.length + 8 + metaLength + bodyLength + 8;
    let out: Uint8Array;
    if (reuse && reuse.buffer.byteLength >= total) {
      out = new Uint8Array(reuse.buffer, 0, total);
      out.fill(0, schemaMessage.length);
    } else {
      out = new Uint8Array(total);
    }
    out.set(schemaMessage, 0);
    const base = schemaMessage.length;
    const view = new DataView(out.buffer, out.byteOffset, total);
    view.setUint32(base, 0xffffffff, true);
    view.setInt32(base + 4, metaLength, true);
    const fb = base + 8;
    const u16 = (at: number, v: number) => view.setUint16(fb + at, v, true);
    const u32 = (at: number, v: number) => view.setUint32(fb + at, v, true);
    const i64 = (at: number, v: number) => view.setBigInt64(fb + at, BigInt(v), true);
    u32(0, 16); // root: Message table
    // Message vtable at 4: size 12, table size 24, version@16, header_type@18, header@4, bodyLength@8
    u16(4, 12);
    u16(6, 24);
    u16(8, 16);
    u16(10, 18);
    u16(12, 4);
    u16(14, 8);
    view.setInt32(fb + 16, 16 - 4, true);
    u32(20, 56 - 20);
    i64(24, bodyLength);
    view.setInt16(fb + 32, 4, true); // MetadataVersion.V5
    out[fb + 34] = 3; // MessageHeader.RecordBatch
    // RecordBatch vtable at 40: size 10, table size 20, length@8, nodes@4, buffers@16
    u16(40, 10);
    u16(42, 20);
    u16(44, 8);
    u16(46, 4);
    u16(48, 16);
    view.setInt32(fb + 56, 56 - 40, true);
    u32(60, nodesAt - 60);
    i64(64, length);
    u32(72, buffersCountAt - 72);
    u32(nodesAt, nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      i64(nodesAt + 4 + 16 * i, this.nodes[2 * i] as number);
      i64(nodesAt + 12 + 16 * i, this.nodes[2 * i + 1] as number);
    }
    u32(buffersCountAt, bufferCount);
    for (let i = 0; i < bufferCount; i++) {
      i64(buffersCountAt + 4 + 16 * i, layout[2 * i] as number);
      i64(buffersCountAt + 12 + 16 * i, layout[2 * i + 1] as number);
    }
    const body = fb + metaLength;
    for (let i = 0; i < bufferCount; i++) {
      const b = this.buffers[i];
      if (typeof b !== "number" && b !== undefined && b.byteLength > 0)
        out.set(b, body + (layout[2 * i] as number));
    }
    view.setUint32(total - 8, 0xffffffff, true); // end of stream: continuation + 0 length
    return out;
  }
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** The encapsulated schema message of an Arrow schema (an empty table's IPC stream minus its end marker). */
export function schemaMessage(schema: Schema): Uint8Array {
  const stream = RecordBatchStreamWriter.writeAll(new Table(schema)).toUint8Array(true);
  return stream.subarray(0, stream.length - 8);
}
