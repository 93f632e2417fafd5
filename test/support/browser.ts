/**
 * A minimal scripted browser for OIDC tests: fetch with a cookie jar, manual redirect following,
 * and HTML form parsing, so a test can play the user at a real oidc-provider's pages (device code
 * entry, login, consent) exactly as a person's browser would post them.
 */

export interface Page {
  readonly url: string;
  readonly status: number;
  readonly html: string;
}

export interface Form {
  readonly action: string;
  readonly method: string;
  readonly fields: Record<string, string>;
  readonly inputs: readonly { name: string; type: string }[];
}

const decode = (s: string): string =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decode(m[1] as string) : undefined;
}

export function parseForms(html: string, base: string): Form[] {
  const out: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = m[1] as string;
    const fields: Record<string, string> = {};
    const inputs: { name: string; type: string }[] = [];
    for (const i of (m[2] as string).matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(i[1] as string, 'name');
      if (name === undefined) continue;
      inputs.push({ name, type: attr(i[1] as string, 'type') ?? 'text' });
      fields[name] = attr(i[1] as string, 'value') ?? '';
    }
    out.push({ action: new URL(attr(open, 'action') ?? base, base).href, method: (attr(open, 'method') ?? 'get').toUpperCase(), fields, inputs });
  }
  return out;
}

export class Browser {
  private readonly jar = new Map<string, string>();
  /** Every URL visited, redirects included, in order. */
  readonly visited: string[] = [];

  private store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, eq).trim();
      const value = (pair as string).slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] as string) < Date.now()));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      this.visited.push(current);
      const headers: Record<string, string> = { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method, headers, body, redirect: 'manual' });
      this.store(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.arrayBuffer();
        current = new URL(location, current).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: current, status: res.status, html: await res.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  submit(form: Form, values: Record<string, string> = {}): Promise<Page> {
    return this.request(form.action, { method: form.method, form: { ...form.fields, ...values } });
  }
}

/**
 * Plays the user from `start` until a page without a form: fills the login form (any form with a
 * password field) with `credentials`, and submits every other form (device code confirmation,
 * consent) as shown. Returns the last page.
 */
export async function playUser(browser: Browser, start: string, credentials: { email: string; password: string }, maxSteps = 10): Promise<Page> {
  let page = await browser.request(start);
  for (let i = 0; i < maxSteps; i++) {
    const form = parseForms(page.html, page.url)[0];
    if (form === undefined) return page;
    const isLogin = form.inputs.some((x) => x.type === 'password');
    page = await browser.submit(form, isLogin ? { email: credentials.email, password: credentials.password } : {});
    if (isLogin && page.status === 401) return page;
  }
  throw new Error(`still on a form after ${maxSteps} steps: ${page.url}\n${page.html.slice(0, 500)}`);
}
