/**
 * The resource policy of a push connector's queues, as a plain function of plain ARNs (tested without
 * Pulumi). EventBridge delivers to SQS under the queue's resource policy, not a role: the docs say not to
 * give an SQS target a RoleArn at all
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions).
 * Condition on the rule's ARN (aws:SourceArn), so that no other rule, in this account or any other,
 * can write to the queue (confused deputy:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
 */
export interface QueuePolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Principal: { readonly Service: "events.amazonaws.com" };
    readonly Action: readonly ["sqs:SendMessage"];
    readonly Resource: string;
    readonly Condition: { readonly ArnEquals: { readonly "aws:SourceArn": string } };
  }[];
}

/**
 * Afterwards only EventBridge, acting for the rule `ruleArn`, may send to `queueArn`: the rule's
 * deliveries (main queue) or its undeliverable events (the rule target's dead-letter queue).
 */
export function eventBridgeQueuePolicy(p: { queueArn: string; ruleArn: string }): QueuePolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnIntakeRuleOnly",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: p.queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": p.ruleArn } },
      },
    ],
  };
}
