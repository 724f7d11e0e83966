import * as z from 'zod/v4';

/*
 * The wire schemas of what the constraint tools say about scopes, severities
 * and guidance, beside the tools' own schemas (constraint-schemas.ts).
 */

/** A policy's severity. */
export const severitySchema = z.enum(['hard', 'soft', 'advisory']);
const scopeValueSchema = z.union([z.string(), z.array(z.string())]);

/*
 * Scope queries are loose on purpose: a key that is not a dimension reaches the
 * handler, which answers with the valid dimensions and a suggestion, where a
 * strict schema would only say "unrecognized key".
 */
const relationshipQuerySchema = z
  .object({
    sourceLayer: scopeValueSchema.optional().describe('Layer the relationship starts from, e.g. "service"'),
    targetLayer: scopeValueSchema.optional().describe('Layer it points to, e.g. "database"'),
    sourceComponent: scopeValueSchema.optional(),
    targetComponent: scopeValueSchema.optional(),
    sourceDomain: scopeValueSchema.optional().describe('Domain it starts from, e.g. "billing"'),
    targetDomain: scopeValueSchema.optional(),
    differentDomain: z.boolean().optional().describe('Whether the two sides are in different domains; implied by both domains'),
    interaction: scopeValueSchema.optional().describe('e.g. "sync-call", "async-event", "import"'),
  })
  .loose();

/** A scope query (`get_constraints`, `validate`), loose so a mistyped dimension gets a helpful error from the handler. */
export const scopeQuerySchema = z
  .object({
    providers: scopeValueSchema.optional().describe('e.g. "aws", "gcp", "kubernetes"'),
    resourceTypes: scopeValueSchema.optional().describe('The target tool\'s identifiers, e.g. Terraform "aws_s3_bucket"'),
    environments: scopeValueSchema.optional().describe('e.g. "prod"'),
    repos: scopeValueSchema.optional().describe('Repository names and tags as "tag:<tag>", e.g. ["payments", "tag:infra"]'),
    languages: scopeValueSchema.optional().describe('e.g. "hcl", "python", "yaml"'),
    relationship: relationshipQuerySchema.optional().describe('For architectural rules: the relationship your code creates'),
  })
  .loose();

const exampleSchema = z.union([z.string(), z.object({ language: z.string().optional(), code: z.string(), note: z.string().optional() })]);

/** A policy's guidance, as written. */
export const guidanceSchema = z.object({
  do: z.array(z.string()).optional(),
  dont: z.array(z.string()).optional(),
  exampleCompliant: exampleSchema.optional(),
  exampleNoncompliant: exampleSchema.optional(),
});

const listSchema = z.array(z.string()).optional();

/** A policy's scope, as written. */
export const policyScopeSchema = z.object({
  providers: listSchema,
  resourceTypes: listSchema,
  environments: listSchema,
  repos: listSchema,
  languages: listSchema,
  relationship: z
    .object({
      sourceLayer: listSchema,
      targetLayer: listSchema,
      sourceComponent: listSchema,
      targetComponent: listSchema,
      sourceDomain: listSchema,
      targetDomain: listSchema,
      differentDomain: z.boolean().optional(),
      interaction: listSchema,
    })
    .optional(),
});

/** What `describe_scope` lists as `selectors`: every dimension with the values the policies use. */
export const vocabularySchema = z.object({
  providers: z.array(z.string()),
  resourceTypes: z.array(z.string()),
  environments: z.array(z.string()),
  repos: z.array(z.string()),
  languages: z.array(z.string()),
  relationship: z.object({
    sourceLayer: z.array(z.string()),
    targetLayer: z.array(z.string()),
    sourceComponent: z.array(z.string()),
    targetComponent: z.array(z.string()),
    sourceDomain: z.array(z.string()),
    targetDomain: z.array(z.string()),
    differentDomain: z.array(z.boolean()),
    interaction: z.array(z.string()),
  }),
});
