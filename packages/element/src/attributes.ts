/**
 * Attribute and property validation, through one helper: a property declared with `validated()`
 * passes every value (from its attribute or from script) through its parser. A bad value logs a
 * console warning and falls back to the default; it never throws (a typo in markup must not break
 * the page).
 */
import type { PropertyDeclaration } from 'lit';
import { RUNTIME_OPTIONS, isEmotionDetectorError, resolveRuntimeOptions, type RuntimeOptions } from '@emotion-detector/core';

const TAG = 'emotion-detector';

/** Turns any value (an attribute string, a number from script...) into a valid one, or the default; `attr` names it in warnings. */
export type Parser<T> = (value: unknown, attr: string) => T;

function warn(attr: string, value: unknown, fallback: unknown, expected: string): void {
  console.warn(`<${TAG}>: invalid ${attr}=${JSON.stringify(value)} (expected ${expected}); using ${JSON.stringify(fallback)}.`);
}

const absent = (v: unknown) => v === null || v === undefined || v === '';

export function oneOf<T extends string>(allowed: readonly T[], fallback: T): Parser<T> {
  return (value, attr) => {
    if (absent(value)) return fallback;
    const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if ((allowed as readonly unknown[]).includes(v)) return v as T;
    warn(attr, value, fallback, allowed.join('|'));
    return fallback;
  };
}

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  fallback: number;
}

/** A number from an attribute string or a script value: absent gives the default, NaN stays NaN. */
export function toNumber(value: unknown): number | null {
  if (absent(value)) return null;
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
}

export function numberIn({ min, max, integer = false, fallback }: NumberRule): Parser<number> {
  return (value, attr) => {
    const n = toNumber(value);
    if (n === null) return fallback;
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      warn(attr, value, fallback, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
      return fallback;
    }
    return n;
  };
}

type NumericRuntimeOption = { [K in keyof RuntimeOptions]-?: NonNullable<RuntimeOptions[K]> extends number ? K : never }[keyof RuntimeOptions];

/**
 * A numeric option of the engine: the element only turns the attribute string into a number; the
 * engine's own rules (resolveRuntimeOptions, the one validator) judge it, and their
 * 'invalid-option' message is the warning.
 */
export function runtimeNumber(option: NumericRuntimeOption): Parser<number> {
  const fallback = RUNTIME_OPTIONS[option].default;
  return (value, attr) => {
    const n = toNumber(value);
    if (n === null) return fallback;
    try {
      resolveRuntimeOptions({ [option]: n });
      return n;
    } catch (e) {
      if (!isEmotionDetectorError(e)) throw e;
      warn(attr, value, fallback, e.message);
      return fallback;
    }
  };
}

/** A URL-ish string: empty or absent means "use the default" (null). */
export const url: Parser<string | null> = (value, attr) => {
  if (absent(value)) return null;
  if (typeof value === 'string' || value instanceof URL) return String(value).trim() || null;
  warn(attr, value, null, 'a URL');
  return null;
};

/** Free text (an id): trimmed, empty means null. */
export const text: Parser<string | null> = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** A property declaration whose values all pass `parse` (see `installParsers`). */
export interface ValidatedDeclaration<T> extends PropertyDeclaration<T> {
  parse: Parser<T>;
}

/** An element's `static properties`: Lit's declarations, some of them with a `parse`. */
export type ElementProperties = Record<string, PropertyDeclaration & { parse?: Parser<unknown> }>;

/**
 * Completes every declaration with `parse` of `element.properties` and gives its property an
 * accessor that passes each value through the parser (Lit wraps it to request updates and
 * reflect). Reflected; the raw attribute string reaches `parse`; `useDefault`: defaults are not
 * reflected (no attributes sprout) and removing the attribute restores the default, which is the
 * parser's fallback. Call once, in the class's static block, before the element is defined.
 */
export function installParsers(element: { prototype: object; properties: ElementProperties }): void {
  for (const [name, options] of Object.entries(element.properties)) {
    const parse = (options as Partial<ValidatedDeclaration<unknown>>).parse;
    if (!parse) continue;
    Object.assign(options, { reflect: true, useDefault: true, converter: { fromAttribute: (v: string | null) => v } });
    const key = Symbol(name);
    const attr = typeof options.attribute === 'string' ? options.attribute : name.toLowerCase();
    const fallback = parse(null, attr);
    Object.defineProperty(element.prototype, name, {
      get(this: Record<symbol, unknown>) {
        return key in this ? this[key] : fallback;
      },
      set(this: Record<symbol, unknown>, value: unknown) {
        this[key] = parse(value, attr);
      },
      configurable: true,
      enumerable: true,
    });
  }
}
