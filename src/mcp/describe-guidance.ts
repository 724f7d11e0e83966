import { severityOf } from '../policy/policy-effect.js';
import type { PolicyCategory, PolicyDefinition, PolicyGuidance, PolicyProvenance, PolicyScope, PolicySeverity } from '../types.js';

/** One enforcement binding as `get_constraints` lists it. */
export interface BindingDescription {
  /** The engine's name (`opa`, `checkov`). */
  readonly engine: string;
  /** The engine's policy file or directory, as the policy names it. */
  readonly policy: string;
  /** What the engine is asked, where it takes a query (`data.s3.deny`). */
  readonly query?: string;
}

/** What a policy tells an agent beyond its checks: who, why, how binding, where, and how to comply. */
export interface GuidanceDescription {
  /** A short name. */
  readonly title?: string;
  /** Why the policy exists. */
  readonly intent?: string;
  /** What it is about (`infrastructure`, `organizational`, `architectural`, or the registry's own). */
  readonly category?: PolicyCategory;
  /** Who answers for it. */
  readonly owner?: string;
  /** The policy's own version (semver). */
  readonly version?: string;
  /** Declared, or implied by the effect: `deny` and `escalate` are `hard`, `warn` is `soft`. */
  readonly severity: PolicySeverity;
  /** Present when the policy is being retired: it is still served and enforced. */
  readonly deprecated?: true;
  /** The id of the policy that replaces a deprecated one. */
  readonly successor?: string;
  /** Where it applies, as written: the selectors `get_constraints({ scope })` matches. */
  readonly scope?: PolicyScope;
  /** How to comply: `do`, `dont`, examples. */
  readonly guidance?: PolicyGuidance;
  /** The engines that enforce it on artifacts, one entry per binding. */
  readonly bindings?: readonly BindingDescription[];
  /** Where an imported policy came from. */
  readonly provenance?: PolicyProvenance;
}

/** The guidance fields of `definition`, as `get_constraints` adds them to each policy. */
export function describeGuidance(definition: PolicyDefinition): GuidanceDescription {
  const optional = <K extends keyof PolicyDefinition>(key: K) =>
    definition[key] === undefined ? {} : ({ [key]: definition[key] } as Pick<PolicyDefinition, K>);
  return {
    ...optional('title'),
    ...optional('intent'),
    ...optional('category'),
    ...optional('owner'),
    ...optional('version'),
    severity: severityOf(definition),
    ...(definition.deprecated === true ? { deprecated: true as const } : {}),
    ...optional('successor'),
    ...optional('scope'),
    ...optional('guidance'),
    ...(definition.enforcement === undefined
      ? {}
      : {
          bindings: definition.enforcement.map(({ engine, policy, query }) => ({
            engine,
            policy,
            ...(query === undefined ? {} : { query }),
          })),
        }),
    ...optional('provenance'),
  };
}
