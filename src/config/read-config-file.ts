import { DEFAULT_LIMITS } from '../limits.js';
import { readBoundedText, parseJson } from '../bundle/read-json.js';
import { isYamlFile } from '../bundle/list-policy-files.js';
import { configError } from './config-error.js';

/**
 * Reads a config file as plain JSON data: `.yaml`/`.yml` through the policy
 * files' YAML parser and its bounds (duplicate keys, tags, aliases and depth
 * refused), `.json` as strict JSON; at most `limits.maxFileBytes`. A YAML file
 * must hold exactly one document. Any other extension is refused, so a policy
 * file passed by mistake is not read as a config.
 */
export async function readConfigFile(file: string): Promise<unknown> {
  const yaml = isYamlFile(file);
  if (!yaml && !file.endsWith('.json')) throw configError(file, '', 'a config file is .yaml, .yml or .json');
  const text = await readBoundedText(file, DEFAULT_LIMITS.maxFileBytes);
  if (!yaml) return parseJson(text, file, { maxDepth: DEFAULT_LIMITS.maxDepth });
  const { parseYaml } = await import('../bundle/parse-yaml.js');
  const documents = parseYaml(text, file, DEFAULT_LIMITS.maxDepth);
  if (documents.length !== 1) throw configError(file, '', `must hold one YAML document, not ${documents.length}`);
  return documents[0];
}
