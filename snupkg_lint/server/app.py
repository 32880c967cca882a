"""The HTTP side of `snupkg-lint serve` (aiohttp): routes, streaming uploads to disk, the request log, and a
clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from snupkg_lint.checks import messages as m
from snupkg_lint.formats.nuget_version import parse_nuget_version
from snupkg_lint.server import decide, page
from snupkg_lint.server.decide import Answer
from snupkg_lint.server.keys import ACTIONS, Keyring
from snupkg_lint.server.storage import Store
from snupkg_lint.server.validation import Validator

CHUNK = 1 << 16
IDLE = 300.0  # seconds an upload may send nothing (the NuGet client's own default timeout): then it is cut off
MALFORMED = "The request body is not a multipart/form-data body with a package file."


_CUT_OFF = (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, aiohttp.ClientError,
            HttpProcessingError)


class TooLarge(Exception):
    pass


class Malformed(Exception):
    pass


@dataclass
class Settings:
    data: str
    keys: Keyring
    max_size: int
    validation_delay: float = 0.0
    log: object = field(default=sys.stderr)


def _answer(answer: Answer, **headers: str) -> web.Response:
    body = "" if answer.status == 201 else answer.message
    return web.Response(status=answer.status, reason=answer.reason, text=body, content_type="text/plain",
                        charset="utf-8", headers=headers)


async def _copy(source, target, request: web.Request, limit: int) -> None:
    while True:
        chunk = await asyncio.wait_for(source(CHUNK), IDLE)
        if not chunk:
            return
        if request.content.total_bytes > limit:
            raise TooLarge()
        target.write(chunk)


async def receive(request: web.Request, upload: Path, limit: int) -> None:
    """The package file, streamed to `upload`: the first file part of a multipart body (ASP.NET's Files[0]), or
    the raw body otherwise, as nuget.org's ReadPackageFromRequest takes it."""
    with open(upload, "wb") as target:
        if request.content_type.startswith("multipart/"):
            try:
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        raise Malformed()
                    if getattr(part, "filename", None) is not None:
                        break
                    await part.release()
            except (ValueError, AssertionError, RuntimeError) as exc:  # aiohttp's words for a bad multipart body
                raise Malformed() from exc
            await _copy(part.read_chunk, target, request, limit)
        else:
            await _copy(request.content.read, target, request, limit)


class Server:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = Store(settings.data)
        self.validator = Validator(self.store, settings.validation_delay)

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._log_middleware], client_max_size=self.settings.max_size)
        app.router.add_get("/v3/index.json", self.index)
        for path in ("/api/v2/package", "/api/v2/package/"):
            app.router.add_put(path, self.push_package)
        for path in ("/api/v2/symbolpackage", "/api/v2/symbolpackage/"):
            app.router.add_put(path, self.push_symbols)
        app.router.add_get("/api/v2/symbolpackage/{id}/{version}", self.symbols_result)
        app.router.add_get("/api/v2/package/{id}/{version}", self.download)
        app.router.add_get("/", self.html)
        return app

    @web.middleware
    async def _log_middleware(self, request: web.Request, handler):
        start = time.monotonic()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except Exception as exc:  # a server bug: one line in the log and a 500, the server goes on
            self.settings.log.write(f"error: {type(exc).__name__}: {exc}\n")
            return web.Response(status=500, reason="Internal Server Error", text="internal error")
        finally:  # method, path, status, package, duration; never a header (the API key)
            ms = (time.monotonic() - start) * 1000
            ident = f"{request.get('package_id') or '-'} {request.get('package_version') or '-'}"
            self.settings.log.write(f"{request.method} {request.path} {status} {ident} {ms:.0f}ms\n")
            self.settings.log.flush()

    async def index(self, request: web.Request) -> web.Response:
        base = f"{request.scheme}://{request.host}"
        document = {"version": "3.0.0", "resources": [
            {"@id": f"{base}/api/v2/package", "@type": "PackagePublish/2.0.0"},
            {"@id": f"{base}/api/v2/symbolpackage", "@type": "SymbolPackagePublish/4.9.0"},
            {"@id": f"{base}/", "@type": "snupkg-lint/ValidationResults",
             "comment": "GET /api/v2/symbolpackage/{id}/{version}: a symbol package's validation"}]}
        return web.json_response(document)

    async def push_package(self, request: web.Request) -> web.StreamResponse:
        return await self._push(request, symbols=False)

    async def push_symbols(self, request: web.Request) -> web.StreamResponse:
        return await self._push(request, symbols=True)

    async def _push(self, request: web.Request, *, symbols: bool) -> web.StreamResponse:
        given = request.headers.get("X-NuGet-ApiKey")
        if not given:  # table A1
            return _answer(Answer(401, m.API_KEY_REQUIRED), **{"WWW-Authenticate": f'ApiKey realm="{request.host}"'})
        key = self.settings.keys.find(given)
        if key is None or key.expired(_dt.datetime.now(_dt.timezone.utc)) or \
                not any(a in key.actions for a in ACTIONS):  # A2, A3
            return _answer(Answer(403, m.API_KEY_NOT_AUTHORIZED))
        limit = self.settings.max_size
        if request.content_length is not None and request.content_length > limit:  # A4, before reading a byte
            return _answer(Answer(413, m.FILE_TOO_LARGE), Connection="close")
        upload = self.store.incoming()
        try:
            try:
                await receive(request, upload, limit)
            except TooLarge:
                return _answer(Answer(413, m.FILE_TOO_LARGE), Connection="close")
            except Malformed:
                if request.content.total_bytes > limit:
                    return _answer(Answer(413, m.FILE_TOO_LARGE), Connection="close")
                return _answer(Answer(400, m.INVALID_PACKAGE.format(MALFORMED)), Connection="close")
            except _CUT_OFF:  # the client went away, or sent less than it announced, or broken chunks
                if request.content.total_bytes > limit:
                    return _answer(Answer(413, m.FILE_TOO_LARGE), Connection="close")
                return _answer(Answer(400, m.UPLOAD_CANCELLED), Connection="close")
            answer = await asyncio.to_thread(decide.symbols if symbols else decide.package, self.store, upload, key)
        finally:
            upload.unlink(missing_ok=True)
        request["package_id"], request["package_version"] = answer.id, answer.version
        if answer.stored and symbols:
            self.validator.submit(answer.id, answer.version)
        return _answer(answer)

    async def symbols_result(self, request: web.Request) -> web.Response:
        version = parse_nuget_version(request.match_info["version"])
        package_id = request.match_info["id"]
        request["package_id"], request["package_version"] = package_id, request.match_info["version"]
        stored = self.store.symbols(package_id, version.normalized) if version else None
        if stored is None:
            return web.json_response({"id": package_id, "version": request.match_info["version"],
                                      "status": "not-found"}, status=404)
        document = {"id": stored.id, "version": stored.version, "status": stored.status, "pushed": stored.pushed,
                    "finished": stored.finished, "issue": None, "findings": []}
        if stored.result:
            document.update({k: v for k, v in stored.result.items() if k != "status"})
        return web.Response(text=json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json")

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A stored .nupkg, as nuget.org's GET /api/v2/package/{id}/{version} gives it."""
        version = parse_nuget_version(request.match_info["version"])
        stored = self.store.package(request.match_info["id"], version.normalized) if version else None
        if stored is None:
            return web.Response(status=404, text="Not Found")
        request["package_id"], request["package_version"] = stored.id, stored.version
        return web.FileResponse(self.store.path(stored), headers={"Content-Type": "application/octet-stream"})

    async def html(self, request: web.Request) -> web.Response:
        return web.Response(text=page.render(self.store), content_type="text/html")


class _OneLine(logging.Formatter):
    """aiohttp's own errors (a request it cannot parse, a connection cut): one line, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f": {type(error).__name__}: {' '.join(str(error).split())}"
        return "error: " + text

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return ""


def _protocol_logger(stream) -> logging.Logger:
    logger = logging.getLogger("snupkg_lint.serve")
    logger.propagate = False
    logger.handlers[:] = []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_OneLine())
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    return logger


async def _serve(server: Server, host: str, port: int, announce) -> None:
    runner = web.AppRunner(server.application(), access_log=None, lingering_time=2.0, shutdown_timeout=10.0,
                           logger=_protocol_logger(server.settings.log))
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    shown_host = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    announce(f"http://{shown_host}:{bound[1]}/v3/index.json")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt instead
            pass
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # stops accepting, lets running requests finish


def run(settings: Settings, host: str, port: int, announce) -> None:
    """Serve until SIGINT or SIGTERM; `announce(url)` is called once the socket listens."""
    server = Server(settings)
    server.validator.start()
    try:
        asyncio.run(_serve(server, host, port, announce))
    except KeyboardInterrupt:
        pass
    finally:
        server.validator.stop()
        server.store.close()
