"""logprob-chat: a terminal chat that shows how confident a language model was in every answer."""

import sys

__version__ = "0.1.0"

# httpx imports its optional command-line client (click, rich, pygments: about 0.4 s of
# start-up) whenever click happens to be installed; we never use it. A ``None`` entry in
# sys.modules makes that import fail at once, and httpx falls back to a stub ``main``.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
