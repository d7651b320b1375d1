// @ts-check
/**
 * Two JupyterLite plugins for a quicker start.
 *
 * The kernel of the notebook named in the page's address (`lab/index.html?path=x.ipynb`)
 * starts as the application starts, not once the notebook is on screen, so that Pyodide
 * loads while JupyterLab boots, on the other core. The notebook then finds its session
 * running and joins it, as a notebook reopened does.
 *
 * Requests for settings that come while JupyterLite is listing them share that listing.
 * JupyterLite's settings manager answers a request for one plugin's settings by listing
 * every plugin's: it fetches and parses the site's settings files (`all.json` is 138 kB)
 * and reads each plugin's saved settings from IndexedDB, some 30 ms of the page's one
 * thread on an idle machine. As a notebook opens, JupyterLab asks again for the settings
 * of four plugins at once (the notebook's toolbar, the default viewers, the editor, the
 * language servers), and each request listed everything again, while JupyterLab, the
 * notebook and the kernel were starting (README).
 *
 * JupyterLite loads a federated extension as a webpack container: a script that puts
 * `{init, get}` on `window._JUPYTERLAB[name]`. This file is that container, written by
 * hand: the plugins need nothing from JupyterLab's packages but the application object,
 * so there is nothing to share and nothing to build.
 */
(function () {
  const NAME = "jupyterlite-datasette-warm-start";

  /**
   * @typedef {{path: string, id: string}} SessionModel
   * @typedef {{id: string, dispose(): void}} SessionConnection
   * @typedef {{
   *   ready: Promise<void>,
   *   running(): Iterable<SessionModel>,
   *   refreshRunning(): Promise<void>,
   *   startNew(options: object): Promise<SessionConnection>,
   *   shutdown(id: string): Promise<void>,
   * }} Sessions
   * @typedef {{
   *   sessions: Sessions,
   *   kernelspecs: {
   *     ready: Promise<void>,
   *     specs: {kernelspecs: Record<string, unknown>} | null,
   *     refreshSpecs(): Promise<void>,
   *   },
   *   contents: {get(path: string, options: object): Promise<unknown>},
   *   settings: SettingManager,
   * }} Services
   * @typedef {{
   *   list(query?: string): Promise<unknown>,
   *   save(id: string, raw: string): Promise<void>,
   *   clear(): Promise<void>,
   * }} SettingManager
   */

  /** @param {Sessions} sessions @param {string} path */
  function sessionsOf(sessions, path) {
    return [...sessions.running()].filter((session) => session.path === path);
  }

  /** How long to wait for the site's kernels to be registered, in steps of STEP_MS. */
  const STEPS = 60;
  const STEP_MS = 50;

  /**
   * The names of the site's kernels: registered by their own plugins, maybe after this one.
   * @param {Services["kernelspecs"]} kernelspecs
   */
  async function kernelNames(kernelspecs) {
    await kernelspecs.ready;
    for (let step = 0; step < STEPS; step++) {
      const names = Object.keys(kernelspecs.specs?.kernelspecs ?? {});
      if (names.length) {
        return names;
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_MS));
      await kernelspecs.refreshSpecs();
    }
    return [];
  }

  /** @param {Services} services */
  async function startKernelOfAddressedNotebook(services) {
    const path = new URLSearchParams(window.location.search).get("path");
    if (!path || !path.endsWith(".ipynb")) {
      return;
    }
    const { sessions, kernelspecs, contents } = services;
    const [names, exists] = await Promise.all([
      kernelNames(kernelspecs),
      contents.get(path, { content: false }).then(
        () => true,
        () => false, // no such notebook: JupyterLab says so itself
      ),
    ]);
    // Which kernel a notebook names is known only once it is read: start one only where
    // there is no choice.
    if (!exists || names.length !== 1) {
      return;
    }
    await sessions.ready;
    if (sessionsOf(sessions, path).length) {
      return;
    }
    const name = path.split("/").pop();
    const session = await sessions.startNew({ path, name, type: "notebook", kernel: { name: names[0] } });
    console.info(`${NAME}: started the kernel of ${path} as the page opened`);
    // Only the kernel was wanted: the notebook opens its own connection to it.
    session.dispose();
    // Had the notebook started a session of its own meanwhile, ours is one too many.
    await sessions.refreshRunning();
    if (sessionsOf(sessions, path).length > 1) {
      await sessions.shutdown(session.id);
    }
  }

  /**
   * Requests made while a listing is under way get that listing, each a copy of its own:
   * JupyterLab's registry changes what it is given. A listing begun before a save or a
   * clear is never given to a request made after it.
   * @param {SettingManager} settings
   */
  function shareListings(settings) {
    const { list, save, clear } = settings;
    /** Listings under way, by their query. @type {Map<string | undefined, Promise<unknown>>} */
    const underWay = new Map();

    settings.list = async function (query) {
      let listing = underWay.get(query);
      if (!listing) {
        listing = list.call(this, query);
        underWay.set(query, listing);
        const done = () => underWay.get(query) === listing && underWay.delete(query);
        listing.then(done, done);
      }
      return structuredClone(await listing);
    };
    settings.save = function (id, raw) {
      underWay.clear();
      return save.call(this, id, raw);
    };
    settings.clear = function () {
      underWay.clear();
      return clear.call(this);
    };
  }

  const plugins = [
    {
      id: `${NAME}:plugin`,
      description: "Starts the kernel of the notebook in the page's address as the page opens",
      autoStart: true,
      /** @param {{serviceManager: Services}} app */
      activate(app) {
        startKernelOfAddressedNotebook(app.serviceManager).catch((error) =>
          console.warn(`${NAME}: the kernel starts with the notebook instead`, error),
        );
      },
    },
    {
      id: `${NAME}:settings`,
      description: "Requests for settings made while JupyterLite lists them share that listing",
      autoStart: true,
      /** @param {{serviceManager: Services}} app */
      activate(app) {
        shareListings(app.serviceManager.settings);
      },
    },
  ];

  const registry = /** @type {any} */ (window);
  registry._JUPYTERLAB = registry._JUPYTERLAB || {};
  registry._JUPYTERLAB[NAME] = {
    init() {},
    /** @param {string} module */
    get(module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(`${NAME} has no module ${module}`));
      }
      return Promise.resolve(() => ({ __esModule: true, default: plugins }));
    },
  };
})();
