// What pages and their scripts load from Datasette's paths besides pages:
// images (src, srcset, CSS url()), and the scripts and stylesheets that
// scripts add. The frame's policy loads nothing from a URL; their bytes come
// through the kernel and the browser gets a blob: URL instead, before it ever
// sees the Datasette URL: nothing is refused, and load/error fire as in a tab.

import { INTERNAL, base, pathOf } from "./core.js";
import { apply, matches, querySelectorAll } from "./seal.js";
import { rewriteScript } from "./rewrite.js";
import { kernelFetch } from "./network.js";
import { moduleBlobUrl, scriptAsset } from "./modules.js";
import { currentPath, isModule } from "./page.js";
import { cacheable } from "./navigation.js";

/** @type {Map<string, Promise<string>>} "kind path" -> blob: URL, for Datasette's static files (kept) */
const staticBlobs = new Map();
/** @type {string[]} blob: URLs of the page shown, let go when it goes */
const pageBlobs = [];
/** @type {WeakMap<Element, Map<string, string>>} element -> attribute -> what it waits for from the kernel */
const waiting = new WeakMap();

/** @param {Element} element @param {string} attribute @param {string | null} path (null: waits for nothing) */
function setWaiting(element, attribute, path) {
  let attributes = waiting.get(element);
  if (!attributes) waiting.set(element, (attributes = new Map()));
  if (path === null) attributes.delete(attribute);
  else attributes.set(attribute, path);
}

/** @param {Element} element @param {string} attribute */
const waitingFor = (element, attribute) => waiting.get(element)?.get(attribute) ?? null;

/** The DOM's own setters, kept before page scripts can replace them. */
const nativeSetAttribute = Element.prototype.setAttribute;
const nativeRemoveAttribute = Element.prototype.removeAttribute;
/** @type {Record<string, (this: Element, value: string) => void>} "tag attribute" -> its property's setter */
const nativeSetters = {};

/**
 * The Datasette path `value` points to, for something to load: a URL on
 * Datasette, or a blob: URL this frame made from a stylesheet's url(), whose
 * fragment keeps the path (code that takes URLs from a stylesheet and builds
 * on them, as Leaflet does for its icons, still reaches Datasette).
 * @param {string} value
 * @param {string} [from] the URL `value` is relative to (the page's by default)
 */
function resourcePath(value, from = base.href) {
  let url;
  try {
    url = new URL(value, from);
  } catch {
    return null;
  }
  if (url.protocol === "blob:" && url.hash.startsWith("#/")) url = new URL(url.hash.slice(1), INTERNAL);
  return url.origin === INTERNAL ? pathOf(url) : null;
}

/**
 * A blob: URL for what Datasette answers at `path`, made by `make` from the
 * response; Datasette's static files are kept, the page's let go with it.
 * @param {string} kind
 * @param {string} path
 * @param {(response: Response) => Promise<Blob>} make
 */
function blobUrl(kind, path, make) {
  const key = `${kind} ${path}`;
  let url = staticBlobs.get(key);
  if (url) return url;
  url = kernelFetch(INTERNAL + path).then(async (response) => {
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return URL.createObjectURL(await make(response));
  });
  if (cacheable(path)) {
    staticBlobs.set(key, url);
    url.catch(() => staticBlobs.delete(key)); // tried again next time
  } else {
    url.then((made) => pageBlobs.push(made), () => {});
  }
  return url;
}

/** @param {string} path */
const imageUrl = (path) => blobUrl("image", path, (response) => response.blob());

/** A url() in CSS text: its quoted or bare URL. */
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/g;

/**
 * A stylesheet's text with its url()s on Datasette pointing at blob: URLs
 * of their bytes (images, fonts), tagged with their paths.
 * @param {string} css
 * @param {string} path the stylesheet's own path, which its url()s are relative to
 */
export async function cssWithUrls(css, path) {
  /** @type {Map<string, string>} url() text -> blob: URL */
  const found = new Map();
  for (const match of css.matchAll(CSS_URL)) {
    const raw = match[1] ?? match[2] ?? match[3];
    // A blob: URL is one made here already (its fragment names a path, for scripts).
    const target = raw.startsWith("blob:") ? null : resourcePath(raw, INTERNAL + path);
    if (target !== null && !found.has(raw)) {
      found.set(raw, await imageUrl(target).then((url) => `${url}#${target}`, () => ""));
    }
  }
  if (!found.size) return css;
  return css.replace(CSS_URL, (whole, a, b, c) => {
    const blob = found.get(a ?? b ?? c);
    return blob ? `url("${blob}")` : whole;
  });
}

/** CSS text that may point at something: what the page's own CSS is looked at for. */
const mayPoint = (/** @type {string | null} */ css) => css !== null && /url\(/i.test(css);

/**
 * An element's style attribute, or a <style> element's text, with its url()s
 * on Datasette pointing at blob: URLs; left alone if it has none, so that the
 * rewrite, seen again, changes nothing.
 * @param {Element} element
 * @param {string} path the page's path: the url()s are relative to it
 */
async function takeOwnCss(element, path) {
  const isStyle = element.localName === "style";
  const read = () => (isStyle ? element.textContent : element.getAttribute("style"));
  const css = read();
  if (!mayPoint(css)) return;
  const taken = await cssWithUrls(/** @type {string} */ (css), path);
  // Unchanged, or changed again meanwhile (the newer CSS is taken in its turn).
  if (taken === css || read() !== css) return;
  if (isStyle) element.textContent = taken;
  else apply(nativeSetAttribute, element, ["style", taken]);
}

/** The page's own CSS: its <style> blocks and style attributes. */
const OWN_CSS = "style, [style]";

/**
 * The page's own CSS with its url()s on Datasette pointing at blob: URLs, as
 * its stylesheets' do; done before the page is shown, so the browser never
 * asks for a Datasette URL (the frame's policy would refuse it).
 * @param {Document} page
 * @param {string} path
 */
export function takePageCss(page, path) {
  const elements = apply(querySelectorAll, page.documentElement, [OWN_CSS]);
  return Promise.all([...elements].map((element) => takeOwnCss(element, path)));
}

/**
 * Load `path` for `element` through the kernel, then give the browser `make`'s
 * blob: URL through the native setter; unless the element has been pointed
 * elsewhere meanwhile. A failure fires `error`, as in a tab.
 * @param {Element} element
 * @param {string} attribute
 * @param {string} path
 * @param {() => Promise<string>} make
 */
function loadInto(element, attribute, path, make) {
  setWaiting(element, attribute, path);
  make().then(
    (url) => {
      if (waitingFor(element, attribute) !== path) return;
      setWaiting(element, attribute, null);
      nativeSetters[`${element.localName} ${attribute}`].call(element, url);
    },
    () => {
      if (waitingFor(element, attribute) === path) element.dispatchEvent(new Event("error"));
    },
  );
}

/** @param {HTMLScriptElement} script @param {string} path */
function scriptUrl(script, path) {
  return scriptAsset(path).then((code) => {
    if (!code) throw new Error(`${path} is not JavaScript`);
    const url = INTERNAL + path;
    if (isModule(script)) return moduleBlobUrl(code, url, path);
    return URL.createObjectURL(new Blob([rewriteScript(code, { module: false, url })], { type: "text/javascript" }));
  });
}

/** @param {string} path */
function stylesheetUrl(path) {
  return blobUrl("stylesheet", path, async (response) => {
    const type = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
    if (type !== "text/css") throw new Error(`${path} is not CSS`);
    return new Blob([await cssWithUrls(await response.text(), path)], { type: "text/css" });
  });
}

/**
 * A srcset with its candidates on Datasette pointing at blob: URLs.
 * @param {string} srcset
 */
async function srcsetUrls(srcset) {
  const candidates = srcset.split(/,(?=\s*\S)/).map((candidate) => candidate.trim().split(/\s+/));
  const urls = await Promise.all(
    candidates.map(([url]) => {
      const path = resourcePath(url);
      return path === null ? url : imageUrl(path);
    }),
  );
  return candidates.map(([, ...descriptors], i) => [urls[i], ...descriptors].join(" ")).join(", ");
}

/**
 * Take over `attribute` = `value` of `element` if it loads from Datasette;
 * false if the browser may have it.
 * @param {Element} element
 * @param {string} attribute
 * @param {string} value
 */
function takeResource(element, attribute, value) {
  const kind = `${element.localName} ${attribute}`;
  if (!(kind in nativeSetters)) return false;
  if (attribute === "srcset") {
    if (!value.split(",").some((candidate) => resourcePath(candidate.trim().split(/\s+/)[0]) !== null)) {
      setWaiting(element, attribute, null);
      return false;
    }
    loadInto(element, attribute, value, () => srcsetUrls(value));
    return true;
  }
  const path = resourcePath(value);
  if (path === null) {
    setWaiting(element, attribute, null);
    return false;
  }
  if (kind === "img src") loadInto(element, attribute, path, () => imageUrl(path));
  else if (kind === "script src") loadInto(element, attribute, path, () => scriptUrl(/** @type {HTMLScriptElement} */ (element), path));
  else if (kind === "link href") {
    // Only stylesheets load; other links (icons, alternates) need nothing here.
    const link = /** @type {HTMLLinkElement} */ (element);
    // rel may be set after href: look once the script has set both.
    setWaiting(element, attribute, path);
    queueMicrotask(() => {
      if (waitingFor(element, attribute) === path && /\bstylesheet\b/i.test(link.rel)) {
        loadInto(element, attribute, path, () => stylesheetUrl(path));
      }
    });
  }
  return true;
}

// The setters page scripts use (img.src = ..., script.src = ..., link.href = ...,
// and setAttribute for the same), taken over for Datasette's paths.
for (const [tag, element, attribute] of /** @type {[string, any, string][]} */ ([
  ["img", HTMLImageElement, "src"],
  ["img", HTMLImageElement, "srcset"],
  ["source", HTMLSourceElement, "srcset"],
  ["script", HTMLScriptElement, "src"],
  ["link", HTMLLinkElement, "href"],
])) {
  const prototype = element.prototype;
  const descriptor = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(prototype, attribute));
  nativeSetters[`${tag} ${attribute}`] = /** @type {any} */ (descriptor.set);
  Object.defineProperty(prototype, attribute, {
    ...descriptor,
    set(/** @type {unknown} */ value) {
      if (!takeResource(this, attribute, String(value))) descriptor.set?.call(this, value);
    },
  });
}
Element.prototype.setAttribute = function (name, value) {
  if (!takeResource(this, String(name).toLowerCase(), String(value))) apply(nativeSetAttribute, this, [name, value]);
};

const LOADING = "img[src], img[srcset], source[srcset], link[href]";

/**
 * An element (parsed, not yet loading) that points at Datasette: the
 * attribute goes, and what it pointed at loads through the kernel.
 * @param {Element} element
 */
function takeElement(element) {
  for (const attribute of ["src", "srcset", "href"]) {
    const value = element.getAttribute(attribute);
    if (value === null || !(`${element.localName} ${attribute}` in nativeSetters)) continue;
    if (takeResource(element, attribute, value)) apply(nativeRemoveAttribute, element, [attribute]);
  }
}

/**
 * `root` and everything in it, as takeElement.
 * @param {ParentNode} root
 */
export function takeResources(root) {
  if (root instanceof Element && apply(matches, root, [LOADING])) takeElement(root);
  for (const element of apply(querySelectorAll, root, [LOADING])) takeElement(element);
}

// HTML that scripts insert as text (innerHTML, insertAdjacentHTML) is parsed
// in a document of its own, where nothing loads, and its resources taken first.
const inert = document.implementation.createHTMLDocument("");
/** Markup that can load something of its own. */
const MAY_LOAD = /<(img|source|link)\b/i;
const innerHTML = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML"));
const insertAdjacentHTML = Element.prototype.insertAdjacentHTML;

/**
 * `html` parsed as the children of an element like `context`, resources taken.
 * @param {Element} context
 * @param {string} html
 */
function inertNodes(context, html) {
  const holder = inert.createElement(context.localName);
  innerHTML.set?.call(holder, html);
  takeResources(holder);
  return [...holder.childNodes];
}

/** @param {Element} element */
const parsesAsHtml = (element) => element instanceof HTMLElement && element.localName !== "template";

Object.defineProperty(Element.prototype, "innerHTML", {
  ...innerHTML,
  set(/** @type {unknown} */ value) {
    const html = String(value);
    if (!MAY_LOAD.test(html) || !parsesAsHtml(this)) return innerHTML.set?.call(this, html);
    this.replaceChildren(...inertNodes(this, html));
  },
});
Element.prototype.insertAdjacentHTML = function (where, html) {
  const position = where.toLowerCase();
  const outside = position === "beforebegin" || position === "afterend";
  const context = outside ? this.parentElement : this;
  if (!MAY_LOAD.test(html) || !context || !parsesAsHtml(context)) return apply(insertAdjacentHTML, this, [where, html]);
  const nodes = inertNodes(context, html);
  if (position === "beforebegin") this.before(...nodes);
  else if (position === "afterbegin") this.prepend(...nodes);
  else if (position === "beforeend") this.append(...nodes);
  else if (position === "afterend") this.after(...nodes);
  else apply(insertAdjacentHTML, this, [where, html]); // the browser's own error
};

/** The page shown has gone: its resources' bytes can go too. */
export function forgetPageResources() {
  for (const url of pageBlobs.splice(0)) URL.revokeObjectURL(url);
}

// Anything that reached the document by another route (cloneNode, a
// template's content), and CSS that scripts write (element.style, a <style>
// they add): taken as soon as it is seen; such CSS shows its images once
// their bytes are in.
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    const target = /** @type {Element} */ (mutation.target);
    if (mutation.type === "attributes") {
      if (mutation.attributeName === "style") takeOwnCss(target, currentPath);
      else takeElement(target);
      continue;
    }
    if (target.localName === "style") takeOwnCss(target, currentPath); // its text, replaced
    for (const node of mutation.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const element = /** @type {Element} */ (node);
      takeResources(element);
      if (apply(matches, element, [OWN_CSS])) takeOwnCss(element, currentPath);
      for (const inner of apply(querySelectorAll, element, [OWN_CSS])) takeOwnCss(inner, currentPath);
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["src", "srcset", "href", "style"] });
