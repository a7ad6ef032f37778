"""The question-set screen against the scripted server: started from F12 with a file, the
summary, verdicts, strip plot and the sortable per-question table with hand-checked numbers;
a question's samples and one sample's heatmap; export; a bad file said under the form; Esc
stops and keeps; F6 lists the set, reopens it after a restart and carries it on."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input

from tests.app.screens.compare_support import open_compare, until
from tests.app.screens.set_support import start_set, table_rows
from tests.app.support import make_app, wait_for
from tests.support.set_replies import CAREFUL, TERSE, set_reply, write_questions
from tui.app.screens.compare import CompareScreen
from tui.app.screens.history import HistoryScreen
from tui.app.screens.question_set import QuestionSetScreen
from tui.app.screens.sample import SampleScreen
from tui.app.screens.set_question import SetQuestionScreen
from tui.core.store import Store, history_path


async def test_a_set_from_f12_with_its_numbers_sorting_samples_and_export(scripted, tmp_path):
    scripted.default = set_reply()
    qs = write_questions(tmp_path / "qs.jsonl", 3)
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_set(pilot, qs)
        assert screen.state == "finished" and len(scripted.chat_requests()) == 12
        # careful: −0.1, −0.2, −0.3 (mean −0.2); terse 0.1 lower on each question
        summary = table_rows(screen, "#set-summary")
        assert summary[0][:3] == [CAREFUL, "3", "-0.200"] and summary[0][4] == "base"
        assert summary[1][:3] == [TERSE, "3", "-0.300"]
        assert summary[1][4:] == ["-0.100", "", "0/0/3"]
        verdicts = str(screen.query_one("#set-verdicts").render())
        assert "wins 0, ties 0, loses 3 of 3 questions" in verdicts
        plot = str(screen.query_one("#set-plot").render()).splitlines()
        assert plot[1].startswith(TERSE) and "3" in plot[1] and plot[1].endswith("n=3")
        assert [r[0] for r in table_rows(screen, "#set-questions")] == ["1", "2", "3"]
        assert table_rows(screen, "#set-questions")[0][2:] == ["-0.100*", "-0.200 "]

        await pilot.press("s", "s")  # file order → question text → mean logprob (careful)
        assert [r[0] for r in table_rows(screen, "#set-questions")] == ["3", "2", "1"]
        await pilot.press("r")
        assert [r[0] for r in table_rows(screen, "#set-questions")] == ["1", "2", "3"]
        assert "descending" in str(screen.query_one("#set-sorted").render())

        table = screen.query_one("#set-questions", DataTable)
        table.move_cursor(row=1)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, SetQuestionScreen) and bool(app.screen.rows))
        question = app.screen
        assert isinstance(question, SetQuestionScreen) and question.question == 1
        assert [(p, s) for p, s, _, _ in question.rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, SampleScreen))
        await pilot.press("escape")
        await until(lambda: app.screen is question)
        await pilot.press("escape")
        await until(lambda: app.screen is screen)

        await pilot.press("x")
        await wait_for(pilot, lambda: bool(screen.last_export))
        document = json.loads(screen.last_export[0].read_text(encoding="utf-8"))
        assert document["kind"] == "question_set" and len(document["results"]) == 12
        assert screen.last_export[1].name.endswith("-results.csv")
    with Store.open(history_path(tmp_path / "data")) as store:
        (kept,) = store.list_comparisons()
    assert (kept.kind, kept.status, kept.results, kept.questions) == ("sample", "complete", 12, 3)


async def test_a_bad_file_is_said_under_the_form_and_nothing_runs(scripted, tmp_path):
    qs = tmp_path / "qs.jsonl"
    qs.write_text('{"question": "question 0"}\n{"question": }\n', encoding="utf-8")
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        compare = await open_compare(pilot)
        compare.query_one("#set-path", Input).value = str(qs)
        await pilot.press("ctrl+s")
        await until(lambda: "run" in compare.form_errors())
        assert compare.form_errors()["run"].startswith("qs.jsonl line 2: not JSON")
        assert isinstance(app.screen, CompareScreen)
    assert scripted.chat_requests() == []


async def test_esc_stops_f6_reopens_after_a_restart_and_c_carries_on(scripted, tmp_path):
    scripted.default = set_reply(pause=0.3)
    qs = write_questions(tmp_path / "qs.jsonl", 6)
    data = tmp_path / "data"
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=data)
    async with app.run_test(size=(120, 40)) as pilot:
        from tests.app.screens.set_support import fill, open_compare

        compare = await open_compare(pilot)
        fill(compare, written=f"{CAREFUL}\n---\n{TERSE}", samples="1", concurrency="2")
        compare.query_one("#set-path", Input).value = str(qs)
        await pilot.press("ctrl+s")
        await until(lambda: isinstance(app.screen, QuestionSetScreen))
        screen = app.screen
        assert isinstance(screen, QuestionSetScreen)
        await until(lambda: len(screen.results) >= 2)
        await pilot.press("escape")
        await until(lambda: not screen.running)
        assert screen.state == "stopped" and 2 <= len(screen.results) < 12
        kept = len(screen.results)
        await app.history.idle()
    with Store.open(history_path(data)) as store:
        assert store.list_comparisons()[0].status == "stopped"

    scripted.default = set_reply()
    asked = len(scripted.chat_requests())
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=data)  # a restart
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await until(lambda: bool(history.comparisons))
        listed = history.query_one("#history-comparisons")
        assert "set of 6 questions × 2 prompts, sampled" in str(
            listed.get_option_at_index(0).prompt
        )
        listed.focus()
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, QuestionSetScreen))
        screen = app.screen
        assert isinstance(screen, QuestionSetScreen)
        assert len(screen.results) == kept and screen.state == "stored"
        await pilot.pause()
        await pilot.press("c")
        await until(lambda: not screen.running and screen.state == "finished")
        assert len(screen.results) == 12
        assert len(scripted.chat_requests()) - asked == 12 - kept  # nothing asked twice
    with Store.open(history_path(data)) as store:
        assert store.list_comparisons()[0].status == "complete"


async def test_a_one_question_comparison_of_f12_is_kept_and_reopens(scripted, tmp_path):
    from tests.app.screens.compare_support import fill, run_comparison

    scripted.default = set_reply()
    data = tmp_path / "data"
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=data)
    async with app.run_test(size=(120, 40)) as pilot:
        compare = await open_compare(pilot)
        fill(compare, question="question 2", written=f"{CAREFUL}\n---\n{TERSE}", samples="2")
        await run_comparison(pilot, compare)
        await app.history.idle()
    with Store.open(history_path(data)) as store:
        (kept,) = store.list_comparisons()
        stored = store.load_comparison(kept.id)
    assert (kept.kind, kept.status, kept.questions, kept.results) == ("sample", "complete", 1, 4)
    assert stored.questions[0].question == "question 2"
    assert {r.answer.metrics.mean_logprob for r in stored.results if r.prompt == 1} == {-0.4}


async def test_questions_and_labels_are_shown_as_written_never_as_markup(scripted, tmp_path):
    scripted.default = set_reply()
    qs = tmp_path / "qs.txt"
    qs.write_text("[bold]質問[/] 0\n[/] 1\n", encoding="utf-8")
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_set(pilot, qs, samples="1", written=f"{CAREFUL}\n---\n[red]loud[/red]")
        assert screen.state == "finished"
        rows = table_rows(screen, "#set-questions")
        assert [r[1] for r in rows] == ["[bold]質問[/] 0", "[/] 1"]
        table = screen.query_one("#set-questions", DataTable)
        assert str(table.ordered_columns[3].label) == "[red]loud[/red]"
        assert table_rows(screen, "#set-summary")[1][0] == "[red]loud[/red]"


async def test_scoring_on_a_server_that_cannot_is_one_line_and_nothing_is_kept(scripted, tmp_path):
    from tui.core.score.detect import OTHER_REASON

    qs = write_questions(tmp_path / "qs.jsonl", 2)
    data = tmp_path / "data"
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=data)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_set(pilot, qs, score=True)
        assert screen.state == f"failed: {OTHER_REASON}"
        assert screen.comparison_id is None and not scripted.chat_requests()
        await app.history.idle()
    with Store.open(history_path(data)) as store:
        assert store.list_comparisons() == []
