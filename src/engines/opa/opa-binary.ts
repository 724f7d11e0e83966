import { probeVersion, versionMatching } from '../process/probe-version.js';
import type { EngineAvailability } from '../types.js';

/** The OPA release the adapters are tested against; what `available()` suggests installing. */
export const OPA_TESTED_VERSION = '1.22.2';

/** How to install the opa binary, for reasons and errors that need it. */
export const OPA_INSTALL_HINT = `install it with "go install github.com/open-policy-agent/opa@v${OPA_TESTED_VERSION}"`;

/** `opa version` prints `Version: 1.22.2` among other lines. */
const readOpaVersion = versionMatching(/^Version:\s*(\S+)/m);

/**
 * Whether the opa binary runs, and its version (`opa version`). `installHint`
 * ends the reason when it does not: {@link OPA_INSTALL_HINT}, or that with why
 * the mode needs opa at all.
 */
export function probeOpa(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
  installHint: string,
): Promise<EngineAvailability> {
  return probeVersion({ command, args: ['version'], env, timeoutMs, readVersion: readOpaVersion, installHint });
}
