// Navigation inside the frame: links, forms and page scripts ask the parent
// for pages, which arrive as HTML and are swapped into this one long-lived
// document, so stylesheets parsed once stay parsed.

import { INTERNAL, ask, base, fromWidget, internalPath, now, pathOf, post, realSetTimeout, resolve } from "./core.js";
import { isMadeFile, saveMadeFile } from "./downloads.js";
import { forgetGestures } from "./gestures.js";
import { apply, sealPage } from "./seal.js";
import { cssWithUrls, forgetPageResources, takePageCss, takeResources } from "./resources.js";
import { currentPath, endPage, moveToFragment, runScripts, scriptSources, startPage, trackPageScripts } from "./page.js";

const XLINK = "http://www.w3.org/1999/xlink";

/** The newest render asked for; an older one still waiting is dropped. */
let latestRender = 0;
/** Time of the click or submit that started the navigation in flight. */
let startedAt = 0;
/** When the page being shown was asked for, answered and received, for benchmarks. */
let timing = {};
/** @type {Map<string, string>} "script PATH" or "stylesheet PATH" -> its text, from the kernel */
export const assets = new Map();
/** @type {Map<string, HTMLStyleElement>} stylesheet path -> its inlined <style> */
const stylesheets = new Map();
const decoder = new TextDecoder();

/** Datasette's static files are content-addressed or fixed per version: keep them. */
export const cacheable = (/** @type {string} */ path) => path.includes("/-/static");

/** @param {string} hash */
export function scrollToFragment(hash) {
  const id = decodeURIComponent(hash.slice(1));
  const target = id ? document.getElementById(id) || document.getElementsByName(id)[0] : null;
  if (target) target.scrollIntoView();
  else if (!id || hash === "#top") window.scrollTo(0, 0);
}

/**
 * Ask the view to show `path` (a link, a form, a location change): it asks the kernel.
 * @param {string} method
 * @param {string} path
 * @param {{body?: ArrayBuffer, contentType?: string, replace?: boolean}} [payload]
 *   replace: the page takes the history entry of the one shown (`location.replace`)
 */
function visit(method, path, { body, contentType, replace = false } = {}) {
  post({ type: "visit", method, path, body, content_type: contentType, replace }, body ? [body] : []);
}

/**
 * Go where a link (or `location.href = ...`) points.
 * @param {URL} url
 * @param {number} started when the user asked, for benchmarks
 * @param {boolean} [replace] in place of the page shown, in the history (`location.replace`)
 */
export function followUrl(url, started, replace = false) {
  startedAt = started;
  if (url.origin === INTERNAL) {
    if (url.hash && pathOf(url) === currentPath) moveToFragment(url.hash);
    else visit("GET", pathOf(url), { replace });
  } else if (url.protocol === "http:" || url.protocol === "https:") {
    post({ type: "external", url: url.href });
  }
  // Any other scheme (javascript:, data:, file:) is ignored on purpose.
}

// Clicks and submits: the browser's own default (navigating this frame) is
// always stopped at once; ours (asking the kernel) happens only if the page's
// scripts did not prevent it, as a browser would decide.
export const preventDefault = Event.prototype.preventDefault;
/** @type {WeakSet<Event>} */
const preventedByPage = new WeakSet();
Event.prototype.preventDefault = function () {
  preventedByPage.add(this);
  preventDefault.call(this);
};
/** @type {WeakMap<Event, () => void>} */
const defaultActions = new WeakMap();

/** @param {Event} event */
function settle(event) {
  const action = defaultActions.get(event);
  defaultActions.delete(event);
  if (action && !preventedByPage.has(event)) action();
}

/**
 * @param {Event} event
 * @param {() => void} action
 */
function takeDefault(event, action) {
  preventDefault.call(event);
  defaultActions.set(event, action);
  // Normally settled when the event bubbles back to window; this catches
  // events whose propagation a page script stopped.
  realSetTimeout(() => settle(event), 0);
}

window.addEventListener(
  "click",
  (event) => {
    const target = /** @type {Element} */ (event.target);
    // SVG links too (xlink:href): the frame itself must never follow a link.
    const link = target?.closest?.("a, area");
    if (!link) return;
    if (event.button !== 0) {
      preventDefault.call(event);
      return;
    }
    const href = () => link.getAttribute("href") ?? link.getAttributeNS(XLINK, "href");
    if (href() === null) return;
    const started = now();
    // As a browser does, after the page's listeners, which may have changed the link.
    takeDefault(event, () => {
      const url = resolve(href());
      if (url && isMadeFile(link, url)) saveMadeFile(url, link.getAttribute("download") ?? "");
      else if (url) followUrl(url, started);
    });
  },
  true,
);
window.addEventListener("click", settle);

// A link a page clicks without putting it anywhere (as FileSaver.js and most
// "Export" buttons do: a new <a download>, then click()) is followed in a tab
// all the same. Here it goes into the document for its click, so that the
// listener above takes it as any other.
const { click } = HTMLElement.prototype;
const { dispatchEvent } = EventTarget.prototype;
HTMLElement.prototype.click = function () {
  inDocumentIfLoose(this, () => apply(click, this, []));
};
EventTarget.prototype.dispatchEvent = function (event) {
  return inDocumentIfLoose(this, () => apply(dispatchEvent, this, [event]));
};

/**
 * Run `act`, with `target` in the document meanwhile if it is a link with no parent.
 * @template T
 * @param {EventTarget} target
 * @param {() => T} act
 * @returns {T}
 */
function inDocumentIfLoose(target, act) {
  const loose = target instanceof HTMLAnchorElement && !target.parentNode && target.hasAttribute("href");
  if (!loose) return act();
  document.documentElement.append(target);
  try {
    return act();
  } finally {
    if (target.parentNode === document.documentElement) target.remove();
  }
}

// Middle clicks would open a tab on a URL that only exists in the kernel.
window.addEventListener("auxclick", (event) => preventDefault.call(event), true);

window.addEventListener(
  "submit",
  (event) => {
    const form = /** @type {HTMLFormElement} */ (event.target);
    const submitter = /** @type {HTMLElement | null} */ (event.submitter);
    const started = now();
    // After the page's own submit listeners: CodeMirror copies its text into
    // the form's textarea in one.
    takeDefault(event, () => submitForm(form, submitter, started));
  },
  true,
);
window.addEventListener("submit", settle);
// form.submit() fires no submit event; it must reach the kernel all the same.
HTMLFormElement.prototype.submit = function () {
  submitForm(this, null, now());
};

/**
 * @param {HTMLFormElement} form
 * @param {HTMLElement | null} submitter
 * @param {number} started
 */
async function submitForm(form, submitter, started) {
  const button = /** @type {HTMLButtonElement | null} */ (submitter);
  const method = (button?.getAttribute("formmethod") || form.getAttribute("method") || "GET").toUpperCase();
  // form.action would resolve against about:srcdoc; the base URL is the page's.
  const url = resolve(button?.getAttribute("formaction") || form.getAttribute("action") || currentPath);
  if (!url) return;
  const data = new FormData(form, submitter);
  if (method === "GET") {
    url.search = new URLSearchParams(/** @type {any} */ (data)).toString();
    url.hash = "";
    followUrl(url, started);
    return;
  }
  if (url.origin !== INTERNAL) return;
  startedAt = started;
  const enctype = button?.getAttribute("formenctype") || form.enctype;
  // Response serialises the body exactly as a browser would send it.
  const encoded =
    enctype === "multipart/form-data"
      ? new Response(data)
      : new Response(new URLSearchParams(/** @type {any} */ (data)));
  const contentType = encoded.headers.get("content-type") || "";
  visit(method, pathOf(url), { body: await encoded.arrayBuffer(), contentType });
}

/**
 * The page's stylesheets on Datasette's origin, in document order.
 * @param {Document} page
 */
function stylesheetHrefs(page) {
  const hrefs = [];
  for (const link of page.head.querySelectorAll("link[rel~=stylesheet][href]")) {
    const path = internalPath(link.getAttribute("href"));
    if (path) hrefs.push(path);
  }
  return hrefs;
}

/** @param {string} href */
function stylesheet(href) {
  let style = stylesheets.get(href);
  if (!style) {
    style = document.createElement("style");
    style.dataset.href = href;
    style.textContent = assets.get(`stylesheet ${href}`) ?? "";
    if (cacheable(href) && style.textContent) stylesheets.set(href, style);
    else style.dataset.page = ""; // removed with the page
  }
  return style;
}

/**
 * End the page shown and start the one at `path`, whose body `fillBody` puts in place.
 * @param {string} path
 * @param {() => void} fillBody
 * @param {Set<Element>} [keep] elements of the old page's head the new page uses as they are
 */
function replacePage(path, fillBody, keep = new Set()) {
  // Scrolled while the old page's layout is still clean: after the swap this
  // would force a style pass of the whole new page, only to be done again.
  window.scrollTo(0, 0);
  endPage();
  forgetPageResources();
  forgetGestures();
  startPage(path);
  for (const old of document.head.querySelectorAll("[data-page]")) if (!keep.has(old)) old.remove();
  base.href = INTERNAL + path;
  fillBody();
}

/**
 * The page's own inline <style> blocks, as elements of this document. Those
 * already in place with the same text are kept: a style sheet inserted or
 * removed makes the browser restyle every element.
 * @param {Document} page
 * @returns {{styles: HTMLStyleElement[], kept: boolean}}
 */
function inlineStyles(page) {
  const wanted = [...page.head.querySelectorAll("style")];
  const shown = /** @type {HTMLStyleElement[]} */ ([...document.head.querySelectorAll("style[data-page]:not([data-href])")]);
  if (wanted.length === shown.length && wanted.every((style, i) => style.textContent === shown[i].textContent)) {
    return { styles: shown, kept: true };
  }
  const styles = wanted.map((style) => {
    const copy = /** @type {HTMLStyleElement} */ (document.importNode(style, true));
    copy.dataset.page = "";
    return copy;
  });
  return { styles, kept: false };
}

/** No row is shorter: a first screen of the frame holds no more rows than this divides into its height. */
const MIN_ROW_HEIGHT_PX = 20;
/** Rows past the first screen fewer than this go in with it: a second layout would cost more. */
const MIN_ROWS_HELD = 20;
/** Where the frame is not drawn (scrolled out of view, hidden), no paint is waited for longer. */
const PAINT_WAIT_MS = 50;

/**
 * Take out of `page` the table rows past what a first screen of the frame can show, as a tab
 * paints the top of a long page before it has parsed the rest: the browser lays out and paints
 * a 100-row table in some 40-150 ms, and most of it is out of sight.
 * @param {Document} page
 * @returns {[HTMLTableSectionElement, HTMLTableRowElement[]][]} each table body and its rows taken
 */
function rowsPastFirstScreen(page) {
  let shown = Math.ceil(window.innerHeight / MIN_ROW_HEIGHT_PX);
  /** @type {[HTMLTableSectionElement, HTMLTableRowElement[]][]} */
  const held = [];
  for (const body of page.body.querySelectorAll("tbody")) {
    const rows = [...body.rows].slice(shown);
    shown = Math.max(0, shown - body.rows.length);
    if (rows.length) held.push([body, rows]);
  }
  if (held.reduce((count, [, rows]) => count + rows.length, 0) < MIN_ROWS_HELD) return [];
  for (const [, rows] of held) for (const row of rows) row.remove();
  return held;
}

/** Resolves once the browser has drawn what is in the document, or after PAINT_WAIT_MS where it draws nothing. */
function afterNextPaint() {
  return new Promise((resolve) => {
    const timer = realSetTimeout(resolve, PAINT_WAIT_MS);
    requestAnimationFrame(() =>
      realSetTimeout(() => {
        clearTimeout(timer);
        resolve(undefined);
      }),
    );
  });
}

/**
 * Put `page` in place of the current content, reusing parsed stylesheets,
 * then run its scripts. A long table's rows past the first screen go in after
 * the first paint, before any script runs: scripts see the whole page, as
 * they do in a tab after DOMContentLoaded.
 * @param {Document} page
 * @param {string} path
 * @param {string[]} hrefs
 * @param {number} id the render message's: a newer page coming in meanwhile stops this one
 */
async function swap(page, path, hrefs, id) {
  takeResources(page.body);
  const later = rowsPastFirstScreen(page);
  const sheets = hrefs.map(stylesheet);
  const inline = inlineStyles(page);
  replacePage(
    path,
    () => {
      const head = document.head;
      const inPlace = [...head.querySelectorAll("style[data-href]")];
      const sheetsInPlace = sheets.length === inPlace.length && sheets.every((sheet, i) => sheet === inPlace[i]);
      if (!sheetsInPlace) {
        for (const style of inPlace) if (!sheets.includes(/** @type {HTMLStyleElement} */ (style))) style.remove();
        // Moving a <style> keeps its parsed sheet.
        head.append(...sheets);
      }
      // The page's own inline <style> blocks come after its stylesheets.
      if (!sheetsInPlace || !inline.kept) head.append(...inline.styles);
      document.title = page.title;
      document.documentElement.replaceChild(document.adoptNode(page.body), document.body);
    },
    new Set(inline.kept ? inline.styles : []),
  );
  rendered();
  if (later.length) {
    await afterNextPaint();
    if (id !== latestRender) return; // a newer page has been asked for, and may be in already
    for (const [body, rows] of later) body.append(...rows);
  }
  runScripts([...page.head.querySelectorAll("script")], (src) => assets.get(`script ${src}`));
  for (const [key, text] of assets) if (!cacheable(key) || !text) assets.delete(key);
}

/**
 * @param {string} text
 * @param {string} path
 */
function showText(text, path) {
  replacePage(path, () => {
    const body = document.createElement("body");
    body.className = "jld-text";
    const pre = document.createElement("pre");
    pre.textContent = text; // text, never markup
    body.append(pre);
    document.documentElement.replaceChild(body, document.body);
  });
  rendered();
}

/** The page is in (a long one's first screen), before its scripts run: for benchmarks. */
function rendered() {
  const detail = { path: currentPath, startedAt, ...timing, swapped: now() };
  window.dispatchEvent(new CustomEvent("datasette:rendered", { detail }));
}

/** @param {{id: number, path: string, html: Uint8Array}} message */
async function render(message) {
  const page = new DOMParser().parseFromString(decoder.decode(message.html), "text/html");
  sealPage(page);
  await takePageCss(page, message.path);
  if (message.id !== latestRender) return; // a newer page has been asked for
  const hrefs = stylesheetHrefs(page);
  /** @type {{script: string[], stylesheet: string[]}} */
  const missing = {
    stylesheet: [...new Set(hrefs)].filter((href) => !assets.has(`stylesheet ${href}`)),
    script: [...new Set(scriptSources(page))].filter((src) => !assets.has(`script ${src}`)),
  };
  if (missing.stylesheet.length || missing.script.length) {
    const reply = await ask({ type: "assets", ...missing });
    for (const [src, text] of Object.entries(reply.assets?.script ?? {})) assets.set(`script ${src}`, String(text));
    await Promise.all(
      Object.entries(reply.assets?.stylesheet ?? {}).map(async ([href, text]) =>
        assets.set(`stylesheet ${href}`, await cssWithUrls(String(text), href)),
      ),
    );
    if (message.id !== latestRender) return; // a newer page has been asked for
  }
  await swap(page, message.path, hrefs, message.id);
}

/** @param {any} message */
function received(message) {
  latestRender = message.id;
  timing = { ...message.timing, received: now() };
}
fromWidget.set("render", (message) => {
  received(message);
  render(message);
});
fromWidget.set("text", (message) => {
  received(message);
  showText(message.text, message.path);
});

trackPageScripts();
post({ type: "ready" });
