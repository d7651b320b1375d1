// Runs inside the sandboxed page frame (opaque origin, no allow-same-origin).
// The frame's script is these files, in order, inside one function scope:
// core (this), network, images, page, navigation. The frame talks only to its parent
// window, by postMessage.

/** Links and forms on this origin are Datasette's; the parent sets it. */
const INTERNAL = document.documentElement.dataset.internalOrigin || "";
const parentWindow = window.parent;
const base = /** @type {HTMLBaseElement} */ (document.querySelector("base"));
/** Only scripts carrying this nonce may run (the document's CSP says so). */
const NONCE = /** @type {HTMLScriptElement} */ (document.currentScript).nonce;

/** Kept before any page script can replace them. */
const realSetTimeout = window.setTimeout.bind(window);
const realFetch = window.fetch.bind(window);

/** The path of the page shown, as Datasette knows it. */
let currentPath = "/";

/** @param {any} message @param {Transferable[]} [transfer] */
function post(message, transfer = []) {
  // The frame's own origin is opaque, so the parent's cannot be named;
  // messages carry only what the page itself could see.
  parentWindow.postMessage(message, "*", transfer);
}

let askCount = 0;
/** @type {Map<number, (reply: any) => void>} */
const waitingForParent = new Map();

/**
 * Ask the parent for something (assets, a fetch through the kernel); resolves with its reply.
 * @param {any} message @param {Transferable[]} [transfer]
 * @returns {Promise<any>}
 */
function ask(message, transfer = []) {
  const id = ++askCount;
  return new Promise((resolve) => {
    waitingForParent.set(id, resolve);
    post({ ...message, id }, transfer);
  });
}

window.addEventListener("message", (event) => {
  if (event.source !== parentWindow || event.data?.type !== "reply") return;
  const resolve = waitingForParent.get(event.data.id);
  waitingForParent.delete(event.data.id);
  resolve?.(event.data);
});

/** @param {string | URL | null | undefined} href */
function resolve(href) {
  try {
    return new URL(href ?? "", base.href);
  } catch {
    return null;
  }
}

/** @param {URL} url */
const pathOf = (url) => url.pathname + url.search;

/**
 * The Datasette path an href of the page points to, or null if it points elsewhere.
 * @param {string | null} href
 */
function internalPath(href) {
  const url = resolve(href);
  return url && url.origin === INTERNAL ? pathOf(url) : null;
}

/** Milliseconds since the epoch, comparable with the parent's clock. */
const now = () => performance.timeOrigin + performance.now();
