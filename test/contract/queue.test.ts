import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { LocalQueue } from "../../functions/adapters/localQueue.ts";
import { SqsQueue } from "../../functions/adapters/sqsQueue.ts";

const dir = mkdtempSync(join(tmpdir(), "seclake-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function localQueue(name: string, extra: Partial<ConstructorParameters<typeof LocalQueue>[0]> = {}) {
  let now = 1_000_000;
  const queue = new LocalQueue({
    path: join(dir, `${name}.json`),
    visibilitySeconds: 60,
    maxReceiveCount: 3,
    now: () => now,
    ...extra,
  });
  return { queue, advance: (seconds: number) => (now += seconds * 1000) };
}

describe("LocalQueue: the SQS semantics the push pipeline must survive", () => {
  it("hides a received message for the visibility timeout, then delivers it again with a new handle", async () => {
    const { queue, advance } = localQueue("visibility");
    await queue.send("a");
    const [first] = await queue.receive(10, 0);
    expect(first).toMatchObject({ body: "a", receiveCount: 1 });
    expect(await queue.receive(10, 0)).toEqual([]);
    advance(61);
    const [second] = await queue.receive(10, 0);
    expect(second).toMatchObject({ body: "a", receiveCount: 2 });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    // Only the latest delivery's handle deletes it.
    expect((await queue.delete([first?.receiptHandle as string])).failed).toHaveLength(1);
    expect((await queue.delete([second?.receiptHandle as string])).failed).toHaveLength(0);
    advance(61);
    expect(await queue.receive(10, 0)).toEqual([]);
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", async () => {
    const { queue } = localQueue("redrive");
    await queue.send("poison");
    for (let i = 1; i <= 3; i += 1) {
      const [m] = await queue.receive(10, 0);
      expect(m?.receiveCount).toBe(i);
      await queue.changeVisibility(m?.receiptHandle as string, 0);
    }
    expect(await queue.receive(10, 0)).toEqual([]);
    expect(await queue.depth()).toMatchObject({ messages: 0, deadLetters: 1, deadLetterBodies: ["poison"] });
  });

  it("delivers at least once: a message twice in one receive, and one back after its delete", async () => {
    const { queue } = localQueue("duplicates", {
      duplicateEvery: 2,
      redeliverAfterDelete: new Set(["local-00000001"]),
    });
    await queue.send("a");
    await queue.send("b");
    const batch = await queue.receive(10, 0);
    expect(batch.map((m) => m.body)).toEqual(["a", "b", "b"]);
    expect((await queue.delete(batch.map((m) => m.receiptHandle))).failed).toEqual([]);
    const again = await queue.receive(10, 0);
    expect(again.map((m) => m.body)).toEqual(["a"]);
    await queue.delete(again.map((m) => m.receiptHandle));
    expect((await queue.depth()).messages).toBe(0);
  });

  it("keeps its state across instances (a killed local run resumes with the queue as it was)", async () => {
    const { queue } = localQueue("persist");
    await queue.send("kept");
    const reopened = new LocalQueue({
      path: join(dir, "persist.json"),
      visibilitySeconds: 60,
      maxReceiveCount: 3,
    });
    expect((await reopened.receive(10, 0)).map((m) => m.body)).toEqual(["kept"]);
  });
});

describe("SqsQueue: the SQS API calls behind the port", () => {
  it("long-polls for at most 10 with the receive count, deletes in batches of 10 and reports failures", async () => {
    const sqs = mockClient(SQSClient);
    const url = "https://sqs.us-east-1.amazonaws.com/111122223333/q";
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        { MessageId: "m1", ReceiptHandle: "h1", Body: "{}", Attributes: { ApproximateReceiveCount: "2" } },
      ],
    });
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id })),
      Failed: [{ Id: input.Entries[0]?.Id, Code: "ReceiptHandleIsInvalid", SenderFault: true }],
    }));
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const queue = new SqsQueue(new SQSClient({ region: "us-east-1" }), url);

    expect(await queue.receive(25, 60)).toEqual([
      { messageId: "m1", body: "{}", receiptHandle: "h1", receiveCount: 2 },
    ]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toMatchObject({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    });
    const handles = Array.from({ length: 12 }, (_, i) => `h${i}`);
    expect((await queue.delete(handles)).failed).toEqual(["h0", "h10"]);
    expect(sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      10, 2,
    ]);
    await queue.changeVisibility("h1", 0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toMatchObject({
      ReceiptHandle: "h1",
      VisibilityTimeout: 0,
    });
    sqs.restore();
  });
});
