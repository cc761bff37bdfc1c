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
  /** Applies to every element of an array (from `each`). */
  elements: ConsumeNode | undefined;
  /** Applies to this value when a field's `when` holds for it. */
  readonly conditionals: { key: string; test: (value: unknown) => boolean; node: ConsumeNode }[] = [];
  /** Applies to the elements a `where` selects, or only to the first of them (`pick`). */
  readonly selections: { test: (el: unknown) => boolean; first: boolean; node: ConsumeNode }[] = [];
  /**
   * Reads below one key that count only when a test of the object holding the key holds (the reads of
   * one alternative of a `first`). Kept per key, so checking them walks that key's value, not the object.
   */
  readonly guarded = new Map<
    string,
    { key: string; test: (owner: unknown) => boolean; node: ConsumeNode }[]
  >();
  /** `leftover` of an object value at this node, generated on first use (the trie is final by then). */
  objectLeftover: ((value: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;

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

  /** A node for the elements of the array at `segments` that pass `test` (only the first one if `first`). */
  select(segments: readonly Segment[], test: (el: unknown) => boolean, first: boolean): ConsumeNode {
    const node = this.add(segments, false);
    const selected = new ConsumeNode();
    node.selections.push({ test, first, node: selected });
    return selected;
  }

  /**
   * A node whose reads count only for values on which `test` holds (fields with `when`). Fields with the
   * same condition (`key`) share one node, so each distinct condition is checked once per event.
   */
  conditional(key: string, test: (value: unknown) => boolean): ConsumeNode {
    const found = this.conditionals.find((c) => c.key === key);
    if (found) return found.node;
    const node = new ConsumeNode();
    this.conditionals.push({ key, test, node });
    return node;
  }

  /** The node for reads below `child` that count when `test(owner)` holds (one per guard `key`). */
  guardedChild(child: string, key: string, test: (owner: unknown) => boolean): ConsumeNode {
    let list = this.guarded.get(child);
    if (!list) {
      list = [];
      this.guarded.set(child, list);
    }
    const found = list.find((g) => g.key === key);
    if (found) return found.node;
    const node = new ConsumeNode();
    list.push({ key, test, node });
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
  if (Array.isArray(value)) return leftoverArray(value, node);
  if (isObject(value)) {
    node.objectLeftover ??= compileObjectLeftover(node);
    return node.objectLeftover(value);
  }
  // The mapping reads below this value, but it is a scalar: nothing was actually taken from it.
  return informative(value) ? value : undefined;
}

/**
 * The object walk of `leftover` for one trie node, generated: a `switch` over the keys the mapping reads
 * (string literals, quoted as JSON), so a key the mapping never reads costs one comparison chain and no
 * map lookup, and a fully read key is dropped without a call. Keys come from mapping files, which the
 * loader has parsed into path segments; no event text reaches the generator.
 */
function compileObjectLeftover(
  node: ConsumeNode,
): (value: Record<string, unknown>) => Record<string, unknown> | undefined {
  const children: ConsumeNode[] = [];
  const guards: { test: (owner: unknown) => boolean; node: ConsumeNode }[][] = [];
  const cases: string[] = [];
  const guardsOf = (key: string) => {
    const list = node.guarded.get(key);
    if (!list) return "";
    guards.push(list);
    return ` rest = guarded(rest, value, G[${guards.length - 1}]);`;
  };
  for (const [key, child] of node.keys) {
    if (child.full) cases.push(`case ${JSON.stringify(key)}: continue;`);
    else {
      children.push(child);
      cases.push(
        `case ${JSON.stringify(key)}: rest = leftover(value[key], C[${children.length - 1}]);${guardsOf(key)} break;`,
      );
    }
  }
  for (const key of node.guarded.keys()) {
    if (node.keys.has(key)) continue;
    cases.push(
      `case ${JSON.stringify(key)}: rest = value[key]; if (!informative(rest)) continue;${guardsOf(key)} break;`,
    );
  }
  const source = `return function objectLeftover(value) {
  let out;
  for (const key in value) {
    let rest;
    switch (key) {
      ${cases.join("\n      ")}
      default: rest = value[key]; if (!informative(rest)) continue;
    }
    if (rest === undefined) continue;
    if (out === undefined) out = {};
    // A raw event may carry a "__proto__" key (JSON.parse keeps it as data); keep it as data here too.
    if (key === "__proto__") defineData(out, key, rest);
    else out[key] = rest;
  }
  return out;
};`;
  const walk = new Function("C", "G", "leftover", "informative", "defineData", "guarded", source)(
    children,
    guards,
    leftover,
    informative,
    defineData,
    applyGuards,
  ) as (value: Record<string, unknown>) => Record<string, unknown> | undefined;
  const conditionals = node.conditionals;
  if (conditionals.length === 0) return walk;
  return (value) => {
    let out = walk(value);
    for (const c of conditionals) {
      if (out !== undefined && c.test(value))
        out = leftover(out, c.node) as Record<string, unknown> | undefined;
    }
    return out;
  };
}

/** What of `rest` (a key's left-over value) survives the guarded reads whose test holds for `owner`. */
function applyGuards(
  rest: unknown,
  owner: unknown,
  list: readonly { test: (owner: unknown) => boolean; node: ConsumeNode }[],
): unknown {
  for (const g of list) {
    if (rest === undefined) return undefined;
    if (g.test(owner)) rest = leftover(rest, g.node);
  }
  return rest;
}

/**
 * A view of `parent` for the reads of one guarded alternative: every path is kept below its first key
 * with the guard (`ConsumeNode.guardedChild`), so the guard is tested on the object holding that key.
 * A `when` inside the alternative tightens the guard.
 */
export class GuardedScope extends ConsumeNode {
  constructor(
    private readonly parent: ConsumeNode,
    private readonly key: string,
    private readonly test: (owner: unknown) => boolean,
  ) {
    super();
  }

  private below(segments: readonly Segment[]): [ConsumeNode, readonly Segment[]] {
    const [head, ...rest] = segments;
    // A path that starts with an index (not one a mapping writes) keeps the whole-object guard.
    if (typeof head !== "string") return [this.parent.conditional(this.key, this.test), segments];
    return [this.parent.guardedChild(head, this.key, this.test), rest];
  }

  override add(segments: readonly Segment[], full = true): ConsumeNode {
    const [node, rest] = this.below(segments);
    return node.add(rest, full);
  }

  override select(segments: readonly Segment[], test: (el: unknown) => boolean, first: boolean): ConsumeNode {
    const [node, rest] = this.below(segments);
    return node.select(rest, test, first);
  }

  override each(segments: readonly Segment[]): ConsumeNode {
    const [node, rest] = this.below(segments);
    return node.each(rest);
  }

  override conditional(key: string, test: (value: unknown) => boolean): ConsumeNode {
    const own = this.test;
    return new GuardedScope(this.parent, `${this.key}&${key}`, (owner) => own(owner) && test(owner));
  }
}

function defineData(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function leftoverArray(value: unknown[], node: ConsumeNode): unknown[] | undefined {
  const selections = node.selections;
  // For pick: the index of the first element its test selects (-1 when none does).
  const firsts = selections.map((sel) => (sel.first ? value.findIndex((el) => sel.test(el)) : -1));
  let any = false;
  const out: unknown[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const el = value[i];
    const tries: ConsumeNode[] = [];
    const indexed = node.indexes.get(i);
    if (indexed) tries.push(indexed);
    if (node.elements) tries.push(node.elements);
    for (let s = 0; s < selections.length; s++) {
      const sel = selections[s] as (typeof selections)[number];
      if (sel.first ? firsts[s] === i : sel.test(el)) tries.push(sel.node);
    }
    // Every trie that reads this element removes what it read; what survives all of them is left over.
    let rest: unknown = tries.length === 0 ? (informative(el) ? el : undefined) : el;
    for (const t of tries) {
      if (rest === undefined) break;
      rest = leftover(rest, t);
    }
    out[i] = rest === undefined ? null : rest;
    if (rest !== undefined) any = true;
  }
  return any ? out : undefined;
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
