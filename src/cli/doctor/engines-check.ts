import { describeThrown } from '../../describe-thrown.js';
import { loadDefaultAdapter } from '../../enforcement/default-adapters.js';
import type { PolicyDefinition } from '../../types.js';
import type { DoctorCheck } from './doctor-report.js';

/**
 * Whether every engine the policies bind is installed and answers: an engine
 * that is absent makes each artifact it judges an `error` verdict (deny), so a
 * set that cannot run where it is deployed fails here rather than in production.
 * Only the built-in engines can be asked from the command line.
 */
export async function checkEngines(definitions: readonly PolicyDefinition[]): Promise<DoctorCheck> {
  const names = [...new Set(definitions.flatMap((definition) => (definition.enforcement ?? []).map((binding) => binding.engine)))].sort();
  if (names.length === 0) return { name: 'engines', status: 'pass', summary: 'no policy binds an enforcement engine', findings: [] };
  const findings: string[] = [];
  const found: string[] = [];
  for (const name of names) {
    try {
      const availability = await (await loadDefaultAdapter(name)).available();
      if (availability.ok) found.push(availability.version === undefined ? name : `${name} ${availability.version}`);
      else findings.push(`${name}: ${availability.reason ?? 'not available'}`);
    } catch (error) {
      findings.push(`${name}: ${describeThrown(error)}`);
    }
  }
  if (findings.length > 0)
    return { name: 'engines', status: 'fail', summary: `${findings.length} of ${names.length} engines cannot run`, findings };
  return { name: 'engines', status: 'pass', summary: `every bound engine answers (${found.join(', ')})`, findings };
}
