// What a page may do only in answer to the user's own click or key on it:
// open the browser's dialogs (alert, confirm, prompt, print), write the
// clipboard (navigator.clipboard.writeText and write), and save a file it
// made (downloads.js).
//
// The frames allow both (allow-modals, clipboard-write), since Datasette's
// pages ask with confirm() before they drop a table, and pages have "Copy"
// buttons. But a dialog holds the notebook's whole tab until it is answered,
// and Chromium lets a focused frame write the clipboard at any time. So each
// needs the browser's transient activation (as a popup does; it lasts
// seconds) from a gesture made on the page shown. Asked for on load, from a
// timer, after a script's forged click, or right after the click that led to
// the page, each is refused as it would be without the permission: no dialog
// shown, confirm() false, prompt() null, the clipboard's promise rejected.

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
