import { BUNDLE_USAGE } from './bundle-command.js';
import { BUNDLE_VERIFICATION_HELP } from './bundle-verification-args.js';
import { CHECK_USAGE } from './check-command.js';
import { DOCTOR_USAGE } from './doctor-command.js';
import { EXPLAIN_USAGE } from './explain-command.js';
import { COMPILE_USAGE } from './compile-command.js';
import { GATEWAY_USAGE } from './gateway-args.js';
import { IMPORT_USAGE } from './import-command.js';
import { LINT_USAGE } from './lint-command.js';
import { MCP_USAGE } from './mcp-command.js';
import { RDF_USAGE } from './rdf-command.js';
import { TEST_USAGE } from './test-command.js';
import { VALIDATE_USAGE } from './validate-command.js';

/** What `tierguard <command> --help` prints: the usage line, what the command does, and each option. */
export interface CommandHelp {
  /** The usage line, as the general usage lists it. */
  readonly usage: string;
  /** What the command does and how it exits, in a sentence or two. */
  readonly summary: string;
  /** Each option (`--policies <dir>`) with what it does, in the order the usage names them. */
  readonly options: readonly (readonly [option: string, what: string])[];
}

const POLICIES_FILE_OR_DIR: readonly [string, string] = [
  '--policies <file|dir>',
  'the policy file, or a directory read as loadPolicies reads it',
];
const CONFIG: readonly [string, string] = [
  '--config <file>',
  'a tierguard.config.yaml instead of --policies: its sources merged by precedence (see README, Sources and precedence)',
];
const STRICT: readonly [string, string] = ['--strict', 'with --config, refuse a precedence conflict or an invalid policy outright'];
const MODE: readonly [string, string] = [
  '--mode enforce|monitor',
  'monitor: nothing blocks, the outcome says would_deny (default enforce)',
];
const ALLOW_EMPTY: readonly [string, string] = ['--allow-empty', 'accept a bundle with no policies (otherwise exit 2, EMPTY_BUNDLE)'];
const RELOAD: readonly [string, string] = [
  '--reload-interval <seconds>',
  'poll the policies this often (default 2; 0 turns polling off; SIGHUP reloads at once)',
];

/** The options of a command that judges one action (`check`, `explain`); only what `--json` prints differs. */
function actionOptions(json: string): readonly (readonly [string, string])[] {
  return [
    POLICIES_FILE_OR_DIR,
    CONFIG,
    STRICT,
    ['--action <file|->', 'the action as JSON; - reads standard input'],
    MODE,
    ['--json', json],
    ALLOW_EMPTY,
  ];
}

// A Map, as the commands are: `tierguard toString --help` must not find Object.prototype.toString.
const HELP: ReadonlyMap<string, CommandHelp> = new Map<string, CommandHelp>([
  [
    'check',
    {
      usage: CHECK_USAGE,
      summary: 'Evaluates one action in both tiers. Exit 0 allow, 1 deny or escalate, 2 invalid policy, action or usage.',
      options: actionOptions('print the Decision as JSON; a failure (exit 2) as {"error": {code, message, details}}'),
    },
  ],
  [
    'explain',
    {
      usage: EXPLAIN_USAGE,
      summary:
        "Explains one action's decision policy by policy: tools and when, each check with the value read, its operator, operand and result, rewrites, the formal tier, then the decision as check prints it. Exit codes as check.",
      options: actionOptions(
        'print the explanation (the tree and the Decision) as JSON; a failure (exit 2) as {"error": {code, message, details}}',
      ),
    },
  ],
  [
    'compile',
    {
      usage: COMPILE_USAGE,
      summary: "Writes the SHACL of each policy's shape as Turtle, one file per policy. Exit 0, or 2 on invalid input.",
      options: [POLICIES_FILE_OR_DIR, CONFIG, STRICT, ['--out <dir>', 'the folder to write the .ttl files to (created if missing)']],
    },
  ],
  [
    'test',
    {
      usage: TEST_USAGE,
      summary:
        'Runs the fixtures under <dir>/fixtures/<policy-id>/{allow,deny}/. Exit 0 when every fixture matches, 1 on a mismatch, ' +
        '2 on invalid policies, fixtures or usage (under --json, --junit or --tap the error is given in that format).',
      options: [
        ['--policies <dir>', 'the policy directory holding fixtures/'],
        CONFIG,
        STRICT,
        ['--json', 'print the report as one JSON document (see the README for its fields)'],
        ['--junit', 'print the report as JUnit XML: one testsuite per policy, one testcase per fixture'],
        ['--tap', 'print the report as TAP version 14'],
        ['--out <file>', 'write the --json, --junit or --tap report to the file; the text report still goes to stdout'],
      ],
    },
  ],
  [
    'validate',
    {
      usage: VALIDATE_USAGE,
      summary:
        'Validates one artifact with the engines the policies bind. Exit 0 pass, 1 fail, 2 an engine that could not answer or invalid input.',
      options: [
        POLICIES_FILE_OR_DIR,
        CONFIG,
        STRICT,
        ['--artifact <file|->', 'the artifact; - reads standard input (then give --format or --name)'],
        ['--format <fmt>', 'how the engines read it (json, yaml, hcl...), when the file name does not say'],
        ['--name <name>', 'the name standard input stands for, which selects policies by their artifacts patterns'],
        ['--policy <id>', "run this policy's engines whatever its artifacts patterns say (repeatable)"],
        MODE,
        ['--json', 'print the ValidationDecision as JSON; a failure (exit 2) as {"error": {code, message, details}}'],
      ],
    },
  ],
  [
    'mcp',
    {
      usage: MCP_USAGE,
      summary: 'Serves the constraint tools (describe_scope, get_constraints, validate) over stdio, or Streamable HTTP with --http.',
      options: [
        POLICIES_FILE_OR_DIR,
        ...BUNDLE_VERIFICATION_HELP,
        CONFIG,
        STRICT,
        ['--http', 'serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio'],
        ['--host <address>', 'with --http, the address to bind (default 127.0.0.1)'],
        ['--port <port>', 'with --http, the port (default 8765; 0 picks a free one)'],
        RELOAD,
        ALLOW_EMPTY,
      ],
    },
  ],
  [
    'gateway',
    {
      usage: GATEWAY_USAGE,
      summary:
        'Puts the policies in front of an MCP server: spawns it (or connects to it) and serves its tools, resources and prompts, judged.',
      options: [
        POLICIES_FILE_OR_DIR,
        ...BUNDLE_VERIFICATION_HELP,
        CONFIG,
        STRICT,
        ['--http', 'serve Streamable HTTP (with /healthz) instead of stdio'],
        ['--host <address>', 'with --http, the address to bind (default 127.0.0.1)'],
        ['--port <port>', 'with --http, the port (default 8765; 0 picks a free one)'],
        ['--max-sessions <n>', 'with --http, most open sessions, each with its own downstream server (default 32)'],
        ['--identity-header <name>', 'with --http, the header a reverse proxy sets to the authenticated caller'],
        ['--metrics', 'with --http, serve /metrics in the Prometheus text format'],
        MODE,
        ['--lenient', 'log problems found checking the policies against the tool schemas instead of stopping'],
        ['--identity <json>', 'over stdio, who launched the gateway, as policies see it in context.auth'],
        ['--restart never|on-failure', 'what to do when the downstream server ends on its own (default never)'],
        ['--max-restarts <n>', 'with --restart on-failure, how many restarts (default 3)'],
        ['--timeout <seconds>', 'how long a forwarded request may wait for its answer (default 60)'],
        RELOAD,
        ['--audit <file>', 'append every decision to the file as a JSON line'],
        [
          '--otel <setup.mjs>',
          'import the module, which registers the OpenTelemetry SDK, then export every decision as a log record and metrics through it',
        ],
        ALLOW_EMPTY,
        ['--upstream-url <url>', 'a downstream server already listening on Streamable HTTP'],
        ['-- <command> [args...]', 'the downstream server to spawn, without a shell'],
      ],
    },
  ],
  [
    'bundle',
    {
      usage: BUNDLE_USAGE,
      summary:
        'build (the default) writes the policies, every file they reference and their content hash as one deterministic bundle, JSON or .tar.gz, which --policies loads back verified (from a path or an https:// URL); verify checks one (exit 0 verified, 1 refused, 2 unreadable); sign signs an archive. Exit 0, or 2 on invalid input.',
      options: [
        ['[build] <file|dir>', 'the policy file, or a directory read as loadPolicies reads it'],
        ['--config <file>', 'a tierguard.config.yaml instead: the bundle holds its sources merged by precedence, as served'],
        STRICT,
        ['--out <file>', 'the bundle to write, replaced atomically: a .tar.gz or .tgz name writes an archive, any other JSON'],
        ['--format json|tar.gz', 'the format, when the --out name does not say it'],
        ['--sign-key <pem>', 'sign the archive with this Ed25519 private key (manifest.sig: its signature of manifest.json)'],
        ALLOW_EMPTY,
        ['verify <file|url>', 'load the bundle as --policies would, verified whole, and compile it; report its version and signature'],
        ['--public-key <pem>', 'with verify, the Ed25519 public key it must be signed with'],
        ['--require-signature', 'with verify, refuse to run without --public-key'],
        ['--json', 'with verify, print the report (or the refusal) as JSON'],
        ['sign <file.tar.gz>', 'sign an archive built without a key, in place or to --out; needs --sign-key'],
      ],
    },
  ],
  [
    'doctor',
    {
      usage: DOCTOR_USAGE,
      summary:
        'Checks a policy set end to end: its sources merge without conflict, it compiles, its fixtures match through the real engines and are ones its tools and artifacts select, its scopes reach their policies, its engines answer, and the constraint tools answer an MCP client. Exit 0 healthy, 1 a check failed, 2 usage.',
      options: [
        POLICIES_FILE_OR_DIR,
        CONFIG,
        STRICT,
        ['--json', 'print the report as JSON; a failure (exit 2) as {"error": {code, message, details}}'],
      ],
    },
  ],
  [
    'lint',
    {
      usage: LINT_USAGE,
      summary:
        'Finds what makes policies do less than they say: tools patterns and fields that match nothing, conditions that never hold, shadowed policies, conflicting rewrites, messages that show braces. Exit 0 with no error finding (warnings are printed), 1 with one, 2 on invalid input or usage (under --json as a JSON error).',
      options: [
        POLICIES_FILE_OR_DIR,
        CONFIG,
        STRICT,
        [
          '--actions <file|dir>',
          "sample actions (a directory's .json files): every tools pattern and field must be in one a policy applies to",
        ],
        [
          '--schema <file>',
          'the tools, as tools/list returns them or a bare array: patterns, fields and when values are checked against their schemas',
        ],
        ['--json', 'print the report (or the error) as JSON'],
      ],
    },
  ],
  [
    'import',
    {
      usage: IMPORT_USAGE,
      summary:
        "Turns an engine's installed rule catalog (checkov) or local rule files (semgrep) into draft policies for a person to enrich. Exit 0, or 2 on a catalog or rule file that cannot be read.",
      options: [
        ['checkov | semgrep <rule file|dir>', 'the catalog to import'],
        ['--framework <name>', 'checkov: only the checks of this framework (repeatable)'],
        ['--command <checkov>', 'checkov: the executable to ask (default checkov on PATH)'],
        ['--out <dir>', 'write the drafts to this folder instead of printing them'],
        ['--force', 'replace files that already exist in --out'],
      ],
    },
  ],
  [
    'rdf',
    {
      usage: RDF_USAGE,
      summary:
        'Prints the RDF graph the formal tier validates for an action, as Turtle (see README, Formal tier). Exit 0, or 2 on an invalid action, policy or usage.',
      options: [
        ['--action <file|->', 'the action as JSON; - reads standard input'],
        ['--policies <file|dir>', 'with --policy, the policy set that holds it'],
        ['--policy <id>', "type the root with this shape policy's class, as the engine does when the policy applies (repeatable)"],
        ['--class <iri>', 'type the root with this class too (repeatable)'],
      ],
    },
  ],
]);

/** True when the command line asks for help: `--help` or `-h` before any `--` (after it, the words belong to another program). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * `tierguard <command> --help`: the command's usage line, what it does, and a
 * table of its options; `undefined` for a command without an entry.
 */
export function commandHelp(command: string): string | undefined {
  const help = HELP.get(command);
  if (help === undefined) return undefined;
  const width = Math.max(...help.options.map(([option]) => option.length));
  return [
    `usage: ${help.usage}`,
    '',
    help.summary,
    '',
    'options:',
    ...help.options.map(([option, what]) => `  ${option.padEnd(width)}  ${what}`),
    `  ${'--help, -h'.padEnd(width)}  print this help`,
  ].join('\n');
}
