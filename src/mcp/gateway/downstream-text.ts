import type { DownstreamExit, DownstreamTarget } from './connect-downstream.js';

/** What the logs and errors call the server: its command line (shortened) or URL. */
export function labelOf(target: DownstreamTarget): string {
  const text = 'url' in target ? target.url : [target.command, ...(target.args ?? [])].join(' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** How the server ended, as the end of a sentence about it. */
export function exitText(exit: DownstreamExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'closed its connection';
}
