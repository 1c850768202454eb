"""The training run as blocks and as text (derive.explain.training, derive.explain.notation's cadence)."""

import io
import warnings
from dataclasses import replace

import numpy as np
import pytest

from derive import Derivation, seed
from derive.cli import trained
from derive.explain import blocks, html, markdown
from derive.explain.latex import BackpropPrinter, LatexWriter
from derive.explain.mathml import BackpropMathMLPrinter
from derive.explain.notation import cadence, number
from derive.explain.training import Progress, TextWriter, report, section


@pytest.fixture(scope="module")
def run():
    return trained(seed(), epochs=20)


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


# -- the blocks ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def derivation():
    return Derivation(seed())


def test_the_section_holds_the_runs_numbers(run):
    written = section(run)
    found = {type(b): b for b in written}
    assert len(written) == len(found) == 5
    assert set(found) == {blocks.Section, blocks.Run, blocks.Losses, blocks.Outputs, blocks.Paragraph}
    assert found[blocks.Section] == blocks.Section("Training", anchor="training")
    losses = found[blocks.Losses]
    assert losses.shown == tuple(cadence(20)) and losses.shown[-1] == 20
    assert [losses.values[e] for e in losses.shown] == [float(run.losses[e]) for e in cadence(20)]
    assert losses.values == tuple(float(v) for v in run.losses)
    change = f"went from {number(float(run.losses[0]), 4)} to {number(float(run.losses[-1]), 4)}"
    assert found[blocks.Run].change.endswith(change)
    assert found[blocks.Run].how.startswith("20 epochs of per-sample updates")
    outputs = found[blocks.Outputs]
    assert outputs.header == ("x", "y", "f") and len(outputs.rows) == 4
    assert outputs.rows[0] == ("(0, 0)", "(1)", f"({number(float(run.outputs[0][0]), 3)})")
    matched = sum(round(float(f[0])) == y[0] for f, y in zip(run.outputs, run.targets))
    assert found[blocks.Paragraph].parts == (f"Rounded to 0 or 1, f equals y on {matched} of 4 rows.",)


def _broke_down(run) -> str:
    """The report's sentence on where ε stopped being finite ('' if it never did)."""
    said = [b.parts[0] for b in section(run) if isinstance(b, blocks.Paragraph) and "ε " in b.parts[0]]
    return "".join(said)


def test_a_run_that_stays_finite_says_nothing_of_a_breakdown(run):
    assert np.isfinite(run.losses).all() and _broke_down(run) == ""


def test_a_diverging_run_says_where_and_that_c_is_too_large():
    """Linear units and c = 5: ε grows past 1e50, then overflows; the table writes it as 5.7e+94."""
    diverging = trained(replace(seed(), activations=("linear", "linear")), epochs=3, c=5.0)
    epoch = int(np.flatnonzero(~np.isfinite(diverging.losses))[0])
    last = diverging.losses[epoch - 1]
    assert last > 1e50
    assert _broke_down(diverging) == (
        f"ε became {diverging.losses[epoch]} at epoch {epoch}, after {last:.4e} at epoch {epoch - 1}:"
        " the updates diverged; a smaller c may help."
    )
    assert f"{epoch - 1:>6}  {last:.7e}" in report(diverging).splitlines()


def test_a_run_that_takes_a_unit_off_its_activations_domain_says_where():
    """sqrt(g): training drives a pre-activation below 0 while ε is still about 1."""
    weights = (((1.0, 1.0, 1.0), (1.0, 2.0, 1.0)), ((1.0, -1.0, 0.0),))
    network = replace(seed(), activations=("sqrt(x)", "sigmoid"), weights=weights)
    broken = trained(network, epochs=40)
    epoch = int(np.flatnonzero(~np.isfinite(broken.losses))[0])
    assert 1 < epoch < 40 and np.isnan(broken.losses[epoch]) and broken.losses[epoch - 1] < 2
    assert _broke_down(broken).startswith(f"ε became nan at epoch {epoch}, after ")
    assert _broke_down(broken).endswith("an update took a unit where its activation or its slope is undefined"
                                        " (such as the square root or the log of a negative g).")


def test_starting_weights_off_an_activations_domain_are_said_so_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        broken = trained(replace(seed(), activations=("sqrt(x)", "sigmoid")), epochs=2)
    assert np.isnan(broken.losses).all()
    assert _broke_down(broken).startswith("ε is nan before any update: for some data row, the starting weights")


def test_without_binary_targets_there_is_no_matched_line(run):
    graded = replace(run, targets=run.targets * 0.5)
    assert graded.matches() is None
    assert not any(isinstance(b, blocks.Paragraph) for b in section(graded))


def _html_writer(derivation):
    return html._Writer(BackpropMathMLPrinter(derivation.names))


def _markdown_writer(derivation):
    writer = markdown._Writer(BackpropPrinter(derivation.names))
    writer.lines.append("# a heading")  # a section looks at the line before it
    return writer


@pytest.mark.parametrize(
    "make", [_html_writer, _markdown_writer, lambda derivation: TextWriter()], ids=["html", "markdown", "text"]
)
def test_every_writer_writes_every_training_block(run, derivation, make):
    writer = make(derivation)
    for block in section(run):
        assert hasattr(writer, f"_write_{type(block).__name__}")
        writer.write(block)  # a missing method would raise TypeError


@pytest.mark.parametrize(
    "block",
    [blocks.Run("how", "change"), blocks.Losses((1.0,), (0,), "note"), blocks.Outputs(("x",), (("1",),))],
)
def test_a_writer_without_the_method_refuses_the_block(derivation, block):
    with pytest.raises(TypeError, match="no LaTeX for"):
        LatexWriter(BackpropPrinter(derivation.names)).write(block)


def test_each_format_writes_the_same_numbers(run, derivation):
    page = html.body(derivation, training=run)
    text = markdown.markdown(derivation, training=run)
    plain = report(run)
    for e in cadence(20):
        assert f"| {e} | {run.losses[e]:.7f} |" in text
        assert f"{e:>6}  {run.losses[e]:.7f}" in plain
    last = number(float(run.losses[-1]), 4)
    assert f"went from {number(float(run.losses[0]), 4)} to {last}.</p>" in page
    matched = f"Rounded to 0 or 1, f equals y on {run.matches()} of 4 rows."
    assert f"<p>{matched}</p>" in page
    assert text.endswith(f"\n\n{matched}\n") and plain.endswith(f"\n\n{matched}\n")



def test_one_epoch_is_one_epoch_in_every_format(derivation):
    one = trained(seed(), epochs=1)
    assert "1 epoch of per-sample updates" in report(one)
    for text in (markdown.markdown(derivation, training=one), html.body(derivation, training=one)):
        assert "1 epoch of per-sample updates" in text and "1 epochs" not in text

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
