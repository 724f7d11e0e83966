import * as z from 'zod/v4';
import { guidanceSchema, policyScopeSchema, scopeQuerySchema, severitySchema, vocabularySchema } from './guidance-schemas.js';

/*
 * The wire schemas of the constraint tools. `zod/v4` exists in zod 3.25 and 4,
 * the range the SDK accepts. Every output holds `available`: when no policy
 * bundle can be served the tools answer `{ available: false, reason }` instead of
 * failing, so every other output field is optional (the SDK only takes an object
 * schema as an output schema, not a union). Objects are strict on the wire
 * (`additionalProperties: false`), so these must list every key the tools send.
 */

const pathSchema = z.array(z.union([z.string(), z.number()]));
const effectSchema = z.enum(['deny', 'escalate', 'warn']);
const modeSchema = z.enum(['enforce', 'monitor']);
const phaseSchema = z.enum(['request', 'response']);

const availability = {
  available: z.boolean().describe('false when no policy bundle can be served right now; then only reason is set'),
  reason: z.string().optional().describe('why no policy bundle is available'),
};

const versionSchema = z
  .string()
  .max(128)
  .optional()
  .describe(
    'A policy set version ("sha256:...", as describe_scope and every decision report it): answer from that set while the server still holds it. Omit for the current policies.',
  );

/** Input of `describe_scope`. */
export const DESCRIBE_SCOPE_INPUT = { version: versionSchema };

/** Input of `get_constraints`. */
export const GET_CONSTRAINTS_INPUT = {
  tool: z
    .string()
    .optional()
    .describe('A tool name, e.g. "payments.transfer": only the policies whose tool patterns match it. Omit for every policy.'),
  kind: phaseSchema
    .optional()
    .describe(
      '"request": only policies that judge a proposed call; "response": only policies that judge or sanitise a tool\'s output. Omit for both.',
    ),
  scope: scopeQuerySchema
    .optional()
    .describe(
      'What you are about to produce, e.g. { "providers": "aws", "resourceTypes": "aws_s3_bucket", "environments": "prod", "languages": "hcl" }: ' +
        'only the policies whose scope matches. A dimension you omit matches every policy; "all" matches anything. describe_scope lists the values in use.',
    ),
  category: z.string().optional().describe('Only policies of this category, e.g. "infrastructure", "organizational", "architectural".'),
  severity: severitySchema
    .optional()
    .describe('Only policies of this severity: "hard" (blocks), "soft" (never blocks), "advisory" (guidance only).'),
  version: versionSchema,
};

/**
 * Input of `validate`: an `action`, or an `artifact` given as content. An
 * artifact is never a path: an agent must not make the server read files of
 * its choosing, so the object is strict and a `path` key is refused.
 */
export const VALIDATE_INPUT = {
  action: z
    .unknown()
    .optional()
    .describe(
      'The candidate action: { "tool": string, "arguments"?: object, "context"?: object, "kind"?: string }. It is evaluated, never run.',
    ),
  artifact: z
    .object({
      content: z
        .unknown()
        .describe('The artifact: text (Terraform, a Dockerfile, source code, YAML...) or a JSON value (JSON input for OPA).'),
      format: z
        .enum(['json', 'yaml', 'hcl', 'terraform', 'terraform-plan', 'dockerfile', 'javascript', 'typescript', 'python', 'text'])
        .optional()
        .describe('How to read text content; required for text unless name has a telling extension. Absent for a JSON value.'),
      name: z.string().optional().describe('A plain file name the engines see (e.g. "main.tf", "app.js"); no directories.'),
    })
    .strict()
    .optional()
    .describe(
      'A generated artifact to validate with the enforcement engines the policies bind (OPA, Conftest, Checkov, Semgrep). Content only: files are not read.',
    ),
  scope: scopeQuerySchema
    .optional()
    .describe('What the action or artifact is about, as for get_constraints: selects the advisory policies reported as informational.'),
  version: versionSchema,
};

/** Output of `describe_scope`. */
export const DESCRIBE_SCOPE_OUTPUT = {
  ...availability,
  version: z.string().optional(),
  mode: modeSchema.optional(),
  policyCount: z.number().optional(),
  policyIds: z.array(z.string()).optional(),
  tools: z.array(z.string()).optional(),
  fields: z.array(z.string()).optional(),
  operators: z.array(z.string()).optional(),
  rewriteOps: z.array(z.string()).optional(),
  effects: z.array(effectSchema).optional(),
  phases: z.array(phaseSchema).optional(),
  selectors: vocabularySchema
    .optional()
    .describe('Every scope dimension with the values the policies select on: what get_constraints can be asked by scope'),
  categories: z.array(z.string()).optional(),
  severities: z.array(severitySchema).optional(),
  artifacts: z.array(z.string()).optional().describe('The glob patterns over artifact names the policies select'),
  engines: z.array(z.string()).optional().describe('The enforcement engines the policies bind'),
};

const policySchema = z.object({
  id: z.string(),
  description: z.string().optional(),
  tools: z.array(z.string()),
  effect: effectSchema.optional().describe('absent for an advisory policy'),
  mode: modeSchema.optional().describe('absent for an advisory policy'),
  phase: phaseSchema,
  when: z.string().optional(),
  require: z.array(z.string()).optional(),
  assert: z.string().optional(),
  rewrites: z.array(z.string()).optional(),
  shape: z.array(z.string()).optional(),
  shapesFile: z.string().optional(),
  enforcement: z.array(z.string()).optional(),
  artifacts: z.array(z.string()).optional(),
  violatedWhenApplies: z.literal(true).optional(),
  message: z.string().optional(),
  priority: z.number().optional(),
  title: z.string().optional(),
  intent: z.string().optional(),
  category: z.string().optional(),
  owner: z.string().optional(),
  version: z.string().optional().describe("the policy's own version (semver)"),
  severity: severitySchema.optional().describe('declared, or implied by the effect: deny and escalate are hard, warn is soft'),
  deprecated: z.literal(true).optional().describe('being retired: still served and enforced'),
  successor: z.string().optional().describe('the id of the policy that replaces a deprecated one'),
  scope: policyScopeSchema.optional(),
  guidance: guidanceSchema.optional(),
  bindings: z.array(z.object({ engine: z.string(), policy: z.string(), query: z.string().optional() })).optional(),
  provenance: z
    .object({
      source: z.string(),
      ruleId: z.string().optional(),
      version: z.string().optional(),
      license: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
});

/** Output of `get_constraints`. */
export const GET_CONSTRAINTS_OUTPUT = {
  ...availability,
  version: z.string().optional(),
  mode: modeSchema.optional(),
  tool: z.string().optional(),
  kind: phaseSchema.optional(),
  scope: scopeQuerySchema.optional(),
  category: z.string().optional(),
  severity: severitySchema.optional(),
  policies: z.array(policySchema).optional(),
};

const constraintResultSchema = z.object({
  policyId: z.string(),
  title: z.string().optional(),
  severity: severitySchema,
  status: z.enum(['violated', 'passed', 'informational', 'error']),
  deprecated: z.literal(true).optional(),
  successor: z.string().optional(),
  remediation: z.string().optional().describe("how to comply, from the policy's guidance"),
  guidance: guidanceSchema.optional(),
});

const violationSchema = z.object({
  policyId: z.string(),
  field: z.string(),
  path: pathSchema,
  message: z.string(),
  effect: effectSchema,
  severity: z.enum(['violation', 'warning', 'info']),
  tier: z.enum(['auto', 'formal', 'engine']),
  constraint: z.string(),
  expected: z.unknown().optional(),
});

const rewriteSchema = z.object({
  policyId: z.string(),
  op: z.enum(['cap_value', 'set_default', 'mask_field', 'remove_field', 'replace']),
  field: z.string(),
  path: pathSchema,
  value: z.unknown().optional(),
  applied: z.boolean(),
});

const errorSchema = z.object({
  code: z.enum(['INVALID_ACTION', 'LIMIT_EXCEEDED', 'EVALUATION_FAILED']),
  message: z.string(),
  policyId: z.string().optional(),
});

const engineVerdictSchema = z.object({
  verdict: z.enum(['pass', 'fail', 'error']),
  engine: z.string(),
  policy: z.string(),
  violations: z.array(violationSchema),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  durationMs: z.number(),
});

/** Output of `validate`. */
export const VALIDATE_OUTPUT = {
  ...availability,
  verdict: z.enum(['allow', 'deny', 'escalate']).optional(),
  outcome: z.enum(['allow', 'deny', 'escalate', 'would_deny', 'would_escalate']).optional(),
  violations: z.array(violationSchema).optional(),
  warnings: z.array(violationSchema).optional(),
  wouldDeny: z.array(violationSchema).optional(),
  wouldEscalate: z.array(violationSchema).optional(),
  escalatedBy: z.array(z.string()).optional(),
  rewrites: z.array(rewriteSchema).optional(),
  errors: z.array(errorSchema).optional(),
  rewrittenAction: z.unknown().optional(),
  policyVersion: z.string().optional(),
  result: z.enum(['pass', 'fail', 'error']).optional().describe('For an artifact: the engine verdicts combined, error > fail > pass'),
  engines: z.array(engineVerdictSchema).optional().describe('For an artifact: each engine verdict, in policy then binding order'),
  constraints: z
    .array(constraintResultSchema)
    .optional()
    .describe('Each policy that applied, in policy order: violated, passed, error, or informational (advisory guidance)'),
};
