import Type, { type TSchema } from 'typebox';
import { formatAmount, formatWad, parseAmount, parseWad } from './amount.ts';
import { describeValue } from './describe.ts';
import { InvalidArgumentError } from './errors.ts';

/**
 * The two documents the engine takes from outside — the parameter set and the epoch input — are
 * described once, as TypeBox schemas (JSON Schema objects, like every message of the sdk and every
 * route of the API). From one schema come: a strict parser whose errors name the field
 * (`nodes[3].hardware.gpus[0].model`) and decode the wire form into exact values, the serialiser
 * back to the wire form, and the JSON Schema published beside the code (generated, so it cannot
 * drift from the parser).
 *
 * Wire conventions: token amounts in base units are decimal-integer strings (`amount`); ratios,
 * multipliers and whole-token quantities are decimal strings read exactly into WAD (`wad`);
 * counts, seconds and minutes are JSON integers (`int`). The two decimal kinds are strings in
 * JSON Schema; the parser knows them by an `x-swarm` keyword (dropped from the published schema).
 */
export type { TSchema };

const KIND = 'x-swarm';
const DECIMAL_PATTERN = '^(0|[1-9][0-9]{0,59})(\\.[0-9]{1,18})?$';
export const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,77})$';
type Doc = { doc?: string };
const described = (doc: string | undefined) => (doc === undefined ? {} : { description: doc });

/** A token amount in base units: a decimal-integer string, parsed to `bigint`. */
export const amount = (o: Doc = {}): TSchema => Type.String({ pattern: AMOUNT_PATTERN, ...described(o.doc), [KIND]: 'amount' });

/** An exact decimal read into WAD, within `[min, max]` when given. */
export const wad = (o: Doc & { min?: string; max?: string } = {}): TSchema => {
  const range = [o.min === undefined ? '' : `≥ ${o.min}`, o.max === undefined ? '' : `≤ ${o.max}`].filter(Boolean).join(', ');
  const d = [o.doc, range === '' ? '' : `(decimal, ${range})`].filter(Boolean).join(' ');
  return Type.String({ pattern: DECIMAL_PATTERN, ...described(d === '' ? undefined : d), [KIND]: 'wad', 'x-min': o.min, 'x-max': o.max });
};

/** A JSON integer within `[min, max]`. */
export const int = (o: Doc & { min: number; max: number }): TSchema => Type.Integer({ minimum: o.min, maximum: o.max, ...described(o.doc) });

export const bool = (o: Doc = {}): TSchema => Type.Boolean(described(o.doc));

/** A string: one of `enum`, or matching `pattern`, at most `maxLength` characters. */
export const str = (o: Doc & { pattern?: string; enum?: readonly string[]; maxLength?: number } = {}): TSchema =>
  Type.Unsafe<string>({
    type: 'string',
    ...(o.enum ? { enum: [...o.enum] } : {}),
    ...(o.pattern ? { pattern: o.pattern } : {}),
    ...(o.maxLength ? { maxLength: o.maxLength } : {}),
    ...described(o.doc),
  });

/** An object of exactly these fields (those in `optional` may be absent). */
export const obj = (o: Doc & { fields: Record<string, TSchema>; optional?: readonly string[] }): TSchema =>
  Type.Object(Object.fromEntries(Object.entries(o.fields).map(([k, v]) => [k, o.optional?.includes(k) ? Type.Optional(v) : v])), {
    additionalProperties: false,
    ...described(o.doc),
  });

/** An object whose keys match `key`, each value a `value`. */
export const map = (o: Doc & { key: string; value: TSchema; maxKeys?: number }): TSchema =>
  Type.Record(Type.String({ pattern: o.key }), o.value, {
    additionalProperties: false,
    ...(o.maxKeys ? { maxProperties: o.maxKeys } : {}),
    ...described(o.doc),
  });

export const arr = (o: Doc & { item: TSchema; maxItems: number }): TSchema => Type.Array(o.item, { maxItems: o.maxItems, ...described(o.doc) });

export const nullable = (o: Doc & { inner: TSchema }): TSchema => Type.Union([o.inner, Type.Null()], described(o.doc));

/** The schema's kind, as the parser reads it: amount, wad, integer, boolean, string, nullable, array, map or obj. */
type Node = Record<string, unknown> & { type?: string; anyOf?: TSchema[] };
export function kindOf(schema: TSchema): string {
  const s = schema as Node;
  if (typeof s[KIND] === 'string') return s[KIND] as string;
  if (Array.isArray(s.anyOf)) return 'nullable';
  if (s.type === 'object') return s.patternProperties === undefined ? 'obj' : 'map';
  return s.type as string;
}
/** An object schema's fields, an array schema's item, a nullable schema's inner schema. */
export const fieldsOf = (s: TSchema): Record<string, TSchema> | undefined =>
  kindOf(s) === 'obj' ? ((s as Node).properties as Record<string, TSchema>) : undefined;
export const itemOf = (s: TSchema): TSchema | undefined => (kindOf(s) === 'array' ? ((s as Node).items as TSchema) : undefined);
export const innerOf = (s: TSchema) => ((s as Node).anyOf as TSchema[]).find((x) => (x as Node).type !== 'null') as TSchema;
const patternKey = (s: TSchema) => Object.keys((s as Node).patternProperties as object)[0] as string;
const patternValue = (s: TSchema) => ((s as Node).patternProperties as Record<string, TSchema>)[patternKey(s)] as TSchema;

const reCache = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = reCache.get(pattern);
  if (r === undefined) {
    r = new RegExp(pattern);
    reCache.set(pattern, r);
  }
  return r;
}

/** Parses `value` against `schema`; throws an `InvalidArgumentError` naming the first bad field. */
export function parseWith(schema: TSchema, value: unknown, path: string): unknown {
  const d = schema as Node;
  switch (kindOf(schema)) {
    case 'amount':
      return parseAmount(value, path);
    case 'wad': {
      const w = parseWad(value, path);
      const min = d['x-min'] as string | undefined;
      const max = d['x-max'] as string | undefined;
      if (min !== undefined && w < parseWad(min, 'min')) throw new InvalidArgumentError(path, `must be at least ${min}, got ${String(value)}`, 'OUT_OF_RANGE');
      if (max !== undefined && w > parseWad(max, 'max')) throw new InvalidArgumentError(path, `must be at most ${max}, got ${String(value)}`, 'OUT_OF_RANGE');
      return w;
    }
    case 'integer': {
      const [min, max] = [d.minimum as number, d.maximum as number];
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new InvalidArgumentError(path, `must be between ${min} and ${max}, got ${describeValue(value)}`, 'OUT_OF_RANGE');
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw new InvalidArgumentError(path, `must be an integer, got ${describeValue(value)}`, 'INVALID_TYPE');
      if (value < min || value > max) throw new InvalidArgumentError(path, `must be between ${min} and ${max}, got ${value}`, 'OUT_OF_RANGE');
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidArgumentError(path, `must be true or false, got ${describeValue(value)}`, 'INVALID_TYPE');
      return value;
    case 'string':
      return parseString(d, value, path);
    case 'nullable':
      return value === null ? null : parseWith(innerOf(schema), value, path);
    case 'array': {
      if (!Array.isArray(value)) throw new InvalidArgumentError(path, `must be an array, got ${describeValue(value)}`, 'INVALID_TYPE');
      if (value.length > (d.maxItems as number)) throw new InvalidArgumentError(path, `must have at most ${d.maxItems} items`, 'TOO_MANY_ITEMS');
      const item = d.items as TSchema;
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = parseWith(item, value[i], `${path}[${i}]`);
      return out;
    }
    case 'map':
      return parseMap(schema, value, path);
    case 'obj':
      return parseObject(d, value, path);
    default:
      throw new InvalidArgumentError(path, 'has a schema the parser does not know', 'INVALID_TYPE');
  }
}

function parseString(d: Node, value: unknown, path: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(path, `must be a string, got ${describeValue(value)}`, 'INVALID_TYPE');
  const values = d.enum as readonly string[] | undefined;
  if (values !== undefined && !values.includes(value)) {
    throw new InvalidArgumentError(path, `must be one of ${values.join(', ')}, got ${describeValue(value)}`, 'INVALID_ENUM');
  }
  if (d.maxLength !== undefined && value.length > (d.maxLength as number))
    throw new InvalidArgumentError(path, `must be at most ${d.maxLength} characters`, 'TOO_LONG');
  const pattern = d.pattern as string | undefined;
  if (pattern !== undefined && !re(pattern).test(value)) {
    throw new InvalidArgumentError(path, `has an invalid format (expected /${pattern}/), got ${JSON.stringify(value.slice(0, 80))}`, 'INVALID_FORMAT');
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseMap(schema: TSchema, value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidArgumentError(path, `must be an object, got ${describeValue(value)}`, 'INVALID_TYPE');
  const d = schema as Node;
  const keys = Object.keys(value);
  if (d.maxProperties !== undefined && keys.length > (d.maxProperties as number)) {
    throw new InvalidArgumentError(path, `must have at most ${d.maxProperties} entries`, 'TOO_MANY_ITEMS');
  }
  const key = patternKey(schema);
  const item = patternValue(schema);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (!re(key).test(k)) throw new InvalidArgumentError(`${path}.${k}`, `is not a valid key (expected /${key}/)`, 'INVALID_FORMAT');
    out[k] = parseWith(item, value[k], `${path}.${k}`);
  }
  return out;
}

function parseObject(d: Node, value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidArgumentError(path, `must be an object, got ${describeValue(value)}`, 'INVALID_TYPE');
  const fields = d.properties as Record<string, TSchema>;
  const required = d.required as readonly string[] | undefined;
  for (const k in value) if (!Object.hasOwn(fields, k)) throw new InvalidArgumentError(join(path, k), 'is not a known field', 'UNKNOWN_FIELD');
  const out: Record<string, unknown> = {};
  for (const k in fields) {
    const fv = value[k];
    if (fv === undefined) {
      if (!required?.includes(k)) continue;
      throw new InvalidArgumentError(join(path, k), 'is required', 'MISSING_FIELD');
    }
    out[k] = parseWith(fields[k] as TSchema, fv, join(path, k));
  }
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The wire form of a parsed value (the inverse of `parseWith`). */
export function serializeWith(schema: TSchema, value: unknown): unknown {
  const d = schema as Node;
  switch (kindOf(schema)) {
    case 'amount':
      return formatAmount(value as bigint);
    case 'wad':
      return formatWad(value as bigint);
    case 'nullable':
      return value === null ? null : serializeWith(innerOf(schema), value);
    case 'array':
      return (value as unknown[]).map((x) => serializeWith(d.items as TSchema, x));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, x]) => [k, serializeWith(patternValue(schema), x)]));
    case 'obj': {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      for (const [k, f] of Object.entries(d.properties as Record<string, TSchema>)) if (v[k] !== undefined) out[k] = serializeWith(f, v[k]);
      return out;
    }
    default:
      return value;
  }
}

/** JSON Schema (draft 2020-12) of the wire form: the schema without the parser's own keywords. Range limits of decimals are enforced by the parser only. */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (k, v) => (k === KIND || k === 'x-min' || k === 'x-max' ? undefined : v))) as Record<string, unknown>;
}
