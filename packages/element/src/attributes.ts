/**
 * Attribute and property validation: a bad value logs a console warning and falls back to the
 * default; it never throws (a typo in markup must not break the page).
 */

const TAG = 'emotion-detector';

function warn(attr: string, value: unknown, fallback: unknown, expected: string): void {
  console.warn(`<${TAG}>: invalid ${attr}=${JSON.stringify(value)} (expected ${expected}); using ${JSON.stringify(fallback)}.`);
}

const absent = (v: unknown) => v === null || v === undefined || v === '';

export function parseEnum<T extends string>(attr: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (absent(value)) return fallback;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if ((allowed as readonly unknown[]).includes(v)) return v as T;
  warn(attr, value, fallback, allowed.join('|'));
  return fallback;
}

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  fallback: number;
}

export function parseNumber(attr: string, value: unknown, { min, max, integer = false, fallback }: NumberRule): number {
  if (absent(value)) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    warn(attr, value, fallback, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    return fallback;
  }
  return n;
}

/** A URL-ish string attribute: empty or absent means "use the default" (null). */
export function parseUrl(attr: string, value: unknown): string | null {
  if (absent(value)) return null;
  if (typeof value === 'string' || value instanceof URL) return String(value).trim() || null;
  warn(attr, value, null, 'a URL');
  return null;
}
