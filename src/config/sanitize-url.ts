/**
 * Masks credentials in connection strings before they reach a message, a log line
 * or a report.
 *
 * This works on the raw text instead of `new URL()` on purpose: a password with an
 * unencoded `#`, `?`, `/` or `@` makes URL parsing split the string in the wrong
 * place, and part of the password would then be printed as a port, a path or a
 * fragment. Masking from the scheme up to the LAST `@` can hide a little too much
 * (an `@` in a query value), never too little.
 */

const MASK = '***';

/** Query parameters (URI form) and keywords (libpq key=value form) that carry secrets. */
const SECRET_NAME = /^(?:password|passwd|pass|pwd|sslpassword|secret|token|access_token|api_?key)$/i;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function sanitizeUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  if (scheme !== null) return sanitizeUriForm(url, scheme[0].length);
  return sanitizeOtherForm(url);
}

function sanitizeUriForm(url: string, authorityStart: number): string {
  const at = url.lastIndexOf('@');
  if (at < authorityStart) return url.slice(0, authorityStart) + maskQueryParams(url.slice(authorityStart));
  const userinfo = url.slice(authorityStart, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:${MASK}`;
  return url.slice(0, authorityStart) + user + maskQueryParams(url.slice(at));
}

/** `?password=x&sslmode=require` -> `?password=***&sslmode=require`. */
function maskQueryParams(rest: string): string {
  return rest.replace(/([?&])([^=&#]*)=([^&#]*)/g, (whole: string, sep: string, name: string) =>
    SECRET_NAME.test(name) ? `${sep}${name}=${MASK}` : whole,
  );
}

/**
 * Not a URL: a libpq keyword string (`host=db password='x y'`), a scheme-less
 * `user:pass@host/db`, or plain text such as an environment name. Masks what looks
 * like a secret and returns the rest unchanged.
 */
function sanitizeOtherForm(text: string): string {
  const keywords = text.replace(
    /(^|\s)([A-Za-z_]+)(\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)/g,
    (whole: string, lead: string, name: string, eq: string) => (SECRET_NAME.test(name) ? `${lead}${name}${eq}${MASK}` : whole),
  );
  const at = keywords.lastIndexOf('@');
  const colon = keywords.indexOf(':');
  if (at > 0 && colon !== -1 && colon < at && !/[\s=]/.test(keywords.slice(0, at))) {
    return `${keywords.slice(0, colon)}:${MASK}${keywords.slice(at)}`;
  }
  return keywords;
}
