const HTML = /text\/html/i;

/**
 * Whether an `Accept` header ranks `text/html` above `application/json`, as a browser's does
 * (`text/html,application/xhtml+xml,...,*\/*;q=0.8`). curl's `*\/*`, no header, and a tie go to
 * JSON: `/api/...` is the API, HTML the exception.
 */
export function prefersHtml(accept: string | undefined): boolean {
  // Almost every call on /api is a JSON client without text/html in its Accept: one test decides it.
  if (accept === undefined || !HTML.test(accept)) return false;
  const ranges = parseAccept(accept);
  return quality(ranges, 'text', 'html') > quality(ranges, 'application', 'json');
}

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): Range[] {
  const out: Range[] = [];
  for (const part of accept.toLowerCase().split(',')) {
    const [range, ...params] = part.split(';');
    const [type, subtype] = range.trim().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k.trim() === 'q') q = Number(v);
    }
    out.push({ type, subtype: subtype.trim(), q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 });
  }
  return out;
}

// The most specific range that matches decides (RFC 9110 12.5.1): `text/html` over `text/*` over `*/*`.
function quality(ranges: readonly Range[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}
