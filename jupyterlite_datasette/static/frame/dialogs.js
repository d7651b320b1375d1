// The browser's own dialogs: alert(), confirm(), prompt() and print(). The
// frame's sandbox allows them, since Datasette's pages ask with confirm()
// before they drop a table or discard an edit. A dialog holds the whole
// notebook's tab until it is answered, so a page opens one only in answer to
// the user's own click or key in it: the browser's transient activation (as
// for a popup; it lasts seconds), from a gesture made on the page shown. A
// dialog a page opens of its own accord, from a timer, or from a script's
// forged click is refused as a sandbox without allow-modals refuses it:
// nothing shown, confirm() false, prompt() null.

import { apply } from "./seal.js";

/** The browser's own getter, bound before any page script could replace it or Function.prototype.call. */
const userActive = /** @type {() => boolean} */ (
  /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(UserActivation.prototype, "isActive")).get
).bind(navigator.userActivation);

/** Each dialog, and what it gives a page that may not open it. */
const REFUSED = { alert: undefined, confirm: false, prompt: null, print: undefined };

/** Whether the user has pressed a key or a button on the page shown. */
let gestureOnThisPage = false;

/**
 * A page comes in. In a tab a new page starts with no activation; this one
 * document keeps the browser's from the click that left the previous page.
 */
export function forgetGestures() {
  gestureOnThisPage = false;
}

// Capturing on window, added before any page script's listener: a page cannot stop these.
for (const type of ["keydown", "mousedown", "pointerdown", "pointerup", "touchend"]) {
  window.addEventListener(type, (event) => (gestureOnThisPage ||= event.isTrusted), true);
}

for (const [name, refused] of Object.entries(REFUSED)) {
  const target = /** @type {Record<string, Function>} */ (/** @type {unknown} */ (window));
  const dialog = target[name];
  target[name] = function () {
    return gestureOnThisPage && userActive() ? apply(dialog, window, arguments) : refused;
  };
}
