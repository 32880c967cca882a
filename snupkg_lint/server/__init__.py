"""`snupkg-lint serve`: a local nuget.org push endpoint (PackagePublish/2.0.0 and SymbolPackagePublish/4.9.0) that
answers as nuget.org does, from the linter's own prediction (engine.check_package), never from rules of its own.

Modules: keys (API keys and their scopes), storage (the data folder: SQLite index and package files), decide
(what nuget.org answers a push), validation (the background symbol validation), page (the HTML list), app (the
aiohttp routes and the server's life). The server needs the `server` extra (aiohttp); nothing below cli imports it.
"""

INSTALL_HINT = "snupkg-lint serve needs the server extra: pip install 'snupkg-lint[server]'"


def available() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True
