import type { Attributes, MeterProvider } from '@opentelemetry/api';
import type { LoggerProvider } from '@opentelemetry/api-logs';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import { TierguardError } from '../errors.js';
import { MAX_METRIC_TOOLS, resolveOtelSinkLimits, type OtelSinkLimits } from '../limits.js';
import { RESERVED_METRIC_ATTRIBUTES } from './decision-metrics.js';

/** Options of `createOtelAuditSink`. */
export interface OtelAuditSinkOptions {
  /** Where log records go; default: the global one (`logs.getLoggerProvider()` of `@opentelemetry/api-logs`). */
  readonly loggerProvider?: LoggerProvider;
  /** Where metrics go; default: the global one (`metrics.getMeterProvider()` of `@opentelemetry/api`). */
  readonly meterProvider?: MeterProvider;
  /** Emit one log record per decision (default true). */
  readonly logs?: boolean;
  /** Record `policy_eval_ms`, `tierguard_decisions` and `tierguard_audit_dropped` (default true). */
  readonly metrics?: boolean;
  /**
   * Tools named in the metrics' `tool` attribute; any other tool is `other`. Without it
   * the metrics have no `tool` attribute, so clients naming tools cannot grow the series.
   * At most `MAX_METRIC_TOOLS` names.
   */
  readonly metricTools?: readonly string[];
  /** Constant attributes on every metric point (`{ gateway: "fs" }`); not `phase`, `method`, `verdict`, `tool` or `reason`. */
  readonly metricAttributes?: Readonly<Record<string, string | number | boolean>>;
  /** Queue and timeout bounds; unset ones keep `DEFAULT_OTEL_SINK_LIMITS`. */
  readonly limits?: Partial<OtelSinkLimits>;
  /** Receives every dropped event (the first of a run) and every export failure; default: one line to stderr. */
  readonly onError?: (error: Error) => void;
}

/** The options, checked, with defaults filled in. */
export interface ResolvedOtelSinkOptions {
  readonly loggerProvider: LoggerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
  readonly logs: boolean;
  readonly metrics: boolean;
  readonly metricTools: ReadonlySet<string> | undefined;
  readonly metricAttributes: Readonly<Attributes>;
  readonly limits: OtelSinkLimits;
  readonly onError: ((error: Error) => void) | undefined;
}

const KNOWN: ReadonlySet<string> = new Set([
  'loggerProvider',
  'meterProvider',
  'logs',
  'metrics',
  'metricTools',
  'metricAttributes',
  'limits',
  'onError',
]);

// A name every metrics backend can hold; `__` is Prometheus's reserved prefix (and keeps `__proto__` out).
const ATTRIBUTE_NAME = /^(?!__)[A-Za-z_][A-Za-z0-9_.]{0,254}$/;

/**
 * Checks the options before any package is loaded, so a mistake is reported as
 * itself even where the OpenTelemetry packages are missing.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` naming the option at fault.
 */
export function resolveOtelSinkOptions(options: OtelAuditSinkOptions): ResolvedOtelSinkOptions {
  requireOptionsObject(options, 'createOtelAuditSink');
  rejectUnknownOptions(options, KNOWN);
  const { loggerProvider, meterProvider } = options;
  if (loggerProvider !== undefined && !hasMethod(loggerProvider, 'getLogger')) {
    throw invalid('loggerProvider', 'must be an OpenTelemetry LoggerProvider (an object with getLogger)');
  }
  if (meterProvider !== undefined && !hasMethod(meterProvider, 'getMeter')) {
    throw invalid('meterProvider', 'must be an OpenTelemetry MeterProvider (an object with getMeter)');
  }
  const logs = flag(options.logs, 'logs');
  const metrics = flag(options.metrics, 'metrics');
  if (!logs && !metrics) throw invalid('logs', 'and metrics are both false: the sink would export nothing');
  return {
    loggerProvider,
    meterProvider,
    logs,
    metrics,
    metricTools: toolSet(options.metricTools),
    metricAttributes: constantAttributes(options.metricAttributes),
    limits: resolveOtelSinkLimits(options.limits),
    onError: handler(options.onError),
  };
}

function invalid(option: string, message: string, actual?: unknown): TierguardError<'INVALID_OPTIONS'> {
  return new TierguardError('INVALID_OPTIONS', `createOtelAuditSink: ${option} ${message}`, {
    option,
    ...(actual === undefined ? {} : { actual }),
  });
}

function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

function flag(value: unknown, option: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalid(option, 'must be true or false', value);
  return value;
}

function handler(value: unknown): ((error: Error) => void) | undefined {
  if (value === undefined || typeof value === 'function') return value as ((error: Error) => void) | undefined;
  throw invalid('onError', 'must be a function');
}

function toolSet(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid('metricTools', 'must be an array of tool names');
  if (value.length > MAX_METRIC_TOOLS) {
    throw invalid('metricTools', `lists ${value.length} tools; at most ${MAX_METRIC_TOOLS} (MAX_METRIC_TOOLS) keep the series bounded`);
  }
  value.forEach((tool: unknown, index) => {
    if (typeof tool !== 'string') throw invalid(`metricTools[${index}]`, 'must be a string', tool);
  });
  return new Set(value as string[]);
}

function constantAttributes(value: unknown): Readonly<Attributes> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('metricAttributes', 'must be an object of attribute names to strings, numbers or booleans');
  }
  const attributes: Attributes = {};
  for (const [name, attribute] of Object.entries(value)) {
    if (!ATTRIBUTE_NAME.test(name) || RESERVED_METRIC_ATTRIBUTES.has(name)) {
      throw invalid(
        `metricAttributes.${name}`,
        'is not a name the sink can use (letters, digits, _ and ., not __-prefixed, not phase, method, verdict, tool or reason)',
      );
    }
    if (typeof attribute !== 'string' && typeof attribute !== 'boolean' && !(typeof attribute === 'number' && Number.isFinite(attribute))) {
      throw invalid(`metricAttributes.${name}`, 'must be a string, a finite number or a boolean', attribute);
    }
    attributes[name] = attribute;
  }
  return Object.freeze(attributes);
}
