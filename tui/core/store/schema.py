"""The history schema and its migrations, versioned by ``PRAGMA user_version``.

A file at version *v* is brought to :data:`SCHEMA_VERSION` by running ``MIGRATIONS[v+1]``,
``MIGRATIONS[v+2]``, ... in one transaction, so a crash mid-migration leaves the old version.
A fresh file goes through every migration from 1: the upgrade path is the path every new
install takes, so it is always exercised. Released migrations are never edited; a change is a
new migration appended at the end (tests keep a real version-1 file to open).

Tables (version 6):

``conversations``
    id, title (``NULL`` until renamed: lists show the first question), created_at,
    updated_at (epoch seconds), and the settings of the latest answer (preset, system_prompt,
    model, base_url without credentials) so a resumed chat carries on with them. Version 5
    adds ``source``: ``chat`` (the TUI) or ``ask`` (the headless command), so the chat
    reopens its own last conversation, never one a script just made with ``ask``.
``messages``
    The conversation in order (``position`` 0, 1, ...): role ``user`` or ``assistant``,
    text, reasoning. A user message is written before its request goes out.
``answers``
    One per assistant message (``message_id``): the question it answers, its request
    parameters, status (streaming/complete/stopped/error/incomplete), error, finish reason,
    the model the server reported, usage, server timings and notices (JSON text), timings,
    metrics (JSON text, from ``Metrics.to_dict``), token_count, owner_pid/owner_host (the
    process writing it while it streams), checkpointed_at. Version 2 adds ``mean_prob`` and
    ``mean_logprob`` columns so the history list can average confidence in SQL.
``answer_parts``
    The tokens and raw logprob rows, appended one part per checkpoint (``seq`` 0, 1, ...),
    so a checkpoint writes only what arrived since the last one. ``format`` says how
    ``tokens`` and ``raw`` are laid out (see :mod:`tui.core.store.codec`): 1, plain JSON
    (versions 1 and 2); 2, Zstandard-compressed (version 3 on, ~5x smaller).

Version 4: comparisons of system prompts, sampled or scored, kept with everything needed to
show, export and carry them on (:mod:`tui.core.store.comparisons`):

``comparisons``
    One run: ``kind`` ``sample`` (N answers per prompt) or ``score`` (a given answer scored
    under each prompt), status (running/complete/stopped/error/incomplete), created/updated,
    the server and model, ``settings`` (JSON: sampling, samples, top_logprobs, method…), the
    conversation and answer it came from (``SET NULL`` when those are deleted), and the
    writing process (owner_pid/owner_host) so a run left ``running`` by a dead process is
    known to be resumable.
``comparison_prompts``
    Its prompts in order (``position`` 0 = the baseline): label, system prompt, preset.
``comparison_questions``
    Its questions in order: the question, ``answer`` (the answer scored, or a question set's
    reference answer), ``external_id`` (a question file's own id), ``history`` (JSON, the
    earlier turns sent before it).
``comparison_results``
    One per (prompt, question, sample), unique, so a resumed run skips what is there: status,
    error, ``method`` (how a score was measured), seed, the answer text and reasoning, the
    server's finish reason, usage and notices, timings, metrics (JSON) with the numbers lists
    sort and average by in columns (mean_logprob, mean_prob, sum_logprob, stop_logprob,
    token_count), and the tokens and raw rows in the format of ``answer_parts`` (one part).

Version 6: siblings and branches (:mod:`tui.core.store.lineage` rebuilds the tree). Each
answer says how it was made and where it sits, in columns of ``answers``:

``origin``
    ``ask``, ``regenerate``, ``edit`` or ``branch``; ``NULL`` for answers written before
    version 6 (or by a writer that does not say): such an answer follows the one before it
    in the conversation's order, as every answer did then.
``follows_id``
    The answer this exchange comes after on its path (``NULL``: a first question).
    Answers with the same one are siblings.
``source_id``
    The answer a regenerate, edit or branch was made from.
``branch``
    JSON of a branch's divergence (``BranchPoint``: position, choice, typed, their logprobs,
    the original token).
``prefill``, ``prefill_tokens``
    The start of the answer given to the model to continue (a branch, ``ask --prefill``),
    and how many of the answer's leading tokens belong to it (0: none are stored).
``selected_at``
    When it was last made the selected one of its siblings (written when it begins): the
    sibling selected latest is the one on the conversation's path.

Nothing is rewritten: older answers keep ``NULL`` and read as a single path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

SCHEMA_VERSION = 6

_V1 = (
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        preset TEXT,
        system_prompt TEXT,
        model TEXT,
        base_url TEXT
    )
    """,
    "CREATE INDEX conversations_by_update ON conversations (updated_at)",
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        text TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        UNIQUE (conversation_id, position)
    )
    """,
    """
    CREATE TABLE answers (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        question_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        status TEXT NOT NULL
            CHECK (status IN ('streaming', 'complete', 'stopped', 'error', 'incomplete')),
        error TEXT,
        model TEXT,
        base_url TEXT,
        system_prompt TEXT,
        preset TEXT,
        temperature REAL,
        top_logprobs INTEGER,
        max_tokens INTEGER,
        seed INTEGER,
        reported_model TEXT,
        finish_reason TEXT,
        usage TEXT,
        server_timings TEXT,
        notices TEXT,
        started_at REAL,
        ttft REAL,
        duration REAL,
        tokens_per_second REAL,
        low_prob_threshold REAL,
        metrics TEXT,
        reasoning_metrics TEXT,
        token_count INTEGER NOT NULL DEFAULT 0,
        owner_pid INTEGER,
        owner_host TEXT,
        checkpointed_at REAL
    )
    """,
    "CREATE INDEX answers_by_conversation ON answers (conversation_id)",
    "CREATE INDEX answers_by_status ON answers (status)",
    """
    CREATE TABLE answer_parts (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL REFERENCES answers (message_id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        first_index INTEGER NOT NULL,
        format INTEGER NOT NULL,
        tokens BLOB NOT NULL,
        raw BLOB NOT NULL,
        UNIQUE (answer_id, seq)
    )
    """,
)

_V2 = (
    # The history list averages each answer's mean probability; reading it out of the metrics
    # JSON of every answer on every listing is wasteful, so keep it (and the mean logprob) in
    # columns, filled for existing answers from the JSON written by version 1.
    "ALTER TABLE answers ADD COLUMN mean_prob REAL",
    "ALTER TABLE answers ADD COLUMN mean_logprob REAL",
    """
    UPDATE answers SET
        mean_prob = json_extract(metrics, '$.mean_prob'),
        mean_logprob = json_extract(metrics, '$.mean_logprob')
    WHERE metrics IS NOT NULL AND json_valid(metrics)
    """,
)

_V3: tuple[str, ...] = ()
"""Version 3 writes token parts in format 2 (compressed), which only version 3 on can read:
the version number is the whole change, so an older logprob-chat leaves such a file alone
("written by a newer logprob-chat") instead of failing on answers it cannot decode. Parts
already stored keep format 1 and are read as they are: nothing is rewritten, so opening a
large old history stays instant."""

_V4 = (
    """
    CREATE TABLE comparisons (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('sample', 'score')),
        title TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('running', 'complete', 'stopped', 'error', 'incomplete')),
        error TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model TEXT,
        base_url TEXT,
        settings TEXT,
        conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
        source_answer_id INTEGER REFERENCES answers (message_id) ON DELETE SET NULL,
        owner_pid INTEGER,
        owner_host TEXT
    )
    """,
    "CREATE INDEX comparisons_by_update ON comparisons (updated_at)",
    """
    CREATE TABLE comparison_prompts (
        comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL,
        system_prompt TEXT NOT NULL DEFAULT '',
        preset TEXT,
        PRIMARY KEY (comparison_id, position)
    )
    """,
    """
    CREATE TABLE comparison_questions (
        comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer TEXT,
        external_id TEXT,
        history TEXT,
        PRIMARY KEY (comparison_id, position)
    )
    """,
    """
    CREATE TABLE comparison_results (
        id INTEGER PRIMARY KEY,
        comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
        prompt_position INTEGER NOT NULL,
        question_position INTEGER NOT NULL DEFAULT 0,
        sample INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
        error TEXT,
        method TEXT,
        seed INTEGER,
        text TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        reported_model TEXT,
        finish_reason TEXT,
        usage TEXT,
        notices TEXT,
        started_at REAL,
        duration REAL,
        low_prob_threshold REAL,
        metrics TEXT,
        mean_logprob REAL,
        mean_prob REAL,
        sum_logprob REAL,
        stop_logprob REAL,
        token_count INTEGER NOT NULL DEFAULT 0,
        format INTEGER,
        tokens BLOB,
        raw BLOB,
        created_at REAL NOT NULL,
        UNIQUE (comparison_id, prompt_position, question_position, sample)
    )
    """,
)
"""Version 4: comparisons, sampled or scored (see the module docstring)."""

_V5 = (
    # Where a conversation was started. Earlier ones were all the chat's or ask's alike; they
    # count as the chat's (what the chat reopened until now).
    "ALTER TABLE conversations ADD COLUMN source TEXT NOT NULL DEFAULT 'chat' "
    "CHECK (source IN ('chat', 'ask'))",
)
"""Version 5: ``conversations.source``, the chat's or ask's (see the module docstring)."""

_V6 = (
    "ALTER TABLE answers ADD COLUMN origin TEXT "
    "CHECK (origin IN ('ask', 'regenerate', 'edit', 'branch'))",
    "ALTER TABLE answers ADD COLUMN follows_id INTEGER "
    "REFERENCES answers (message_id) ON DELETE SET NULL",
    "ALTER TABLE answers ADD COLUMN source_id INTEGER "
    "REFERENCES answers (message_id) ON DELETE SET NULL",
    "ALTER TABLE answers ADD COLUMN branch TEXT",
    "ALTER TABLE answers ADD COLUMN prefill TEXT",
    "ALTER TABLE answers ADD COLUMN prefill_tokens INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE answers ADD COLUMN selected_at REAL",
)
"""Version 6: siblings and branches (see the module docstring)."""

MIGRATIONS: dict[int, Sequence[str]] = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5, 6: _V6}
"""``MIGRATIONS[v]`` takes a file from version v − 1 to version v."""


class NewerSchemaError(Exception):
    """The file was written by a newer logprob-chat; it is left untouched."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to ``target``; return the version it had. The connection must be in
    autocommit mode (``isolation_level=None``); the migration runs in one IMMEDIATE
    transaction, so two processes opening an old file at once migrate it once."""
    found = user_version(conn)
    if found > target:
        raise NewerSchemaError(found)
    if found == target:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = user_version(conn)  # another process may have migrated while we waited
        if found > target:
            raise NewerSchemaError(found)
        for version in range(found + 1, target + 1):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
