/**
 * Building an Intl formatter loads ICU's locale data: from a fraction of a millisecond to several
 * for a page's first; formatting with one is cheap. `Number#toLocaleString(locale, options)` and
 * `Date#toLocaleDateString(locale, options)` build a new one on every call (V8 caches only the
 * default-locale, no-options case), which cost a cold timeline of 20 rows about 10 ms. So each
 * formatter is made once, on first use, per kind, locale and options (all spelled out in `key`).
 */
const made = new Map<string, unknown>();

export function formatter<F>(key: string, make: () => F): F {
  let found = made.get(key) as F | undefined;
  if (!found) made.set(key, (found = make()));
  return found;
}
