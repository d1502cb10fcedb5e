import { z } from 'zod';
import { parseScope } from '../core/scopes.js';
import type { ScopePolicy } from './types.js';

const scopeToken = z.string().refine((s) => parseScope(s)?.length === 1, 'a single scope token (RFC 6749 §3.3)');
const scopeList = z.array(scopeToken);

/**
 * The scope section of a gateway or middleware config: scopes every call needs, and extra scopes
 * per JSON-RPC method and per tool (`tools/call` with `params.name`). For example
 * `{ "required": ["mcp"], "tools": { "delete_note": ["notes:write"] } }`.
 */
export const scopePolicySchema = z
  .object({
    required: scopeList.optional(),
    methods: z.record(z.string().min(1), scopeList).optional(),
    tools: z.record(z.string().min(1), scopeList).optional(),
  })
  .strict();

export type ScopePolicySettings = z.input<typeof scopePolicySchema>;

/** The policy that requires nothing. */
export const EMPTY_SCOPE_POLICY: ScopePolicy = Object.freeze({ required: Object.freeze([]), methods: Object.freeze({}), tools: Object.freeze({}) });

/** Validates a scope-policy config section and freezes it. Throws a TypeError saying what to fix. */
export function parseScopePolicy(settings: unknown): ScopePolicy {
  const parsed = scopePolicySchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`scope policy ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const freezeRecord = (record: Record<string, string[]> | undefined) =>
    Object.freeze(Object.fromEntries(Object.entries(record ?? {}).map(([name, scopes]) => [name, Object.freeze([...new Set(scopes)])])));
  return Object.freeze({
    required: Object.freeze([...new Set(parsed.data.required ?? [])].sort()),
    methods: freezeRecord(parsed.data.methods),
    tools: freezeRecord(parsed.data.tools),
  });
}

/** Every scope the policy names (required, per method, per tool), sorted: all a client may ever need for this resource. */
export function scopesOfPolicy(policy: ScopePolicy): string[] {
  return [...new Set([...policy.required, ...Object.values(policy.methods).flat(), ...Object.values(policy.tools).flat()])].sort();
}

/** Whether the scopes a call needs can depend on its body (so an adapter must read it). */
export function policyReadsBody(policy: ScopePolicy): boolean {
  return Object.keys(policy.methods).length > 0 || Object.keys(policy.tools).length > 0;
}

/**
 * Every scope a JSON-RPC body needs under `policy`, sorted: `required`, plus the scopes of each
 * message's `method` (requests and notifications alike: a mapping an operator wrote is never
 * silently skipped), plus, for `tools/call`, those of the tool named by `params.name`. A batch
 * (array) needs the union of its messages. Responses, and bodies that are not JSON-RPC at all,
 * need `required` only: the upstream rejects them.
 * @see MCP Authorization (2026-07-28), "Scope Challenge Handling"; JSON-RPC 2.0 §4, §6
 */
export function scopesForMessage(policy: ScopePolicy, jsonRpcBody: unknown): string[] {
  if (jsonRpcBody === undefined) return [...policy.required];
  const needed = new Set(policy.required);
  const messages = Array.isArray(jsonRpcBody) ? jsonRpcBody : [jsonRpcBody];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const method: unknown = (message as { method?: unknown }).method;
    if (typeof method !== 'string') continue;
    // Object.hasOwn: a method named "constructor" or "__proto__" must not reach Object.prototype.
    if (Object.hasOwn(policy.methods, method)) for (const s of policy.methods[method]!) needed.add(s);
    if (method !== 'tools/call') continue;
    const params: unknown = (message as { params?: unknown }).params;
    const tool: unknown = typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : undefined;
    if (typeof tool === 'string' && Object.hasOwn(policy.tools, tool)) for (const s of policy.tools[tool]!) needed.add(s);
  }
  return [...needed].sort();
}
