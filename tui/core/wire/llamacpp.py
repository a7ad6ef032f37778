"""A small client for llama.cpp's own endpoints, beside its OpenAI-compatible ``/v1`` API.

What recovering hidden rows and scoring a given answer need (``shared/reference/
engine_notes.md``, re-checked here on the built-in engine):

* detection: :meth:`~tui.core.wire.native.NativeServer.kind` (``GET /v1/models`` lists
  ``owned_by: "llamacpp"``; else ``GET /props`` answers with llama.cpp's generation settings);
* ``POST /apply-template {"messages"}`` → ``{"prompt"}``: the chat prompt as the server built
  it, and ``POST /tokenize {"content", "add_special", "parse_special", "with_pieces"}`` → ids,
  with each piece's text, or its bytes as a list when they are not whole UTF-8;
* ``POST /completion {"prompt": [ids] | [[ids], …], "n_predict": 1, "n_probs", "logit_bias"}``:
  the raw (pre-sampling) distribution after each prompt, read off the row of a forced
  complete token (a forced partial token would be hidden again);
* ``POST /completion {"prompt", "grammar", "return_tokens": true, "n_probs"}``: a greedy
  answer held to a grammar, with its rows and every generated id (:mod:`tui.core.score`);
* ``POST /slots/{id}?action=save|restore {"filename"}`` (servers started with a slot save
  path: the embedded engine): copy one slot's cache into the others in milliseconds.

The native routes live at the server root: the base URL without its ``/v1``
(:mod:`~tui.core.wire.native`). Requests use their own connections (after a stream,
llama.cpp may close a kept-alive connection just as the next request is written on it),
and a request that finds its connection closed is sent once more: all of these are safe to
repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.errors import RequestError, one_line
from tui.core.settings import Connection
from tui.core.wire.native import NativeServer
from tui.core.wire.native import native_root as native_root  # where callers found it

if TYPE_CHECKING:  # imported where used (start-up: see tui.core.wire.client)
    import httpx


class LlamaCppError(RequestError):
    """A llama.cpp-native request failed (one readable line)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One token of a tokenisation: its id and its exact bytes."""

    id: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Probe:
    """The distribution after one prompt: ``top`` as the server sent it (``{id, token,
    bytes, logprob}`` dicts, most likely first) and the slot that computed it."""

    top: list[dict[str, Any]]
    slot: int | None


def piece_of(item: Any) -> Piece:
    """A ``/tokenize`` ``with_pieces`` entry: ``{"id", "piece": text | [bytes]}``."""
    if not isinstance(item, dict) or type(item.get("id")) is not int:
        raise LlamaCppError(f"unexpected /tokenize entry: {one_line(repr(item), 80)}")
    piece = item.get("piece")
    if isinstance(piece, str):
        return Piece(item["id"], piece.encode("utf-8"))
    if isinstance(piece, list) and all(type(b) is int and 0 <= b < 256 for b in piece):
        return Piece(item["id"], bytes(piece))
    raise LlamaCppError(f"unexpected /tokenize piece: {one_line(repr(item), 80)}")


class LlamaCppServer(NativeServer):
    """The native endpoints of one llama.cpp server. Use as an async context manager."""

    error = LlamaCppError

    def __init__(
        self,
        connection: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(connection, transport=transport, timeout=timeout)
        self.forced: int | None = None  # a whole-text token id, once found (recovery)

    async def detect(self) -> bool:
        """Whether the server is llama.cpp (:meth:`~NativeServer.kind`, asked once);
        failures count as "no"."""
        return await self.kind() == "llama.cpp"

    async def apply_template(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt the server builds for these chat messages (generation prompt included)."""
        body = await self._json("POST", "apply-template", {"messages": list(messages)})
        prompt = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(prompt, str):
            raise LlamaCppError("/apply-template gave no prompt")
        return prompt

    async def tokenize(
        self, text: str, *, add_special: bool = False, parse_special: bool = True
    ) -> list[Piece]:
        """``text`` as the model's tokens, each with its exact bytes."""
        body = await self._json(
            "POST",
            "tokenize",
            {
                "content": text,
                "add_special": add_special,
                "parse_special": parse_special,
                "with_pieces": True,
            },
        )
        items = body.get("tokens") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise LlamaCppError("/tokenize gave no tokens")
        return [piece_of(item) for item in items]

    async def probe(
        self,
        prompts: Sequence[Sequence[int]],
        *,
        n_probs: int,
        force: int,
        slot: int | None = None,
    ) -> list[Probe]:
        """The raw distribution after each prompt (one forward step each; prompts the
        server has cached cost one token). ``force`` is a token id that is text on its own:
        forcing it (``logit_bias`` +1000) makes the server send the row; the distribution is
        read before the bias. Several prompts go in one request (the server spreads them
        over its free slots and batches them); ``slot`` pins a single prompt to a slot."""
        body: dict[str, Any] = {
            "prompt": [list(p) for p in prompts] if len(prompts) > 1 else list(prompts[0]),
            "n_predict": 1,
            "temperature": 0.0,
            "n_probs": n_probs,
            "logit_bias": [[force, 1000.0]],
            "cache_prompt": True,
        }
        if slot is not None and len(prompts) == 1:
            body["id_slot"] = slot
        reply = await self._json("POST", "completion", body)
        results = reply if isinstance(reply, list) else [reply]
        if len(results) != len(prompts):
            raise LlamaCppError(f"/completion answered {len(results)} of {len(prompts)} prompts")
        # Several prompts: each result carries the index of its prompt.
        ordered: list[Any] = [None] * len(prompts)
        for position, result in enumerate(results):
            index = result.get("index", position) if isinstance(result, dict) else position
            if type(index) is not int or not 0 <= index < len(prompts) or ordered[index]:
                index = position
            ordered[index] = result
        return [_probe_of(result) for result in ordered]

    async def complete_with_grammar(
        self, prompt: str, grammar: str, *, n_predict: int, n_probs: int
    ) -> dict[str, Any]:
        """``POST /completion`` of ``prompt`` (text, as the chat template made it) under
        ``grammar``, greedy: the whole reply, with ``completion_probabilities`` (one row per
        character, the end token's row last) and ``tokens``, every generated id in order
        (``return_tokens``: the ids of the pieces the rows hide too)."""
        body = {
            "prompt": prompt,
            "grammar": grammar,
            "n_predict": n_predict,
            "temperature": 0.0,
            "n_probs": n_probs,
            "return_tokens": True,
            "cache_prompt": True,
        }
        reply = await self._json("POST", "completion", body)
        if not isinstance(reply, dict):
            raise LlamaCppError("/completion: the reply is not a JSON object")
        return reply

    async def copy_slot(self, source: int, targets: Sequence[int], filename: str) -> list[int]:
        """Copy slot ``source``'s cache into ``targets`` (save to ``filename`` in the
        server's slot directory, restore it); the slots it reached. A server without a slot
        save path answers 501: then none."""
        try:
            await self._json("POST", f"slots/{source}?action=save", {"filename": filename})
        except LlamaCppError:
            return []
        return [target for target in targets if await self.restore_slot(target, filename)]

    async def restore_slot(self, slot: int, filename: str) -> bool:
        """Load a saved cache into ``slot``; ``False`` when the server would not (busy with
        another request, say: then it just does not help)."""
        try:
            await self._json("POST", f"slots/{slot}?action=restore", {"filename": filename})
        except LlamaCppError:
            return False
        return True


def _probe_of(result: Any) -> Probe:
    rows = result.get("completion_probabilities") if isinstance(result, dict) else None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        raise LlamaCppError("/completion sent no probabilities for the forced token")
    top = rows[0].get("top_logprobs")
    if not isinstance(top, list):
        raise LlamaCppError("/completion sent no top_logprobs")
    slot = result.get("id_slot")
    return Probe([t for t in top if isinstance(t, dict)], slot if type(slot) is int else None)
