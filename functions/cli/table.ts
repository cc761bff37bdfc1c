/**
 * A plain-text table: a header, a rule, then the rows; columns padded to their widest cell (numbers
 * right-aligned). Cells longer than `maxCell` characters are cut with "…" so one wide value (an OCSF
 * struct) cannot push every other column off the screen.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { rightAlign?: (column: number) => boolean; maxCell?: number } = {},
): string {
  const max = options.maxCell ?? Number.POSITIVE_INFINITY;
  const cut = (cell: string) => (cell.length > max ? `${cell.slice(0, max - 1)}…` : cell);
  const lines = [header, ...rows].map((row) => header.map((_, c) => cut(row[c] ?? "")));
  const widths = header.map((_, c) => Math.max(...lines.map((l) => (l[c] as string).length)));
  const right = options.rightAlign ?? (() => false);
  return lines
    .map((l, r) => {
      const text = l
        .map((cell, c) => (right(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join("  ")
        .trimEnd();
      return r === 0 ? `${text}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : text;
    })
    .join("\n");
}
