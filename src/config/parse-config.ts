import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DEFAULT_ENGINE_NAMES } from '../enforcement/default-adapters.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Limits } from '../limits.js';
import type { Mode, OnError } from '../types.js';
import { childPointer, closest, configError, rejectUnknownKeys } from './config-error.js';
import type { ConfigAdapterModule, ConfigOptions, ConfigSource, TierguardConfig } from './config-types.js';

const TOP_KEYS = ['$schema', 'sources', 'engines', 'adapters', 'options'];
const SOURCE_KEYS = ['name', 'path', 'precedence', 'namespace'];
const ADAPTER_KEYS = ['name', 'module', 'export', 'options'];
const OPTION_KEYS = ['mode', 'onError', 'strict', 'allowEmpty', 'limits'];
const MODES = ['enforce', 'monitor'];
const ON_ERROR = ['deny', 'allow', 'throw'];

type Json = Readonly<Record<string, unknown>>;

/**
 * Checks a parsed config file (see schema/config.json) and resolves its paths
 * against the file's folder. Every mistake is an `INVALID_OPTIONS` error naming
 * the file and the JSON pointer: an unknown key at any level (with the allowed
 * keys, and the nearest one), a missing or mistyped value, two sources with one
 * name, or sources whose paths overlap (one inside the other: a file would
 * belong to both). Pure apart from path resolution.
 */
export function parseConfig(value: unknown, file: string): TierguardConfig {
  const root = object(value, file, '');
  rejectUnknownKeys(root, TOP_KEYS, file, '');
  const folder = dirname(resolve(file));
  const sources = parseSources(root.sources, file, folder);
  const engines = parseEngines(root.engines, file, folder);
  const adapters = parseAdapters(root.adapters, file, folder, engines);
  return { file, sources, engines, adapters, options: parseOptions(root.options, file) };
}

function parseSources(value: unknown, file: string, folder: string): ConfigSource[] {
  if (value === undefined) throw configError(file, '', 'sources is required: a list of { name, path, precedence }');
  if (!Array.isArray(value) || value.length === 0)
    throw configError(file, '/sources', 'must be a non-empty list of { name, path, precedence, namespace? }');
  const sources = value.map((item: unknown, index): ConfigSource => {
    const pointer = `/sources/${index}`;
    const source = object(item, file, pointer);
    rejectUnknownKeys(source, SOURCE_KEYS, file, pointer);
    const name = text(source.name, file, `${pointer}/name`);
    const precedence = source.precedence;
    if (typeof precedence !== 'number' || !Number.isSafeInteger(precedence))
      throw configError(file, `${pointer}/precedence`, 'must be an integer (higher wins)');
    const namespace = source.namespace === undefined ? name : text(source.namespace, file, `${pointer}/namespace`);
    return { name, path: resolve(folder, text(source.path, file, `${pointer}/path`)), precedence, namespace };
  });
  sources.forEach((source, index) => {
    for (const [otherIndex, other] of sources.slice(0, index).entries()) {
      if (other.name === source.name)
        throw configError(file, `/sources/${index}/name`, `"${source.name}" is also the name of /sources/${otherIndex}`);
      if (overlaps(other.path, source.path))
        throw configError(
          file,
          `/sources/${index}/path`,
          `${source.path} overlaps /sources/${otherIndex} (${other.path}): a policy file would belong to both`,
        );
    }
  });
  return sources;
}

function overlaps(left: string, right: string): boolean {
  const inside = (child: string, parent: string): boolean => {
    const path = relative(parent, child);
    return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
  };
  return inside(left, right) || inside(right, left);
}

function parseEngines(value: unknown, file: string, folder: string): Record<string, Json> {
  if (value === undefined) return {};
  const engines = object(value, file, '/engines');
  rejectUnknownKeys(engines, DEFAULT_ENGINE_NAMES, file, '/engines');
  const parsed: Record<string, Json> = {};
  for (const [name, options] of Object.entries(engines)) {
    const pointer = childPointer('/engines', name);
    const given = object(options, file, pointer);
    parsed[name] = typeof given.command === 'string' ? { ...given, command: commandPath(given.command, folder) } : given;
  }
  return parsed;
}

/** A command with a path separator is a path, relative to the config file; a bare name is looked up on PATH. */
function commandPath(command: string, folder: string): string {
  return command.includes('/') && !isAbsolute(command) ? resolve(folder, command) : command;
}

function parseAdapters(value: unknown, file: string, folder: string, engines: Record<string, Json>): ConfigAdapterModule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw configError(file, '/adapters', 'must be a list of { name, module, export?, options? }');
  const names = new Set<string>();
  return value.map((item: unknown, index): ConfigAdapterModule => {
    const pointer = `/adapters/${index}`;
    const adapter = object(item, file, pointer);
    rejectUnknownKeys(adapter, ADAPTER_KEYS, file, pointer);
    const name = text(adapter.name, file, `${pointer}/name`);
    if (names.has(name) || Object.hasOwn(engines, name))
      throw configError(file, `${pointer}/name`, `"${name}" is already configured: each engine takes one adapter`);
    names.add(name);
    const options = adapter.options === undefined ? undefined : object(adapter.options, file, `${pointer}/options`);
    return {
      name,
      module: resolve(folder, text(adapter.module, file, `${pointer}/module`)),
      export: adapter.export === undefined ? 'default' : text(adapter.export, file, `${pointer}/export`),
      ...(options === undefined ? {} : { options }),
    };
  });
}

function parseOptions(value: unknown, file: string): ConfigOptions {
  if (value === undefined) return { strict: false, allowEmpty: false };
  const options = object(value, file, '/options');
  rejectUnknownKeys(options, OPTION_KEYS, file, '/options');
  const { mode, onError, strict = false, allowEmpty = false, limits } = options;
  const parsed: { -readonly [K in keyof ConfigOptions]: ConfigOptions[K] } = {
    strict: flag(strict, file, '/options/strict'),
    allowEmpty: flag(allowEmpty, file, '/options/allowEmpty'),
  };
  if (mode !== undefined) parsed.mode = oneOf(mode, MODES, file, '/options/mode') as Mode;
  if (onError !== undefined) parsed.onError = oneOf(onError, ON_ERROR, file, '/options/onError') as OnError;
  if (limits !== undefined) parsed.limits = parseLimits(limits, file);
  return parsed;
}

function parseLimits(value: unknown, file: string): Partial<Limits> {
  const limits = object(value, file, '/options/limits');
  rejectUnknownKeys(limits, Object.keys(DEFAULT_LIMITS), file, '/options/limits');
  for (const [name, bound] of Object.entries(limits)) {
    if (typeof bound !== 'number' || !Number.isSafeInteger(bound) || bound < 1)
      throw configError(file, childPointer('/options/limits', name), 'must be a positive integer');
  }
  return limits;
}

function object(value: unknown, file: string, pointer: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw configError(file, pointer, 'must be an object');
  return value as Json;
}

function text(value: unknown, file: string, pointer: string): string {
  if (typeof value !== 'string' || value.length === 0) throw configError(file, pointer, 'must be a non-empty string');
  return value;
}

function flag(value: unknown, file: string, pointer: string): boolean {
  if (typeof value !== 'boolean') throw configError(file, pointer, 'must be true or false');
  return value;
}

function oneOf(value: unknown, allowed: readonly string[], file: string, pointer: string): string {
  if (typeof value === 'string' && allowed.includes(value)) return value;
  const near = typeof value === 'string' ? closest(value, allowed) : undefined;
  throw configError(file, pointer, `must be one of ${allowed.join(', ')}${near === undefined ? '' : ` (did you mean "${near}"?)`}`);
}
