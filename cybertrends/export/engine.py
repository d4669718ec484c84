"""The image engine: one headless Chromium driven by Kaleido, shared by every image export in the process.

Lifecycle through Kaleido's public async API (`kaleido.Kaleido`: `open`, `calc_fig`, `close`)
on an event loop of our own, in one daemon thread. The engine starts on the first image export
and is reused by every later one; `shutdown` (also run at exit) stops it. One lock serialises
every start, render and stop, so concurrent exports each get their own chart (Kaleido issue
444). Every wait has a deadline: a browser that fails to start, dies, or stalls ends in an
`ExportError`, the browser is stopped (killed if it does not close), and the next export starts
a fresh one. Nothing polls a private attribute; `Browser.subprocess` is choreographer's public
handle on the browser process.

Speed. Kaleido 1.5 reloads its tab (the page runs plotly.js again) after every render, and
`calc_fig` returns only after that reload: about 0.2 s of a 0.3 s warm PNG export here, and the
reload also takes the CPU from the next export. `Plotly.toImage` draws each figure in a fresh
element of its own, so the page need not be reloaded for every image (Kaleido 0.2 kept one page
for all of them). Kaleido has no public option for this, so `_ReusingKaleido` overrides the one
private hook, `_return_kaleido_tab`: a used tab goes straight back to `tabs_ready` (a public
attribute), and every RELOAD_EVERY renders it is reloaded in the background, after the image is
handed back (a tab returns to the queue only once its reload is done). After any failed render
the engine is stopped, so the next export starts on a fresh page. If a Kaleido release renames
the hook, exports stay correct and only lose the speed-up; tests/test_export_engine.py fails on
such a release so the override gets updated, and checks that a reused page draws each figure
exactly as a fresh one does.

Other modules that need images (PowerPoint, PDF) call `figure_to_image` / `to_image` here, not
`plotly.io.to_image`, so they share the engine and its lock.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import copy
import functools
import os
import signal
import subprocess
import threading
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from cybertrends import i18n
from cybertrends.chartspec import ChartSpec
from cybertrends.export.browser import ExportError, require_browser
from cybertrends.export.layout import export_figure, export_template

__all__ = ["ENGINE", "IMAGE_FORMATS", "Engine", "figure_to_image", "shutdown", "to_image", "to_png", "to_svg"]

IMAGE_FORMATS = ("png", "svg", "pdf", "jpeg", "webp")
START_TIMEOUT = 60.0  # seconds for the browser to start (about 1.2 s here) plus the first image
RENDER_TIMEOUT = 120.0  # seconds per image; Kaleido's own per-image timeout is 90 s
STOP_TIMEOUT = 10.0  # seconds for the browser to close before it is killed
TABS = 1  # a second tab doubles the browser's start (the first export) and gains nothing with reuse
RELOAD_EVERY = 20  # renders on one page before it is reloaded (in the background)


class _Stalled(Exception):
    """A deadline passed: the browser does not answer."""


@functools.cache
def _reusing_kaleido_class() -> type:
    """`kaleido.Kaleido` that reuses a tab's page for RELOAD_EVERY renders (see the module docstring)."""
    import kaleido  # imported lazily: HTML/CSV/XLSX never need it

    class _ReusingKaleido(kaleido.Kaleido):
        reload_failed = False  # a background reload failed: the tab is lost, restart the engine

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.reloads: set[asyncio.Task] = set()  # background reloads, cancelled on close
            self.uses: dict[int, int] = {}  # renders per tab since its page was loaded
            self.reloaded = 0  # pages reloaded (for tests)

        async def _return_kaleido_tab(self, tab: Any) -> None:
            uses = self.uses.get(id(tab), 0) + 1
            if uses < RELOAD_EVERY:
                self.uses[id(tab)] = uses
                await self.tabs_ready.put(tab)
                return
            self.uses[id(tab)] = 0
            task = asyncio.get_running_loop().create_task(super()._return_kaleido_tab(tab))
            self.reloads.add(task)
            task.add_done_callback(self._reload_done)

        def _reload_done(self, task: asyncio.Task) -> None:
            self.reloads.discard(task)
            if task.cancelled() or task.exception() is not None:
                self.reload_failed = True
            else:
                self.reloaded += 1

    return _ReusingKaleido


class Engine:
    """One Kaleido browser on its own event-loop thread. Callers hold `lock` around every method."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts = 0  # how many times a browser was started (a warm export starts none)
        self.browser: str | None = None  # the executable the running browser was started from
        self._kaleido: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while a browser is started and usable (its process alive, no tab lost)."""
        return self._kaleido is not None and not self._kaleido.reload_failed and self._alive()

    def browser_pid(self) -> int | None:
        """The process id of the running browser, or None."""
        process = getattr(self._kaleido, "subprocess", None)
        return process.pid if process is not None else None

    def _alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return process is not None and process.poll() is None

    def _run(self, coroutine: Any, timeout: float) -> Any:
        """Run `coroutine` on the engine's loop; `_Stalled` (and the coroutine cancelled) after `timeout`."""
        future = asyncio.run_coroutine_threadsafe(_cancellable(coroutine), self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise _Stalled from None

    def start(self, browser: str) -> None:
        """Start the browser with its Kaleido page loaded (plotly.js local, no MathJax, no network)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cybertrends-export", daemon=True)
        self._thread.start()
        self.browser = browser
        self.starts += 1

        async def open_browser() -> None:
            self._kaleido = _reusing_kaleido_class()(
                path=browser,
                n=TABS,
                mathjax=False,  # no MathJax fetch from a CDN (5 s stalls, offline failures)
                headers=pio.defaults.headers or None,  # e.g. the OpenStreetMap tile policy header
            )
            await self._kaleido.open()

        try:
            self._run(open_browser(), START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def render(self, fig_dict: dict, opts: dict, timeout: float) -> bytes:
        """One image from the running browser."""
        call = self._kaleido.calc_fig(fig_dict, opts=opts, topojson=pio.defaults.topojson)
        return self._run(call, timeout)

    def stop(self) -> None:
        """Close the browser (kill it if it does not close) and end the loop thread; safe to repeat."""
        kaleido, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = self.browser = None
        if loop is None:
            return
        if kaleido is not None:
            _settle(loop, _close(kaleido))
        process = getattr(kaleido, "subprocess", None)
        if process is not None:
            _kill_group(process)  # whatever a failed start or close left running
        _settle(loop, _cancel_the_rest())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT)
        if not thread.is_alive():
            loop.close()

    def image(self, fig_dict: dict, opts: dict, browser: str, lang: str) -> bytes:
        """Render on the running browser, starting one first if needed; every failure is an `ExportError`."""
        first = not self.running
        try:
            if first:
                self.stop()  # a browser that died or lost its tab since the last export
                self.start(browser)
                _register_shutdown()
            return self.render(fig_dict, opts, START_TIMEOUT if first else RENDER_TIMEOUT)
        except _Stalled:
            self.stop()
            raise ExportError(i18n.t("export_stalled", lang)) from None
        except Exception as error:
            if not self._alive() or _is_browser_gone(error):
                used = self.browser or browser
                self.stop()
                raise ExportError(i18n.t("export_browser_died", lang, path=used)) from None
            # Kaleido/plotly.js errors, e.g. a topojson fetch offline: the page may be left in any
            # state, so the next export starts a fresh browser
            self.stop()
            raise ExportError(f"{i18n.t('export_failed', lang)}: {error}") from error


async def _cancellable(coroutine: Any) -> Any:
    """`coroutine`, ending as cancelled when it is cancelled (Kaleido turns a cancelled start into
    BrowserFailedError, which nobody would retrieve once the caller has given up)."""
    try:
        return await coroutine
    except Exception:
        if asyncio.current_task().cancelling():
            raise asyncio.CancelledError from None
        raise


async def _close(kaleido: Any) -> None:
    """Cancel `kaleido`'s background reloads, then close it."""
    for task in list(kaleido.reloads):
        task.cancel()
    await kaleido.close()


async def _cancel_the_rest() -> None:
    """Cancel every other task left on the loop (after a kill) and let them finish their cancellation."""
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()
    for _ in range(3):
        await asyncio.sleep(0.01)


def _settle(loop: asyncio.AbstractEventLoop, coroutine: Any) -> bool:
    """Run `coroutine` on `loop` for at most STOP_TIMEOUT; True if it finished without error."""
    future = asyncio.run_coroutine_threadsafe(_cancellable(coroutine), loop)
    try:
        future.result(STOP_TIMEOUT)
    except Exception:  # noqa: BLE001 - a hung or dead browser: the caller kills it
        future.cancel()
        return False
    return True


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the browser and everything it started. choreographer runs Chromium behind a wrapper
    process in a session of its own, so killing the wrapper alone would leave Chromium running."""
    try:
        if os.name == "posix" and process.pid != os.getpgrp():
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pass


def _is_browser_gone(error: BaseException) -> bool:
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

    return isinstance(error, (BrowserClosedError, BrowserFailedError, ChannelClosedError))


ENGINE = Engine()


@functools.cache
def _register_shutdown() -> None:
    atexit.register(shutdown)


def shutdown() -> None:
    """Stop the export browser (registered with atexit; safe to call repeatedly)."""
    if not ENGINE.lock.acquire(timeout=5):  # an export is stuck: do not block interpreter exit
        return
    try:
        ENGINE.stop()
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass
    finally:
        ENGINE.lock.release()


def figure_to_image(
    fig: go.Figure | dict,
    format: str = "png",  # noqa: A002 - same name as plotly.io.to_image
    width: int = 1600,
    height: int = 900,
    scale: float = 1,
    lang: str = "es",
) -> bytes:
    """Render any Plotly figure to image bytes on the shared, locked engine.

    The figure is rendered as given: use `export_figure` first for a ChartSpec (template,
    title block, source line, synthetic mark). Raises `ExportUnavailable` without a browser and
    `ExportError` when the browser fails or stalls.
    """
    fmt = "jpeg" if format == "jpg" else format
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unsupported image format {format!r}; expected one of {IMAGE_FORMATS}")
    lang = i18n.lang_or_default(lang)
    browser = require_browser(lang)
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else copy.deepcopy(fig)
    layout = fig_dict.setdefault("layout", {})
    if "template" not in layout:
        # never let the browser fall back to pio.templates.default (may be "streamlit")
        layout["template"] = export_template().to_plotly_json()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with ENGINE.lock:
        return ENGINE.image(fig_dict, opts, browser, lang)


def to_image(spec: ChartSpec, format: str = "png", width: int = 1600, height: int = 900, scale: float = 1) -> bytes:  # noqa: A002
    """`spec` as an image (png, svg, pdf, jpeg, webp), laid out by `export_figure`."""
    fig = export_figure(spec, width=width, height=height)
    return figure_to_image(fig, format=format, width=width, height=height, scale=scale, lang=spec.lang)


def to_png(spec: ChartSpec, width: int = 1600, height: int = 900, scale: float = 1) -> bytes:
    """PNG bytes of `export_figure(spec)`; raises `ExportUnavailable` without Chromium."""
    return to_image(spec, "png", width=width, height=height, scale=scale)


def to_svg(spec: ChartSpec, width: int = 1600, height: int = 900, scale: float = 1) -> bytes:
    """SVG bytes of `export_figure(spec)`; raises `ExportUnavailable` without Chromium."""
    return to_image(spec, "svg", width=width, height=height, scale=scale)
