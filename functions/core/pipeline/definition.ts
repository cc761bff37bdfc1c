/** How a connector gets its events: it pages the vendor's API, or drains what the vendor pushed (§2.1). */
export type ConnectorMode = "pull" | "push";

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly [key: string]: unknown;
}

interface AslDocument {
  readonly States: Readonly<Record<string, AslState>>;
  readonly [key: string]: unknown;
}

/**
 * The connector state machine for a mode, from the one template (statemachine/connector.asl.json). A
 * push connector runs it as written; a pull connector has no messages to acknowledge, so its
 * `Acknowledge` Task becomes a Pass that goes on to the same next state: no function to deploy or grant,
 * and every other state identical.
 */
export function definitionFor<T extends AslDocument>(template: T, mode: ConnectorMode): T {
  if (mode === "push") return template;
  const acknowledge = template.States.Acknowledge;
  if (acknowledge?.Type !== "Task" || !acknowledge.Next) {
    throw new Error("statemachine/connector.asl.json: expected an Acknowledge Task state with a Next");
  }
  const pass: AslState = {
    Type: "Pass",
    Comment: "A pull connector has no messages to acknowledge",
    Result: { deleted: 0 },
    ResultPath: "$.acknowledge",
    Next: acknowledge.Next,
  };
  const states = { ...template.States, Acknowledge: pass };
  delete (states as Record<string, AslState>).AcknowledgeFailed;
  return { ...template, States: states };
}
