import { GetCrawlerCommand, type GlueClient, StartCrawlerCommand } from "@aws-sdk/client-glue";
import { ConfigError } from "../core/errors.ts";
import type { Crawler, CrawlerState } from "../core/ports.ts";

/**
 * A Glue crawler. The deployed state machine calls Glue directly (aws-sdk service integrations); this
 * adapter serves code that drives a crawler itself (tools, contract tests) with the same semantics:
 * a crawl already running is not a failure.
 */
export class GlueCrawler implements Crawler {
  constructor(private readonly client: GlueClient) {}

  async start(name: string): Promise<{ alreadyRunning: boolean }> {
    try {
      await this.client.send(new StartCrawlerCommand({ Name: name }));
      return { alreadyRunning: false };
    } catch (error) {
      if ((error as { name?: string }).name === "CrawlerRunningException") return { alreadyRunning: true };
      throw error;
    }
  }

  async state(name: string): Promise<CrawlerState> {
    const out = await this.client.send(new GetCrawlerCommand({ Name: name }));
    const state = out.Crawler?.State;
    if (state !== "READY" && state !== "RUNNING" && state !== "STOPPING") {
      throw new ConfigError(`glue crawler ${name}: unexpected state ${String(state)}`);
    }
    return state;
  }
}
