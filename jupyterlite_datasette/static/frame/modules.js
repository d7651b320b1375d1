// Module scripts, `import()` and `import` statements of Datasette's paths.
// The frame's policy loads no script from a URL: a module's code comes from
// the kernel, is rewritten (rewrite.js), and the browser runs it from a blob:
// URL. Its imports of Datasette's paths name their URLs on the internal origin,
// and import maps added to the document (which takes any number of them, each
// adding its entries) point each of those at the module's blob: URL. So a
// module's code never waits for its imports' blob: URLs, and modules that
// import each other in a cycle load as in a tab. A module graph is loaded
// whole, and its entries are in the maps, before any of it is imported.

import { INTERNAL, ask, pathOf } from "./core.js";
import { prepareScript } from "./rewrite.js";
import { assets, cacheable } from "./navigation.js";

/** @typedef {{ blob: string, imports: string[] }} LoadedModule its blob: URL, and the paths it imports */

/** @type {Map<string, Promise<LoadedModule>>} path -> the module there; each runs once in this
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
 * bare name: the import maps here name none, as in a tab without one).
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
 * A module's code, rewritten, as a blob: URL; its imports of Datasette's paths
 * as their URLs on the internal origin, which the import maps resolve.
 * @param {string} code
 * @param {string} url the module's URL, the base of its imports
 * @returns {LoadedModule}
 */
function moduleBlob(code, url) {
  const script = prepareScript(code, { module: true, url });
  /** @type {string[]} */
  const imports = [];
  const rewritten = script.finish((specifier) => {
    const path = modulePath(specifier, url);
    if (path === null) return null;
    imports.push(path);
    return INTERNAL + path;
  });
  return { blob: URL.createObjectURL(new Blob([rewritten], { type: "text/javascript" })), imports };
}

/**
 * Point the internal URL of `path` at `blob` for every module importing it.
 * @param {string} path
 * @param {string} blob
 */
function mapModule(path, blob) {
  const map = document.createElement("script");
  map.type = "importmap";
  map.textContent = JSON.stringify({ imports: { [INTERNAL + path]: blob } });
  document.head.append(map);
}

/**
 * The module at `path`, loaded once, in the import maps once loaded.
 * @param {string} path
 * @returns {Promise<LoadedModule>}
 */
function loadModule(path) {
  let loaded = modules.get(path);
  if (!loaded) {
    loaded = scriptAsset(path).then((code) => {
      if (!code) throw new TypeError(`Failed to fetch module ${INTERNAL}${path}: not JavaScript on Datasette`);
      const module = moduleBlob(code, INTERNAL + path);
      mapModule(path, module.blob);
      return module;
    });
    modules.set(path, loaded);
    loaded.catch(() => modules.delete(path)); // tried again next time
  }
  return loaded;
}

/**
 * Load the modules at `paths` and every module they import, however deep.
 * @param {string[]} paths
 */
async function loadGraph(paths) {
  const seen = new Set();
  /** @param {string} path @returns {Promise<void>} */
  const visit = async (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    const { imports } = await loadModule(path);
    await Promise.all(imports.map(visit));
  };
  await Promise.all(paths.map(visit));
}

/**
 * A blob: URL for a module script of the page, ready to run: every module it
 * imports loaded. A fresh one for each page, so that it runs on every page it
 * is on, as in a tab; a module importing it gets its first (in a tab, the one
 * running), and the modules it imports run once in this document.
 * @param {string} code
 * @param {string} url the script's URL: the page's for an inline one
 * @param {string | null} path where the script came from on Datasette, if it has a src
 */
export async function moduleBlobUrl(code, url, path) {
  const module = moduleBlob(code, url);
  if (path !== null && !modules.has(path)) {
    modules.set(path, Promise.resolve(module));
    mapModule(path, module.blob);
  }
  await loadGraph(module.imports);
  return module.blob;
}

// What the rewritten `import(...)` and `import.meta` call.
Object.defineProperty(window, "__jldImport", {
  value: (/** @type {string} */ base) => async (/** @type {unknown} */ specifier) => {
    const text = String(specifier);
    const path = modulePath(text, base);
    if (path !== null) {
      const { blob } = await loadModule(path);
      await loadGraph([path]);
      return import(blob);
    }
    if (text.startsWith("blob:")) return import(text);
    throw new TypeError(`Failed to fetch dynamically imported module: ${text}`);
  },
});
Object.defineProperty(window, "__jldImportMeta", {
  value: (/** @type {string} */ base) => ({ url: base, resolve: (/** @type {string} */ s) => new URL(s, base).href }),
});
