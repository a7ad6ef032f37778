"""Each export format, read back by a standard reader, says what the store holds."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core import json_stream
from tui.core.answer import AnswerBuilder
from tui.core.export import (
    FORMATS,
    export_conversation,
    export_pieces,
    export_to_directory,
    suggested_filename,
    to_csv,
    to_json,
    to_jsonl,
    to_markdown,
    write_export,
)
from tui.core.export.csv_tokens import BASE_COLUMNS
from tui.core.export.markdown import close_fences
from tui.core.report import answer_rows
from tui.core.safety import safe_line
from tui.core.store import AnswerParams, Conversation, Store
from tui.core.wire.events import TextDelta

POLITE = AnswerParams(
    model="gpt-oss-20b",
    base_url="http://gpu-box:8000/v1",
    system_prompt="あなたは親切なAIです。\n```code```",
    preset="polite",
    temperature=0.7,
    top_logprobs=5,
    max_tokens=512,
    seed=42,
)
TERSE = AnswerParams(model="gpt-oss-20b", system_prompt="Be terse | short.", temperature=0.0)
# What a terminal could act on: ESC, BEL, C1 CSI, a bidi override.
HOSTILE = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture
def conversation(isolated_home: Path) -> Conversation:
    with Store.open() as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "日本の首都はどこですか？")
        store.save_answer(cid, POLITE, japanese_answer())
        store.add_user_message(cid, "Say \x1b[31mred\x1b[0m | or not")
        store.save_answer(cid, TERSE, reasoning_answer(status="stopped"))
        store.add_user_message(cid, "and now?")
        store.save_answer(cid, TERSE, AnswerBuilder().finish("error", "HTTP 503 Service Down"))
        return store.load_conversation(cid)


def _no_terminal_control(text: str) -> None:
    for char in HOSTILE:
        assert char not in text, repr(char)


def _token_objects(answer) -> list[dict]:
    """What the JSON exports (and ``ask --json``) write for an answer's tokens."""
    answer.load_raw()
    return json.loads(json_stream.dumps([json_stream.token_object(t) for t in answer.tokens]))


def test_json_has_everything_each_row_once(conversation: Conversation) -> None:
    text = to_json(conversation, exported_at=0)
    _no_terminal_control(text)
    document = json.loads(text)
    assert document["format"] == "logprob-chat.conversation" and document["version"] == 2
    assert document["exported_at"] == "1970-01-01T00:00:00.000Z"
    assert document["conversation"]["id"] == conversation.id
    messages = document["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    first = messages[1]["answer"]
    stored = conversation.answers[0]
    assert messages[1]["text"] == stored.answer.text
    assert first["request"] == POLITE.to_dict()
    assert first["status"] == "complete" and first["finish_reason"] == "length"
    assert first["usage"]["completion_tokens"] == 24
    assert first["timings"]["server"]["predicted_n"] == 24
    assert first["metrics"]["mean_logprob"] == stored.answer.metrics.mean_logprob
    assert first["tokens"] == _token_objects(stored.answer)
    assert first["tokens"][0]["top_logprobs"] == stored.answer.raw[0]["top_logprobs"]
    assert "raw" not in first  # the server's rows only when asked for
    # The hostile answer's text is in the JSON as data (escaped), not as terminal control.
    second = messages[3]
    assert "\x1b]0;pwn\x07" in second["text"]
    assert second["answer"]["status"] == "stopped"
    assert second["answer"]["reasoning_metrics"]["tokens"] == 2
    assert messages[5]["answer"]["error"] == "HTTP 503 Service Down"
    # One line per token, the structure indented around them.
    token_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"index":')]
    assert len(token_lines) == sum(len(a.answer.tokens) for a in conversation.answers)

    with_raw = json.loads(to_json(conversation, exported_at=0, raw=True))["messages"]
    assert with_raw[1]["answer"]["raw"] == {"content": stored.answer.raw}
    assert with_raw[5]["answer"]["raw"] is None
    assert with_raw[1]["answer"]["tokens"] == first["tokens"]


def test_jsonl_has_one_answer_per_line(conversation: Conversation) -> None:
    text = to_jsonl(conversation)
    _no_terminal_control(text)
    lines = text.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["answer_number"] for r in records] == [1, 2, 3]
    assert [r["status"] for r in records] == ["complete", "stopped", "error"]
    assert records[0]["question"] == "日本の首都はどこですか？"
    assert records[1]["question"] == "Say \x1b[31mred\x1b[0m | or not"
    assert records[0]["request"]["preset"] == "polite"
    assert records[1]["request"]["temperature"] == 0.0
    assert records[0]["message_id"] == conversation.answers[0].id
    assert records[0]["tokens"] == _token_objects(conversation.answers[0].answer)
    assert records[0]["metrics"]["tokens"] == conversation.answers[0].answer.metrics.tokens
    assert "raw" not in records[0]
    assert records[2]["metrics"]["mean_prob"] is None


def test_csv_has_one_row_per_token_with_alternatives(conversation: Conversation) -> None:
    text = to_csv(conversation)
    _no_terminal_control(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    answers = conversation.answers
    assert len(rows) == sum(len(a.answer.tokens) for a in answers)
    header = list(rows[0])
    assert header[: len(BASE_COLUMNS)] == list(BASE_COLUMNS)
    assert header[-2:] == ["alt5_text", "alt5_logprob"]  # the widest row has 5 alternatives

    first = rows[0]
    token = answers[0].answer.tokens[0]
    assert int(first["message_id"]) == answers[0].id
    assert first["scope"] == "answer" and first["text"] == "ど"
    assert bytes.fromhex(first["bytes_hex"]) == token.bytes
    assert float(first["logprob"]) == token.logprob  # full precision
    assert math.isclose(float(first["prob"]), math.exp(token.logprob))
    alternatives = token.alternatives()
    assert first["alt1_text"] == alternatives[0].text == "ど"
    assert float(first["alt2_logprob"]) == alternatives[1].logprob

    second = [r for r in rows if int(r["message_id"]) == answers[1].id]
    sentinel = next(r for r in second if r["note"] == "sentinel")
    assert (sentinel["scope"], sentinel["logprob"], sentinel["prob"]) == ("reasoning", "", "")
    piped = next(r for r in second if r["token"] == " a|b")
    assert (piped["alt1_text"], piped["alt2_text"]) == (" c", " a|b")  # most likely first
    escape = next(r for r in second if "pwn" in r["token"])
    assert escape["token"] == safe_line("\x1b]0;pwn\x07")
    newline = next(r for r in second if r["token"] == "⏎")
    assert bytes.fromhex(newline["bytes_hex"]) == b"\n"  # faithful bytes beside the safe text
    assert all(r["alt5_text"] == "" for r in second)


def test_markdown_is_readable_with_a_stats_table_per_answer(conversation: Conversation) -> None:
    text = to_markdown(conversation, exported_at=0)
    _no_terminal_control(text)
    assert text.startswith("# 日本の首都はどこですか？\n")
    assert text.count("| Statistic | Value |") == 3
    for heading in ("## Question 1", "### Answer 1", "### Answer 2 (stopped)", "### Answer 3"):
        assert heading in text
    assert "**Error:** HTTP 503 Service Down" in text
    # Every stats row of the first answer is there, pipes escaped.
    first = conversation.answers[0]
    for label, value in answer_rows(first.answer, first.params.max_tokens):
        cell_value = safe_line(value).replace("|", "\\|")
        assert f"| {label} | {cell_value} |" in text
    # The system prompt is shown where it changes, fenced longer than its own backticks.
    assert "**System prompt** (preset “polite”):\n\n````text\nあなたは親切なAIです。" in text
    assert text.count("**System prompt**") == 2
    # The question quote keeps the pipe literal and the escape visible.
    assert "> Say ␛\\[31mred␛\\[0m \\| or not" in text
    assert "<details><summary>Reasoning</summary>" in text
    assert "Request: model gpt-oss-20b, temperature 0.7, top_logprobs 5, max_tokens 512" in text
    # Table rows have exactly three unescaped pipes.
    for line in text.splitlines():
        if line.startswith("| ") and "Statistic" not in line:
            assert len(line.replace("\\|", "").split("|")) == 4, line


def test_every_format_by_name(conversation: Conversation) -> None:
    for fmt in FORMATS:
        assert export_conversation(conversation, fmt)
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        export_conversation(conversation, "xml")


def test_suggested_filename_is_safe(conversation: Conversation) -> None:
    name = suggested_filename(conversation, "md")
    assert name == f"logprob-chat-{conversation.id}-日本の首都はどこですか.md"
    conversation.title = "../../etc/passwd \x1b"
    assert "/" not in suggested_filename(conversation, "csv")


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("intro\n```python\nprint(1)", "intro\n```python\nprint(1)\n```"),
        ("```\nx\n```", "```\nx\n```"),
        ("````\n```\ninner", "````\n```\ninner\n````"),
        ("~~~\n```\n~~~", "~~~\n```\n~~~"),
        ("```py\n```js", "```py\n```js\n```"),  # an info string never closes a block
        ("no code at all", "no code at all"),
    ],
)
def test_an_answer_cut_inside_a_code_block_is_closed(text: str, closed: str) -> None:
    assert close_fences(text) == closed


def test_a_stopped_code_answer_does_not_swallow_its_stats_table(isolated_home: Path) -> None:
    builder = AnswerBuilder()
    builder.apply(TextDelta("Here:\n```python\nfor i in range("))
    with Store.open() as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "code please")
        store.save_answer(cid, TERSE, builder.finish("stopped"))
        text = to_markdown(store.load_conversation(cid))
    before_table = text.split("| Statistic | Value |")[0]
    assert before_table.count("```") % 2 == 0


def test_export_to_directory_writes_a_private_file_and_never_replaces_an_earlier_one(
    conversation: Conversation, tmp_path: Path
) -> None:
    directory = tmp_path / "exports"
    now = datetime(2026, 12, 6, 23, 10, 5)
    path = export_to_directory(conversation, "csv", directory, now)
    stem = Path(suggested_filename(conversation, "csv")).stem
    assert path == directory / f"{stem}-20261206-231005.csv"
    assert path.stat().st_mode & 0o777 == 0o600
    assert directory.stat().st_mode & 0o777 == 0o700
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and rows[0]["token"]
    conversation.messages = conversation.messages[:2]  # fewer answers now
    again = export_to_directory(conversation, "csv", directory, now)  # the same second
    assert again == directory / f"{stem}-20261206-231005-2.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)  # the first is untouched
    with again.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) < len(rows)
    later = export_to_directory(conversation, "csv", directory, datetime(2026, 12, 7))
    assert later.name.endswith("-20261207-000000.csv")
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted([path.name, again.name, later.name])  # no temporary file left


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lazily_reopened_conversation_exports_the_same_and_is_left_lazy(
    conversation: Conversation, fmt: str
) -> None:
    """Exports read each answer's raw rows while writing it and let go of them after: the
    file is the same as from a fully loaded conversation, and nothing stays parsed."""
    with Store.open() as store:
        lazy = store.load_conversation(conversation.id, lazy=True)
    pieces = list(export_pieces(lazy, fmt, raw=fmt == "json"))
    assert len(pieces) > 3  # written in pieces, not as one string
    expected = export_conversation(conversation, fmt, raw=fmt == "json")
    got = b"".join(pieces).decode()
    if fmt in ("json", "md"):  # the export time differs
        got, expected = (re.sub(r"(Exported.*|exported_at.*)", "", t) for t in (got, expected))
    assert got == expected
    for stored in lazy.answers:
        answer = stored.answer
        assert answer.raw == []
        assert all(t.raw_top is None for t in answer.tokens if t.top_count)
        if answer.tokens:
            assert answer.raw_pending is not None  # still there to load when selected
            answer.load_raw()
            assert answer.tokens[0].raw_top is not None


def test_write_export_streams_to_a_private_file(conversation: Conversation, tmp_path: Path) -> None:
    target = tmp_path / "out" / "all.jsonl"
    write_export(conversation, "jsonl", target)
    assert target.read_text() == to_jsonl(conversation)
    assert target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="unknown export format"):
        write_export(conversation, "xml", tmp_path / "x.xml")
    assert not (tmp_path / "x.xml").exists()


def test_the_format_registry_drives_names_suffixes_and_guessing(
    conversation: Conversation, tmp_path: Path
) -> None:
    from tui.cli.export import choose_format
    from tui.core.export import CONVERSATION_FORMATS
    from tui.core.export.formats import format_for_path
    from tui.core.store import StoreError

    assert tuple(fmt.name for fmt in CONVERSATION_FORMATS) == FORMATS
    keys = [fmt.key for fmt in CONVERSATION_FORMATS]
    assert len(set(keys)) == len(keys)  # one menu letter each
    for fmt in CONVERSATION_FORMATS:
        path = export_to_directory(conversation, fmt.name, tmp_path)
        assert path.name.endswith(fmt.suffix)
        assert path.read_text(encoding="utf-8")  # (written by fmt.writer: it holds a timestamp)
        for suffix in fmt.suffixes:  # -o tokens.CSV, notes.markdown…
            assert format_for_path(CONVERSATION_FORMATS, f"out{suffix.upper()}") is fmt
            assert choose_format(None, f"dir/out{suffix}") == fmt.name
    assert format_for_path(CONVERSATION_FORMATS, "out.xml") is None
    with pytest.raises(StoreError) as refused:
        choose_format(None, "out.xml")
    assert str(refused.value).endswith("an -o file ending in .json, .jsonl, .md or .csv")
