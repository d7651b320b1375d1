// Runs inside the sandboxed page frame (opaque origin, no allow-same-origin),
// nested in the widget's shell frame. The frame talks to the widget only over
// the MessagePort that the shell hands this document once it has loaded;
// nothing else answers it. Every message on that port is listed in
// ../../protocol.py.
//
// Each file here is an ES module: what it takes from another is imported by
// name, and TypeScript checks both sides (../jsconfig.json). The frame cannot
// load modules (its policy runs only the inline script the shell writes), so
// frame_script.py joins the files, in its FRAME_PARTS order, into one script
// with the imports and `export` keywords taken out: an imported name is the
// exporting file's own binding, and a test checks no two files declare one name.
//
// What the frame changes globally, before any page script runs:
// - window.fetch and XMLHttpRequest answer through the kernel (network.js);
// - the setters and setAttribute of img/source src and srcset, script src and
//   link href, innerHTML and insertAdjacentHTML take what loads from
//   Datasette's paths (resources.js);
// - History's pushState, replaceState and state, document.URL, readyState,
//   forms' action, localStorage and sessionStorage, addEventListener,
//   setTimeout/setInterval and customElements.define on window and document
//   (page.js); HTMLFormElement.submit, Event.preventDefault, and
//   HTMLElement.click and EventTarget.dispatchEvent for links with no parent
//   (navigation.js);
// - WebRTC's constructors are deleted and nested documents removed (seal.js).
// - alert, confirm, prompt, print, Clipboard's writeText and write, and
//   requestFullscreen work only after the user's own click or key on the page
//   (gestures.js).
// That is safe here because this document exists only to show Datasette's
// pages: there is no code of the notebook's in it to surprise, each change
// keeps the browser's own behaviour for what is not on Datasette's paths, and
// a tab on `datasette serve` is what each is tested against.

/** Links and forms on this origin are Datasette's; the widget sets it. */
export const INTERNAL = document.documentElement.dataset.internalOrigin || "";
export const base = /** @type {HTMLBaseElement} */ (document.querySelector("base"));

/** Kept before any page script can replace them. */
export const realSetTimeout = window.setTimeout.bind(window);
export const realFetch = window.fetch.bind(window);

/** @type {MessagePort | null} the widget's port; messages before it comes wait in `unsent` */
let widgetPort = null;
/** @type {[any, Transferable[]][]} */
const unsent = [];
/** @type {Map<string, (message: any) => void>} message type -> what the frame does with it */
export const fromWidget = new Map();

/** @param {any} message @param {Transferable[]} [transfer] */
export function post(message, transfer = []) {
  if (widgetPort) widgetPort.postMessage(message, transfer);
  else unsent.push([message, transfer]);
}

// The one port, from this frame's parent (the view, or the shell it put
// between them), once. Page scripts'
// listeners come later and never see it.
window.addEventListener("message", function connect(event) {
  if (widgetPort || event.source !== window.parent || event.data?.type !== "connect" || !event.ports[0]) return;
  event.stopImmediatePropagation();
  window.removeEventListener("message", connect);
  widgetPort = event.ports[0];
  widgetPort.onmessage = ({ data }) => fromWidget.get(data?.type)?.(data);
  for (const [message, transfer] of unsent.splice(0)) widgetPort.postMessage(message, transfer);
});

/** Longer than the widget waits for the kernel (REPLY_TIMEOUT_MS in widget.js), so its error comes first. */
const ASK_TIMEOUT_MS = 310_000;
let askCount = 0;
/** @type {Map<number, (reply: any) => void>} */
const waitingForParent = new Map();

/**
 * Ask the parent for something (assets, a fetch through the kernel); resolves with its reply.
 * @param {any} message @param {Transferable[]} [transfer]
 * @returns {Promise<any>}
 */
export function ask(message, transfer = []) {
  const id = ++askCount;
  return new Promise((resolve) => {
    // The widget always replies, even with an error; a view that went away cannot.
    const timer = realSetTimeout(() => answered({ id, error: "no answer from the widget" }), ASK_TIMEOUT_MS);
    waitingForParent.set(id, (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    post({ ...message, id }, transfer);
  });
}

/** @param {any} reply */
function answered(reply) {
  const resolve = waitingForParent.get(reply.id);
  waitingForParent.delete(reply.id);
  resolve?.(reply);
}
fromWidget.set("reply", answered);

/** @param {string | URL | null | undefined} href */
export function resolve(href) {
  try {
    return new URL(href ?? "", base.href);
  } catch {
    return null;
  }
}

/** @param {URL} url */
export const pathOf = (url) => url.pathname + url.search;

/**
 * The Datasette path an href of the page points to, or null if it points elsewhere.
 * @param {string | null} href
 */
export function internalPath(href) {
  const url = resolve(href);
  return url && url.origin === INTERNAL ? pathOf(url) : null;
}

/** Milliseconds since the epoch, comparable with the parent's clock. */
export const now = () => performance.timeOrigin + performance.now();
