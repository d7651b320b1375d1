// Module scripts, `import()` and `import` statements of Datasette's paths.
// The frame's policy loads no script from a URL: a module's code comes from
// the kernel, is rewritten (rewrite.js), its own imports loaded the same way
// and pointed at their blob: URLs, and the browser runs it from a blob: URL.

import { INTERNAL, ask, pathOf } from "./core.js";
import { prepareScript } from "./rewrite.js";
import { assets, cacheable } from "./navigation.js";

/** @type {Map<string, Promise<string>>} path -> blob: URL of the module; each runs once in this
 *  document, as a tab's module map has it (the page's own module scripts run on every page) */
const modules = new Map();

/**
 * The text of a script on Datasette, "" if Datasette does not serve it as JavaScript.
 * @param {string} path
 * @returns {Promise<string>}
 */
export async function scriptAsset(path) {
  const key = `script ${path}`;
  const known = assets.get(key);
  if (known) return known;
  const reply = await ask({ type: "assets", script: [path], stylesheet: [] });
  const text = String(reply.assets?.script?.[path] ?? "");
  if (cacheable(path) && text) assets.set(key, text);
  return text;
}

/**
 * The Datasette path a module specifier names, or null (another host, or a
 * bare name: there is no import map here, as in a tab without one).
 * @param {string} specifier
 * @param {string} base the importing script's URL
 */
function modulePath(specifier, base) {
  if (!/^(\/|\.\.?\/|[a-z][a-z\d+.-]*:)/i.test(specifier)) return null;
  try {
    const url = new URL(specifier, base);
    return url.origin === INTERNAL ? pathOf(url) : null;
  } catch {
    return null;
  }
}

/**
 * The blob: URL of the module at `path`, loaded once.
 * @param {string} path
 * @param {string[]} [chain] the modules importing it, to see a cycle
 * @returns {Promise<string>}
 */
function loadModule(path, chain = []) {
  let url = modules.get(path);
  if (!url) {
    url = scriptAsset(path).then((code) => {
      if (!code) throw new TypeError(`Failed to fetch module ${INTERNAL}${path}: not JavaScript on Datasette`);
      return moduleBlobUrl(code, INTERNAL + path, [...chain, path]);
    });
    modules.set(path, url);
    url.catch(() => modules.delete(path)); // tried again next time
  }
  return url;
}

/**
 * A blob: URL for a module's code whose URL is `url`, its imports loaded.
 * @param {string} code
 * @param {string} url
 * @param {string[]} [chain]
 */
export async function moduleBlobUrl(code, url, chain = []) {
  const script = prepareScript(code, { module: true, url });
  /** @type {Map<string, string>} */
  const imports = new Map();
  await Promise.all(
    script.specifiers.map(async (specifier) => {
      const path = modulePath(specifier, url);
      if (path === null) return;
      if (chain.includes(path)) {
        console.warn(`Datasette widget: ${url} is imported by a module it imports; the cycle is not loaded`);
        return;
      }
      imports.set(specifier, await loadModule(path, chain));
    }),
  );
  const rewritten = script.finish((specifier) => imports.get(specifier) ?? null);
  return URL.createObjectURL(new Blob([rewritten], { type: "text/javascript" }));
}

// What the rewritten `import(...)` and `import.meta` call.
Object.defineProperty(window, "__jldImport", {
  value: (/** @type {string} */ base) => async (/** @type {unknown} */ specifier) => {
    const text = String(specifier);
    const path = modulePath(text, base);
    if (path !== null) return import(await loadModule(path));
    if (text.startsWith("blob:")) return import(text);
    throw new TypeError(`Failed to fetch dynamically imported module: ${text}`);
  },
});
Object.defineProperty(window, "__jldImportMeta", {
  value: (/** @type {string} */ base) => ({ url: base, resolve: (/** @type {string} */ s) => new URL(s, base).href }),
});
