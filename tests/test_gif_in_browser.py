"""GIF frames whose blank rows are written as a run (``convanim.write.lzw``), as Chromium decodes
them: every frame, composited, equals Pillow's. A third decoder, and the one docs pages use.

Without Chromium the test is skipped on a developer's machine, and fails in CI (``.ci/run``
installs it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from browser import Browser, available
from PIL import Image

import convanim.write.gif as gif
from convanim.pipeline import from_options, render_bytes
from convanim.plan.options import RenderOptions

if not available():
    if os.environ.get("CI"):
        pytest.fail("headless Chromium is missing: .ci/run installs it with apt-get install -y chromium")
    pytest.skip("no Chromium at /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)

# WebCodecs' ImageDecoder (a secure context: a file:// page) gives each frame as shown; its RGB is hashed.
DECODE = """(async () => {
  const bytes = Uint8Array.from(atob('%s'), c => c.charCodeAt(0));
  const decoder = new ImageDecoder({data: bytes, type: 'image/gif', colorSpaceConversion: 'none'});
  await decoder.tracks.ready;
  const digests = [];
  for (let i = 0; i < decoder.tracks.selectedTrack.frameCount; i++) {
    const {image} = await decoder.decode({frameIndex: i});
    const canvas = new OffscreenCanvas(image.displayWidth, image.displayHeight);
    const context = canvas.getContext('2d', {colorSpace: 'srgb'});
    context.drawImage(image, 0, 0);
    image.close();
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb = new Uint8Array(rgba.length / 4 * 3);
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
      rgb[q] = rgba[p]; rgb[q + 1] = rgba[p + 1]; rgb[q + 2] = rgba[p + 2];
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rgb));
    digests.push(Array.from(digest, b => b.toString(16).padStart(2, '0')).join(''));
  }
  return digests;
})()"""


def frame_digests(data: bytes) -> list[str]:
    """Each frame of a GIF as Pillow composites it, its RGB hashed."""
    digests = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            digests.append(hashlib.sha256(np.asarray(image.convert("RGB")).tobytes()).hexdigest())
    return digests


def test_chromium_shows_the_frames_of_pillows_whole_boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same animation encoded with runs (Chromium decodes it) and by Pillow alone (Pillow does)."""
    made = from_options(RenderOptions.from_mapping({"input_size": 7, "padding": 1, "stride": 2, "steps": "term"}))
    monkeypatch.setattr(gif, "BLANK_PIXELS", 1 << 40)
    whole = render_bytes(made, ".gif", jobs=1)
    monkeypatch.setattr(gif, "BLANK_PIXELS", 2048)  # a small animation's gaps written as runs too
    runs = []
    blank_rows = gif.blank_rows
    monkeypatch.setattr(gif, "blank_rows", lambda job: runs.append(blank_rows(job)) or runs[-1])
    data = render_bytes(made, ".gif", jobs=1)
    assert sum(found is not None for found in runs) > 20 and data != whole
    page = tmp_path / "blank.html"
    page.write_text("<!doctype html><title>decode</title>")
    with Browser(timeout=60) as chromium:
        chromium.call("Page.enable")
        chromium.call("Page.navigate", {"url": page.as_uri()})
        chromium.wait_for("Page.loadEventFired")
        shown = chromium.evaluate(DECODE % base64.b64encode(data).decode())
    assert shown == frame_digests(whole)
