import type { Limits } from '../limits.js';
import type { Mode, OnError } from '../types.js';

/** One source of policies in a config file, its path resolved against the config file's folder. */
export interface ConfigSource {
  /** The source's name; also its namespace unless `namespace` is given. */
  readonly name: string;
  /** A policy file or directory, absolute. */
  readonly path: string;
  /** Higher wins: a lower-precedence source may only tighten a rule of a higher one. */
  readonly precedence: number;
  /** The prefix of the source's policy ids (`<namespace>/<id>`); default `name`. */
  readonly namespace: string;
}

/** An adapter module named by a config file: `module` exports (as `export`, default `default`) a factory or an adapter. */
export interface ConfigAdapterModule {
  /** The engine name bindings use; the adapter's own `name` must be the same. */
  readonly name: string;
  /** The module, absolute. */
  readonly module: string;
  /** The export to use; default `default`. */
  readonly export: string;
  /** Passed to the factory when the export is a function. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The `options` of a config file. */
export interface ConfigOptions {
  readonly mode?: Mode;
  readonly onError?: OnError;
  /** All-or-nothing: a precedence conflict or an invalid policy fails the load (default `false`). */
  readonly strict: boolean;
  /** Accept a set with no policies (default `false`). */
  readonly allowEmpty: boolean;
  readonly limits?: Partial<Limits>;
}

/** A config file, checked, with every path resolved against its folder. */
export interface TierguardConfig {
  /** The config file, as given. */
  readonly file: string;
  readonly sources: readonly ConfigSource[];
  /** Options for the built-in adapters, by engine name (`opa`, `conftest`, `checkov`, `semgrep`). */
  readonly engines: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly adapters: readonly ConfigAdapterModule[];
  readonly options: ConfigOptions;
}
