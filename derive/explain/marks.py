"""A marked answers file as plain text, Markdown or HTML: one row per quantity given.

Each row starts with the quantity's name, then the value given, the value
expected (the true one, to 3 decimals), the value that follows from the
student's own earlier numbers, and the verdict: ``ok``, ``ok (carried)`` or
``wrong``, with the slip's identifier where one reproduces the wrong value.
Text from the answers file (the student's name) is escaped for each format.

Examples
--------
>>> from derive.grade import grade
>>> from derive.network import seed
>>> print(text(grade(seed(), {"delta2": (0.078,)}, "the seed")).splitlines()[2])
delta2    (0.078)  (-0.148)  (-0.148)           wrong: target-as-one
"""

from __future__ import annotations

from html import escape as html_escape

from derive.explain.markdown import escape as markdown_escape
from derive.explain.notation import decimals
from derive.explain.sheet import page
from derive.grade import SLIP_TEXT, Report, Row

HEADER = ("quantity", "given", "expected", "from your numbers", "verdict")


def _numbers(values: tuple, shape: tuple) -> str:
    shown = [decimals(v, 3) for v in values]
    if len(shape) == 2:
        cols = shape[1]
        rows = ["(" + ", ".join(shown[r * cols : (r + 1) * cols]) + ")" for r in range(shape[0])]
        return "(" + ", ".join(rows) + ")"
    return "(" + ", ".join(shown) + ")"


def _verdict(row: Row) -> str:
    return f"wrong: {row.slip}" if row.slip else row.verdict


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row.name,
        _numbers(row.given, row.shape),
        _numbers(row.expected, row.shape),
        _numbers(row.carried, row.shape),
        _verdict(row),
    )


def summary(report: Report) -> str:
    """One line: how many are right, and the first wrong quantity with its slip."""
    rows = report.rows
    right = sum(r.verdict != "wrong" for r in rows)
    carried = sum(r.verdict == "ok (carried)" for r in rows)
    line = f"{right} of {len(rows)} right"
    if carried:
        line += f" ({carried} carried from your own earlier numbers)"
    first = next((r for r in rows if r.verdict == "wrong"), None)
    if first is not None:
        slip = f": {first.slip}, {SLIP_TEXT[first.slip]}" if first.slip else " (no slip of the catalog reproduces it)"
        line += f"; the first wrong step is {first.name}{slip}"
    return line + "."


def _lead(report: Report) -> str:
    ex = report.network.example

    def numbers(values) -> str:
        return "(" + ", ".join(decimals(v, 3) for v in values) + ")"

    who = f"{report.student}: " if report.student else ""
    return (
        f"{who}answers marked against {report.spec} ({report.network.summary}),"
        f" x = {numbers(ex.x)}, y = {numbers(ex.y)}, c = {decimals(ex.c, 3)}."
    )


def text(report: Report) -> str:
    """The report as an aligned plain-text table, for a terminal."""
    table = [HEADER, *(_cells(r) for r in report.rows)]
    widths = [max(len(row[c]) for row in table) for c in range(len(HEADER) - 1)]
    lines = [_plain(_lead(report))]
    for row in table:
        cells = [cell.ljust(w) for cell, w in zip(row, widths)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    lines += ["", summary(report), *_slips(report)]
    return "\n".join(lines) + "\n"


def _plain(line: str) -> str:
    # a student's name goes to a terminal: no control characters
    return "".join(ch if ch.isprintable() else "?" for ch in line)


def _slips(report: Report) -> list[str]:
    named = dict.fromkeys(r.slip for r in report.rows if r.slip)
    return [f"  {slip}: {SLIP_TEXT[slip]}" for slip in named]


def markdown(report: Report) -> str:
    """The report as a Markdown table."""
    lines = [
        "# Marked answers",
        "",
        markdown_escape(_lead(report)),
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for row in report.rows:
        lines.append("| " + " | ".join(markdown_escape(c) for c in _cells(row)) + " |")
    lines += ["", markdown_escape(summary(report))]
    lines += ["", *(f"- {markdown_escape(s.strip())}" for s in _slips(report))] if _slips(report) else []
    return "\n".join(lines) + "\n"


def html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    head = "".join(f"<th>{html_escape(h)}</th>" for h in HEADER)
    body = [
        "<h1>Marked answers</h1>",
        f"<p>{html_escape(_lead(report))}</p>",
        f'<table class="marks"><thead><tr>{head}</tr></thead><tbody>',
    ]
    for row in report.rows:
        cells = _cells(row)
        kind = "wrong" if row.verdict == "wrong" else "ok"
        tds = "".join(f"<td>{html_escape(c)}</td>" for c in cells[:-1])
        body.append(f'<tr>{tds}<td class="{kind}">{html_escape(cells[-1])}</td></tr>')
    body += ["</tbody></table>", f"<p>{html_escape(summary(report))}</p>"]
    slips = _slips(report)
    if slips:
        body.append("<ul>" + "".join(f"<li>{html_escape(s.strip())}</li>" for s in slips) + "</ul>")
    return page("Marked answers", "\n".join(body))
