import {
  type ConnectorShape,
  type Measured,
  OUR_COMPONENTS,
  type OurComponent,
  type OurCost,
  ourCost,
} from "./model.ts";
import type { ScheduleStats } from "./schedule.ts";
import { type SeedCost, seedCost } from "./seed.ts";

/** One volume: our connector's month, the seed architecture's month for the same, and the ratio. */
export interface Estimate {
  readonly eventsPerDay: number;
  readonly ours: OurCost;
  readonly seed: SeedCost;
  /** Seed total over ours (lake crawlers left out of both). */
  readonly seedOverOurs: number;
  /** Our largest components, largest first, with their share of our total. */
  readonly dominant: readonly {
    readonly component: OurComponent;
    readonly usd: number;
    readonly share: number;
  }[];
}

export function estimate(
  eventsPerDay: number,
  schedule: ScheduleStats,
  connector: ConnectorShape,
  measured: Measured,
): Estimate {
  const ours = ourCost(eventsPerDay, schedule, connector, measured);
  const seed = seedCost(eventsPerDay, schedule, connector.customSources, measured.perLoop);
  const dominant = OUR_COMPONENTS.map((component) => ({
    component,
    usd: ours.lines[component].usd,
    share: ours.total > 0 ? ours.lines[component].usd / ours.total : 0,
  }))
    .sort((a, b) => b.usd - a.usd)
    .slice(0, 3);
  return { eventsPerDay, ours, seed, seedOverOurs: seed.total / ours.total, dominant };
}
