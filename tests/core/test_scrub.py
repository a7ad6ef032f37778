"""One scrub for every form of an answer (issue 17 item 11): a registered key split over
several tokens leaves no trace in texts, token strings, bytes, alternatives or raw rows; a
checkpoint never writes half of one; live output keeps back what could start one."""

from __future__ import annotations

import pytest

from tui.core import errors
from tui.core.answer import AnswerBuilder
from tui.core.scrub import LiveScrubber, held_back, scrub_answer, scrub_rows, unsettled
from tui.core.store import AnswerParams, AsyncStore, Recorder, codec
from tui.core.wire.events import TextDelta, TokensReceived
from tui.core.wire.normalise import normalise_row

KEY = "Q7-live-KEY-0123456789"
PIECES = ["The", " key", ": ", "Q7-li", "ve-KEY-", "0123", "456789", " ok"]


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_secrets", set())
    errors.register_secret(KEY)
    errors.register_secret("EMPTY")  # a placeholder "key": too short to be a secret


def _rows(pieces: list[str]) -> tuple[list, list]:
    raw = []
    for n, piece in enumerate(pieces):
        top = [{"token": piece, "logprob": -0.1, "bytes": list(piece.encode())}]
        whole = KEY if n == 0 else f"{piece}!"
        top.append({"token": whole, "logprob": -2.0, "bytes": list(whole.encode())})
        raw.append({"token": piece, "logprob": -0.1, "bytes": list(piece.encode()),
                    "top_logprobs": top})  # fmt: skip
    tokens = [normalise_row(row, i, "answer", 5) for i, row in enumerate(raw)]
    for token in tokens:
        token.text = token.token
    return tokens, raw


def _every_form(tokens: list, raw: list) -> bytes:
    """All of it as bytes: texts, strings, hex, raw rows with their alternatives."""
    parts = [t.text.encode() + t.token.encode() + (t.bytes or b"").hex().encode() for t in tokens]
    parts += [codec.dump_json(list(raw)), codec.dump_json([t.raw_top for t in tokens])]
    return b"|".join(parts)


def test_a_key_split_over_tokens_is_taken_out_of_every_form() -> None:
    tokens, raw = _rows(PIECES)
    assert KEY.encode() in b"".join(t.bytes for t in tokens)
    assert scrub_rows(tokens, raw)
    assert [t.text for t in tokens] == ["The", " key", ": ", "***", "", "", "", " ok"]
    assert [t.token for t in tokens] == [t.text for t in tokens]
    assert [t.bytes for t in tokens][3:5] == [b"***", b""]
    assert [row["token"] for row in raw][3:] == ["***", "", "", "", " ok"]
    for position in range(3, 7):  # every alternative where the key was, the sampled one too
        assert [alt["token"] for alt in raw[position]["top_logprobs"]] == ["***", "***"]
        assert tokens[position].raw_top is raw[position]["top_logprobs"]
    assert raw[0]["top_logprobs"][1]["token"] == "***"  # a whole key elsewhere
    assert raw[1]["top_logprobs"][1]["token"] == " key!"  # the rest is left alone
    form = _every_form(tokens, raw)
    for secret in (KEY.encode(), KEY.encode().hex().encode(), b"Q7-li", b"ve-KEY-"):
        assert secret not in form
    assert not scrub_rows(tokens, raw)  # nothing left to take out


def test_the_whole_answer_and_short_placeholders() -> None:
    tokens, raw = _rows(PIECES)
    builder = AnswerBuilder()
    builder.apply(TokensReceived(tokens, raw))
    builder.apply(TextDelta("".join(PIECES) + " (EMPTY is not a key)"))
    answer = builder.finish("error", f"server said {KEY}")
    assert answer.text == "The key: *** ok (EMPTY is not a key)"
    assert answer.error == "server said ***"
    assert KEY.encode() not in _every_form(answer.tokens, answer.raw)
    assert not scrub_answer(answer)


def test_live_output_keeps_back_what_could_start_a_key() -> None:
    live = LiveScrubber()
    shown = [live.feed(piece) for piece in PIECES] + [live.flush()]
    assert "".join(shown) == "The key: *** ok"
    assert shown[3] == ""  # "Q7-li" waits: it could be (and is) a key's start
    assert all(KEY[:5] not in piece for piece in shown)
    assert LiveScrubber().feed("Q7-lip") == "Q7-lip"  # not a key after all
    assert unsettled("abc Q7-l") == 4 and unsettled("abc") == 0
    tokens, _ = _rows(["a", " Q7", "-li"])
    assert held_back(tokens) == 2


async def test_a_checkpoint_never_writes_half_a_key() -> None:
    store = await AsyncStore.memory()
    try:
        conversation = await store.create_conversation()
        builder = AnswerBuilder()
        recorder = await Recorder.begin(store, builder, conversation, AnswerParams(model="m"))
        tokens, raw = _rows(PIECES)
        written = []
        for k, piece in enumerate(PIECES):
            builder.apply(TokensReceived([tokens[k]], [raw[k]]))
            builder.apply(TextDelta(piece))
            await recorder.checkpoint()
            stored = await store.load_conversation(conversation)
            answer = stored.answers[0].answer
            written.append(answer.text)
            assert KEY[:5] not in answer.text
            assert KEY[:5].encode() not in _every_form(answer.tokens, answer.raw)
        assert written[2:6] == ["The key: "] * 4  # the key's pieces waited, then went
        answer = await recorder.finish("complete")
        stored = (await store.load_conversation(conversation)).answers[0].answer
        assert stored.text == answer.text == "The key: *** ok"
        assert [t.text for t in stored.tokens] == ["The", " key", ": ", "***", "", "", "", " ok"]
    finally:
        await store.close()
