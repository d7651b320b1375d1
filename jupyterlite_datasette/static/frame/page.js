// The life of one page inside the long-lived document: its scripts run (in
// order), see `location` as the page's Datasette URL, and what
// they attach to window and document is taken away when the next page comes.

/** @type {[EventTarget, string, any, any][]} */
const pageListeners = [];
/** @type {Set<number>} */
const pageTimers = new Set();

/**
 * From now on, remember what page scripts attach to window and document:
 * those outlive the page here (a browser tab would start a new document).
 * The frame's own listeners are added before this is called.
 */
function trackPageScripts() {
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target);
    target.addEventListener = (type, listener, options) => {
      pageListeners.push([target, type, listener, options]);
      add(type, listener, options);
    };
  }
  for (const name of /** @type {const} */ (["setTimeout", "setInterval"])) {
    const schedule = /** @type {any} */ (window[name]).bind(window);
    /** @type {any} */ (window)[name] = (/** @type {any[]} */ ...args) => {
      const id = schedule(...args);
      pageTimers.add(id);
      return id;
    };
  }
}

/** Forget everything the previous page's scripts left behind. */
function endPage() {
  for (const [target, type, listener, options] of pageListeners.splice(0)) {
    target.removeEventListener(type, listener, options);
  }
  for (const id of pageTimers) clearTimeout(id);
  pageTimers.clear();
  for (const target of [window, document]) {
    for (const key in target) {
      if (key.startsWith("on") && /** @type {any} */ (target)[key]) /** @type {any} */ (target)[key] = null;
    }
  }
}

/**
 * Navigate as the browser would for `location.href = value` and friends.
 * @param {unknown} value
 */
function locationNavigate(value) {
  const url = resolve(String(value));
  if (url) followUrl(url, now());
}

const pageUrl = () => new URL(INTERNAL + currentPath);

/** What `location` is to page scripts: the Datasette URL, not about:srcdoc. */
const pageLocation = {
  assign: locationNavigate,
  replace: locationNavigate,
  reload: () => locationNavigate(pageUrl()),
  toString: () => pageUrl().href,
};
for (const key of ["href", "origin", "protocol", "host", "hostname", "port", "pathname", "search", "hash"]) {
  Object.defineProperty(pageLocation, key, {
    enumerable: true,
    get: () => /** @type {any} */ (pageUrl())[key],
    set: (value) => {
      // href may be relative, as in a browser; the other parts change the current URL.
      if (key === "href") return locationNavigate(value);
      const url = pageUrl();
      /** @type {any} */ (url)[key] = value;
      locationNavigate(url);
    },
  });
}

/**
 * Web Storage for page scripts. A frame without allow-same-origin has none
 * (reading `localStorage` throws), and plugins keep state there: these keep
 * it in this document's memory, for as long as the widget shows pages (they
 * are gone when the notebook is reloaded).
 */
class MemoryStorage {
  /** @type {Map<string, string>} */
  #items = new Map();

  get length() {
    return this.#items.size;
  }

  /** @param {number} index */
  key(index) {
    return [...this.#items.keys()][index] ?? null;
  }

  /** @param {string} key */
  getItem(key) {
    return this.#items.get(String(key)) ?? null;
  }

  /** @param {string} key @param {unknown} value */
  setItem(key, value) {
    this.#items.set(String(key), String(value));
  }

  /** @param {string} key */
  removeItem(key) {
    this.#items.delete(String(key));
  }

  clear() {
    this.#items.clear();
  }
}
for (const name of ["localStorage", "sessionStorage"]) {
  Object.defineProperty(window, name, { value: new MemoryStorage(), configurable: true, enumerable: true });
}

/** Page scripts run inside `with (scope)`, so a bare `location` is the page's. */
const SCOPE = "__datasetteWidgetPage";
const scope = Object.create(null);
Object.defineProperty(scope, "location", { get: () => pageLocation, set: locationNavigate });
Object.defineProperty(window, SCOPE, { value: scope });

/** @param {HTMLScriptElement} script */
function isJavaScript(script) {
  const type = (script.getAttribute("type") || "").trim().toLowerCase();
  return ["", "module", "text/javascript", "application/javascript"].includes(type);
}

/**
 * The internal paths of the page's scripts with a src, in order.
 * @param {Document} page
 */
function scriptSources(page) {
  const sources = [];
  for (const script of page.querySelectorAll("script[src]")) {
    const path = internalPath(script.getAttribute("src"));
    if (path && isJavaScript(/** @type {HTMLScriptElement} */ (script))) sources.push(path);
  }
  return sources;
}

/**
 * A runnable copy of `script`: same attributes, the code inline (no source
 * names a host in the frame's policy: inline is how code runs here).
 * Classic scripts get `location` through the scope; their `var`s and
 * functions stay global, while top-level `let`/`const` become local to the
 * script, so a page shown twice does not redeclare them.
 * @param {HTMLScriptElement} script
 * @param {string} code
 */
function runnable(script, code) {
  const copy = document.createElement("script");
  for (const { name, value } of script.attributes) {
    if (!["src", "nonce", "integrity", "crossorigin", "defer", "async"].includes(name)) copy.setAttribute(name, value);
  }
  const module = script.getAttribute("type")?.trim().toLowerCase() === "module";
  copy.textContent = module ? code : `with (window.${SCOPE}) {\n${code}\n}`;
  return copy;
}

/**
 * Run the page's scripts as a browser would while loading it: classic ones in
 * order, then deferred ones, DOMContentLoaded, modules, and load.
 * @param {HTMLScriptElement[]} headScripts the page's <head> scripts (not in the document)
 * @param {(path: string) => string | undefined} sourceOf the code of an internal script
 */
function runScripts(headScripts, sourceOf) {
  const bodyScripts = /** @type {HTMLScriptElement[]} */ ([...document.body.querySelectorAll("script")]);
  /** @type {(() => void)[]} */
  const deferred = [];
  /** @type {(() => void)[]} */
  const modules = [];
  for (const script of [...headScripts, ...bodyScripts]) {
    if (!isJavaScript(script)) {
      // Data blocks (JSON, templates) stay readable by the scripts that use them.
      if (script.ownerDocument !== document) {
        script.dataset.page = "";
        document.head.append(script);
      }
      continue;
    }
    let code = script.textContent || "";
    const src = script.getAttribute("src");
    if (src !== null) {
      const path = internalPath(src);
      code = path ? sourceOf(path) ?? "" : "";
      if (!code) {
        console.warn(`Datasette widget: script ${src} was not run (not on Datasette, or not found)`);
        continue;
      }
    }
    const copy = runnable(script, code);
    const run = () => {
      // Body scripts are in this document already; head ones are still the parsed page's.
      if (script.ownerDocument === document) script.replaceWith(copy);
      else {
        copy.dataset.page = "";
        document.head.append(copy);
      }
    };
    if (copy.type === "module") modules.push(run);
    else if (src !== null && (script.defer || script.async)) deferred.push(run);
    else run();
  }
  for (const run of deferred) run();
  document.dispatchEvent(new Event("DOMContentLoaded", { bubbles: true }));
  for (const run of modules) run();
  window.dispatchEvent(new Event("load"));
}
