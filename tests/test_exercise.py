"""Exercises: nice numbers for 12 seeds in a row, the same seed the same bytes, sheets and keys
that compile, solutions that are what ``derive --latex --spec`` computes, and --pdf."""

import dataclasses
import os
import random
import re
import stat
import tomllib

import pytest
import sympy as sp

from derive import activations
from derive.cli import main
from derive.derivation import Derivation
from derive.exercise import MAX_DELTA, MIN_DELTA, WEIGHTS, _layer, _screen, draw, to_toml
from derive.explain import sheet
from derive.network import Network, from_table, seed
from tests.commands import run
from tests.render import compile_latex

TANH = dataclasses.replace(Network.from_layers("3-3-2"), activations=("tanh", "sigmoid"))
SOFTMAX = dataclasses.replace(
    Network.from_layers("2-3-3"), activations=("tanh", "softmax"), loss="softmax_cross_entropy"
)


#: The issue's "nice numbers": every output off its activation's flat tails.
NICE = {"sigmoid": (0.05, 0.95), "softmax": (0.05, 0.95), "tanh": (-0.95, 0.95)}


def assert_nice(network):
    ex = network.example
    assert all(w == int(w) and -3 <= w <= 3 for m in network.weights for r in m for w in r)
    assert set(ex.x) <= {0, 1} and 1 in ex.x
    assert set(ex.y) <= {0, 1} and ex.c in (1, 0.5)
    d = Derivation(network)
    v = d.step(ex.x, ex.y, network.weights, ex.c).values
    for j in range(1, d.depth + 1):
        low, high = NICE.get(network.activations[j - 1], (-1e9, 1e9))
        assert all(low <= v[d.names.output(j, i)] <= high for i in d.units(j))
        assert all(MIN_DELTA <= abs(v[d.names.delta(j, i)]) <= MAX_DELTA for i in d.units(j))
        assert all(round(float(v[d.names.delta(j, i)]), 3) != 0 for i in d.units(j))


def test_twelve_seeds_in_a_row_give_nice_numbers():
    for number in range(1, 13):
        (network,) = draw(seed(), number)
        assert_nice(network)
    assert len({draw(seed(), n)[0].weights for n in range(1, 13)}) == 12


#: Linear outputs: f is any number, and δ = y − f could be −90 for a target of 0 or 1.
LINEAR = [Network((2, 3, 2), (hidden, "linear")) for hidden in ("relu", "linear", "x*cos(x)", "softplus")]


@pytest.mark.parametrize("template", [TANH, SOFTMAX, *LINEAR],
                         ids=["3-3-2-tanh", "2-3-3-softmax", "relu-linear", "linear-linear", "xcos-linear", "softplus-linear"])
def test_other_networks_give_nice_numbers(template):
    for number in range(1, 5):
        (network,) = draw(template, number)
        assert_nice(network)
        if template.loss == "softmax_cross_entropy":
            assert sum(network.example.y) == 1


def test_a_deep_relu_network_gets_an_exercise_with_every_unit_active():
    """relu's flat tail (g < 0) gives δ = 0: each layer is drawn with its units on, and the
    linear output near the targets, so that 3-4-4-2 finds its numbers (it found none, or δ of 90)."""
    for number in (1, 2):
        (network,) = draw(Network((3, 4, 4, 2), ("relu", "relu", "linear")), number)
        assert_nice(network)
        d, ex = Derivation(network), network.example
        values = d.step(ex.x, ex.y, network.weights, ex.c).values
        assert all(values[d.names.output(j, i)] >= 0.01 for j in (1, 2) for i in d.units(j))
        assert all(-2 <= values[d.names.output(3, i)] <= 3 for i in d.units(3))


@pytest.mark.parametrize("template", [
    Network((2, 3, 3, 2), ("relu", "relu", "linear")), TANH, SOFTMAX,
    Network((2, 3, 2), ("softplus", "linear")), Network((2, 2, 1), ("x/(1 + abs(x))", "sigmoid")),
], ids=["relu", "tanh", "softmax", "softplus-linear", "custom"])  # fmt: skip
def test_the_quick_screen_turns_away_only_draws_the_exact_check_turns_away(template):
    """The screen in floats and the exact check in SymPy keep the same draws, so that
    exercises are what they were before the screen, seed for seed."""
    d, rng = Derivation(template), random.Random(3)
    values = {d.names.input(k): sp.Float(1.0) for k in d.units(0)}
    for j in range(1, d.depth + 1):
        far_off, kept, screened = _screen(d, j, values), None, 0
        rows, cols = template.weight_shapes[j - 1]
        for _ in range(300):
            matrix = tuple(tuple(float(rng.choice(WEIGHTS)) for _ in range(cols)) for _ in range(rows))
            exact = _layer(d, j, matrix, values)
            if far_off(matrix):
                screened += 1
                assert exact is None, (j, matrix)
            kept = kept or exact
        # a custom activation's slope has no bound: its layers get the exact check alone
        custom = template.activations[j - 1] not in activations.ACTIVATIONS
        unbounded = d.activation(j).unsaturated is None and j < d.depth
        assert screened == 0 if custom or unbounded else screened > 0
        assert kept is not None
        values.update(kept)


def test_a_unit_is_drawn_off_the_points_where_its_slope_is_infinite():
    """sqrt(g) has no slope at g = 0 (nor a real value below): every hidden g drawn is positive."""
    template = Network((2, 2, 1), ("sqrt(x)", "sigmoid"))
    for number in range(1, 9):
        (network,) = draw(template, number)
        d, ex = Derivation(network), network.example
        values = d.step(ex.x, ex.y, network.weights, ex.c).values
        assert all(values[d.names.preactivation(1, i)] > 0 for i in d.units(1))
        assert all(abs(values[d.names.delta(1, i)]) >= MIN_DELTA for i in d.units(1))


def test_the_first_of_the_versions_is_the_single_exercise():
    versions = draw(seed(), 7, 3)
    assert versions[0].weights == draw(seed(), 7)[0].weights
    assert len({v.weights for v in versions}) == 3


def test_the_same_seed_gives_the_same_bytes(capsys):
    for argv in (["--solutions"], ["--toml"], ["--markdown", "--layers", "3-3-2", "--activation", "tanh"]):
        first = run(capsys, "--exercise", "--seed", "7", *argv)
        assert first[0] == 0 and first == run(capsys, "--exercise", "--seed", "7", *argv)
        assert first[1] != run(capsys, "--exercise", "--seed", "8", *argv)[1]


def test_the_toml_is_a_spec_of_the_same_exercise():
    (network,) = draw(TANH, 3)
    read = from_table(tomllib.loads(to_toml(network, "derive --exercise --seed 3")))
    assert (read.sizes, read.activations, read.loss) == (network.sizes, network.activations, network.loss)
    assert read.weights == network.weights and read.example == network.example


def test_the_solution_is_what_latex_of_the_spec_prints(tmp_path, capsys):
    code, toml, _ = run(capsys, "--exercise", "--seed", "7", "--toml")
    assert code == 0
    spec = tmp_path / "ex7.toml"
    spec.write_text(toml, encoding="utf-8")
    _, derivation, _ = run(capsys, "--latex", "--spec", str(spec))
    _, solution, _ = run(capsys, "--exercise", "--seed", "7", "--solutions")
    worked = solution[solution.index("One step for the input") :]
    rows = [line for line in worked.splitlines() if line.endswith((r"\notag", r"\notag \\"))]
    assert len(rows) == 9
    assert all(row in derivation for row in rows)
    # the forward pass, checked against the step of the spec's network
    assert r"g^{(1)}_{1} &= (-2, 1, -3) \cdot (0, 1, 1) = -2 \notag" in solution
    assert r"f &= \sigma\left(-0.642\right) = 0.345 \notag" in solution
    assert r"\delta^{(2)} &= \left(0 - 0.345\right) \cdot 0.345 \cdot \left(1 - 0.345\right) = -0.078" in solution


def test_the_seeds_numbers_in_a_solution():
    d = Derivation(seed())
    printer = sheet.latex_writer.BackpropPrinter(d.names)
    lines = [line for b in sheet.solution_blocks(d) for line in sheet.latex_writer.LatexWriter(printer).write(b)]
    text = "\n".join(lines)
    assert r"g^{(1)}_{1} &= (2, -2, 0) \cdot (1, 0, 1) = 2 \notag" in text
    assert r"s_{1} &= \sigma\left(2\right) = 0.881 \notag" in text
    assert r"f &= \sigma\left(0.642\right) = 0.655 \notag" in text
    assert "= -0.148" in text and "= (2.87, -2.074, -1.148)" in text
    assert "= (1.953, -2, -0.047)" in text and "= (1.074, 3, -0.926)" in text


def test_the_key_lists_every_versions_answers():
    versions = draw(seed(), 7, 3)
    text = sheet.latex(versions)
    assert text.count(r"\section*{Version") == 3 and r"\section*{Key}" in text
    assert r"\delta^{(2)} &= (-0.078)" in text and r"W^{(2)} &\leftarrow (2.991, 1.961, -2.078)" in text


@pytest.mark.parametrize(
    ("template", "variants", "solutions"),
    [(seed(), 1, False), (seed(), 1, True), (seed(), 3, True), (TANH, 1, True), (SOFTMAX, 3, False)],
    ids=["sheet", "solution", "key-of-3", "tanh-solution", "softmax-key"],
)
def test_sheets_solutions_and_keys_compile(tmp_path, template, variants, solutions):
    text = sheet.latex(draw(template, 7, variants), solutions=solutions, standalone=True)
    run, log = compile_latex(text, tmp_path, "sheet")
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Overfull" not in log or all(
        float(line.split("(")[1].split("pt")[0]) <= 5 for line in log.splitlines() if "Overfull" in line
    )


def test_the_list_of_what_to_compute_stays_on_the_page_of_its_lead(tmp_path):
    """A 4-6-3 exercise whose rules end page 1: "Compute ..." goes over with its three items."""
    template = dataclasses.replace(
        Network.from_layers("4-6-3"), activations=("relu", "softmax"), loss="softmax_cross_entropy"
    )
    text = sheet.latex(draw(template, 8, 1), standalone=True)
    lead, last = "Compute, to 3 decimals", "3. the updated weights"
    assert text.count(lead) == text.count(last) == 1
    # each marked by a label, whose page pdflatex writes into the .aux file
    text = text.replace(lead, r"\label{lead}" + lead).replace(last, r"\label{last}" + last)
    run, _ = compile_latex(text, tmp_path, "sheet")
    assert run.returncode == 0, run.stdout[-2000:]
    aux = (tmp_path / "sheet.aux").read_text(encoding="latin-1")
    pages = dict(re.findall(r"\\newlabel\{(lead|last)\}\{\{[^}]*\}\{(\d+)\}", aux))
    assert pages["lead"] == pages["last"] == "2", aux  # the rules fill page 1


def test_each_version_of_a_key_stays_on_one_page(tmp_path):
    """Twelve versions of a 3-4-2 key, twelve rows each, about two and a half to a page."""
    text = sheet.latex(draw(Network.from_layers("3-4-2"), 1, 12), standalone=True)
    start = text.index(r"\section*{Key}")
    versions = text[start:].split("Version ")[1:]
    assert len(versions) == 12
    for n, version in enumerate(versions, start=1):
        # labels on the heading and the last row, whose pages pdflatex writes into the .aux
        # file; in the row LaTeX's own \label, as amsmath's holds a \notag row's label back
        last = rf"\csname ltx@label\endcsname{{last{n}}}"
        marked = version.replace(r"\end{align}", last + r"\end{align}", 1)
        text = text.replace("Version " + version, rf"\label{{first{n}}}Version " + marked, 1)
    run, _ = compile_latex(text, tmp_path, "key")
    assert run.returncode == 0, run.stdout[-2000:]
    aux = (tmp_path / "key.aux").read_text(encoding="latin-1")
    pages = dict(re.findall(r"\\newlabel\{(\w+)\}\{\{[^}]*\}\{(\d+)\}", aux))
    assert len(pages) == 24, aux
    assert [pages[f"first{n}"] for n in range(1, 13)] == [pages[f"last{n}"] for n in range(1, 13)]
    assert len(set(pages.values())) >= 5  # the key fills pages: a version may not end one


def test_a_custom_activation_is_named_in_maths_on_the_sheet():
    template = Network((2, 2, 1), ("x*sigmoid(x)", "sigmoid"), name="custom")
    (exercise,) = draw(template, 3)
    text = sheet.latex([exercise])
    assert "x*sigmoid(x)" not in text
    assert r"activations $g \sigma\left(g\right)$ (layer 1), sigmoid (layer 2); the loss" in text
    assert "activations $g \\sigma\\left(g\\right)$ (layer 1)" in sheet.markdown([exercise])


def test_markdown_and_html_sheets(tmp_path, capsys):
    code, out, _ = run(capsys, "--exercise", "--seed", "3", "--layers", "3-3-2", "--activation", "tanh", "--markdown")
    assert code == 0 and out.startswith("# Backpropagation: Exercise 3") and "$$" in out
    assert r"W^{(1)} &= \left[\begin{matrix}" in out
    page = tmp_path / "sheet.html"
    code, _, _ = run(capsys, "--exercise", "--seed", "3", "--solutions", "--html", str(page))
    text = page.read_text(encoding="utf-8")
    assert code == 0 and "<math" in text and "<script" not in text and "<h2>Solution</h2>" in text


def test_pdf_of_a_key_and_of_the_derivation(tmp_path, capsys):
    key, derivation = tmp_path / "key.pdf", tmp_path / "seed.pdf"
    assert main(["--exercise", "--seed", "7", "--variants", "3", "--solutions", "--pdf", str(key)]) == 0
    assert main(["--pdf", str(derivation)]) == 0
    capsys.readouterr()
    assert key.read_bytes()[:5] == derivation.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir()] and all(not p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_pdf_without_pdflatex_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "seed.pdf"
    code, out, err = run(capsys, "--pdf", str(target))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "apt-get install texlive-latex-base" in err and not target.exists()


def test_a_failing_pdflatex_writes_nothing(tmp_path, capsys, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    fake = bin_ / "pdflatex"
    fake.write_text("#!/bin/sh\necho '! Emergency stop.'\nexit 1\n", encoding="ascii")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_) + os.pathsep + os.environ.get("PATH", ""))
    target = tmp_path / "sheet.pdf"
    code, _, err = run(capsys, "--exercise", "--pdf", str(target))
    assert code == 2 and "pdflatex failed: ! Emergency stop." in err
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--exercise", "--toml", "--variants", "3"], "--toml prints one exercise"),
        (["--solutions", "--latex"], "--solutions goes with --exercise"),
        (["--seed", "3", "--latex"], "--seed goes with --exercise"),
        (["--exercise", "--variants", "0"], "from 1 to 100"),
        (["--exercise", "--grade", "a.toml"], "give one of them"),
        (["--exercise", "--out", "x.py"], "do not go with --out"),
        (["--exercise", "--layers", "8-8-8"], "an exercise is worked by hand"),
    ],
)
def test_options_that_do_not_go_together(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_the_numbers_are_printed_as_drawn():
    (network,) = draw(seed(), 7)
    assert "[[-2, 1, -3], [1, -1, 1]]" in to_toml(network)
    assert sp.Integer(2) == sheet._number(2.0) and sheet._number(0.5) == sp.Float(0.5)
