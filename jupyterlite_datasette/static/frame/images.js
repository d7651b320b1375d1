// Images on Datasette's paths (a plugin's static files, datasette-media and
// the like). The frame's CSP lets images load only from data: and blob: URLs,
// so their bytes come through the kernel and are shown from a blob: URL.

/** @type {Map<string, Promise<string>>} path -> blob: URL, for Datasette's static files (kept) */
const staticImages = new Map();
/** @type {string[]} blob: URLs of the page shown, let go when it goes */
const pageImages = [];

/**
 * The Datasette path an <img> shows, or null (not an image, or not on Datasette).
 * @param {Element} element
 */
const imagePath = (element) => (element.localName === "img" ? internalPath(element.getAttribute("src")) : null);

/**
 * @param {string} path
 * @returns {Promise<string>}
 */
async function imageBlobUrl(path) {
  const response = await kernelFetch(INTERNAL + path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/**
 * Show the image at `path` in `img`, from the kernel.
 * @param {HTMLImageElement} img
 * @param {string} path
 */
function loadImage(img, path) {
  let url = staticImages.get(path);
  if (!url) {
    url = imageBlobUrl(path);
    if (cacheable(path)) {
      staticImages.set(path, url);
      url.catch(() => staticImages.delete(path)); // tried again on the next page
    } else {
      url.then((blobUrl) => pageImages.push(blobUrl), () => {});
    }
  }
  url.then(
    (blobUrl) => {
      // Unless a page script pointed the image elsewhere meanwhile.
      if (!img.hasAttribute("src") || imagePath(img) === path) img.src = blobUrl;
    },
    () => img.dispatchEvent(new Event("error")),
  );
}

/**
 * A page about to go in: its images are loaded from the kernel, never by the
 * browser (whose request the CSP would refuse, with an error in the console).
 * @param {ParentNode} page
 */
function takeImages(page) {
  for (const img of page.querySelectorAll("img[src]")) {
    const path = imagePath(img);
    if (!path) continue;
    img.removeAttribute("src");
    loadImage(/** @type {HTMLImageElement} */ (img), path);
  }
}

/** The page shown has gone: its images' bytes can go too. */
function forgetPageImages() {
  for (const url of pageImages.splice(0)) URL.revokeObjectURL(url);
}

// Images that page scripts add, or point elsewhere, once the page is in.
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    const changed = mutation.type === "attributes" ? [mutation.target] : [...mutation.addedNodes];
    for (const node of changed) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const element = /** @type {Element} */ (node);
      const path = imagePath(element);
      if (path) loadImage(/** @type {HTMLImageElement} */ (element), path);
      else if (mutation.type === "childList") takeImages(element);
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["src"] });
