import { formatAmount, formatWad, parseAmount, parseWad } from './amount.ts';
import { describeValue } from './describe.ts';
import { InvalidArgumentError } from './errors.ts';

/**
 * A small declarative schema for the two documents the engine takes from outside — the parameter
 * set and the epoch input. One description gives: a strict parser whose errors name the field
 * (`nodes[3].hardware.gpus[0].model`), the serialiser back to the wire form, and the JSON Schema
 * published beside the code (generated, so it cannot drift from the parser).
 *
 * Wire conventions: token amounts in base units are decimal-integer strings (`amount`); ratios,
 * multipliers and whole-token quantities are decimal strings read exactly into WAD (`wad`);
 * counts, seconds and minutes are JSON integers (`int`).
 */
export type Desc =
  | { t: 'amount'; doc?: string }
  | { t: 'wad'; min?: string; max?: string; doc?: string }
  | { t: 'int'; min: number; max: number; doc?: string }
  | { t: 'bool'; doc?: string }
  | { t: 'str'; pattern?: string; enum?: readonly string[]; maxLength?: number; doc?: string }
  | { t: 'obj'; fields: Record<string, Desc>; optional?: readonly string[]; doc?: string }
  | { t: 'map'; key: string; value: Desc; maxKeys?: number; doc?: string }
  | { t: 'arr'; item: Desc; maxItems: number; doc?: string }
  | { t: 'nullable'; inner: Desc; doc?: string };

const reCache = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = reCache.get(pattern);
  if (r === undefined) {
    r = new RegExp(pattern);
    reCache.set(pattern, r);
  }
  return r;
}

/** Parses `value` against `desc`; throws an `InvalidArgumentError` naming the first bad field. */
export function parseWith(desc: Desc, value: unknown, path: string): unknown {
  switch (desc.t) {
    case 'amount':
      return parseAmount(value, path);
    case 'wad': {
      const w = parseWad(value, path);
      if (desc.min !== undefined && w < parseWad(desc.min, 'min')) {
        throw new InvalidArgumentError(path, `must be at least ${desc.min}, got ${String(value)}`, 'OUT_OF_RANGE');
      }
      if (desc.max !== undefined && w > parseWad(desc.max, 'max')) {
        throw new InvalidArgumentError(path, `must be at most ${desc.max}, got ${String(value)}`, 'OUT_OF_RANGE');
      }
      return w;
    }
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new InvalidArgumentError(path, `must be between ${desc.min} and ${desc.max}, got ${describeValue(value)}`, 'OUT_OF_RANGE');
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new InvalidArgumentError(path, `must be an integer, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      if (value < desc.min || value > desc.max) {
        throw new InvalidArgumentError(path, `must be between ${desc.min} and ${desc.max}, got ${value}`, 'OUT_OF_RANGE');
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') {
        throw new InvalidArgumentError(path, `must be true or false, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      return value;
    case 'str':
      if (typeof value !== 'string') {
        throw new InvalidArgumentError(path, `must be a string, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      if (desc.enum !== undefined && !desc.enum.includes(value)) {
        throw new InvalidArgumentError(path, `must be one of ${desc.enum.join(', ')}, got ${describeValue(value)}`, 'INVALID_ENUM');
      }
      if (desc.maxLength !== undefined && value.length > desc.maxLength) {
        throw new InvalidArgumentError(path, `must be at most ${desc.maxLength} characters`, 'TOO_LONG');
      }
      if (desc.pattern !== undefined && !re(desc.pattern).test(value)) {
        throw new InvalidArgumentError(path, `has an invalid format (expected /${desc.pattern}/), got ${JSON.stringify(value.slice(0, 80))}`, 'INVALID_FORMAT');
      }
      return value;
    case 'nullable':
      return value === null ? null : parseWith(desc.inner, value, path);
    case 'arr': {
      if (!Array.isArray(value)) {
        throw new InvalidArgumentError(path, `must be an array, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      if (value.length > desc.maxItems) {
        throw new InvalidArgumentError(path, `must have at most ${desc.maxItems} items`, 'TOO_MANY_ITEMS');
      }
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = parseWith(desc.item, value[i], `${path}[${i}]`);
      return out;
    }
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InvalidArgumentError(path, `must be an object, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      const out: Record<string, unknown> = {};
      const keys = Object.keys(value);
      if (desc.maxKeys !== undefined && keys.length > desc.maxKeys) {
        throw new InvalidArgumentError(path, `must have at most ${desc.maxKeys} entries`, 'TOO_MANY_ITEMS');
      }
      for (const k of keys) {
        if (!re(desc.key).test(k)) {
          throw new InvalidArgumentError(`${path}.${k}`, `is not a valid key (expected /${desc.key}/)`, 'INVALID_FORMAT');
        }
        out[k] = parseWith(desc.value, (value as Record<string, unknown>)[k], `${path}.${k}`);
      }
      return out;
    }
    case 'obj': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InvalidArgumentError(path, `must be an object, got ${describeValue(value)}`, 'INVALID_TYPE');
      }
      const v = value as Record<string, unknown>;
      for (const k in v) {
        if (!Object.hasOwn(desc.fields, k)) {
          throw new InvalidArgumentError(join(path, k), 'is not a known field', 'UNKNOWN_FIELD');
        }
      }
      const out: Record<string, unknown> = {};
      for (const k in desc.fields) {
        const fv = v[k];
        if (fv === undefined) {
          if (desc.optional?.includes(k)) continue;
          throw new InvalidArgumentError(join(path, k), 'is required', 'MISSING_FIELD');
        }
        out[k] = parseWith(desc.fields[k] as Desc, fv, join(path, k));
      }
      return out;
    }
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The wire form of a parsed value (the inverse of `parseWith`). */
export function serializeWith(desc: Desc, value: unknown): unknown {
  switch (desc.t) {
    case 'amount':
      return formatAmount(value as bigint);
    case 'wad':
      return formatWad(value as bigint);
    case 'int':
    case 'bool':
    case 'str':
      return value;
    case 'nullable':
      return value === null ? null : serializeWith(desc.inner, value);
    case 'arr':
      return (value as unknown[]).map((x) => serializeWith(desc.item, x));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(value as Record<string, unknown>)) out[k] = serializeWith(desc.value, x);
      return out;
    }
    case 'obj': {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      for (const k in desc.fields) {
        if (v[k] !== undefined) out[k] = serializeWith(desc.fields[k] as Desc, v[k]);
      }
      return out;
    }
  }
}

const DECIMAL_PATTERN = '^(0|[1-9][0-9]{0,59})(\\.[0-9]{1,18})?$';
const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,77})$';

/** JSON Schema (draft 2020-12) of the wire form. Range limits of decimals are enforced by the parser only. */
export function toJsonSchema(desc: Desc): Record<string, unknown> {
  const doc = desc.doc === undefined ? {} : { description: desc.doc };
  switch (desc.t) {
    case 'amount':
      return { type: 'string', pattern: AMOUNT_PATTERN, ...doc };
    case 'wad': {
      const range = [desc.min === undefined ? '' : `≥ ${desc.min}`, desc.max === undefined ? '' : `≤ ${desc.max}`].filter(Boolean).join(', ');
      const d = [desc.doc, range === '' ? '' : `(decimal, ${range})`].filter(Boolean).join(' ');
      return { type: 'string', pattern: DECIMAL_PATTERN, ...(d === '' ? {} : { description: d }) };
    }
    case 'int':
      return { type: 'integer', minimum: desc.min, maximum: desc.max, ...doc };
    case 'bool':
      return { type: 'boolean', ...doc };
    case 'str':
      return {
        type: 'string',
        ...(desc.enum ? { enum: desc.enum } : {}),
        ...(desc.pattern ? { pattern: desc.pattern } : {}),
        ...(desc.maxLength ? { maxLength: desc.maxLength } : {}),
        ...doc,
      };
    case 'nullable':
      return { anyOf: [toJsonSchema(desc.inner), { type: 'null' }], ...doc };
    case 'arr':
      return { type: 'array', items: toJsonSchema(desc.item), maxItems: desc.maxItems, ...doc };
    case 'map':
      return {
        type: 'object',
        propertyNames: { pattern: desc.key },
        additionalProperties: toJsonSchema(desc.value),
        ...(desc.maxKeys ? { maxProperties: desc.maxKeys } : {}),
        ...doc,
      };
    case 'obj': {
      const properties: Record<string, unknown> = {};
      for (const [k, d] of Object.entries(desc.fields)) properties[k] = toJsonSchema(d);
      return {
        type: 'object',
        properties,
        required: Object.keys(desc.fields).filter((k) => !desc.optional?.includes(k)),
        additionalProperties: false,
        ...doc,
      };
    }
  }
}
