"""The HTML player in a real browser: headless Chromium from the OS packages, over DevTools.

Each test loads a page from a file:// URL, presses keys, reads which frame shows (and the canvas's
pixels, against the GIF's frames), and checks that nothing was fetched. Without Chromium the tests
are skipped on a developer's machine, and fail in CI (``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from browser import Browser, available
from PIL import Image

from convanim.api import animate
from convanim.pipeline import from_options, render_bytes, render_file
from convanim.plan.options import RenderOptions

if not available():
    if os.environ.get("CI"):
        pytest.fail("headless Chromium is missing: .ci/run installs it with apt-get install -y chromium")
    pytest.skip("no Chromium at /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)

PLAYER = "document.querySelector('[data-convanim-player]')"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as chromium:
        for domain in ("Page", "Network", "Runtime"):
            chromium.call(f"{domain}.enable")
        chromium.call("Emulation.setFocusEmulationEnabled", {"enabled": True})
        yield chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("player")
    render_file(from_options(RenderOptions.from_mapping({"stride": 2, "padding": 1})), str(folder / "conv.html"))
    return folder / "conv.html"


@pytest.fixture(scope="module")
def gif_frames() -> list[np.ndarray]:
    data = render_bytes(from_options(RenderOptions.from_mapping({"stride": 2, "padding": 1})), ".gif")
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


def load(browser: Browser, url: str) -> None:
    browser.events.clear()
    browser.call("Page.navigate", {"url": url})
    browser.wait_for("Page.loadEventFired")


def requests(browser: Browser) -> list[str]:
    return [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]


def canvas_pixels(browser: Browser, context: int | None = None) -> np.ndarray:
    url = browser.evaluate(f"{PLAYER}.querySelector('canvas').toDataURL('image/png')", context)
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        return np.asarray(image.convert("RGB"))


def test_keys_move_through_the_frames_offline(browser: Browser, page: Path, gif_frames: list[np.ndarray]) -> None:
    load(browser, page.as_uri())
    assert browser.until(f"{PLAYER}.dataset.playing === 'true'")  # it starts playing, as a GIF does
    state = f"[{PLAYER}.dataset.frame, {PLAYER}.dataset.playing]"
    browser.key("Home")  # pauses on the first frame
    assert browser.evaluate(state) == ["0", "false"]
    assert np.array_equal(canvas_pixels(browser), gif_frames[0])
    browser.key("ArrowRight")
    browser.key("ArrowRight")
    assert browser.evaluate(state) == ["2", "false"]
    assert np.array_equal(canvas_pixels(browser), gif_frames[2])
    browser.key("End")
    assert browser.evaluate(state) == ["8", "false"]
    assert np.array_equal(canvas_pixels(browser), gif_frames[8])
    browser.key("ArrowLeft")  # backwards: drawn again from the first frame
    assert browser.evaluate(state) == ["7", "false"]
    assert np.array_equal(canvas_pixels(browser), gif_frames[7])
    assert browser.evaluate(f"{PLAYER}.querySelector('.ca-count').textContent") == "8 / 9"
    assert browser.evaluate(f"{PLAYER}.querySelector('.ca-slider').getAttribute('aria-valuetext')") == "Frame 8 of 9"
    browser.key(" ")
    assert browser.evaluate(f"{PLAYER}.dataset.playing") == "true"
    assert browser.evaluate(f"{PLAYER}.querySelector('[data-act=play]').getAttribute('aria-label')") == "Pause"
    browser.key(" ")
    assert browser.evaluate(f"{PLAYER}.dataset.playing") == "false"
    # Buttons and the slider too.
    browser.evaluate(f"{PLAYER}.querySelector('[data-act=first]').click()")
    browser.evaluate(f"{PLAYER}.querySelector('[data-act=next]').click()")
    assert browser.evaluate(f"{PLAYER}.dataset.frame") == "1"
    browser.evaluate(
        f"(s => {{ s.value = '5'; s.dispatchEvent(new Event('input')); }})({PLAYER}.querySelector('.ca-slider'))"
    )
    assert browser.evaluate(f"{PLAYER}.dataset.frame") == "5"
    assert np.array_equal(canvas_pixels(browser), gif_frames[5])
    # Nothing was fetched: the page itself, and its own inline first frame.
    assert all(url == page.as_uri() or url.startswith(("data:", "blob:")) for url in requests(browser))
    assert requests(browser)[0] == page.as_uri()


def test_accessible_names_and_the_command(browser: Browser, page: Path) -> None:
    load(browser, page.as_uri())
    browser.until(f"{PLAYER}.dataset.frame")
    labels = browser.evaluate(f"[...{PLAYER}.querySelectorAll('button, input, select')].map(e => e.ariaLabel)")
    assert labels == ["First frame", "Previous frame", "Pause", "Next frame", "Last frame", "Frame", "Speed"]
    alt = browser.evaluate(f"{PLAYER}.querySelector('img').alt")
    assert alt.startswith("Convolution of a 5x5 input, zero-padded by 1")
    assert browser.evaluate(f"{PLAYER}.querySelector('canvas').getAttribute('aria-label')") == alt
    assert browser.evaluate(f"{PLAYER}.querySelector('figcaption').textContent") == (
        "Made with convanim render --stride 2 --pad 1 -o conv.html"
    )


def test_each_frame_keeps_its_duration(browser: Browser, tmp_path: Path) -> None:
    target = tmp_path / "timing.html"
    options = {"input_size": 4, "frame_ms": 300, "hold_ms": 1200}  # four frames; the last held 1.2 s
    render_file(from_options(RenderOptions.from_mapping(options)), str(target))
    load(browser, target.as_uri())
    browser.until(f"{PLAYER}.dataset.frame")
    browser.key("Home")
    record = "e => seen.push([e.detail.frame, e.detail.time])"
    browser.evaluate(f"window.seen = []; {PLAYER}.addEventListener('convanim:frame', {record})")
    browser.key(" ")
    browser.until("window.seen.length >= 4", seconds=10)  # frames 1, 2, 3, then 0 after the hold
    seen = browser.evaluate("window.seen")
    assert [frame for frame, _ in seen[:4]] == [1, 2, 3, 0]
    step, hold = seen[1][1] - seen[0][1], seen[3][1] - seen[2][1]
    assert 280 <= step <= 700 and 1180 <= hold <= 1700, (step, hold)


def test_works_inside_an_iframe(browser: Browser, page: Path, tmp_path: Path) -> None:
    outer = tmp_path / "slides.html"
    outer.write_text(f'<!DOCTYPE html><iframe src="{page.as_uri()}" width="900" height="600"></iframe>')
    load(browser, outer.as_uri())
    browser.pump(0.5)
    contexts = [
        e["params"]["context"]
        for e in browser.events
        if e.get("method") == "Runtime.executionContextCreated" and e["params"]["context"]["origin"] != ""
    ]
    inner = [c["id"] for c in contexts if c.get("auxData", {}).get("isDefault") and c["origin"] == "file://"]
    frame_context = None
    for context in inner:
        if browser.evaluate(f"!!{PLAYER}", context):
            frame_context = context
    assert frame_context is not None
    browser.until(f"{PLAYER}.dataset.frame", context=frame_context)
    box = browser.evaluate("(r => [r.x, r.y])(document.querySelector('iframe').getBoundingClientRect())")
    browser.click(box[0] + 100, box[1] + 100)  # focus the player inside the frame, as a viewer would
    browser.key("Home")
    browser.key("ArrowRight")
    assert browser.evaluate(f"[{PLAYER}.dataset.frame, {PLAYER}.dataset.playing]", frame_context) == ["1", "false"]
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests(browser))


def test_two_notebook_players_on_one_page(browser: Browser, tmp_path: Path) -> None:
    clip = animate(stride=2, padding=1)
    other = animate(input_size=3)
    target = tmp_path / "notebook.html"
    target.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{clip.html}<p>text</p>{other.html}</body>")
    load(browser, target.as_uri())
    players = "[...document.querySelectorAll('[data-convanim-player]')]"
    browser.until(f"{players}.every(p => p.dataset.frame)")
    browser.evaluate(f"{players}[1].focus()")
    browser.key("End")  # keys go to the focused player only: the notebook keeps its own keys
    assert browser.evaluate(f"{players}.map(p => p.dataset.playing)") == ["true", "false"]
    assert browser.evaluate(f"{players}[1].dataset.frame") == str(other.frames - 1)
    assert browser.evaluate("document.querySelectorAll('[id]').length") == 0  # no ids to collide
