"""The training run as text (derive.explain.training, derive.explain.notation's cadence)."""

import io

from derive import seed
from derive.cli import trained
from derive.explain.notation import cadence
from derive.explain.training import Progress, report


def test_cadence_is_about_ten_lines_and_ends_on_the_last_epoch():
    assert cadence(5000) == list(range(0, 5001, 500))
    assert cadence(20000)[:3] == [0, 2000, 4000]
    assert cadence(1234)[-1] == 1234 and len(cadence(1234)) <= 13
    assert cadence(0) == [0]


def test_report_shows_the_run_the_curve_and_every_row():
    text = report(trained(seed(), epochs=20))
    lines = text.splitlines()
    assert lines[0] == "Training xnor (2-2-1) on its 4 data rows from the spec's weights:"
    assert "20 epochs of per-sample updates (one per data row, the rows in order), c = 1." in text
    assert "     0  1.3406448" in lines
    assert any(line.startswith("    20  ") for line in lines)
    assert sum(line.startswith("(") for line in lines) == 4
    assert lines[-1].startswith("Rounded to 0 or 1, f equals y on")


# -- the progress bar ------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_appears_on_a_terminal_after_a_second_and_is_erased():
    stream, clock = _Terminal(), _Clock()
    bar = Progress(100, stream=stream, clock=clock)
    bar(10, 0.5)
    assert stream.getvalue() == ""  # less than a second in
    clock.now = 1.5
    bar(50, 0.25)
    assert "epoch 50/100" in stream.getvalue() and "ε = 0.2500000" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")


def test_progress_is_silent_off_a_terminal():
    stream, clock = io.StringIO(), _Clock()
    bar = Progress(100, stream=stream, clock=clock)
    clock.now = 5.0
    bar(50, 0.25)
    bar.close()
    assert stream.getvalue() == ""


# -- the command line -------------------------------------------------------------------
