/**
 * The console's static assets, built in memory on first request: one JS file (asciinema-player's
 * prebuilt browser bundle followed by our client/console.js, minified by esbuild) and one CSS file
 * (the player's stylesheet followed by ours). Nothing is fetched from a CDN or any other origin.
 *
 * Trust boundary: the files come from this package and node_modules, never from a request.
 * Known limits: esbuild is a build-time package; when it is absent (a production install without
 * dev dependencies) the same files are served concatenated, unminified.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'client');

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

let built: Promise<Map<string, Asset>> | undefined;

async function build(): Promise<Map<string, Asset>> {
  const bundleDir = join(dirname(require.resolve('asciinema-player/dist/bundle/asciinema-player.css')));
  const [playerJs, playerCss, ownJs, ownCss] = await Promise.all([
    readFile(join(bundleDir, 'asciinema-player.min.js'), 'utf8'),
    readFile(join(bundleDir, 'asciinema-player.css'), 'utf8'),
    readFile(join(CLIENT_DIR, 'console.js'), 'utf8'),
    readFile(join(CLIENT_DIR, 'console.css'), 'utf8'),
  ]);
  let js = `${playerJs}\n;${ownJs}`;
  let css = `${playerCss}\n${ownCss}`;
  try {
    const esbuild = await import('esbuild');
    js = (await esbuild.transform(js, { loader: 'js', minify: true, target: 'es2020', legalComments: 'inline' })).code;
    css = (await esbuild.transform(css, { loader: 'css', minify: true })).code;
  } catch {
    // No esbuild: serve the unminified concatenation (same behaviour, larger).
  }
  return new Map([
    ['/assets/console.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(js) }],
    ['/assets/console.css', { type: 'text/css; charset=utf-8', body: Buffer.from(css) }],
  ]);
}

export function asset(path: string): Promise<Asset | undefined> {
  built ??= build().catch((e: unknown) => {
    built = undefined;
    throw e;
  });
  return built.then((m) => m.get(path));
}
