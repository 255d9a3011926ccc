/**
 * Last line of defence for "never print a password": every line the CLI writes
 * passes through here, with each password known from URLs in the settings and
 * the environment replaced by ***. Messages are built without passwords in the
 * first place; this catches a driver message that echoes one.
 */
import { parse } from 'pg-connection-string';

export class Redactor {
  private readonly secrets = new Set<string>();

  addUrl(url: string | undefined): void {
    if (url === undefined) return;
    try {
      const password = parse(url).password;
      if (typeof password === 'string' && password.length >= 3) {
        this.secrets.add(password);
        this.secrets.add(encodeURIComponent(password));
      }
    } catch {
      // not a URL: nothing to learn
    }
  }

  addSecret(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 3) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}
