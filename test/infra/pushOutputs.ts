import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, runProgram } from "../helpers/pulumiHarness.ts";

/**
 * Outputs AWS computes for the push intake's resources, which test/helpers/pulumiHarness.ts does not
 * fake (its mocks echo the inputs, so a queue would have no url or arn and a rule no arn): a queue's
 * url and arn from its name, a rule's arn on its bus, a bus's arn.
 */
export function pushComputed(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:sqs/queue:Queue": {
      const name = inputs.name as string;
      return { arn: arn("sqs", name), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    }
    case "aws:cloudwatch/eventRule:EventRule":
      return { arn: arn("events", `rule/${inputs.eventBusName as string}/${inputs.name as string}`) };
    case "aws:cloudwatch/eventBus:EventBus":
      return { arn: arn("events", `event-bus/${inputs.name as string}`) };
    default:
      return {};
  }
}

type Mocks = Parameters<typeof pulumi.runtime.setMocks>[0];

/**
 * `runProgram` whose mocks also compute `pushComputed`: wraps the mocks the harness installs (the
 * harness is shared, so this file adds the push types without changing it).
 */
export async function runProgramWithPush(
  ...args: Parameters<typeof runProgram>
): ReturnType<typeof runProgram> {
  const runtime = pulumi.runtime as { setMocks: typeof pulumi.runtime.setMocks };
  const original = runtime.setMocks;
  runtime.setMocks = (mocks: Mocks, ...rest) =>
    original(
      {
        call: (callArgs) => mocks.call(callArgs),
        newResource: async (resourceArgs) => {
          const result = await mocks.newResource(resourceArgs);
          return {
            ...result,
            state: { ...result.state, ...pushComputed(resourceArgs.type, resourceArgs.inputs) },
          };
        },
      },
      ...rest,
    );
  try {
    return await runProgram(...args);
  } finally {
    runtime.setMocks = original;
  }
}
