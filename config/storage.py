"""Static files storage for production (``DJANGO_ENV=production``)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed files with hashed names, ES module imports included.

    The register app (``static/pos/js/``) is native ES modules importing each other by relative
    URL (``import { api } from "./api.js";``). Django rewrites those to the hashed names too, so a
    module's hash changes when one it imports changes and the browser never mixes versions. The
    rewriting needs the imports to end with ``;`` and the modules not to import each other in a
    cycle (the hashes could not settle: collectstatic fails with "Max post-process passes
    exceeded"); tests/pos/test_app_modules.py checks both.
    """

    support_js_module_import_aggregation = True
