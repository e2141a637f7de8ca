import { z } from 'zod';

/** How a tool's arguments are forgiven: canonical fields plus the aliases models drift to. */
export interface ForgivingArgumentsInfo {
  /** The canonical field names (what the model is shown). */
  fields: string[];
  /** Alias → canonical field name. */
  aliases: Record<string, string>;
}

const registry = new WeakMap<z.ZodType, ForgivingArgumentsInfo>();

/** An integer that may arrive as a numeric string ("10"). */
export function looseInteger() {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number().int(),
  );
}

/** A boolean that may arrive as "true"/"false"/"yes"/"no"/"1"/"0". */
export function looseBoolean() {
  return z.preprocess((value) => {
    if (typeof value === 'string') {
      const lowered = value.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(lowered)) return true;
      if (['false', 'no', '0'].includes(lowered)) return false;
    }
    if (value === 1) return true;
    if (value === 0) return false;
    return value;
  }, z.boolean());
}

/**
 * Wraps an object schema so that aliases are renamed to canonical fields (the canonical name wins when both are
 * given) and unknown keys are dropped instead of failing. The JSON Schema of the result shows canonical names only.
 */
export function forgivingObject<Shape extends z.ZodRawShape>(
  shape: Shape,
  aliases: Record<string, string> = {},
) {
  const canonical = z.object(shape);
  const schema = z.preprocess((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const renamed: Record<string, unknown> = {};
    for (const [key, fieldValue] of Object.entries(value)) {
      if (key in shape) renamed[key] = fieldValue;
    }
    for (const [key, fieldValue] of Object.entries(value)) {
      const target = aliases[key];
      if (target !== undefined && !(target in renamed)) renamed[target] = fieldValue;
    }
    for (const [key, fieldValue] of Object.entries(renamed)) {
      if (fieldValue === null) delete renamed[key];
    }
    return renamed;
  }, canonical);
  registry.set(schema, { fields: Object.keys(shape), aliases });
  return schema;
}

/** The alias information of a schema made by {@link forgivingObject}, if any. */
export function forgivingArgumentsInfo(schema: z.ZodType): ForgivingArgumentsInfo | undefined {
  return registry.get(schema);
}
