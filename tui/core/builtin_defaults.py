"""Demo-friendly sampling for the built-in model (SmolLM2-135M-Instruct), and the words that
say so.

A 135M-parameter model is a demo: asked in Japanese it mostly writes noise, often repeating
a phrase (``どこですがどこですが…``) until ``max_tokens`` (512: about 10 s a question on 2
cores). With the built-in engine only, and only for what the person did not choose (an
option typed on the command line, a value in ``config.toml``'s ``[sampling]``, F3), requests
ask for :data:`BUILTIN_MAX_TOKENS` tokens and llama.cpp's ``repeat_penalty``
:data:`BUILTIN_REPEAT_PENALTY` (over its default window, the last 64 tokens).

The penalty changes which token is drawn, not the numbers shown: llama.cpp reports each
token's probability before its samplers (``shared/reference/engine_notes.md``), so the
confidence of every token is still the model's own.

Measured on the built-in engine (5 Japanese questions × seeds 1–3, temperature 0.7; a
"loop" is an answer of 150+ bytes that zlib packs below 30 % of its size):

* max_tokens 512, no penalty: 8 of 15 answers ran to 512 tokens and 8 were loops, median
  11 s an answer;
* max_tokens 200, no penalty: 6 loops of 15; penalty 1.1: 0 loops (median 4.6 s), 1.3: 0;
* the penalty over the whole context (``repeat_last_n`` 2048; -1 is refused) made it stop
  even less (14 of 15 ran to 512 with 1.3; likely because the prompt's end-of-turn tokens
  are penalised too);
* DRY (``dry_multiplier`` 0.8) alone or with a penalty: 0 loops, no shorter answers;
* English (3 questions × 2 seeds, max_tokens 200): 1.1 reads as without a penalty (11–150
  tokens either way), 1.3 runs on (2 of 6 reached 200).

So 1.1 with the default window, and 200 tokens: a Japanese question takes about 4–6 s
instead of 11 s, and none of the 15 looped.
"""

from __future__ import annotations

from collections.abc import Collection

from tui.core.settings import Sampling

BUILTIN_MAX_TOKENS = 200
BUILTIN_REPEAT_PENALTY = 1.1

BUILTIN_DEFAULTS_TEXT = (
    f"max_tokens {BUILTIN_MAX_TOKENS} and a repetition penalty of {BUILTIN_REPEAT_PENALTY:g}"
)
BUILTIN_MODEL_NOTE = (
    "The built-in model is SmolLM2-135M: a tiny English model, a demo. It answers with "
    f"{BUILTIN_DEFAULTS_TEXT} so it does not loop (F3 changes them); --base-url "
    "connects a real model."
)
"""For the welcome text: what the built-in model is and the defaults it runs with."""
BUILTIN_SETTINGS_NOTE = f"Built-in demo model: {BUILTIN_DEFAULTS_TEXT} unless you choose otherwise"
"""Shown in the settings (F3) while the built-in model answers."""


def builtin_sampling(sampling: Sampling, chosen: Collection[str] = ()) -> Sampling:
    """``sampling`` with the built-in model's demo defaults for every field not in
    ``chosen`` (the fields the person set: ``max_tokens``, ``repeat_penalty``)."""
    changes: dict[str, object] = {}
    if "max_tokens" not in chosen:
        changes["max_tokens"] = BUILTIN_MAX_TOKENS
    if "repeat_penalty" not in chosen and sampling.repeat_penalty is None:
        changes["repeat_penalty"] = BUILTIN_REPEAT_PENALTY
    return sampling.with_changes(**changes)
