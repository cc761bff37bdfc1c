import { ConfigError } from "../../core/errors.ts";
import type { SecretsProvider } from "../../core/ports.ts";
import { SecretValues } from "./auth.ts";
import { type PageElement, pageElements } from "./collect.ts";
import {
  DEFAULT_RETRY,
  defaultHttpDeps,
  HttpClient,
  type HttpDeps,
  MalformedResponse,
  type RetryPolicy,
} from "./http.ts";
import { rawArrayElements } from "./rawJson.ts";

/** What every API connector is built with besides its own config. */
export interface ConnectorDeps {
  readonly secrets: SecretsProvider;
  /** fetch, sleep, clock, randomness and logger; defaults are the real ones. */
  readonly http?: Partial<HttpDeps>;
  readonly retry?: Partial<RetryPolicy>;
}

export interface ConnectorHttp {
  readonly http: HttpClient;
  readonly deps: HttpDeps;
  readonly seen: SecretValues;
}

export function connectorHttp(source: string, deps: ConnectorDeps): ConnectorHttp {
  const seen = new SecretValues();
  const httpDeps = defaultHttpDeps(deps.http);
  const http = new HttpClient(source, httpDeps, { ...DEFAULT_RETRY, ...deps.retry }, seen.list);
  return { http, deps: httpDeps, seen };
}

/** The base URL without a trailing slash; only https, or http to a loopback host (mock APIs). */
export function checkBaseUrl(source: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`${source}: baseUrl ${JSON.stringify(baseUrl)} is not a URL`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(
      `${source}: baseUrl must be https:// (http:// only for a loopback mock), got ${url.origin}`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

export function clampPageSize(requested: number | undefined, fallback: number, max: number): number {
  const size = requested ?? fallback;
  if (!Number.isInteger(size) || size < 1)
    throw new ConfigError(`pageSize must be a positive integer, got ${size}`);
  return Math.min(size, max);
}

/** Parses a page that is a bare JSON array (SailPoint search, Okta logs) into elements. */
export function parseArrayPage(text: string): PageElement[] {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new MalformedResponse(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(values)) throw new MalformedResponse("expected a JSON array of events");
  return pageElements(rawArrayElements(text), values);
}
