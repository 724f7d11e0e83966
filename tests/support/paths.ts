import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that read shipped files or run the built package. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Fails with a clear message when the package has not been built (`npm test` builds first). */
export function requireBuild(): void {
  for (const file of ['dist/index.js', 'dist/cli/bin.js']) {
    if (!existsSync(new URL(file, `file://${ROOT}`))) {
      throw new Error(`${file} is missing: run \`npm run build\` (npm test does it) before these tests`);
    }
  }
}
