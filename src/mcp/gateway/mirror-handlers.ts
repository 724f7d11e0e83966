import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  RequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { HandlerExtra } from '../request-context.js';

/** Sends one request on to the downstream server and returns its result. */
export type Forward = (method: string, params: Record<string, unknown> | undefined, extra: HandlerExtra) => Promise<unknown>;

/**
 * The capabilities the gateway advertises: the downstream server's, but for
 * what it cannot pass on (tasks, and requests a server sends its client, which
 * need client capabilities the gateway does not offer downstream).
 */
export function mirroredCapabilities(downstream: ServerCapabilities): ServerCapabilities {
  const { tools, resources, prompts, logging, completions, experimental } = downstream;
  return {
    ...(tools === undefined ? {} : { tools }),
    ...(resources === undefined ? {} : { resources }),
    ...(prompts === undefined ? {} : { prompts }),
    ...(logging === undefined ? {} : { logging }),
    ...(completions === undefined ? {} : { completions }),
    ...(experimental === undefined ? {} : { experimental }),
  };
}

// Typed as one of them: only `extend` and the method literal are used, which every SDK request schema has.
type SdkRequestSchema = typeof CallToolRequestSchema;

// An SDK request schema with its params kept whole: the SDK's own schemas drop
// keys they do not know, and the gateway passes on what the client sent.
const whole = (schema: SdkRequestSchema) => schema.extend({ params: RequestSchema.shape.params });

/** The methods served for each capability; `ping` is always forwarded, so it says whether the downstream server answers. */
function methodsFor(capabilities: ServerCapabilities): readonly SdkRequestSchema[] {
  const schemas: unknown[] = [PingRequestSchema];
  if (capabilities.tools !== undefined) schemas.push(ListToolsRequestSchema, CallToolRequestSchema);
  if (capabilities.resources !== undefined) {
    schemas.push(ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ReadResourceRequestSchema);
    if (capabilities.resources.subscribe === true) schemas.push(SubscribeRequestSchema, UnsubscribeRequestSchema);
  }
  if (capabilities.prompts !== undefined) schemas.push(ListPromptsRequestSchema, GetPromptRequestSchema);
  if (capabilities.completions !== undefined) schemas.push(CompleteRequestSchema);
  if (capabilities.logging !== undefined) schemas.push(SetLevelRequestSchema);
  return schemas as SdkRequestSchema[];
}

/**
 * Sets, on the gateway's low-level Server, a handler for every method the
 * downstream server advertises (see `methodsFor`) that forwards the request
 * with its params as received. Any other method has no handler and gets the
 * SDK's "Method not found" (or the guard's refusal) without reaching downstream.
 */
export function installForwarding(server: Server, capabilities: ServerCapabilities, forward: Forward): void {
  for (const schema of methodsFor(capabilities)) {
    const loose = whole(schema);
    // The SDK types a handler's result as the union of server results; a forwarded result is whatever the server returned.
    server.setRequestHandler(loose, ((request: { method: string; params?: Record<string, unknown> }, extra: HandlerExtra) =>
      forward(request.method, request.params, extra)) as unknown as Parameters<typeof server.setRequestHandler<typeof loose>>[1]);
  }
}
