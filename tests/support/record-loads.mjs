// Registered with `node --import`: records the URL of every module the process
// loads into the file named by RECORD_LOADS, so a test can see what an entry pulls in.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(process.env.RECORD_LOADS ?? '/dev/null')}, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
