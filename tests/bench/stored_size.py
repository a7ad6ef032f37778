"""How many bytes of history a 20,000-token answer takes, measured on real rows.

The bench stream repeats itself (a few words, alternatives named after them), which a
compressor sees through far better than real model output; so the history size is also
measured on real answers (the engine case's, top-20 from the built-in model): written
through the real :class:`~tui.core.store.Store` as a stream is, in checkpoint parts of
``part_rows`` rows (one second of a 50 tokens/s stream), and the file's growth over an empty
history scaled to 20,000 rows: MB (10⁶ bytes) per 20k-token answer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from tui.core.answer import Answer
from tui.core.store import AnswerParams, Store
from tui.core.store.models import AnswerDelta

PER_ANSWER = 20_000


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def stored_mb_per_answer(answers: Sequence[Answer], part_rows: int = 50) -> float:
    """History growth per ``PER_ANSWER`` rows of ``answers`` (see the module docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        Store.open(path).close()
        empty = _size(path)
        rows = 0
        with Store.open(path) as store:
            cid = store.create_conversation()
            for answer in answers:
                store.add_user_message(cid, "q")
                answer_id = store.begin_answer(cid, AnswerParams(model="m", top_logprobs=20))
                n = len(answer.tokens)
                starts = list(range(0, n, part_rows)) or [0]
                for seq, start in enumerate(starts):
                    stop = min(start + part_rows, n)
                    delta = AnswerDelta(
                        answer_id=answer_id,
                        seq=seq,
                        first_index=start,
                        tokens=answer.tokens[start:stop],
                        raw=answer.raw[start:stop],
                        token_total=stop,
                        text="".join(t.text for t in answer.tokens[:stop]),
                        reasoning="",
                    )
                    if stop < n:
                        store.checkpoint_answer(delta)
                    else:
                        store.finish_answer(delta, answer)
                rows += n
        grown = _size(path) - empty
    return grown / rows * PER_ANSWER / 1e6
