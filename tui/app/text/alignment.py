"""Match each token to the stretch of answer text it produced, incrementally.

The visible answer is ``message.content`` as the server streamed it; the logprob rows carry
their own token text. They usually agree piece by piece, but not always: a character split
over two tokens shows once (the first token's text is ""), a server may trim leading
whitespace, drop a stop token, or send token strings that are not the bytes it decoded.

Rule, per token in order, at the current text position ``pos``:

1. empty token text → no span (nothing to colour);
2. the text at ``pos`` starts with the token's text → span ``[pos, pos + len)``, move on;
3. otherwise look a little further (``LOOKAHEAD`` characters) for the token's text; if found,
   the skipped characters stay uncoloured and the token gets the span where it was found;
4. otherwise the token gets no span and ``pos`` stays (the next token may match there).

A decision is only made once enough text has arrived to be sure; until then the token waits
(``final=True`` at the end of the stream settles every waiting token). Each token is looked
at O(1) times with O(len(token) + LOOKAHEAD) work, so aligning a stream costs O(text).
"""

from __future__ import annotations

from collections.abc import Sequence

LOOKAHEAD = 16
"""How many characters past a mismatch to search for a token's text before giving up on it."""

UNALIGNED = -1


class TokenAligner:
    """Spans of tokens in a growing text. ``starts[i]``/``ends[i]`` are ``UNALIGNED`` (-1)
    for tokens without a span."""

    __slots__ = ("ends", "pos", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.pos = 0

    @property
    def resolved(self) -> int:
        """How many tokens (from the first) have been decided."""
        return len(self.starts)

    def advance(self, text: str, token_texts: Sequence[str], *, final: bool = False) -> range:
        """Decide as many waiting tokens as ``text`` allows; return their indexes.

        ``text`` is the whole text so far and ``token_texts`` the text of every token so far
        (both only ever grow).
        """
        first = len(self.starts)
        i = first
        n = len(token_texts)
        length = len(text)
        while i < n:
            t = token_texts[i]
            pos = self.pos
            size = len(t)
            if not t:
                self._skip()
            elif text.startswith(t, pos):
                self._span(pos, pos + size)
            elif not final and length < pos + size and t.startswith(text[pos:]):
                break  # the text for this token has not all arrived yet
            else:
                window_end = pos + LOOKAHEAD + size
                found = text.find(t, pos + 1, window_end)
                if found >= 0:
                    self._span(found, found + size)
                elif not final and length < window_end:
                    break  # could still appear once more text arrives
                else:
                    self._skip()
            i += 1
        return range(first, i)

    def _span(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.pos = end

    def _skip(self) -> None:
        self.starts.append(UNALIGNED)
        self.ends.append(UNALIGNED)
