"""No predict-then-run answer appears in any output above its prompt (issue 27).

A markdown cell that asks students to predict something is tagged ``predict`` (cell metadata ``tags``) and
names its exercise ("**Exercise 05.5 (predict, then run).** …"). The registered exercise exposes its expected
value through ``utils.exercises.get_exercise(id).answer`` (a zero-argument callable; None when the answer is
not a value the notebook could print). Here the expected value's printed forms (``23``, ``1,024``, ``0.25``,
``[4, 9, 14, 19]``, ``tensor([ 4,  9, 14, 19])``, …) are searched in the committed outputs of every cell above
the prompt, as a student sees the notebook in Colab or on the website before answering.

Prompts whose exercise has no ``answer``, or whose answer has no distinctive printed form (a bool, a
one-digit number, a single word), are skipped with the reason.
"""

from __future__ import annotations

import html
import json
import numbers
import re
from pathlib import Path

import pytest

from utils.data import REPO_ROOT

PREDICT_TAG = "predict"
EXERCISE_ID = re.compile(r"Exercise\s+(\d\d\.\d+)")
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def prompts() -> list[tuple[Path, int]]:
    """(notebook, cell index) of every markdown cell tagged ``predict``."""
    return [
        (path, index)
        for path in NOTEBOOKS
        for index, cell in enumerate(cells(path))
        if cell["cell_type"] == "markdown" and PREDICT_TAG in cell.get("metadata", {}).get("tags", [])
    ]


def output_text(cell: dict) -> str:
    """Everything a code cell's committed outputs show: streams, text/plain, text/markdown, text/html."""
    shown = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            shown.append("".join(output["text"]))
        for mime in ("text/plain", "text/markdown", "text/html"):
            data = output.get("data", {}).get(mime)
            if data is not None:
                text = "".join(data) if isinstance(data, list) else data
                shown.append(html.unescape(re.sub(r"<[^>]+>", " ", text)) if mime == "text/html" else text)
    return "\n".join(shown)


def _number_pattern(text: str) -> str:
    """``text`` (a printed number) not glued to other digits: 23 is not found in 230, 1.23 or 4.023."""
    return rf"(?<![\d.]){re.escape(text)}(?![\d]|\.\d)"


def plain(value):
    """``value`` with tensors and numpy values turned into Python numbers and lists."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def answer_patterns(value) -> tuple[list[str], str | None]:
    """Regular expressions matching the printed forms of ``value``, or ([], why it cannot be searched)."""
    raw = value
    value = plain(value)
    if isinstance(value, bool) or (isinstance(value, list) and all(isinstance(v, bool) for v in value)):
        return [], "a yes/no answer has no distinctive printed form"
    if isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer()):
        number = int(value)
        if abs(number) < 10:
            return [], f"the one-digit answer {number} appears in almost any output"
        forms = {str(number), f"{number:,}", f"{number:_}"}
        if isinstance(value, float):
            forms |= {f"{value:.1f}", f"{value:.2f}"}
        return [_number_pattern(form) for form in sorted(forms)], None
    if isinstance(value, float):
        forms = {repr(value), f"{value:.2f}", f"{value:.3f}", f"{value:.4f}", f"{value:.3g}", f"{value:.4g}"}
        if 0 < abs(value) < 1:
            forms |= {
                f"{100 * value:.1f}%",
                f"{100 * value:.0f}%",
                f"{100 * value:.1f} %",
                f"{100 * value:.0f} %",
            }
        forms = {form for form in forms if sum(ch.isdigit() for ch in form) >= 2}
        return [_number_pattern(form) for form in sorted(forms)], None
    if isinstance(value, str):
        return [rf"(['\"]){re.escape(value)}\1"], None
    if isinstance(value, list) and value and all(isinstance(v, numbers.Number) for v in value):
        if len(value) == 1:
            return answer_patterns(value[0])
        # The numbers in order, with any separators a print shows between them (", ", spaces, tensor padding).
        items = [re.escape(str(v)) for v in value]
        return [r"(?<![\d.])" + r"[\s,;]+".join(items) + r"(?![\d]|\.\d)"], None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        if len(value) == 1:
            return answer_patterns(value[0])
        quoted = [r"['\"]" + re.escape(v) + r"['\"]" for v in value]
        return [r"[\s,;]*".join(quoted), r",\s*".join(re.escape(v) for v in value)], None
    return [], f"no printed form known for a {type(raw).__name__} answer"


def test_answer_patterns_find_printed_forms_and_nothing_else():
    import torch

    def found(value, text):
        patterns, why = answer_patterns(value)
        assert why is None, why
        return any(re.search(pattern, text) for pattern in patterns)

    assert found(23, "23 of 32 pairs") and found(23, "(23)") and not found(23, "230 or 1.23 or 4.023")
    assert found(1024 * 50_257 * 768, "39,523,713,024 parameters") and found(256.0, "d = 256")
    assert found(30, "tensor(30)") and not found(30, "3.0 and 300")
    assert found(0.25, "share 0.250") and found(0.25, "25.0%") and not found(0.25, "0.2500001x")
    assert found([4, 9, 14, 19], "skipped: [4, 9, 14, 19]") and found(
        torch.tensor([4, 9, 14, 19]), "tensor([ 4,  9, 14, 19])"
    )
    assert not found([4, 9, 14, 19], "[14, 19, 4, 9]") and not found([4, 9, 14, 19], "[4, 9, 14, 190]")
    assert found({"alibi", "rope"}, "['alibi', 'rope']") and found("alibi", "best: 'alibi'")
    assert (
        answer_patterns(True)[0] == []
        and answer_patterns(7)[0] == []
        and answer_patterns((False, True))[0] == []
    )


PROMPTS = prompts()


@pytest.mark.parametrize(
    "notebook, index",
    PROMPTS or [pytest.param(None, None, marks=pytest.mark.skip(reason="no cell is tagged 'predict' yet"))],
    ids=[f"{path.stem[:2]}-cell{index}" for path, index in PROMPTS] or ["none"],
)
def test_no_output_above_a_prediction_prompt_reveals_its_answer(notebook, index):
    from utils.exercises import get_exercise

    notebook_cells = cells(notebook)
    prompt = source(notebook_cells[index])
    match = EXERCISE_ID.search(prompt)
    assert match, (
        f"{notebook.name} cell {index} is tagged {PREDICT_TAG!r} but names no exercise: write "
        f"'**Exercise NN.k (predict, then run).**' in it, or remove the tag"
    )
    exercise_id = match.group(1)
    answer = get_exercise(exercise_id).answer
    if answer is None:
        pytest.skip(f"exercise {exercise_id} exposes no expected value (answer=None)")
    value = answer() if callable(answer) else answer
    patterns, why = answer_patterns(value)
    if not patterns:
        pytest.skip(f"exercise {exercise_id}: {why}")
    spoilers = []
    for above, cell in enumerate(notebook_cells[:index]):
        if cell["cell_type"] != "code":
            continue
        text = output_text(cell)
        for pattern in patterns:
            hit = re.search(pattern, text)
            if hit:
                line = text[
                    text.rfind("\n", 0, hit.start()) + 1 : text.find("\n", hit.end()) % (len(text) + 1)
                ]
                spoilers.append(f"cell {above} prints {hit.group(0)!r}: {line.strip()[:100]!r}")
                break
    assert not spoilers, (
        f"{notebook.name}: the answer of exercise {exercise_id} ({value!r}) is shown above its prompt "
        f"(cell {index}); move the prompt before the measuring cell, or commit that cell without output:\n"
        + "\n".join(spoilers)
    )
