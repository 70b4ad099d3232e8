// Completion callbacks, keyed by order id. Nothing ever deletes them: the second leak.

export type Done = () => string;

export const registry = new Map<string, Done>();

export function pending(): number {
  return registry.size;
}
