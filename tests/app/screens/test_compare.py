"""The compare screen, driven from the keyboard against the scripted server: the form, a live
table with hand-checked numbers, failures, cancelling, opening a sample, exporting."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics

from textual.widgets import DataTable, Input, OptionList, SelectionList, TextArea

from tests.app.screens.compare_support import (
    POLITE,
    POLITE_MEANS,
    QUESTION,
    TERSE,
    TERSE_MEANS,
    fill,
    japanese_reply,
    open_compare,
    report_text,
    row_texts,
    run_comparison,
    until,
)
from tests.app.screens.host import screen_text
from tests.app.support import make_app
from tests.support.compare_replies import (
    CAREFUL,
    LOGPROBS,
    SEED,
    endless_reply,
    scripted_reply,
    system_of,
)
from tests.support.compare_replies import TERSE as BE_TERSE
from tests.support.scripted_server import Reply, Request, default_reply, stream_of
from tui.app.commands import MainCommands
from tui.app.screens.compare import CompareCommands, CompareScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.sample import SampleCommands, SampleScreen
from tui.app.widgets.tick_list import TickList
from tui.core import jsonio
from tui.core.compare.form import NO_SYSTEM
from tui.core.presets import PresetStore
from tui.core.settings import Sampling
from tui.core.stats import t_critical


async def test_the_table_fills_with_hand_checked_numbers_marks_the_best_and_exports(
    scripted, tmp_path
):
    scripted.default = scripted_reply(LOGPROBS)
    app = make_app(scripted, system_prompt=CAREFUL, data_dir=tmp_path / "data")
    async with app.run_test(size=(160, 48)) as pilot:
        app.main.input.insert("日本の首都はどこですか？")
        screen = await open_compare(pilot)
        # Started from the chat: its question, and its system prompt as the baseline.
        assert screen.query_one("#compare-question", TextArea).text == "日本の首都はどこですか？"
        assert screen.query_one("#compare-written", TextArea).text == CAREFUL
        fill(screen, written=f"{CAREFUL}\n---\n{BE_TERSE}", samples="3", seed=str(SEED))
        fill(screen, max_tokens="16")
        await run_comparison(pilot, screen)

        careful, terse = row_texts(screen, 0), row_texts(screen, 1)
        # careful: per-sample means −0.2, −0.4, −0.6 → −0.400, sd 0.2, ± t(2)·0.2/√3 = 0.497
        assert careful["mean_logprob"] == "-0.400 ± 0.497*"
        assert terse["mean_logprob"] == "-1.200 ± 0.497 "
        # mean prob: (e^−0.2 + e^−0.4 + e^−0.6)/3 = 67.9 %; terse (e^−1 + e^−1.2 + e^−1.4)/3
        assert careful["mean_prob"] == "67.9%*"
        assert terse["mean_prob"] == "30.5% "
        # perplexity (e^0.2 + e^0.4 + e^0.6)/3 = 1.51 (lower is better)
        assert careful["perplexity"] == "1.51*"
        assert terse["length"] == "2.7 "  # lengths 3, 2, 3: no best (no direction)
        assert terse["low_prob_count"] == "0.7 "  # 1, 0, 1 below p = 0.1
        assert (careful["n"], terse["n"]) == ("3/3", "3/3")
        assert careful["verdict"] == "baseline"
        assert terse["verdict"] == "larger than run-to-run noise"
        # The best cell is bold too: not marked by colour alone.
        table = screen.query_one(DataTable)
        best = table.get_row("0")[3]
        assert best.style.bold and not table.get_row("1")[3].style
        assert str(screen.query_one("#compare-progress").render()) == (
            "6/6 done (2×3), 0 failed · finished"
        )
        # Welch: −0.8 ± t(4)·√(0.04/3 + 0.04/3) = ± 0.453: the same words as the CLI.
        report = report_text(screen)
        assert "mean logprob  -0.800 [-1.253, -0.347]" in report
        assert "larger than run-to-run noise" in report
        assert "Note: Sample i of every prompt used seed 100 + i (100…102)." in report

        requests = scripted.chat_requests()
        assert len(requests) == 6
        sent = sorted(
            (r.json["messages"][0]["content"], r.json["seed"], r.json["max_tokens"])
            for r in requests
        )
        assert sent == sorted((s, SEED + i, 16) for s in (CAREFUL, BE_TERSE) for i in range(3))
        assert {r.json["messages"][-1]["content"] for r in requests} == {"日本の首都はどこですか？"}

        # x exports the table and every sample; the files parse back.
        await pilot.press("x")
        await until(lambda: bool(screen.last_export))
        json_path, samples_path, summary_path = screen.last_export
        assert json_path.parent == tmp_path / "data" / "exports"
        assert app.notices.entries[0].path == json_path  # kept in the messages (ctrl+l)
        data = jsonio.loads(json_path.read_text(encoding="utf-8"))
        assert [p["label"] for p in data["prompts"]] == [CAREFUL, BE_TERSE]
        assert len(data["samples"]) == 6
        assert data["samples"][0]["raw"]["content"][0]["token"] == "t0"
        assert data["pairwise"][0]["verdict"] == "larger_than_noise"
        assert data["backend"] == "scripted"
        rows = list(csv.DictReader(io.StringIO(samples_path.read_text(encoding="utf-8"))))
        assert len(rows) == 6
        assert {r["status"] for r in rows} == {"ok"}
        summary = list(csv.DictReader(io.StringIO(summary_path.read_text(encoding="utf-8"))))
        assert math.isclose(float(summary[0]["mean_logprob_mean"]), -0.4)
        assert summary[1]["diff_mean_logprob_verdict"] == "larger_than_noise"


async def test_the_japanese_question_shows_whether_the_difference_is_beyond_noise(scripted):
    """Issue 5's done-when: two system prompts, the same Japanese question, 5 samples each."""
    scripted.default = japanese_reply
    store = PresetStore()
    store.save("丁寧", POLITE)
    app = make_app(scripted, presets=store, preset="丁寧", system_prompt=POLITE)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.input.insert(QUESTION)
        screen = await open_compare(pilot)
        fill(screen, written=TERSE, samples="5", seed=str(SEED), max_tokens="16")
        await run_comparison(pilot, screen)

        polite, terse = row_texts(screen, 0), row_texts(screen, 1)
        assert polite["prompt"] == "丁寧"
        assert polite["n"] == terse["n"] == "5/5"
        # By hand: means −0.15 and −0.88, sds 0.05 and √0.022; Welch on those.
        a, b = statistics.mean(POLITE_MEANS), statistics.mean(TERSE_MEANS)
        va, vb = statistics.variance(POLITE_MEANS) / 5, statistics.variance(TERSE_MEANS) / 5
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 4)
        half = t_critical(df) * se
        assert math.isclose(a, -0.15) and math.isclose(b, -0.88)
        expected = f"{b - a:+.3f} [{b - a - half:+.3f}, {b - a + half:+.3f}]"
        assert expected == "-0.730 [-0.911, -0.549]"
        assert terse["verdict"] == "larger than run-to-run noise"
        report = report_text(screen)
        assert f"mean logprob  {expected}" in report
        # At 80×24 the verdict is on screen without scrolling the table.
        assert "larger than run-to-run noise" in screen_text(app)
        # A sample at 80×24: the answer takes the width, the token strip shows the cursor's
        # token, F4 swaps the pane (inspector, stats, JSON) in.
        await pilot.press("enter", "enter")
        await until(lambda: isinstance(app.screen, SampleScreen) and app.screen.pane.cursor == 2)
        await pilot.pause()
        sample_screen = app.screen
        pane = sample_screen.pane
        assert sample_screen.has_class("-narrow")
        # The compact pane under the answer: headline and the strip, not the JSON.
        assert pane.strip.region.height == 2 and not pane.json_view.display
        assert pane.strip.region.y > sample_screen.chat.region.y
        assert pane.headline.region.y > sample_screen.chat.region.y
        assert "token #3 of 3  。  p 86.1%" in str(pane.strip.render())  # e^−0.15
        await pilot.press("f4")
        await pilot.pause()
        assert pane.json_view.display and not sample_screen.query_one("#chat-area").display
        assert "Token #3 of 3" in str(pane.inspector.render())


async def test_samples_open_with_heatmap_and_inspector_and_a_failed_one_is_shown(scripted):
    scripted.default = scripted_reply(
        LOGPROBS, fail=lambda system, i: system == BE_TERSE and i == 1
    )
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-presets", SelectionList).deselect_all()
        fill(screen, question="q", written=f"{CAREFUL}\n---\n{BE_TERSE}", samples="3")
        fill(screen, seed=str(SEED))
        await run_comparison(pilot, screen)
        assert row_texts(screen, 1)["n"] == "2/3 ✗1"
        # Two terse samples (−1.0, −1.4) against three: the interval is wide.
        assert row_texts(screen, 1)["verdict"] == "within noise"
        assert "1 failed" in str(screen.query_one("#compare-progress").render())
        assert "Note: 1 of 6 samples failed" in report_text(screen)

        # When the run ends the focus is on the careful prompt's samples.
        assert screen.query_one("#compare-sample-list").has_focus
        await pilot.press("down", "down", "enter")  # sample #3: logprobs −0.5, −0.7
        await until(lambda: isinstance(app.screen, SampleScreen))
        sample_screen = app.screen
        assert isinstance(sample_screen, SampleScreen)
        await until(lambda: sample_screen.pane.cursor is not None)
        await pilot.pause()
        # Opened on the least likely token, with the heatmap on.
        assert sample_screen.pane.cursor == 1
        assert sample_screen.pane.heat_on and sample_screen.view.text_view.heat is not None
        inspector = str(sample_screen.pane.inspector.render())
        assert "Token #2 of 2" in inspector
        assert "49.7%" in inspector  # e^−0.7
        assert "t1" in inspector
        assert "Sample #3 · complete" in str(sample_screen.pane.stats.render())
        answer = screen.comparison.sample(0, 2).answer  # type: ignore[union-attr]
        await pilot.press("c")
        await until(lambda: app.clipboard.startswith("{"))
        copied = json.loads(app.clipboard)  # the sample's rows, with its context
        assert copied["content"] == answer.raw_logprobs()["content"]
        assert copied["context"]["question"] == "q"
        await pilot.press("left")
        assert sample_screen.pane.cursor == 0
        # The chat screen's palette words, and a theme change recolours the heatmap.
        titles = [title for title, _, _ in SampleCommands(sample_screen)._entries()]
        assert titles[:1] == ["Back to the comparison (esc)"]
        assert "Copy raw logprob JSON (c)" in titles
        assert "Jump to the least likely token (m)" in titles
        assert not any("Select" in title or "input" in title for title in titles)
        before = sample_screen.pane.palette
        app.theme = "textual-light"
        await pilot.pause()
        assert sample_screen.pane.palette is not before
        assert sample_screen.view.text_view.heat is sample_screen.pane.palette
        await pilot.press("escape")
        await until(lambda: app.screen is screen)

        screen.query_one(DataTable).focus()
        await pilot.press("down")  # the terse row: its samples, the failed one with its error
        samples = screen.query_one("#compare-sample-list", OptionList)
        line = str(samples.get_option_at_index(1).prompt)
        assert line.startswith("#2   ✗ failed")
        assert "boom" in line
        await pilot.press("enter", "home", "down", "enter")
        await until(lambda: isinstance(app.screen, SampleScreen))
        assert "boom" in app.screen.view.error_text


async def test_the_table_fills_while_running_and_esc_stops_every_request(scripted):
    def reply(request: Request) -> Reply:
        # Prompt A answers at once; prompt B streams until the run is cancelled.
        if request.path.endswith("/chat/completions") and system_of(request) == "A":
            return Reply.sse(stream_of([("x", -0.5), ("y", -0.5)]))
        return endless_reply(request)

    scripted.default = reply
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-presets", SelectionList).deselect_all()
        fill(screen, question="q", written="A\n---\nB", samples="2", concurrency="4")
        await pilot.press("ctrl+s")
        progress = screen.query_one("#compare-progress")
        await until(lambda: str(progress.render()).startswith("2/4 done"))
        # Live: A's row is filled while B's requests are still streaming.
        assert screen.running
        assert scripted.wait_until(lambda: scripted.active == 2)  # B's two, still streaming
        assert str(progress.render()) == "2/4 done (2×2), 0 failed · running (Esc stops)"
        assert row_texts(screen, 0)["n"] == "2/2"
        assert row_texts(screen, 0)["mean_logprob"].startswith("-0.500")
        assert row_texts(screen, 1)["n"] == "0/2"
        await pilot.press("escape")
        await until(lambda: not screen.running)
        statuses = [s.status for s in screen.comparison.samples]  # type: ignore[union-attr]
        assert statuses == ["ok", "ok", "cancelled", "cancelled"]
        assert scripted.wait_until(lambda: scripted.active == 0)  # the streams were closed
        await pilot.pause()
        assert str(progress.render()) == "2/4 done (2×2), 0 failed · stopped"
        assert "Stopped early: 2 samples were cancelled." in report_text(screen)
        # Esc again: back to the form, then back to the chat.
        await pilot.press("escape")
        assert screen.query_one("#compare-form").display
        await pilot.press("escape")
        await until(lambda: app.screen is app.main)


HOSTILE = "[/INST]\x1b[31m[bold]red[/bold]\x1b]52;c;QUFBQQ==\x07"


def hostile_reply(request: Request) -> Reply:
    if not request.path.endswith("/chat/completions"):
        return default_reply(request)
    return Reply.sse(stream_of([(HOSTILE, -0.2), (" ok", -0.1)]))


async def test_bad_fields_get_one_line_each_then_a_greedy_run_says_so_and_text_stays_text(
    scripted,
):
    scripted.default = hostile_reply
    store = PresetStore()
    store.save("[/INST] preset", "[bold]system[/bold]")
    app = make_app(scripted, presets=store, preset="[/INST] preset", system_prompt="x")
    async with app.run_test(size=(160, 48)) as pilot:
        app.theme = "ansi-dark"  # colours named "ansi_green": the best cells still render
        screen = await open_compare(pilot)
        presets = screen.query_one("#compare-presets", SelectionList)
        presets.deselect_all()
        fill(screen, question=" ", samples="0", temperature="hot", seed="1.5", concurrency="")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.form_errors() == {
            "question": "the question is empty",
            "prompts": "choose at least one prompt: tick a preset or write one",
            "samples": "samples must be from 1 to 1000, not 0",
            "temperature": "temperature must be a number from 0 to 2, not 'hot'",
            "seed": "seed must be a whole number, not '1.5'",
            "concurrency": "concurrency must be a whole number from 1 to 64, not ''",
        }
        assert screen.plan is None and not scripted.chat_requests()
        # The palette offers what applies now: help, run, or go back to the chat.
        titles = [title for title, _, _ in CompareCommands(screen)._entries()]
        assert titles == [
            "Help: keys of the compare screen (f1)",
            "Run the comparison (ctrl+s)",
            "Close the compare screen (esc)",
        ]
        # Fixing a field clears its message as it is typed.
        screen.query_one("#compare-samples").focus()
        await pilot.press("backspace", "1")
        assert "samples" not in screen.form_errors()
        # F1: this screen's keys.
        await pilot.press("f1")
        await until(lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen.rows
        assert (
            "ctrl+s",
            "Run the comparison (from the form, or again from the results)",
            "Compare",
        ) in rows
        assert {key for key, _, _ in rows} >= {"esc", "enter", "space", "x"}
        await pilot.press("escape")
        await until(lambda: app.screen is screen)

        # Fixed: temperature 0 with a seed, one sample each; prompts and answers with markup
        # and escape sequences in them.
        presets.select(("preset", "[/INST] preset"))
        fill(screen, question="q", written="[red]x", temperature="0", seed="3", concurrency="4")
        await run_comparison(pilot, screen)
        report = report_text(screen)
        assert "Note: Deterministic run (temperature 0, seed 3): decoding is greedy" in report
        assert row_texts(screen, 1)["verdict"] == "exact (deterministic decoding, no noise)"
        shown = screen_text(app)
        assert "[/INST] preset" in shown  # labels and answers literally, never markup
        assert "[red]x" in shown
        assert "[/INST]␛[31m[bold]red[/bold]" in shown
        assert "\x1b" not in shown and "\x07" not in shown


async def test_presets_baseline_and_the_palette_entry(scripted):
    store = PresetStore()
    store.save("polite", POLITE)
    store.save("terse", TERSE)
    app = make_app(scripted, presets=store, preset="polite", system_prompt=POLITE)
    async with app.run_test(size=(160, 48)) as pilot:
        app.session.conversation.ask("最初の質問")
        # The chat's palette offers the screen; with the input empty, the last question is
        # the question.
        entries = {title: run for title, _, run in MainCommands(app.main)._entries()}
        entries["Compare system prompts (K prompts × N samples) (f12)"]()
        await until(lambda: isinstance(app.screen, CompareScreen) and app.screen.is_mounted)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await pilot.pause()
        assert screen.query_one("#compare-question", TextArea).text == "最初の質問"
        presets = screen.query_one("#compare-presets", SelectionList)
        assert presets.selected == [("preset", "polite")]
        presets.select(("preset", "terse"))
        fill(screen, written="Be brief.")
        await pilot.pause()
        order = [c.spec.label for c in screen._candidates]
        assert order == ["polite", "Be brief.", "terse"]  # the chat's prompt is the baseline
        # Enter on a prompt of the list makes it the baseline; the rest keep their order
        # (written prompts, then ticked presets).
        box = screen.query_one("#compare-order", OptionList)
        box.focus()
        await pilot.press("end", "enter")
        assert [c.spec.label for c in screen._candidates] == ["terse", "Be brief.", "polite"]
        assert "(baseline)" in str(box.get_option_at_index(0).prompt)


async def test_the_first_space_in_the_presets_list_ticks_a_row(scripted):
    store = PresetStore()
    store.save("polite", POLITE)
    app = make_app(scripted, presets=store, preset="polite", system_prompt=POLITE)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_compare(pilot)
        presets = screen.query_one("#compare-presets", SelectionList)
        presets.focus()
        await pilot.press("space")  # no arrow key first: the first row is highlighted
        await pilot.pause()
        assert set(presets.selected) == {NO_SYSTEM, ("preset", "polite")}
        assert [c.spec.label for c in screen._candidates] == ["polite", "(none)"]


async def test_the_form_has_its_own_top_logprobs_field_and_warns_about_0(scripted):
    scripted.default = scripted_reply(LOGPROBS)
    app = make_app(scripted, sampling=Sampling(top_logprobs=0))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        field = screen.query_one("#compare-top_logprobs", Input)
        assert field.value == "0" and field.region.height == 1  # visible at 80×24
        warning = screen.query_one("#compare-top-warning")
        assert warning.display and "0 alternatives" in str(warning.render())
        fill(screen, top_logprobs="3")
        await pilot.pause()
        assert not warning.display
        fill(screen, top_logprobs="x")
        await pilot.pause()
        assert "top_logprobs" in screen.form_errors()
        fill(screen, question="q", written="Be brief.", top_logprobs="2", samples="1")
        screen.query_one("#compare-presets", TickList).deselect_all()
        await run_comparison(pilot, screen)
        assert screen.plan.sampling.top_logprobs == 2
        assert scripted.chat_requests()[-1].json["top_logprobs"] == 2


async def test_preset_boxes_read_ticked_or_not_without_colour(scripted, tmp_path):
    app = make_app(scripted, tmp_presets=tmp_path / "presets.toml")
    app.presets.save("polite", "Be polite.")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        await pilot.pause()
        presets = screen.query_one("#compare-presets", TickList)
        presets.deselect_all()
        presets.select(("preset", "polite"))
        await pilot.pause()
        shown = screen_text(app)
        assert "[ ] (no system prompt)" in shown and "[x] polite" in shown


async def test_at_80x24_enter_right_after_a_run_opens_sample_1(scripted):
    # Issue 15 item 11: the focus was on the table, Enter did nothing visible.
    scripted.default = japanese_reply
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-presets", SelectionList).deselect_all()
        fill(screen, question=QUESTION, written=f"{POLITE}\n---\n{TERSE}", samples="2")
        fill(screen, seed=str(SEED))
        await run_comparison(pilot, screen)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, SampleScreen))
        assert "sample #1 of 2" in app.screen.title_text


async def test_the_form_is_remembered_between_openings(scripted):
    # Issue 15 item 11: F12 forgot the question, the prompts and the sample count.
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-presets", SelectionList).deselect_all()
        fill(screen, question="first question", written="A\n---\nB", samples="7")
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, CompareScreen))
        screen = await open_compare(pilot)
        assert screen.query_one("#compare-question", TextArea).text == "first question"
        assert screen.query_one("#compare-written", TextArea).text == "A\n---\nB"
        assert screen.query_one("#compare-samples", Input).value == "7"
        assert list(screen.query_one("#compare-presets", SelectionList).selected) == []
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, CompareScreen))
        app.main.input.insert("a new question")  # typed since: it is the question now
        screen = await open_compare(pilot)
        assert screen.query_one("#compare-question", TextArea).text == "a new question"
        assert screen.query_one("#compare-written", TextArea).text == "A\n---\nB"


async def test_at_80x24_the_prompts_box_shows_the_first_prompt_while_the_second_is_typed(
    scripted,
):
    app = make_app(scripted, system_prompt="You are a helpful assistant.")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        written = screen.query_one("#compare-written", TextArea)
        written.focus()
        await pilot.press("end", "enter", *"---", "enter", *"Answer in one word.")
        await pilot.pause()
        assert written.text.endswith("---\nAnswer in one word.")
        shown = screen_text(app)
        assert "You are a helpful assistant." in shown and "Answer in one word." in shown
