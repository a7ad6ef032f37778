"""The wire protocol: from a server's HTTP bytes to normalised token records and events.

Layers, each importing only those above it:

* :mod:`~tui.core.wire.values` — wire values made usable (logprobs, bytes, alternatives);
* :mod:`~tui.core.wire.records` — :class:`TokenRecord`, one per logprob row;
* :mod:`~tui.core.wire.normalise` — a wire row → a record, display text, scopes;
* :mod:`~tui.core.wire.align` — rows lined up with the text the server streamed;
* :mod:`~tui.core.wire.events` — what a response turns into (text, tokens, usage, end);
* :mod:`~tui.core.wire.harmony` — gpt-oss channels token by token, ``<reasoning>`` tags;
* :mod:`~tui.core.wire.request` — what a chat completion asks for;
* :mod:`~tui.core.wire.chunks` — response bodies and stream chunks → events;
* :mod:`~tui.core.wire.error_bodies` — the server's own words from any error body;
* :mod:`~tui.core.wire.sse` — server-sent events over raw bytes;
* :mod:`~tui.core.wire.native` — HTTP for a server's own routes beside ``/v1``, and which
  server it is (the one detector);
* :mod:`~tui.core.wire.llamacpp` — llama.cpp's own endpoints (tokenize, probes, slots);
* :mod:`~tui.core.wire.vllm` — vLLM's ``/tokenize`` and its chat extensions (scoring);
* :mod:`~tui.core.wire.prefill` — continuing a given start of the answer, per server;
* :mod:`~tui.core.wire.keepalive` — keep-alives are not progress (read timeout, ServerAlive);
* :mod:`~tui.core.wire.client` — the HTTP client that ties them together.
"""
