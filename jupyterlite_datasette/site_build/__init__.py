"""What `jupyter lite build` needs from this package, for anyone's JupyterLite site.

`addon.DatasetteAddon` is registered under the `jupyterlite.addon.v0` entry point,
so installing this package into a site's build environment is the whole set-up.
Nothing here is imported in a kernel: only jupyterlite-core loads it, at build time (the build
copies deferred_imports.py, drive_imports.py and lazy_piplite.py into the kernel's standard library,
under other names).
"""
