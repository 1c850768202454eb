"""Marking a student's numbers: every slip of the catalog named on the first wrong row, the
quantities computed right from it ``ok (carried)``, right answers exit 0, bad files exit 2."""

import pytest

from derive.cli import main
from derive.grade import SLIPS, grade, validate
from derive.network import Example, Network, seed
from tests.student import work

#: A second network: 3-2-2 with tanh hidden units, weights drawn by derive --exercise.
TANH = Network(
    (3, 2, 2),
    ("tanh", "sigmoid"),
    name="tanh_3_2_2",
    weights=(((-2, 1, 1, 0), (-2, -2, -3, 3)), ((-2, -1, -1), (-2, 1, 2))),
    example=Example(x=(1, 1, 0), y=(1, 0), c=1),
)

#: The seed's worked example, as the issue's answers file gives it.
SEED_ANSWERS = {
    "g1": [2, 0],
    "s1": [0.881, 0.5],
    "f": [0.655],
    "delta2": [-0.148],
    "delta1": [-0.047, 0.074],
    "W2": [[2.87, -2.074, -1.148]],
    "W1": [[1.953, -2, -0.047], [1.074, 3, -0.926]],
}

#: Per slip: the first wrong quantity, and the verdicts of the later ones.
CARRIED = "ok (carried)"
EXPECTED = {
    "target-as-one": ("delta2", {"delta1": CARRIED, "W2": CARRIED, "W1": CARRIED}),
    "no-slope": ("delta2", {"delta1": CARRIED, "W2": CARRIED, "W1": CARRIED}),
    "wrong-weight": ("delta1", {"W2": "ok", "W1": CARRIED}),
    "updated-weights": ("delta1", {"W2": "ok", "W1": CARRIED}),
    "sign": ("W2", {"W1": "wrong"}),
    "factor-two": ("W2", {"W1": "wrong"}),
    "no-bias": ("W2", {"W1": "wrong"}),
    "pre-activation": ("W2", {"W1": "ok"}),
}


def verdicts(network, answers):
    report = grade(network, validate(answers, network))
    return report, {row.name: (row.verdict, row.slip) for row in report.rows}


def test_the_catalog_is_the_table_above():
    assert [slip.identifier for slip in SLIPS] == list(EXPECTED)


def test_the_seed_worked_by_hand_is_all_right():
    report, marks = verdicts(seed(), SEED_ANSWERS)
    assert report.exit_code == 0
    assert list(marks) == ["g1", "s1", "f", "delta2", "delta1", "W2", "W1"]
    assert set(marks.values()) == {("ok", None)}
    expected = {row.name: row.expected for row in report.rows}
    assert [round(v, 3) for v in expected["delta1"]] == [-0.047, 0.074]
    assert [round(v, 3) for v in expected["W2"]] == [2.87, -2.074, -1.148]


def test_the_student_without_a_slip_is_all_right_on_both_networks():
    for network in (seed(), TANH):
        report, marks = verdicts(network, work(network))
        assert report.exit_code == 0 and set(marks.values()) == {("ok", None)}, marks


@pytest.mark.parametrize("network", [seed(), TANH], ids=["seed", "tanh-3-2-2"])
@pytest.mark.parametrize("slip", list(EXPECTED))
def test_each_slip_is_named_on_the_first_wrong_row(network, slip):
    report, marks = verdicts(network, work(network, slip))
    first, later = EXPECTED[slip]
    wrong = [row for row in report.rows if row.verdict == "wrong"]
    assert wrong[0].name == first and wrong[0].slip == slip
    order = [row.name for row in report.rows]
    assert all(marks[name] == ("ok", None) for name in order[: order.index(first)])
    for name, verdict in later.items():
        assert marks[name][0] == verdict, (name, marks[name])
        if verdict == "wrong":
            assert marks[name][1] == slip
    assert report.exit_code == 1


def test_the_seeds_own_slip():
    # the post writes (1 - 0.655): 0.345 * 0.655 * 0.345 = 0.078, and carries it on
    answers = {"delta2": [0.078], "delta1": [0.025, -0.039], "W2": [[3.069, -1.961, -0.922]]}
    _, marks = verdicts(seed(), answers)
    assert marks == {
        "delta2": ("wrong", "target-as-one"),
        "delta1": (CARRIED, None),
        "W2": (CARRIED, None),
    }


def test_a_wrong_value_no_slip_explains_is_wrong_without_a_name():
    _, marks = verdicts(seed(), {"delta2": [-0.3], "delta1": [-0.094, 0.15]})
    assert marks == {"delta2": ("wrong", None), "delta1": (CARRIED, None)}


def test_the_gradient_and_s2_for_f():
    # ∂ε/∂W = -2 δ X: (0.261, 0.148, 0.296) for the output layer; dW1 has the sign flipped
    answers = {"s2": [0.655], "dW2": [[0.261, 0.148, 0.296]], "dW1": [[-0.093, 0, -0.093], [0.148, 0, 0.148]]}
    _, marks = verdicts(seed(), answers)
    assert marks == {"f": ("ok", None), "dW2": ("ok", None), "dW1": ("wrong", "sign")}


def write_answers(tmp_path, text, name="answers.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_grade_exits_0_for_right_answers_and_1_for_a_slip(tmp_path, capsys):
    right = write_answers(tmp_path, "[answers]\nf = [0.655]\ndelta2 = [-0.148]\n")
    assert main(["--grade", right]) == 0
    out = capsys.readouterr().out
    assert "delta2    (-0.148)  (-0.148)  (-0.148)           ok" in out
    slipped = write_answers(tmp_path, "[answers]\ndelta2 = [0.078]\ndelta1 = [0.025, -0.039]\n")
    assert main(["--grade", slipped]) == 1
    out = capsys.readouterr().out
    assert "wrong: target-as-one" in out and "ok (carried)" in out
    assert "the first wrong step is delta2: target-as-one" in out


def test_grade_against_an_exercise_spec(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--exercise", "--seed", "7", "--toml"]) == 0
    (tmp_path / "ex7.toml").write_text(capsys.readouterr().out, encoding="utf-8")
    answers = write_answers(tmp_path, 'spec = "ex7.toml"\n[answers]\ndelta2 = [-0.078]\n')
    assert main(["--grade", answers]) == 0
    assert "against ex7.toml (exercise_7 2-2-1" in capsys.readouterr().out


def test_markdown_and_html_reports_escape_the_students_name(tmp_path, capsys):
    answers = write_answers(tmp_path, 'student = "<script>x</script> | *b*"\n[answers]\ndelta2 = [0.078]\n')
    assert main(["--grade", answers, "--markdown"]) == 1
    out = capsys.readouterr().out
    assert "\\<script\\>" in out and "| delta2 | (0.078) | (-0.148) | (-0.148) | wrong: target-as-one |" in out
    page = tmp_path / "marks.html"
    assert main(["--grade", answers, "--html", str(page)]) == 1
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert '<td class="wrong">wrong: target-as-one</td>' in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers = [", "not valid TOML"),
        ("[answers]\n", "answers: missing or empty"),
        ("[answers]\nh1 = [1, 2]\n", "unknown quantity 'h1'"),
        ("[answers]\ng3 = [1]\n", "unknown quantity 'g3'"),
        ("[answers]\ng1 = [1]\n", "answers.g1: expected a list of 2 numbers"),
        ("[answers]\ng1 = [true, 1]\n", "answers.g1: expected numbers"),
        ("[answers]\ng1 = ['1', 1]\n", "answers.g1: expected numbers"),
        ("[answers]\ng1 = [nan, 1]\n", "answers.g1: expected numbers"),
        ("[answers]\nW1 = [[1, 2, 3]]\n", "answers.W1: expected 2 rows of 3 numbers"),
        ("[answers]\nf = [0.6]\ns2 = [0.6]\n", "f and s2 are the same quantity"),
        ('spec = "missing.toml"\n[answers]\nf = 0.6\n', "missing.toml: no such spec file"),
        ('spec = 3\n[answers]\nf = 0.6\n', "spec: expected the path of a spec file"),
        ("grade = 1\n[answers]\nf = 0.6\n", "unknown field 'grade'"),
    ],
)
def test_a_malformed_answers_file_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    answers = write_answers(tmp_path, text)
    page = tmp_path / "marks.html"
    assert main(["--grade", answers, "--html", str(page)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err, err
    assert not page.exists()


def test_a_spec_without_an_example_cannot_be_graded(tmp_path, capsys):
    (tmp_path / "net.toml").write_text("layers = [2, 1]\n", encoding="utf-8")
    answers = write_answers(tmp_path, 'spec = "net.toml"\n[answers]\nf = 0.6\n')
    assert main(["--grade", answers]) == 2
    assert "has no weights and [example]" in capsys.readouterr().err


def test_grade_takes_its_network_from_the_file(tmp_path, capsys):
    answers = write_answers(tmp_path, "[answers]\nf = 0.655\n")
    assert main(["--grade", answers, "--layers", "2-2-1"]) == 2
    assert "not --layers" in capsys.readouterr().err


def test_the_readme_shows_what_grade_prints(tmp_path, capsys, monkeypatch):
    from tests.test_codegen import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("### Grading a student's numbers") :]
    answers = part[part.index("```toml\n") + 8 : part.index("```\n", part.index("```toml\n"))]
    lead = "prints, and exits 1:\n\n```\n"
    printed = part[part.index(lead) + len(lead) :]
    printed = printed[: printed.index("```\n")]
    monkeypatch.chdir(tmp_path)
    assert main(["--exercise", "--seed", "7", "--toml"]) == 0
    (tmp_path / "ex7.toml").write_text(capsys.readouterr().out, encoding="utf-8")
    (tmp_path / "answers.toml").write_text(answers, encoding="utf-8")
    assert main(["--grade", "answers.toml"]) == 1
    assert capsys.readouterr().out == printed


def test_a_slip_carries_through_two_hidden_layers():
    deep = Network(
        (2, 3, 2, 1),
        ("sigmoid",) * 3,
        weights=(
            ((-3, -2, 2), (2, 1, -2), (3, -3, 2)),
            ((3, 0, 2, -1), (-2, -2, 3, -1)),
            ((2, 3, -1),),
        ),
        example=Example(x=(0, 1), y=(0,), c=1),
    )
    _, marks = verdicts(deep, work(deep, "target-as-one"))
    assert marks.pop("delta3") == ("wrong", "target-as-one")
    later = ["delta2", "delta1", "W3", "W2", "W1"]
    assert {name: marks[name] for name in later} == dict.fromkeys(later, (CARRIED, None))
    assert all(marks[name] == ("ok", None) for name in ("g1", "s1", "g2", "s2", "g3", "f"))
