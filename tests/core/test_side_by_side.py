"""Two answers side by side: the shared start, and the numbers in two columns with the
difference and the more confident side."""

from __future__ import annotations

from tests.core.test_branch import ENGLISH, continuation, reply_answer
from tui.core.branch import branch_answer, branch_choices
from tui.core.report import fmt_num
from tui.core.side_by_side import metric_rows, shared_tokens


def test_a_branch_and_its_parent_share_the_tokens_before_the_divergence() -> None:
    parent = reply_answer(ENGLISH)
    branch = branch_answer(parent, 2, " Blue", continuation(("\n", -0.5), ("2", -0.1)))
    assert shared_tokens(parent, branch) == 2
    assert shared_tokens(parent, parent) == len(parent.tokens)
    own = branch_choices(parent, 4)[0].alternative  # the parent's own token put back at #5
    same_start = branch_answer(parent, 4, own, continuation(("x", -1.0)))
    assert shared_tokens(parent, same_start) == 5


def test_the_numbers_side_by_side_with_their_difference() -> None:
    parent = reply_answer(ENGLISH)
    branch = branch_answer(parent, 2, " Blue", continuation(("\n", -0.5), ("2", -0.1)))
    rows = {row.label: row for row in metric_rows(parent, branch)}
    total = rows["Σ logprob"]
    difference = branch.metrics.sum_logprob - parent.metrics.sum_logprob
    assert (total.left, total.right) == (
        fmt_num(parent.metrics.sum_logprob),
        fmt_num(branch.metrics.sum_logprob),
    )
    assert total.difference == ("+" if difference > 0 else "−") + fmt_num(abs(difference))
    assert total.better == ("right" if difference > 0 else "left")
    tokens = rows["Tokens"]
    assert tokens.difference == f"−{parent.metrics.tokens - branch.metrics.tokens}"
    assert tokens.better is None  # length is no measure of confidence
    assert rows["Mean prob"].difference.endswith(" pp")
    assert rows["Perplexity"].better == (
        "left" if rows["Mean logprob"].better == "left" else "right"
    )
    assert rows["Stop probability"].difference == "–"  # the branch has no end token's row
