/** How a connector gets its events: it pages the vendor's API, or drains what the vendor pushed (§2.1). */
export type ConnectorMode = "pull" | "push";

/** What a connector's state machine runs besides the steps every connector has. */
export interface DefinitionOptions {
  readonly mode: ConnectorMode;
  /** The connector also delivers to a CloudTrail Lake channel (DESIGN.md §2.2). */
  readonly cloudTrailLake?: boolean;
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly [key: string]: unknown;
}

interface AslDocument {
  readonly States: Readonly<Record<string, AslState>>;
  readonly [key: string]: unknown;
}

/** The optional Task steps of the template, the state that only their Catch reaches, and why they may be absent. */
const OPTIONAL_STEPS = [
  {
    state: "Acknowledge",
    onlyFrom: "AcknowledgeFailed",
    present: (o: DefinitionOptions) => o.mode === "push",
    why: "A pull connector has no messages to acknowledge",
    result: { deleted: 0 },
  },
  {
    state: "Deliver",
    onlyFrom: undefined,
    present: (o: DefinitionOptions) => o.cloudTrailLake === true,
    why: "This connector delivers to no CloudTrail Lake channel",
    result: { delivered: 0 },
  },
] as const;

/**
 * The connector state machine for its options, from the one template (statemachine/connector.asl.json).
 * A step the connector does not have (Acknowledge for pull, Deliver without a CloudTrail Lake channel)
 * becomes a Pass that goes on to the same next state: no function to deploy or grant, and every other
 * state identical. Works for any template holding those states (the backfill's item processor too).
 */
export function definitionFor<T extends AslDocument>(template: T, options: DefinitionOptions): T {
  return { ...template, States: withoutAbsentSteps(template.States, options) };
}

function withoutAbsentSteps(
  states: Readonly<Record<string, AslState>>,
  options: DefinitionOptions,
): Record<string, AslState> {
  const out: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(states)) {
    const step = OPTIONAL_STEPS.find((s) => s.state === name);
    const onlyFromAbsent = OPTIONAL_STEPS.find((s) => s.onlyFrom === name && !s.present(options));
    if (onlyFromAbsent) continue;
    if (step && !step.present(options)) {
      if (state.Type !== "Task" || !state.Next) {
        throw new Error(`state machine template: expected ${name} to be a Task state with a Next`);
      }
      out[name] = {
        Type: "Pass",
        Comment: step.why,
        Result: step.result,
        ResultPath: state.ResultPath,
        Next: state.Next,
      };
      continue;
    }
    out[name] = nested(state, options);
  }
  return out;
}

/** Map states hold their own States (the backfill's item processor): the same rule applies inside. */
function nested(state: AslState, options: DefinitionOptions): AslState {
  const processor = state.ItemProcessor as { States?: Record<string, AslState> } | undefined;
  if (state.Type !== "Map" || !processor?.States) return state;
  return { ...state, ItemProcessor: { ...processor, States: withoutAbsentSteps(processor.States, options) } };
}
