"""A LaTeX document compiled to PDF with pdflatex, and written into place atomically.

Nothing is written unless pdflatex succeeds: it runs in a temporary directory,
and the PDF reaches its path by ``os.replace`` from a file beside it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

#: What to do where pdflatex is missing.
INSTALL = "--pdf needs pdflatex, which is not installed (Debian: apt-get install texlive-latex-base)"
#: Seconds a compilation may take (thirty versions with their solutions take a few).
TIMEOUT = 300


class PdfError(Exception):
    """pdflatex is missing or failed; the message is one line saying why."""


def compile_pdf(tex: str) -> bytes:
    """The PDF of a complete LaTeX document."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise PdfError(INSTALL)
    with tempfile.TemporaryDirectory(prefix="derive-pdf-") as folder:
        source = Path(folder) / "document.tex"
        source.write_text(tex, encoding="utf-8")
        try:
            run = subprocess.run(
                [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", source.name],
                cwd=folder, capture_output=True, timeout=TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"--pdf: pdflatex took longer than {TIMEOUT} s") from None
        pdf = Path(folder) / "document.pdf"
        if run.returncode != 0 or not pdf.exists():
            log = run.stdout.decode("latin-1").splitlines()
            first = next((line for line in log if line.startswith("!")), "no PDF written")
            raise PdfError(f"--pdf: pdflatex failed: {first[:200]}")
        return pdf.read_bytes()


def write(data: bytes, path: str | Path) -> None:
    """Write bytes atomically: a temporary file beside ``path``, then ``os.replace``."""
    path = Path(path)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
