// Keys meant for the notebook around the frame. The browser gives keys to the
// focused frame, where JupyterLab never sees them: Ctrl+S (Cmd+S) typed in a
// page would offer to save the page as a file, and leave the notebook unsaved.
// Ctrl+S is the only key taken from the page; every other key stays the page's.

import { post } from "./core.js";
import { preventDefault } from "./navigation.js";

/** Read with the browser's own getter: a page script may redefine the property. */
const defaultPrevented = /** @type {(this: Event) => boolean} */ (
  Object.getOwnPropertyDescriptor(Event.prototype, "defaultPrevented")?.get
);

/** The key JupyterLab's bindings call S: they read keyCode, as this does. */
const KEY_S = 83;

// On window as the key bubbles up, after the page's listeners on its
// elements and document: a page that takes Ctrl+S for itself (calling
// preventDefault there) keeps it. Added before the frame tracks page scripts'
// listeners (page.js), so it stays from page to page.
window.addEventListener("keydown", (event) => {
  // A page script can dispatch keydown events too: only the user's keys save.
  if (!event.isTrusted || event.keyCode !== KEY_S || event.altKey || event.shiftKey) return;
  if (!(event.ctrlKey || event.metaKey) || defaultPrevented.call(event)) return;
  preventDefault.call(event);
  post({ type: "save", ctrl: event.ctrlKey, meta: event.metaKey });
});
