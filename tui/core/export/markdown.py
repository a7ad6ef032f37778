"""Markdown export: a readable conversation, each answer followed by its stats table.

Layout::

    # <title>
    | Conversation | … |          created, model, server, preset, answers, exported
    ## Question 1
    > the question, quoted
    **System prompt** (preset "x"): a fenced block, shown before the first answer and
    again whenever an answer used a different prompt than the one before
    ### Answer 1 (status when not complete)
    *Sibling 2/3 of question 2 · branch of answer 3 at token #12: “ Kyoto” (38.0%)
    instead of “ Tokyo” (41.0%) · not on the selected path*   (answers with siblings)
    <details> reasoning </details>
    the answer text (Markdown as the model wrote it)
    | Statistic | Value |           the rows of tui.core.report.answer_rows (a continued
                                    answer: the new tokens' numbers too)
    Request: model, temperature, top_logprobs, max_tokens, seed

Model text is data: every piece goes through ``safe_text``/``safe_line`` (no terminal control
survives, so ``cat`` of the file is safe), table cells escape ``|`` and use ``safe_line``,
headings and quoted questions escape Markdown's inline markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from tui.core.report import answer_rows, fmt_prob
from tui.core.safety import safe_line, safe_text
from tui.core.store.lineage import AnswerTree, answer_trees
from tui.core.store.models import Conversation, StoredAnswer

_INLINE = re.compile(r"([\\`*_\[\]<>#|])")


def inline(text: str) -> str:
    """One line of plain text, safe for a heading or a paragraph."""
    return _INLINE.sub(r"\\\1", safe_line(text))


def cell(text: str) -> str:
    """A table cell: one line, pipes escaped (backslashes too, so ``\\|`` stays literal)."""
    return safe_line(text).replace("\\", "\\\\").replace("|", "\\|")


def fenced(text: str, info: str = "text") -> str:
    """A code block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{safe_text(text)}\n{fence}"


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def close_fences(text: str) -> str:
    """``text`` with a code block left open at its end closed (a stopped or incomplete answer
    often ends inside one, which would swallow the stats table that follows)."""
    open_fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if match is None:
            continue
        fence = match.group(1)
        if open_fence is None:
            open_fence = fence
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not line.strip(" `~"):
            open_fence = None
    return text if open_fence is None else f"{text}\n{open_fence}"


def quoted(text: str) -> str:
    lines = safe_text(text).split("\n")
    return "\n".join("> " + _INLINE.sub(r"\\\1", line) if line else ">" for line in lines)


def table(header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    lines = [f"| {cell(header[0])} | {cell(header[1])} |", "|---|---|"]
    lines += [f"| {cell(label)} | {cell(value)} |" for label, value in rows]
    return "\n".join(lines)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "–"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _request_line(stored: StoredAnswer) -> str:
    p = stored.params
    parts = [
        f"model {inline(p.model or '–')}",
        f"temperature {'–' if p.temperature is None else f'{p.temperature:g}'}",
        f"top_logprobs {'–' if p.top_logprobs is None else p.top_logprobs}",
        f"max_tokens {'–' if p.max_tokens is None else p.max_tokens}",
        f"seed {'–' if p.seed is None else p.seed}",
    ]
    if p.base_url:
        parts.append(f"server {inline(p.base_url)}")
    return "Request: " + ", ".join(parts)


def _prompt_block(stored: StoredAnswer) -> str:
    p = stored.params
    label = "**System prompt**"
    if p.preset:
        label += f" (preset “{inline(p.preset)}”)"
    if not p.system_prompt:
        return f"{label}: none"
    return f"{label}:\n\n{fenced(p.system_prompt)}"


_MADE = {"regenerate": "regenerated from", "edit": "edited from", "branch": "branch of"}


def tree_line(stored: StoredAnswer, tree: AnswerTree, numbers: dict[int, int]) -> str | None:
    """The line under an answer's heading saying where it sits among its siblings (``None``
    for an answer without any, asked the ordinary way)."""
    if tree.siblings == 1 and tree.origin == "ask":
        return None
    parts = [f"Sibling {tree.label} of question {tree.turn}"]
    made = _MADE.get(tree.origin)
    if made is not None:
        source = numbers.get(tree.source_id or -1)
        what = f"{made} answer {source}" if source is not None else made.split()[0]
        point = stored.lineage.branch
        if point is not None:
            what += " " + point.describe()
        parts.append(what)
    if stored.answer.prefill is not None and stored.answer.prefill_tokens == 0:
        parts.append("continues a given start (not scored)")
    parts.append("on the selected path" if tree.on_path else "not on the selected path")
    return "*" + inline(" · ".join(parts)) + "*"


def markdown_pieces(
    conversation: Conversation, *, exported_at: float | None = None
) -> Iterator[str]:
    """The Markdown text in pieces: the overview, then one piece per message."""
    answers = conversation.answers
    means = [a.answer.metrics.mean_prob for a in answers]
    known = [m for m in means if m is not None]
    overview = [
        ("Created", _when(conversation.created_at)),
        ("Updated", _when(conversation.updated_at)),
        ("Model", conversation.model or "–"),
        ("Server", conversation.base_url or "–"),
        ("Preset", conversation.preset or "–"),
        ("Answers", str(len(answers))),
        ("Mean of answers' mean prob", fmt_prob(sum(known) / len(known)) if known else "–"),
        ("Exported", _when(exported_at if exported_at is not None else _now())),
    ]
    yield "\n".join(
        [
            f"# {inline(conversation.display_title)}",
            "",
            table(("Conversation", f"#{conversation.id}"), overview),
        ]
    )
    question_number = 0
    answer_number = 0
    trees = answer_trees(conversation)
    numbers = {stored.id: k for k, stored in enumerate(answers, start=1)}
    previous_prompt: tuple[str | None, str | None] | None = None
    for message in conversation.messages:
        out: list[str] = []
        if message.role == "user":
            question_number += 1
            out += ["", f"## Question {question_number}", "", quoted(message.text)]
            yield "\n" + "\n".join(out)
            continue
        stored = message.answer
        if stored is None:
            continue
        answer_number += 1
        answer = stored.answer
        prompt = (stored.params.system_prompt, stored.params.preset)
        if prompt != previous_prompt:
            out += ["", _prompt_block(stored)]
            previous_prompt = prompt
        heading = f"### Answer {answer_number}"
        if answer.status != "complete":
            heading += f" ({answer.status})"
        out += ["", heading]
        tree = trees.get(stored.id)
        where = None if tree is None else tree_line(stored, tree, numbers)
        if where is not None:
            out += ["", where]
        if answer.error:
            out += ["", f"**Error:** {inline(answer.error)}"]
        if message.reasoning:
            out += [
                "",
                "<details><summary>Reasoning</summary>",
                "",
                fenced(message.reasoning),
                "",
                "</details>",
            ]
        if message.text:
            out += ["", close_fences(safe_text(message.text).rstrip("\n"))]
        else:
            out += ["", "*(no text)*"]
        rows = answer_rows(answer, stored.params.max_tokens)
        out += ["", table(("Statistic", "Value"), rows), "", _request_line(stored)]
        for note in answer.notices:
            out += ["", f"*Note:* {inline(note)}"]
        yield "\n" + "\n".join(out)
    yield "\n"


def to_markdown(conversation: Conversation, *, exported_at: float | None = None) -> str:
    return "".join(markdown_pieces(conversation, exported_at=exported_at))


def _now() -> float:
    return datetime.now(UTC).timestamp()
