import type { Segment } from "./paths.ts";
import { isObject } from "./paths.ts";

/**
 * Which source fields a class mapping reads or drops, as a trie over source paths. Built once per class at
 * load time; `leftover` walks one raw event against it to build `unmapped` (mappings/README.md).
 */
export class ConsumeNode {
  /** The whole subtree is read or dropped. */
  full = false;
  readonly keys = new Map<string, ConsumeNode>();
  readonly indexes = new Map<number, ConsumeNode>();
  /** Applies to every element of an array (from `each`/`pick`/`entries`). */
  elements: ConsumeNode | undefined;

  /** Marks `segments` as read; returns the node at the end of the path. */
  add(segments: readonly Segment[], full = true): ConsumeNode {
    let node: ConsumeNode = this;
    for (const seg of segments) {
      if (node.full) return node;
      if (typeof seg === "number") {
        let next = node.indexes.get(seg);
        if (!next) {
          next = new ConsumeNode();
          node.indexes.set(seg, next);
        }
        node = next;
      } else {
        let next = node.keys.get(seg);
        if (!next) {
          next = new ConsumeNode();
          node.keys.set(seg, next);
        }
        node = next;
      }
    }
    if (full) node.full = true;
    return node;
  }

  /** The node for every element of the array at `segments` (created on first use). */
  each(segments: readonly Segment[]): ConsumeNode {
    const node = this.add(segments, false);
    if (!node.elements) node.elements = new ConsumeNode();
    return node.elements;
  }
}

/** What of `value` the trie does not cover; undefined when nothing informative is left. */
export function leftover(value: unknown, node: ConsumeNode | undefined): unknown {
  if (node === undefined) return informative(value) ? value : undefined;
  if (node.full) return undefined;
  if (Array.isArray(value)) {
    let any = false;
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const indexed = node.indexes.get(i);
      // `target[0].x` and `each: target` both read element 0: apply both tries.
      const rest =
        indexed && node.elements
          ? leftover(leftover(value[i], indexed), node.elements)
          : leftover(value[i], indexed ?? node.elements);
      out[i] = rest === undefined ? null : rest;
      if (rest !== undefined) any = true;
    }
    return any ? out : undefined;
  }
  if (isObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const key in value) {
      const rest = leftover(value[key], node.keys.get(key));
      if (rest !== undefined) {
        if (!out) out = {};
        out[key] = rest;
      }
    }
    return out;
  }
  // The mapping reads below this value, but it is a scalar: nothing was actually taken from it.
  return informative(value) ? value : undefined;
}

function informative(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") {
    for (const _ in value) return true;
    return false;
  }
  return true;
}
