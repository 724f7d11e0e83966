/**
 * What the benchmarks share: failing a run, the median, printing a table, and
 * describing the machine a run was made on.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** @param {string} message @returns {never} */
export function fail(message) {
  console.error(`\nbench: ${message}\nThe libraries must agree before their speed can be compared.`);
  process.exit(1);
}

/** @param {ArrayLike<number>} values */
export function median(values) {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[middle]) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Prints rows as a table, left-aligning the first `left` columns (default two) and right-aligning the rest.
 * @param {string[]} header @param {string[][]} rows @param {number} [left]
 */
export function printTable(header, rows, left = 2) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (/** @type {string[]} */ cells) =>
    cells.map((cell, column) => (column < left ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/**
 * Where and with what a run was made, for the head of every results file:
 * figures from different machines or versions must not be compared as if alike.
 */
export function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    tierguard: /** @type {{ version: string }} */ (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version,
  };
}
