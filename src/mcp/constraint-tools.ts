import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../describe-thrown.js';
import type { Engine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import {
  DESCRIBE_SCOPE_INPUT,
  DESCRIBE_SCOPE_OUTPUT,
  GET_CONSTRAINTS_INPUT,
  GET_CONSTRAINTS_OUTPUT,
  VALIDATE_INPUT,
  VALIDATE_OUTPUT,
} from './constraint-schemas.js';
import { describeScope, formatScope } from './describe-scope.js';
import type { EngineSource } from './engine-source.js';
import { resolveEngine } from './engine-source.js';
import { formatConstraints, getConstraints } from './get-constraints.js';
import type { HeldVersions } from './held-versions.js';
import { isHeldVersions, isUnknownVersion, pinnedEngine } from './held-versions.js';
import { validateAction, validateArtifact } from './dry-run-validate-tool.js';
import type { ContentArtifact } from '../engines/types.js';
import { parseScopeQuery } from '../guidance/scope-query.js';
import type { ScopeQuery } from '../guidance/scope-query.js';

/** Options of {@link registerConstraintTools}. Unknown keys are rejected. */
export interface ConstraintToolsOptions {
  /**
   * Prepended to each tool name (`tierguard_` gives `tierguard_validate`), for a
   * server that already has tools of these names. Letters, digits, `_`, `.` and
   * `-`; default none.
   */
  readonly prefix?: string;
  /**
   * The engines still held by version, so a call with `version` answers from
   * that policy set (`{ versions: watcher }` for a `PolicyWatcher`). Without it
   * only the current engine's own version is accepted. A version not held is an
   * error result listing the versions held.
   */
  readonly versions?: HeldVersions;
}

/** The three registered tools, to disable, update or remove like any `RegisteredTool`. */
export interface ConstraintTools {
  /** `describe_scope`: the tools, fields, operators, effects and policy ids the bundle covers. */
  readonly describeScope: RegisteredTool;
  /** `get_constraints({ tool?, kind?, scope?, category?, severity? })`: the policies that apply, in readable form with their guidance. */
  readonly getConstraints: RegisteredTool;
  /** `validate({ action } | { artifact }, scope?)`: the decision the policies would reach, and each policy's result. */
  readonly validate: RegisteredTool;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['prefix', 'versions']);
const TOOL_NAME_PREFIX = /^[A-Za-z0-9_.-]{0,64}$/;
// The tools read the policies and evaluate without side effects: a client may call them freely.
const READ_ONLY: ToolAnnotations = Object.freeze({
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
});

/**
 * Registers `describe_scope`, `get_constraints` and `validate` on `server`, so
 * an agent can ask what the constraints are before it acts, and dry-run an
 * action. The engine is resolved on every call, so a provider such as
 * `() => watcher.engine` serves each call from the bundle current at that
 * moment. The tools fail open: when the provider throws, rejects or returns no
 * engine, each answers `{ available: false, reason }` (a normal result, not an
 * error), so an agent is never stuck on them; deciding stays with the guard.
 * Each result carries `structuredContent` (matching the tool's output schema)
 * and the same answer as text in `content`. Each tool takes an optional
 * `version`: the answer then comes from that policy set, if `options.versions`
 * still holds it (a version not held is an error result, not "unavailable").
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for an engine source that is neither an engine nor a function, or a bad option.
 */
export function registerConstraintTools(
  server: McpServer,
  engineOrProvider: EngineSource,
  options: ConstraintToolsOptions = {},
): ConstraintTools {
  checkArguments(engineOrProvider, options);
  const prefix = options.prefix ?? '';
  const held = options.versions;
  const withEngine = (version: string | undefined, answer: (engine: Engine) => CallToolResult | Promise<CallToolResult>) =>
    answerWith(engineOrProvider, held, version, answer);
  const names = { describeScope: `${prefix}describe_scope`, getConstraints: `${prefix}get_constraints`, validate: `${prefix}validate` };

  const describeScopeTool = server.registerTool(
    names.describeScope,
    {
      title: 'Describe the policy scope',
      description:
        'What the tierguard policy bundle covers: the tools its policies select (glob patterns; "*" means every tool), ' +
        'the action fields they read, the operators, rewrites and effects they use, the policy ids, the bundle version and the engine mode, ' +
        'and for code you generate: the scope selectors in use (providers, resourceTypes, environments, repos, languages, relationship) with their values, ' +
        'the categories, severities, artifact globs and enforcement engines. ' +
        `Call it first to learn which of your actions are governed, then ${names.getConstraints} for a tool's rules or a scope's constraints.`,
      inputSchema: DESCRIBE_SCOPE_INPUT,
      outputSchema: DESCRIBE_SCOPE_OUTPUT,
      annotations: READ_ONLY,
    },
    ({ version }) =>
      withEngine(version, (engine) => {
        const scope = describeScope(engine);
        const hint = `Call ${names.getConstraints} with a tool name for the policies that judge it, and ${names.validate} to dry-run an action.`;
        return result({ available: true, ...scope }, `${formatScope(scope)}\n${hint}`);
      }),
  );

  const getConstraintsTool = server.registerTool(
    names.getConstraints,
    {
      title: 'Get the constraints on a tool',
      description:
        'The policies that apply to a tool, in readable form: when each applies, which fields it requires, what it asserts, ' +
        'what it rewrites, its shape constraints, its effect (deny, escalate: a human approves, warn: never blocks), its mode ' +
        '(monitor: never blocks) and its message. Omit tool to list every policy. kind "request" lists the policies that judge ' +
        'a proposed call, "response" those that judge or sanitise the tool\'s output. ' +
        'Before generating code or configuration, pass scope (e.g. { "providers": "aws", "resourceTypes": "aws_s3_bucket", "environments": "prod", ' +
        '"languages": "hcl" }), and optionally category and severity, for the constraints on it: each with its title, intent, severity ' +
        '(hard: blocks, soft: never blocks, advisory: guidance only), guidance (do, dont, examples), enforcement and artifacts; deprecated ones are ' +
        'flagged with their successor. An unknown scope dimension, category or severity is an error listing the valid ones. ' +
        'Answers available: false with a reason when no policy bundle can be served.',
      inputSchema: GET_CONSTRAINTS_INPUT,
      outputSchema: GET_CONSTRAINTS_OUTPUT,
      annotations: READ_ONLY,
    },
    ({ tool, kind, scope, category, severity, version }) =>
      withEngine(version, (engine) => {
        const report = getConstraints(engine, {
          ...(tool === undefined ? {} : { tool }),
          ...(kind === undefined ? {} : { kind }),
          ...(scope === undefined ? {} : { scope: scope as ScopeQuery }),
          ...(category === undefined ? {} : { category }),
          ...(severity === undefined ? {} : { severity }),
        });
        return result({ available: true, ...report }, formatConstraints(report));
      }),
  );

  const validateTool = server.registerTool(
    names.validate,
    {
      title: 'Validate a candidate action or artifact',
      description:
        'Dry-runs an action against the policies without running it, and returns the decision the guard would reach: ' +
        'the verdict (allow, deny, escalate), each violation with the field it points at and a message, warnings, ' +
        'findings of monitored policies, the rewrites that would be applied, evaluation errors, and the policy version. ' +
        'Fix what the violations name and validate again before calling the tool. ' +
        'Give artifact instead of action to check something you generated (Terraform, a Kubernetes manifest, code, JSON) ' +
        'with the enforcement engines the policies bind (OPA, Conftest, Checkov, Semgrep): pass its content, with a format ' +
        'or a file name such as "main.tf"; the answer adds result (pass, fail, error) and each engine verdict. ' +
        'Artifacts are content only: the server never reads a file path you give. ' +
        'constraints lists each policy that applied: violated (with remediation from its guidance), passed, error, or informational ' +
        '(advisory guidance for the action or artifact; pass scope, as for get_constraints, to select the advisory policies about it).',
      inputSchema: VALIDATE_INPUT,
      outputSchema: VALIDATE_OUTPUT,
      annotations: READ_ONLY,
    },
    ({ action, artifact, scope, version }) =>
      withEngine(version, async (engine) => {
        if ((action === undefined) === (artifact === undefined)) {
          throw new TierguardError('INVALID_OPTIONS', 'validate takes exactly one of action and artifact');
        }
        // Checked before anything runs: a typo in the scope is an error, not a narrower answer.
        const parsed = scope === undefined ? undefined : parseScopeQuery(scope);
        if (artifact !== undefined) {
          const { report, text } = await validateArtifact(engine, artifact as ContentArtifact, parsed);
          return result({ available: true, ...report }, text);
        }
        const { report, text } = await validateAction(engine, action, parsed);
        return result({ available: true, ...report }, text);
      }),
  );

  return Object.freeze({ describeScope: describeScopeTool, getConstraints: getConstraintsTool, validate: validateTool });
}

/**
 * Resolves the engine for one call: the current one, or the pinned `version`.
 * A source (or a held-versions lookup) that cannot give one makes the answer
 * "unavailable"; a version not held throws, which the SDK answers as an error result.
 */
async function answerWith(
  source: EngineSource,
  held: HeldVersions | undefined,
  version: string | undefined,
  answer: (engine: Engine) => CallToolResult | Promise<CallToolResult>,
): Promise<CallToolResult> {
  let engine: Engine;
  try {
    engine = version === undefined ? await resolveEngine(source) : await pinnedEngine(version, held, () => resolveEngine(source));
  } catch (error) {
    if (isUnknownVersion(error)) throw error;
    return unavailable(describeThrown(error));
  }
  return answer(engine);
}

function unavailable(reason: string): CallToolResult {
  return result(
    { available: false, reason },
    `No tierguard policy bundle can be served right now (${reason}). The constraints are unknown for the moment; a guard in front of the tools still decides.`,
  );
}

function result(structuredContent: Record<string, unknown>, text: string): CallToolResult {
  return { structuredContent, content: [{ type: 'text', text }] };
}

function checkArguments(source: unknown, options: ConstraintToolsOptions): void {
  if (
    typeof source !== 'function' &&
    (typeof source !== 'object' || source === null || typeof (source as Partial<Engine>).evaluate !== 'function')
  ) {
    throw new TierguardError('INVALID_OPTIONS', 'registerConstraintTools needs an engine or a function that returns one', {
      option: 'engineOrProvider',
    });
  }
  requireOptionsObject(options, 'registerConstraintTools');
  rejectUnknownOptions(options, OPTION_KEYS);
  if (options.versions !== undefined && !isHeldVersions(options.versions)) {
    throw new TierguardError('INVALID_OPTIONS', 'versions must hold versions and engineAt(version), as a PolicyWatcher does', {
      option: 'versions',
    });
  }
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || !TOOL_NAME_PREFIX.test(options.prefix))) {
    throw new TierguardError('INVALID_OPTIONS', 'prefix must be at most 64 letters, digits, "_", "." or "-"', {
      option: 'prefix',
      actual: options.prefix,
    });
  }
}
