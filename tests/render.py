"""Rendering in the real tools the tests check against: pdflatex and headless Chromium.

Each is skipped where it is not installed, except in CI (``.ci/run`` installs
texlive-latex-base and chromium), where its absence is a failure.
"""

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest


def find_pdflatex() -> str:
    path = shutil.which("pdflatex")
    if path is None and not os.environ.get("CI"):
        pytest.skip("pdflatex not installed (.ci/run installs texlive-latex-base)")
    assert path is not None, "pdflatex missing: .ci/run must install texlive-latex-base"
    return path


def compile_latex(text: str, tmp_path, name: str = "derivation") -> tuple[subprocess.CompletedProcess, str]:
    """Run pdflatex on a document; the run and its .log."""
    tex = tmp_path / f"{name}.tex"
    tex.write_text(text, encoding="ascii")
    run = subprocess.run(
        [find_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = tmp_path / f"{name}.log"
    return run, log.read_text(encoding="latin-1") if log.exists() else ""


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

def find_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and not os.environ.get("CI"):
        pytest.skip("chromium not installed (.ci/run installs Debian's chromium)")
    assert path is not None, "chromium missing: .ci/run must install it"
    return path


def run_chromium(chromium: str, tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


#: Ends a script of :func:`measured`: its ``found`` as JSON, in the page the DOM dump gives.
_FOUND = """
const pre = document.createElement("pre");
pre.id = "found";
pre.textContent = JSON.stringify(found);
document.body.appendChild(pre);"""


def measured(page: str, script: str, tmp_path, window: str = "1200,900"):
    """What a script finds on a copy of the page in headless Chromium: its variable ``found``."""
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", f"<script>{script}{_FOUND}</script>\n</body>"), encoding="utf-8")
    run = run_chromium(find_chromium(), tmp_path, f"--window-size={window}", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="found">(.*?)</pre>', run.stdout, re.DOTALL)
    assert found, run.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def png_pixels(data: bytes) -> np.ndarray:
    """The pixels of an 8-bit RGB or RGBA PNG, as an array of shape (height, width, channels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, content = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", content)
        elif kind == b"IDAT":
            chunks.append(content)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            current = line
        elif kind == 2:
            current = (line + previous) % 256
        else:
            current = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = current[x - channels] if x >= channels else 0
                b = previous[x]
                c = previous[x - channels] if x >= channels else 0
                if kind == 1:
                    predictor = a
                elif kind == 3:
                    predictor = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                current[x] = (line[x] + predictor) % 256
        out[y] = current
        previous = current
    return out.reshape(height, width, channels)[:, :, :3]
