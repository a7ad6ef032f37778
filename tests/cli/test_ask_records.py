"""``logprob-chat ask`` keeps its question and answer in the history (unless --no-save)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.support.history_files import readable_bytes
from tests.support.scripted_server import Reply, ScriptedServer, chat_chunk, token_row
from tui.cli import recording
from tui.cli.main import main
from tui.core.cells import cell_width
from tui.core.presets import PresetStore
from tui.core.store import Store, history_path

KEY = "sk-ask-test-KEY-0123456789abcdef"


def _conversations() -> list:
    with Store.open() as store:
        assert store.problem is None
        return [store.load_conversation(s.id) for s in reversed(store.list_conversations())]


def _no_key_on_disk(key: str = KEY) -> None:
    assert key.encode() not in readable_bytes(history_path().parent.iterdir())


def test_ask_records_question_parameters_and_answer(scripted: ScriptedServer, capsys) -> None:
    host_url = scripted.base_url.replace("http://", "http://alice:pw@")
    code = main(
        [
            "ask",
            "--base-url",
            host_url,
            "--api-key",
            KEY,
            "--system",
            "Be kind.",
            "--temperature",
            "0.3",
            "--top-logprobs",
            "3",
            "--max-tokens",
            "50",
            "--seed",
            "9",
            "hello",
        ]
    )
    assert code == 0, capsys.readouterr().err
    (conversation,) = _conversations()
    question, reply = conversation.messages
    assert (question.role, question.text) == ("user", "hello")
    assert reply.text == "Hello world!"
    stored = reply.answer
    assert stored is not None and stored.question_id == question.id
    assert stored.answer.status == "complete"
    assert [t.token for t in stored.answer.tokens] == ["Hello", " world", "!"]
    assert stored.answer.usage == {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}
    assert stored.answer.ttft is not None and stored.answer.duration is not None
    params = stored.params
    assert params.model == "scripted-model"
    assert params.base_url == scripted.base_url  # no alice:pw
    assert (params.system_prompt, params.preset) == ("Be kind.", None)
    assert (params.temperature, params.top_logprobs, params.max_tokens, params.seed) == (
        0.3,
        3,
        50,
        9,
    )
    assert conversation.model == "scripted-model"
    _no_key_on_disk()
    _no_key_on_disk("alice:pw")


def test_ask_records_the_preset_name(scripted: ScriptedServer) -> None:
    PresetStore().save("polite", "あなたは親切なAIです。")
    assert main(["ask", "--base-url", scripted.base_url, "--preset", "polite", "こんにちは"]) == 0
    (conversation,) = _conversations()
    params = conversation.answers[0].params
    assert (params.preset, params.system_prompt) == ("polite", "あなたは親切なAIです。")
    assert scripted.chat_requests()[0].json["messages"][0]["content"] == "あなたは親切なAIです。"


def test_no_save_leaves_no_history(scripted: ScriptedServer, capsys) -> None:
    assert main(["ask", "--base-url", scripted.base_url, "--no-save", "hello"]) == 0
    assert "Hello world!" in capsys.readouterr().out
    assert not history_path().exists()


def test_no_save_does_no_store_work_at_all(scripted: ScriptedServer, capsys, monkeypatch) -> None:
    """Not even an in-memory store: no thread, no SQLite, no encoding of rows."""

    def refuse(*args, **kwargs):
        raise AssertionError("--no-save opened a store")

    monkeypatch.setattr(recording.AsyncStore, "open", refuse)
    monkeypatch.setattr(recording.AsyncStore, "memory", refuse)
    assert main(["ask", "--base-url", scripted.base_url, "--no-save", "--json", "hello"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["answer"] == "Hello world!" and captured.err == ""


def test_a_server_error_is_recorded_as_an_error_answer(scripted: ScriptedServer, capsys) -> None:
    scripted.queue(Reply.json({"object": "list", "data": [{"id": "m"}]}))
    scripted.queue(Reply.json({"error": {"message": "overloaded"}}, status=503))
    assert main(["ask", "--base-url", scripted.base_url, "busy?"]) == 1
    assert "HTTP 503" in capsys.readouterr().err
    (conversation,) = _conversations()
    answer = conversation.answers[0].answer
    assert answer.status == "error"
    assert answer.error is not None and "HTTP 503" in answer.error and "overloaded" in answer.error
    assert conversation.first_question == "busy?"


def test_a_stream_cut_midway_keeps_its_partial_answer(scripted: ScriptedServer) -> None:
    rows = [chat_chunk(content=w, rows=[token_row(w, -0.2, [(w, -0.2)])]) for w in ("A", "B")]
    scripted.queue(Reply.json({"object": "list", "data": [{"id": "m"}]}))
    scripted.queue(Reply.sse(rows, done=False))  # no finish_reason, no [DONE]
    assert main(["ask", "--base-url", scripted.base_url, "cut"]) == 1
    (conversation,) = _conversations()
    answer = conversation.answers[0].answer
    assert (answer.status, answer.text, len(answer.tokens)) == ("error", "AB", 2)


def test_an_unreachable_server_still_keeps_the_question(capsys) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["ask", "--base-url", f"http://127.0.0.1:{port}/v1", "anyone there?"]) == 1
    err = capsys.readouterr().err
    (conversation,) = _conversations()
    assert conversation.first_question == "anyone there?"
    answer = conversation.answers[0].answer
    assert answer.status == "error" and answer.error
    assert answer.error in err


def test_a_damaged_history_does_not_stop_ask(scripted: ScriptedServer, capsys) -> None:
    path = history_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    # The answer is given; the exit code says it was not saved (issue 17 item 4).
    assert main(["ask", "--base-url", scripted.base_url, "--data-dir", str(path.parent), "hi"]) == 3
    captured = capsys.readouterr()
    assert "Hello world!" in captured.out
    notes = [line for line in captured.err.splitlines() if "is damaged" in line]
    assert len(notes) == 1 and notes[0].startswith("note: history file")
    assert path.read_bytes() == b"garbage" * 100


def test_data_dir_option_chooses_the_file(scripted: ScriptedServer, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert main(["ask", "--base-url", scripted.base_url, "--data-dir", str(elsewhere), "q"]) == 0
    assert (elsewhere / "history.sqlite3").exists()
    assert not history_path().exists()


def test_each_ask_is_its_own_conversation(scripted: ScriptedServer) -> None:
    for n in range(2):
        assert main(["ask", "--base-url", scripted.base_url, f"question {n}"]) == 0
    assert [c.first_question for c in _conversations()] == ["question 0", "question 1"]


def test_the_stats_fit_a_narrow_terminal(scripted: ScriptedServer, capsys, monkeypatch) -> None:
    # Issue 15 item 2: every table the CLI prints fits the terminal (here the stats, at 40).
    monkeypatch.setenv("COLUMNS", "40")
    assert main(["ask", "--base-url", scripted.base_url, "--no-save", "hi"]) == 0
    out = capsys.readouterr().out
    stats = out.split("\n\n", 1)[1]
    assert max(cell_width(line) for line in stats.splitlines()) <= 40
    assert "3/3 = 100%" in stats  # a value is never broken
    assert "Mean prob exp(mean) =" in stats and "1/PPL" in stats  # a label wraps at a space
