import type { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { RequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** An SDK request schema, typed as one of them: only `extend` and the method literal are used, which every one has. */
export type SdkRequestSchema = typeof CallToolRequestSchema;

/**
 * `schema` with its params kept whole: the SDK's own request schemas drop keys
 * they do not know, and the gateway passes on what the sender sent. The method
 * literal stays, so a handler is still registered under its method.
 */
export function withWholeParams(schema: SdkRequestSchema): SdkRequestSchema {
  return schema.extend({ params: RequestSchema.shape.params }) as unknown as SdkRequestSchema;
}
