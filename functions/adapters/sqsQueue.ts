import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { MessageQueue, QueueMessage } from "../core/ports.ts";

/**
 * The push connector's SQS queue. Receives use long polling (WaitTimeSeconds ≤ 20) and ask for the
 * ApproximateReceiveCount, so a poison message's log line says how close it is to the dead-letter queue.
 * SDK errors propagate: the handlers turn throttling and 5xx into StorageUnavailableError (deps.ts).
 */
export class SqsQueue implements MessageQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(max: number, waitSeconds: number): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        WaitTimeSeconds: Math.min(20, Math.max(0, waitSeconds)),
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.MessageId && m.ReceiptHandle && m.Body !== undefined
        ? [
            {
              messageId: m.MessageId,
              body: m.Body,
              receiptHandle: m.ReceiptHandle,
              receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
            },
          ]
        : [],
    );
  }

  async delete(receiptHandles: readonly string[]): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const batch = receiptHandles.slice(i, i + 10);
      const out = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((handle, n) => ({ Id: String(n), ReceiptHandle: handle })),
        }),
      );
      for (const failure of out.Failed ?? []) {
        const handle = batch[Number(failure.Id)];
        if (handle) failed.push(handle);
      }
    }
    return { failed };
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
