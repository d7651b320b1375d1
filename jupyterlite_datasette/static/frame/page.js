// The life of one page inside the long-lived document: its scripts run (in
// order), see `location` as the page's Datasette URL, and what
// they attach to window and document is taken away when the next page comes.

import { INTERNAL, base, fromWidget, internalPath, now, pathOf, post, resolve } from "./core.js";
import { rewriteScript } from "./rewrite.js";
import { moduleBlobUrl, scriptAsset } from "./modules.js";
import { cacheable, followUrl, scrollToFragment } from "./navigation.js";

/** @type {[EventTarget, string, any, any][]} */
const pageListeners = [];
/** @type {Set<number>} */
const pageTimers = new Set();

/**
 * From now on, remember what page scripts attach to window and document:
 * those outlive the page here (a browser tab would start a new document).
 * The frame's own listeners are added before this is called.
 */
export function trackPageScripts() {
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target);
    target.addEventListener = (type, listener, options) => {
      pageListeners.push([target, type, listener, options]);
      add(type, listener, options);
    };
  }
  // A name can be defined as a custom element once per document, and a tab has a new document
  // for each page: a later page's definition of a name already defined keeps the first one
  // (Datasette 1.0's pages define theirs on every page).
  const define = customElements.define.bind(customElements);
  customElements.define = (name, constructor, options) => {
    if (!customElements.get(name)) define(name, constructor, options);
  };
  for (const name of /** @type {const} */ (["setTimeout", "setInterval"])) {
    const schedule = /** @type {any} */ (window[name]).bind(window);
    /** @type {any} */ (window)[name] = (/** @type {any[]} */ ...args) => {
      // A string is code to run, as eval runs it.
      const id = schedule(evaluatedCode(args[0]), ...args.slice(1));
      pageTimers.add(id);
      return id;
    };
  }
}

/** Forget everything the previous page's scripts left behind. */
export function endPage() {
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
 * @param {boolean} [replace] `location.replace`: no new history entry
 */
function locationNavigate(value, replace = false) {
  const url = resolve(String(value));
  if (url) followUrl(url, now(), replace);
}

/** The path of the page shown, as Datasette knows it. */
export let currentPath = "/";
/** The fragment of the page's URL (`location.hash`), which moves without a new page. */
let currentHash = "";
const pageUrl = () => new URL(INTERNAL + currentPath + currentHash);

/** What `location` is to page scripts: the Datasette URL, not about:srcdoc. */
const pageLocation = {
  /** @param {unknown} value */
  assign: (value) => locationNavigate(value),
  /** @param {unknown} value */
  replace: (value) => locationNavigate(value, true),
  reload: () => locationNavigate(new URL(INTERNAL + currentPath), true),
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
// The rewritten scripts' `location`, `window.location` and `document.location`
// (the real ones cannot be redefined); `document.URL` needs no rewriting.
for (const target of [window, document]) {
  Object.defineProperty(target, "__jldLocation", { get: () => pageLocation, set: locationNavigate });
}
for (const key of ["URL", "documentURI"]) Object.defineProperty(document, key, { get: () => pageUrl().href });

/**
 * Code made at run time, rewritten as a classic script is (its declarations
 * stay its own), so that `location` and `import()` in it are the page's too.
 * @param {unknown} code
 */
const evaluatedCode = (code) =>
  typeof code === "string" ? rewriteScript(code, { module: false, url: pageUrl().href, evaluated: true }) : code;
// Called by the rewritten scripts (rewrite.js): the argument of a direct
// `eval(...)`; an indirect eval, which runs in the global scope as this
// call through another name does; and the arguments of `Function(...)`.
const realEval = window.eval;
for (const [name, value] of /** @type {[string, Function][]} */ ([
  ["__jldEvalCode", evaluatedCode],
  ["__jldEval", (/** @type {unknown} */ code) => realEval(/** @type {string} */ (evaluatedCode(code)))],
  ["__jldFunctionArgs", (/** @type {unknown[]} */ ...args) => (args.length ? [...args.slice(0, -1), evaluatedCode(String(args[args.length - 1]))] : args)],
])) {
  Object.defineProperty(window, name, { value });
}

// A form's action (and a button's formAction) with no URL of its own is the
// document's URL: the page's, not about:srcdoc.
for (const [element, property, attribute] of /** @type {[any, string, string][]} */ ([
  [HTMLFormElement, "action", "action"],
  [HTMLButtonElement, "formAction", "formaction"],
  [HTMLInputElement, "formAction", "formaction"],
])) {
  const descriptor = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(element.prototype, property));
  Object.defineProperty(element.prototype, property, {
    ...descriptor,
    get() {
      return this.getAttribute(attribute) ? descriptor.get?.call(this) : pageUrl().href;
    },
  });
}

/**
 * The fragment moved (a `#` link, `location.hash = ...`): as in a tab, no new page.
 * @param {string} hash
 */
export function moveToFragment(hash) {
  const oldURL = pageUrl().href;
  currentHash = hash;
  scrollToFragment(hash);
  if (oldURL !== pageUrl().href) window.dispatchEvent(new HashChangeEvent("hashchange", { oldURL, newURL: pageUrl().href }));
}

// history.pushState/replaceState: the document's real URL (about:srcdoc) can
// take no Datasette path, so the page's URL moves here and the widget's
// address and history follow.
/** @type {unknown} */
let pageState = null;
/**
 * @param {unknown} state
 * @param {string | URL | null | undefined} url
 * @param {boolean} replace
 */
function changeHistory(state, url, replace) {
  if (url !== undefined && url !== null) {
    const target = resolve(String(url));
    if (!target || target.origin !== INTERNAL) {
      throw new DOMException(`A history state object with URL '${url}' cannot be created here`, "SecurityError");
    }
    currentPath = pathOf(target);
    currentHash = target.hash;
    base.href = INTERNAL + currentPath;
    post({ type: "history", path: currentPath, replace });
  }
  pageState = state === undefined ? null : structuredClone(state);
}
History.prototype.pushState = function (state, _title, url) {
  changeHistory(state, url, false);
};
History.prototype.replaceState = function (state, _title, url) {
  changeHistory(state, url, true);
};
Object.defineProperty(History.prototype, "state", { configurable: true, get: () => pageState });

/** `document.readyState` as a page being loaded has it: the frame's own document stays complete. */
/** @type {DocumentReadyState} */
let readyState = "complete";
Object.defineProperty(document, "readyState", { get: () => readyState });
/** @param {DocumentReadyState} state */
function setReadyState(state) {
  readyState = state;
  document.dispatchEvent(new Event("readystatechange"));
}

// document.write after load would replace this whole document: what a page's
// script writes goes in after that script instead, as the parser would put it.
for (const name of /** @type {const} */ (["write", "writeln"])) {
  Document.prototype[name] = function (/** @type {string[]} */ ...parts) {
    const html = parts.join("") + (name === "writeln" ? "\n" : "");
    const script = document.currentScript;
    if (script?.isConnected) script.insertAdjacentHTML("afterend", html);
    else document.body.insertAdjacentHTML("beforeend", html);
  };
}

/** Characters each storage area holds at most, as browsers allow (the widget checks it too). */
const STORAGE_QUOTA = 5_000_000;

/**
 * Web Storage for page scripts. A frame without allow-same-origin has none
 * (reading `localStorage` throws), and plugins keep state there. Reads are
 * synchronous, so the items live here; each change goes to the widget, which
 * keeps localStorage in the kernel for the widget's life (shared by its
 * views) and sessionStorage for the view's, and gives them to each new frame.
 */
class WidgetStorage {
  /** @type {Map<string, string>} */
  #items = new Map();
  /** Characters held, keys and values, kept as items change (checked against the quota). */
  #size = 0;
  #area;

  /** @param {"local" | "session"} area */
  constructor(area) {
    this.#area = area;
  }

  /** The items the widget holds, replacing these. @param {Record<string, string>} items */
  replaceAll(items) {
    this.#items = new Map(Object.entries(items).filter(([, value]) => typeof value === "string"));
    this.#size = 0;
    for (const [name, text] of this.#items) this.#size += name.length + text.length;
  }

  #changed() {
    post({ type: "storage", area: this.#area, items: Object.fromEntries(this.#items) });
  }

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
    const [name, text] = [String(key), String(value)];
    const held = this.#items.get(name);
    if (held === text) return;
    const size = this.#size - (held === undefined ? 0 : name.length + held.length) + name.length + text.length;
    if (size > STORAGE_QUOTA) throw new DOMException(`storing ${name} exceeds the quota`, "QuotaExceededError");
    this.#items.set(name, text);
    this.#size = size;
    this.#changed();
  }

  /** @param {string} key */
  removeItem(key) {
    const name = String(key);
    const held = this.#items.get(name);
    if (held === undefined) return;
    this.#items.delete(name);
    this.#size -= name.length + held.length;
    this.#changed();
  }

  clear() {
    if (!this.#items.size) return;
    this.#items.clear();
    this.#size = 0;
    this.#changed();
  }
}

/**
 * `storage` as a page sees Storage: items are its properties too
 * (`localStorage.theme = "dark"`, `Object.keys(localStorage)`).
 * @param {WidgetStorage} storage
 */
function storageObject(storage) {
  /** @param {string | symbol} name */
  const isItem = (name) => typeof name === "string" && !(name in storage);
  return new Proxy(storage, {
    get(target, name) {
      if (isItem(name)) return target.getItem(/** @type {string} */ (name)) ?? undefined;
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, name, value) {
      if (!isItem(name)) return Reflect.set(target, name, value, target);
      target.setItem(/** @type {string} */ (name), value);
      return true;
    },
    deleteProperty(target, name) {
      if (isItem(name)) target.removeItem(/** @type {string} */ (name));
      return true;
    },
    has: (target, name) => (isItem(name) ? target.getItem(/** @type {string} */ (name)) !== null : name in target),
    ownKeys: (target) => Array.from({ length: target.length }, (_, i) => /** @type {string} */ (target.key(i))),
    getOwnPropertyDescriptor(target, name) {
      const value = isItem(name) ? target.getItem(/** @type {string} */ (name)) : null;
      return value === null ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}
const storages = { local: new WidgetStorage("local"), session: new WidgetStorage("session") };
for (const area of /** @type {const} */ (["local", "session"])) {
  Object.defineProperty(window, `${area}Storage`, { value: storageObject(storages[area]), configurable: true, enumerable: true });
}
// The widget's items: first before any page (the port's first message), then when another view changes them.
fromWidget.set("storage", (message) => {
  if (message.local && typeof message.local === "object") storages.local.replaceAll(message.local);
  if (message.session && typeof message.session === "object") storages.session.replaceAll(message.session);
});

/** The longest cookie a script may set, name and value, as browsers allow; and how many it keeps. */
const COOKIE_CHARS = 4096;
const COOKIE_COUNT = 180;
/**
 * `document.cookie`, which a frame without allow-same-origin throws on, stopping any page
 * script that reads it (a cookie library, a choice remembered). Here the frame keeps what the
 * page's scripts set, for them to read back on this page and the next, as a tab keeps session
 * cookies. It goes nowhere: Datasette's own cookies (its actor, its CSRF token) stay in the
 * kernel's jar, which page scripts never see, and none of these goes to the kernel.
 * @type {Map<string, string>}
 */
const scriptCookies = new Map();
Object.defineProperty(document, "cookie", {
  get: () => [...scriptCookies].map(([name, value]) => (name ? `${name}=${value}` : value)).join("; "),
  set: (/** @type {unknown} */ cookie) => {
    const [pair, ...attributes] = String(cookie).split(";");
    if (pair.length > COOKIE_CHARS) return;
    const equals = pair.indexOf("=");
    const name = equals < 0 ? "" : pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key, setting = ""] = attribute.split("=").map((part) => part.trim());
      if (key.toLowerCase() === "max-age") return Number(setting) <= 0;
      return key.toLowerCase() === "expires" && Date.parse(setting) <= Date.now();
    });
    scriptCookies.delete(name);
    if (!expired && scriptCookies.size < COOKIE_COUNT) scriptCookies.set(name, value);
  },
});

/** @param {HTMLScriptElement} script */
function isJavaScript(script) {
  const type = (script.getAttribute("type") || "").trim().toLowerCase();
  return ["", "module", "text/javascript", "application/javascript"].includes(type);
}

/**
 * The internal paths of the page's scripts with a src, in order.
 * @param {Document} page
 */
export function scriptSources(page) {
  const sources = [];
  for (const script of page.querySelectorAll("script[src]")) {
    const path = internalPath(script.getAttribute("src"));
    if (path && isJavaScript(/** @type {HTMLScriptElement} */ (script))) sources.push(path);
  }
  return sources;
}

/** @param {HTMLScriptElement} script */
export const isModule = (script) => script.getAttribute("type")?.trim().toLowerCase() === "module";

/**
 * A runnable copy of `script`, its code inline (no source names a host in
 * the frame's policy): same attributes but those that would load or delay it.
 * @param {HTMLScriptElement} script
 * @param {string} code
 * @param {string | null} path where the code came from, which the copy's `src` reports
 */
function runnable(script, code, path) {
  const copy = document.createElement("script");
  for (const { name, value } of script.attributes) {
    if (!["src", "nonce", "integrity", "crossorigin", "defer", "async", "type"].includes(name)) copy.setAttribute(name, value);
  }
  // Scripts that find their own URL (document.currentScript.src) find Datasette's.
  if (path) Object.defineProperty(copy, "src", { get: () => INTERNAL + path });
  copy.textContent = code;
  return copy;
}

/** Counts pages: a page's scripts still loading stop once another page is in. */
let pageGeneration = 0;

/**
 * The page at `path` takes the place of the one shown: its address, history
 * state and fragment start afresh, and the old page's scripts still loading stop.
 * @param {string} path
 */
export function startPage(path) {
  pageGeneration++;
  pageState = null;
  currentHash = "";
  currentPath = path;
}

/**
 * Put `copy` where `script` is: body scripts are in this document already,
 * head ones still the parsed page's.
 * @param {HTMLScriptElement} script
 * @param {HTMLScriptElement} copy
 */
function place(script, copy) {
  if (script.ownerDocument === document) script.replaceWith(copy);
  else {
    copy.dataset.page = "";
    document.head.append(copy);
  }
}

/**
 * Run one module script (inline, or from `path`) and wait until it has run.
 * A fresh blob: URL each time, so that it runs on every page it is on, as
 * in a tab; the modules it imports run once in this document.
 * @param {HTMLScriptElement} script
 * @param {string | null} path
 */
async function runModule(script, path) {
  const code = path === null ? script.textContent || "" : await scriptAsset(path);
  if (!code) {
    console.warn(`Datasette widget: module ${path} was not run (not JavaScript on Datasette, or not found)`);
    return;
  }
  const copy = runnable(script, "", null);
  copy.type = "module";
  try {
    copy.src = await moduleBlobUrl(code, path === null ? pageUrl().href : INTERNAL + path, path);
  } catch (error) {
    console.error(error);
    return;
  }
  const ran = new Promise((resolve) => {
    copy.addEventListener("load", resolve, { once: true });
    copy.addEventListener("error", resolve, { once: true });
  });
  place(script, copy);
  await ran;
}

/** @type {Map<string, string>} path -> the classic script there, rewritten (Datasette's static files: kept) */
const classicScripts = new Map();

/**
 * @param {string} path
 * @param {(path: string) => string | undefined} sourceOf
 */
function classicSource(path, sourceOf) {
  let code = classicScripts.get(path);
  if (code === undefined) {
    const text = sourceOf(path);
    if (!text) return "";
    code = rewriteScript(text, { module: false, url: INTERNAL + path });
    if (cacheable(path)) classicScripts.set(path, code);
  }
  return code;
}

/**
 * Run the page's scripts as a browser would while loading it: classic ones in
 * order; then, in order, deferred classic scripts and module scripts; then
 * DOMContentLoaded and load. `readyState` moves as in a tab.
 * @param {HTMLScriptElement[]} headScripts the page's <head> scripts (not in the document)
 * @param {(path: string) => string | undefined} sourceOf the code of an internal classic script
 */
export async function runScripts(headScripts, sourceOf) {
  const generation = pageGeneration;
  const bodyScripts = /** @type {HTMLScriptElement[]} */ ([...document.body.querySelectorAll("script")]);
  /** @type {(() => void | Promise<void>)[]} */
  const deferred = [];
  setReadyState("loading");
  for (const script of [...headScripts, ...bodyScripts]) {
    if (!isJavaScript(script)) {
      // Data blocks (JSON, templates) stay readable by the scripts that use them.
      if (script.ownerDocument !== document) {
        script.dataset.page = "";
        document.head.append(script);
      }
      continue;
    }
    const src = script.getAttribute("src");
    const path = src === null ? null : internalPath(src);
    if (isModule(script)) {
      if (src !== null && path === null) continue;
      const run = () => runModule(script, path);
      if (script.async) run();
      else deferred.push(run);
      continue;
    }
    const code = path === null ? (src === null ? script.textContent || "" : "") : classicSource(path, sourceOf);
    if (!code) {
      console.warn(`Datasette widget: script ${src} was not run (not on Datasette, or not found)`);
      continue;
    }
    const run = () => place(script, runnable(script, path === null ? rewriteScript(code, { module: false, url: pageUrl().href }) : code, path));
    if (src !== null && (script.defer || script.async)) deferred.push(run);
    else run();
  }
  setReadyState("interactive");
  for (const run of deferred) {
    await run();
    if (generation !== pageGeneration) return;
  }
  document.dispatchEvent(new Event("DOMContentLoaded", { bubbles: true }));
  setReadyState("complete");
  window.dispatchEvent(new Event("load"));
}
