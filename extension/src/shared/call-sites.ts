/**
 * Call sites where the extension is on out of the box. The same list is the manifest's
 * content_scripts `matches` (the build injects it, so the two can never disagree).
 */
export const CALL_SITE_MATCHES: readonly string[] = __CALL_SITE_MATCHES__;

/** Does `url` match a WebExtension match pattern like `https://*.zoom.us/*`? */
export function matchesPattern(url: string, pattern: string): boolean {
  const m = /^(\*|https?):\/\/(\*|\*\.[^/*]+|[^/*]+)(\/.*)$/.exec(pattern);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!m) return false;
  const [, scheme, host, path] = m;
  const proto = u.protocol.slice(0, -1);
  if (scheme === '*' ? proto !== 'http' && proto !== 'https' : proto !== scheme) return false;
  if (host !== '*') {
    if (host.startsWith('*.')) {
      const base = host.slice(2);
      if (u.hostname !== base && !u.hostname.endsWith(`.${base}`)) return false;
    } else if (u.hostname !== host) return false;
  }
  const re = new RegExp(`^${path.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(u.pathname + u.search);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function isCallSite(url: string): boolean {
  return CALL_SITE_MATCHES.some((p) => matchesPattern(url, p));
}

/** The key a site's on/off choice is stored under, and the host permission pattern for it. */
export function siteOf(url: string): { origin: string; pattern: string } | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return { origin: u.origin, pattern: `${u.protocol}//${u.hostname}/*` };
  } catch {
    return null;
  }
}
