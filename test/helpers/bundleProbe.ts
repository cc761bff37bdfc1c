// Built into the Lambda bundle by test/infra/bundle.test.ts with the handlers' esbuild options, to prove
// that parquet-wasm's Node build finds and instantiates its .wasm inside the bundle (the handlers load it
// the same way once Convert imports the Parquet writer).
import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import * as pq from "parquet-wasm";

export async function handler(): Promise<{ magic: string; rows: number; ids: number[] }> {
  const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]) });
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, "stream")), props);
  const back = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  return {
    magic: new TextDecoder().decode(bytes.subarray(0, 4)),
    rows: back.numRows,
    ids: Array.from(back.getChild("id")?.toArray() ?? []),
  };
}
