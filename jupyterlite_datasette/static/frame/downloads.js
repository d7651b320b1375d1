// Files a page makes itself: a link with a `download` attribute to a blob:
// or data: URL, as vega-embed's "Save as PNG" and pages' "Export" buttons
// make. In a tab the browser saves them; the frame's sandbox has no
// allow-downloads (a download it started would bypass the widget), so the
// frame reads the bytes and the view saves them, as it saves Datasette's
// downloads. Only in answer to the user's own click or key on the page
// (gestures.js): a page cannot drop files of its own accord.

import { post, realFetch } from "./core.js";
import { userAsked } from "./gestures.js";

/**
 * Whether following `url` from `link` saves a file the page made.
 * @param {Element} link
 * @param {URL} url
 */
export const isMadeFile = (link, url) => link.hasAttribute("download") && ["blob:", "data:"].includes(url.protocol);

/**
 * Save the file at `url` as `name` (the link's `download`), if the user asked.
 * @param {URL} url
 * @param {string} name
 */
export async function saveMadeFile(url, name) {
  if (!userAsked()) return;
  const body = await (await realFetch(url.href)).arrayBuffer();
  post({ type: "download", name: name || "download", body }, [body]);
}
