// What a page may do only in answer to the user's own click or key on it:
// open the browser's dialogs (alert, confirm, prompt, print), write the
// clipboard (navigator.clipboard.writeText and write), fill the screen
// (requestFullscreen), and save a file it made (downloads.js).
//
// The frames allow them (allow-modals, clipboard-write, fullscreen), since
// Datasette's pages ask with confirm() before they drop a table, pages have
// "Copy" buttons, and dashboards a "Fullscreen" one. But a dialog holds the
// notebook's whole tab until it is answered, and the others reach outside
// the widget. So each needs the browser's transient activation (it lasts
// seconds, as for a popup) from a gesture made on the page shown: in this one
// long-lived document, the click that led to a page would otherwise still
// count when the page comes in. Asked for on load, from a timer, after a
// script's forged click, or right after that click, each is refused as
// without the permission: no dialog, confirm() false, prompt() null, the
// promise rejected.

import { apply } from "./seal.js";

/** The browser's own getter, bound before any page script could replace it or Function.prototype.call. */
const userActive = /** @type {() => boolean} */ (
  /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(UserActivation.prototype, "isActive")).get
).bind(navigator.userActivation);

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

/** Whether the user's own click or key on this page asks for what the page does now. */
export const userAsked = () => gestureOnThisPage && userActive();

/**
 * Replace `owner[name]` with a function that calls the browser's own when allowed, and
 * otherwise gives what `refused()` returns.
 * @param {object} owner
 * @param {string} name
 * @param {() => unknown} refused
 */
function onlyAfterAGesture(owner, name, refused) {
  const target = /** @type {Record<string, Function>} */ (owner);
  const own = target[name];
  target[name] = function () {
    return userAsked() ? apply(own, this, arguments) : refused();
  };
}

onlyAfterAGesture(window, "alert", () => undefined);
onlyAfterAGesture(window, "confirm", () => false);
onlyAfterAGesture(window, "prompt", () => null);
onlyAfterAGesture(window, "print", () => undefined);
for (const name of ["writeText", "write"]) {
  onlyAfterAGesture(Clipboard.prototype, name, () =>
    Promise.reject(new DOMException("Write permission denied.", "NotAllowedError")),
  );
}
onlyAfterAGesture(Element.prototype, "requestFullscreen", () =>
  Promise.reject(new TypeError("Permissions check failed")),
);
for (const name of ["webkitRequestFullscreen", "webkitRequestFullScreen"]) {
  if (name in Element.prototype) onlyAfterAGesture(Element.prototype, name, () => undefined);
}
