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
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { HandlerExtra } from '../request-context.js';
import type { SdkRequestSchema } from './whole-params.js';
import { withWholeParams } from './whole-params.js';

/** Sends one request on to the downstream server and returns its result. */
export type Forward = (method: string, params: Record<string, unknown> | undefined, extra: HandlerExtra) => Promise<unknown>;

/**
 * The capabilities the gateway advertises: the downstream server's, but for
 * what it cannot pass on (tasks). Requests the server sends its client are
 * relayed according to the client's capabilities, not the server's (see
 * `relayedCapabilities`).
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
    const loose = withWholeParams(schema);
    // The SDK types a handler's result as the union of server results; a forwarded result is whatever the server returned.
    server.setRequestHandler(loose, ((request: { method: string; params?: Record<string, unknown> }, extra: HandlerExtra) =>
      forward(request.method, request.params, extra)) as unknown as Parameters<typeof server.setRequestHandler<typeof loose>>[1]);
  }
}
