"""Issue 7's fault list and issue 17's (entries marked "17.N"), one entry per fault, each
mapped to the tests that prove it.

Many faults were already proved where their code lives (tests/core, tests/cli, tests/app);
those are mapped, not repeated. ``test_catalogue.py`` checks that every test named here exists
and that every test in this folder is named here, so the map cannot rot.
"""

from __future__ import annotations

CP = "tests/core/wire/test_client_protocol.py"
T = "tests/faults/test_transport.py"
H = "tests/faults/test_http.py"
P = "tests/faults/test_payload.py"
UI = "tests/faults/test_tui.py"
PR = "tests/faults/test_process.py"
PS = "tests/faults/test_presets.py"
HI = "tests/faults/test_history.py"
SV = "tests/faults/test_saving.py"
FI = "tests/faults/test_files.py"

CATALOGUE: dict[str, dict[str, list[str]]] = {
    "transport": {
        "connection refused": [
            f"{CP}::test_connection_refused",
            "tests/app/test_chat.py::test_connection_refused_is_one_line_in_the_chat_and_the_app_lives_on",
        ],
        "DNS failure": [f"{T}::test_dns_failure_is_one_clear_line"],
        "TLS error": [
            f"{T}::test_tls_error_untrusted_certificate",
            f"{T}::test_tls_error_https_to_a_plain_http_server",
        ],
        "connect timeout": [f"{CP}::test_connect_timeout"],
        "accepts and never answers": [
            f"{T}::test_server_accepts_and_never_answers",
            f"{CP}::test_read_timeout_before_a_whole_reply",
        ],
        "stream stalls mid-answer (partial kept)": [
            f"{CP}::test_read_timeout_mid_stream_keeps_the_partial_answer",
            f"{UI}::test_a_stream_that_stalls_or_resets_keeps_the_partial_answer",
            "tests/app/test_chat.py::test_a_broken_stream_keeps_the_partial_answer_with_the_error",
        ],
        "connection reset mid-stream": [
            f"{CP}::test_stream_cut_before_done_keeps_the_partial_answer",
            f"{UI}::test_a_stream_that_stalls_or_resets_keeps_the_partial_answer",
            f"{CP}::test_cut_stream_still_hands_over_rows_it_was_holding",
        ],
        "no [DONE] / no finish_reason": [
            f"{CP}::test_stream_cut_before_done_keeps_the_partial_answer",
            f"{CP}::test_finish_without_done_is_complete_with_a_notice",
        ],
        "endless stream beyond max_tokens": [
            f"{T}::test_a_stream_that_never_ends_is_cut_at_the_token_allowance",
            f"{CP}::test_limits_on_a_misbehaving_server",
        ],
        "gzip bodies": [
            f"{CP}::test_gzip_reply_and_sse_pings",
            f"{T}::test_gzip_stream_is_read",
            f"{T}::test_a_body_that_claims_gzip_but_is_not",
        ],
        "redirects": [
            f"{T}::test_redirect_that_keeps_the_method_is_followed_with_the_question",
            f"{T}::test_redirect_that_would_turn_the_question_into_a_get_is_refused",
            f"{T}::test_model_list_redirect_is_followed",
            f"{T}::test_redirect_loop_is_one_line",
        ],
    },
    "http": {
        "400/401/403/404/422/429/500/502/503 with JSON, text, HTML": [
            f"{H}::test_error_status_is_one_line_with_the_server_s_words",
            f"{H}::test_an_error_status_with_a_huge_body_still_says_its_status",
            f"{CP}::test_http_status_with_the_server_s_own_message",
            "tests/app/test_chat.py::test_http_500_mid_conversation_keeps_earlier_answers",
        ],
        "429 with Retry-After": [
            f"{H}::test_429_retry_after_in_seconds_and_as_a_date",
            f"{CP}::test_http_status_with_a_plain_text_body_and_retry_after",
        ],
        "HTTP 200 with an error body": [f"{CP}::test_http_200_with_an_error_body"],
        "error event inside a 200 stream": [
            f"{CP}::test_error_event_inside_a_stream_keeps_the_partial_answer",
            f"{CP}::test_named_error_event_inside_a_stream",
        ],
        "wrong content type": [f"{CP}::test_malformed_whole_reply_and_wrong_content_type"],
        "17.18 context full on the built-in model: no 'increase the context' advice": [
            "tests/faults/test_context.py::test_ask_on_the_built_in_model_does_not_pass_on_increase_the_context",
            "tests/core/test_errors.py::test_a_full_context_on_the_built_in_model_drops_the_advice_nobody_can_follow",
            "tests/app/test_chat.py::test_a_full_context_keeps_the_question_and_ctrl_n_asks_it_again",
            "tests/app/test_chat.py::test_a_remote_servers_full_context_keeps_its_words",
        ],
        "server ignores stream: true": [
            f"{CP}::test_server_that_ignores_stream_true_is_read_as_a_whole_reply",
            "tests/app/test_chat.py::test_a_server_that_ignores_streaming_is_answered_with_a_notice",
        ],
    },
    "keep-alives and deadlines": {
        "17.10 keep-alives alone (comments, empty events, empty deltas) end at the read timeout": [
            "tests/faults/test_keepalive.py::test_keepalives_alone_do_not_defeat_the_read_timeout",
            "tests/faults/test_keepalive.py::test_ask_with_a_read_timeout_ends_a_stream_of_pings",
            "tests/core/wire/test_sse.py::test_a_read_that_completes_no_event_yields_an_idle_mark",
        ],
        "17.10 ask --deadline bounds a whole answer": [
            "tests/faults/test_keepalive.py::test_ask_deadline_bounds_an_answer_that_keeps_coming",
        ],
        "17.10 ctrl+c stops a stream of keep-alives": [
            "tests/faults/test_keepalive.py::test_ctrl_c_stops_a_stream_of_pings_in_the_chat",
        ],
    },
    "payload": {
        "malformed JSON events": [f"{CP}::test_malformed_sse_data"],
        "SSE comments and pings": [
            f"{P}::test_comments_pings_and_unknown_fields_are_ignored",
            f"{CP}::test_gzip_reply_and_sse_pings",
        ],
        "CRLF line endings": [
            f"{P}::test_crlf_and_cr_line_endings",
            f"{CP}::test_every_stream_shape_reads_the_same_over_a_socket",
        ],
        "events split across reads": [f"{P}::test_events_split_across_reads_at_every_byte"],
        "several events in one read": [f"{P}::test_several_events_in_one_read"],
        "logprobs absent/null/empty": [
            f"{P}::test_logprobs_absent_null_or_empty",
            "tests/core/wire/test_chunks.py::test_no_logprobs_in_any_form_means_no_rows",
        ],
        "NaN, ±Infinity, -9999, -3.4e38, null, probabilities": [
            f"{P}::test_odd_logprob_values_are_noted_and_never_averaged",
            "tests/core/wire/test_chunks.py::test_vllm_odd_values",
            "tests/core/store/test_roundtrip.py::test_non_finite_values_in_raw_rows_are_stored_as_null",
        ],
        "top_logprobs with 0, 1 and 200 entries": [
            f"{P}::test_top_logprobs_with_0_1_and_200_entries"
        ],
        "invalid UTF-8, lone surrogates": [
            f"{P}::test_invalid_utf8_bytes_in_the_stream_become_replacement_characters",
            f"{P}::test_odd_characters_in_tokens_are_kept_as_data",
        ],
        "zero-width, right-to-left, tabs, carriage returns": [
            f"{P}::test_odd_characters_in_tokens_are_kept_as_data",
            f"{UI}::test_a_1_mb_token_is_cut_in_the_inspector_and_the_json_pane",
        ],
        "a 1 MB single token": [
            f"{P}::test_a_1_mb_single_token",
            f"{UI}::test_a_1_mb_token_is_cut_in_the_inspector_and_the_json_pane",
        ],
        "100,000-token answers": [f"{P}::test_a_100000_token_answer"],
    },
    "terminal safety": {
        "markup, ANSI, OSC 52/0/8, bracketed paste, cursor movement (real screen)": [
            "tests/faults/test_terminal.py::test_no_server_text_acts_on_a_real_terminal",
            "tests/app/test_e2e_terminal.py::test_hostile_model_text_never_acts_on_a_real_terminal",
        ],
        "chat, inspector, JSON pane, clipboard": [
            "tests/app/test_safety.py::test_hostile_answer_is_shown_literally_and_neutralised",
        ],
        "notifications and errors": [
            "tests/app/test_safety.py::test_hostile_server_error_message_is_plain_in_chat_and_notifications",
        ],
        "titles and names": [
            "tests/app/screens/test_history.py::test_the_list_shows_every_column_literally_at_80x24",
            "tests/app/screens/test_settings.py::test_model_names_with_markup_and_escapes_show_literally_and_round_trip",
            "tests/app/screens/test_system_prompt.py::test_markup_and_escapes_in_presets_show_literally",
        ],
        "17.15 invisible characters: tags, zero-width, U+2028/2029 (marks, names, exact JSON)": [
            "tests/faults/test_invisible.py::test_invisible_characters_become_marks_one_for_one_and_emoji_stay_whole",
            "tests/faults/test_invisible.py::test_the_inspector_s_names_for_invisible_characters",
            "tests/faults/test_invisible.py::test_ask_and_readable_exports_show_marks_and_json_keeps_the_text",
            "tests/faults/test_invisible.py::test_the_chat_shows_marks_and_the_inspector_names_them",
        ],
        "exports": [
            "tests/core/test_export.py::test_json_has_everything_each_row_once",
            "tests/cli/test_compare_cli.py::test_model_text_is_made_safe_in_csv",
            "tests/cli/test_ask.py::test_escape_sequences_in_model_text_are_printed_harmlessly",
        ],
    },
    "user input": {
        "invalid CLI values: one line, non-zero exit": [
            "tests/cli/test_ask.py::test_bad_values_give_one_line_and_no_traceback",
            "tests/cli/test_chat.py::test_bad_values_are_one_line_and_exit_2",
            "tests/cli/test_chat.py::test_out_of_range_numbers_are_refused_by_the_parser",
        ],
        "unreadable model file": [
            "tests/cli/test_ask.py::test_unreadable_model_file_and_empty_message"
        ],
        "broken config TOML: message, defaults, not overwritten": [
            "tests/core/test_config.py::test_broken_toml_gives_one_line_defaults_and_is_never_overwritten",
            "tests/cli/test_configured.py::test_a_broken_file_does_not_stop_ask",
            "tests/app/test_ui_config.py::test_a_broken_file_is_said_once_and_never_overwritten",
        ],
        "broken preset TOML": [
            "tests/faults/test_input.py::test_a_broken_presets_file_is_one_line_and_left_as_it_is",
            "tests/app/screens/test_system_prompt.py::test_a_broken_presets_file_is_shown_and_never_overwritten",
        ],
        "empty messages": [
            "tests/app/test_input.py::test_blank_input_is_not_sent",
            "tests/cli/test_ask.py::test_unreadable_model_file_and_empty_message",
        ],
        "very long messages, pasting 1 MB": [
            "tests/faults/test_input.py::test_a_1_mb_question_on_stdin_is_sent_whole",
            f"{UI}::test_pasting_1_mb_keeps_what_fits_says_so_and_sends_it",
        ],
    },
    "secrets and isolation": {
        "engine on loopback only": [
            "tests/core/test_engine.py::test_engine_listens_on_loopback_only"
        ],
        "engine refuses requests without its key": [
            "tests/core/test_engine.py::test_requests_without_the_key_are_refused",
        ],
        "no key in logs and error messages": [
            "tests/cli/test_ask.py::test_the_api_key_never_appears_in_errors",
            "tests/cli/test_ask.py::test_credentials_in_the_url_are_not_shown",
            "tests/core/test_settings_errors_io.py::test_secrets_are_redacted_from_messages",
        ],
        "17.11 a key echoed in the answer (split over tokens, any prefix): text, bytes, "
        "alternatives, raw rows, live output, store, exports": [
            "tests/faults/test_secrets.py::test_a_key_echoed_in_the_answer_is_scrubbed_from_every_form",
            "tests/faults/test_secrets.py::test_the_chat_shows_an_echoed_key_scrubbed_once_the_answer_ends",
            "tests/core/test_scrub.py::test_a_key_split_over_tokens_is_taken_out_of_every_form",
            "tests/core/test_scrub.py::test_a_checkpoint_never_writes_half_a_key",
        ],
        "no key in the database and exports": [
            "tests/faults/test_secrets.py::test_a_key_echoed_by_the_server_reaches_no_output_file_or_export",
            "tests/core/store/test_roundtrip.py::test_credentials_never_reach_the_file",
            "tests/app/test_history_store.py::test_no_api_key_or_password_reaches_the_file_or_the_exports",
        ],
        "no key in crash reports": [f"{UI}::test_a_crash_report_has_no_locals_and_no_api_key"],
        "no key sent to another origin on redirect": [
            f"{T}::test_redirect_to_another_server_does_not_carry_the_api_key",
        ],
        "no key through a proxy to the engine": [
            f"{CP}::test_proxy_variables_never_apply_to_a_loopback_server",
        ],
        "17.12 a key other users cannot see in ps (--api-key-file, --api-key -)": [
            "tests/faults/test_secrets.py::test_the_api_key_can_be_given_where_other_users_cannot_see_it",
        ],
        "config file with a key is 0600": [
            "tests/core/test_config.py::test_a_file_with_a_key_is_written_owner_only",
            "tests/core/test_config.py::test_saving_over_a_world_readable_file_makes_it_owner_only",
        ],
    },
    "soak": {
        "500 sequential + 50 concurrent: memory, connections, tasks, fds": [
            "tests/faults/test_soak.py::test_soak_500_sequential_and_50_concurrent_requests",
        ],
        "stopping a stream closes its connection": [
            f"{CP}::test_cancelling_closes_the_stream",
            f"{CP}::test_stopping_early_with_aclosing_closes_the_stream",
        ],
    },
    "history and instances": {
        "17.1 a write lock at start-up: said, shown in the status line, the session moved into "
        "the file once it opens": [
            f"{SV}::test_a_write_lock_at_start_up_costs_nothing_of_the_session",
            f"{SV}::test_siblings_made_while_locked_keep_their_place_after_the_move",
        ],
        "17.2 a full disk: question, text and numbers kept, each answer named, the rest "
        "written when room returns; ask exits 4": [
            f"{SV}::test_a_full_disk_keeps_the_question_and_text_and_ask_says_so",
            f"{SV}::test_a_full_disk_in_the_chat_names_each_answer_and_saves_it_when_room_returns",
        ],
        "17.4 ask exits 3 when nothing was saved (locked, read-only, damaged, data dir a "
        "file, no home)": [
            f"{SV}::test_ask_exits_with_a_code_of_its_own_when_nothing_was_saved",
        ],
        "17.3 damage beyond the first page (found at open, left untouched, recovered)": [
            "tests/faults/test_damage.py::test_ask_and_export_on_a_damaged_file_say_so_and_never_write_into_it",
            "tests/faults/test_damage.py::test_the_chat_on_a_damaged_file_says_so_and_goes_on_in_memory",
            "tests/faults/test_damage.py::test_history_recover_copies_what_can_still_be_read",
        ],
        "17.16 a backup while the chat runs (the WAL included)": [
            f"{HI}::test_history_backup_while_the_chat_runs_has_everything",
        ],
        "17.6 a conversation is never carried on with another server": [
            f"{HI}::test_the_last_conversation_is_not_sent_to_another_server",
            f"{HI}::test_opening_another_server_s_conversation_from_the_history_starts_a_new_one",
            "tests/core/test_resume.py::test_a_conversation_is_carried_on_only_with_its_own_server",
        ],
        "17.17 --data-dir pointing at a file": [
            f"{HI}::test_a_data_dir_that_is_a_file_is_named_as_the_problem",
        ],
        "17.5 two instances save presets into one file": [
            f"{PS}::test_two_instances_saving_presets_keep_each_other_s",
        ],
        "17.5 two instances on one conversation (a lease that dies with its process)": [
            f"{HI}::test_a_conversation_open_in_one_instance_is_not_resumed_by_another",
            "tests/core/store/test_leases.py::test_a_lease_is_refused_to_another_process_and_dies_with_its_holder",
        ],
    },
    "files and exports": {
        "17.13 CSV formula injection (export and compare; --raw-cells)": [
            f"{FI}::test_csv_text_cells_a_spreadsheet_would_run_are_neutralised",
        ],
        "17.14 export -o on a link, a FIFO, a device, standard output": [
            f"{FI}::test_export_o_writes_through_links_fifos_and_standard_output_and_refuses_devices",
        ],
        "17.14 a symlinked presets.toml / config.toml stays a link": [
            f"{FI}::test_a_symlinked_presets_or_config_file_stays_a_link",
        ],
        "19 the CSV export's lean path writes the very same cells": [
            "tests/core/test_csv_cells.py::test_the_bench_conversation_gives_the_same_cells",
            "tests/core/test_csv_cells.py::test_rows_that_take_every_branch_give_the_same_cells",
            "tests/core/test_csv_cells.py::test_logprobs_are_written_as_repr_writes_them",
        ],
    },
    "process and signals": {
        "17.9 a preset saved into an unwritable config dir": [
            f"{PS}::test_a_preset_saved_into_an_unwritable_config_dir_is_kept_for_the_session",
        ],
        "17.8 terminal lost with SIGHUP ignored: save and exit": [
            f"{PR}::test_a_lost_terminal_with_sighup_ignored_saves_and_exits",
            "tests/core/test_terminal.py::test_a_terminal_is_gone_once_hung_up_and_not_before",
        ],
        "17.4 the chat exits non-zero after an unexpected error": [
            f"{PR}::test_the_chat_exits_non_zero_after_an_unexpected_error",
        ],
    },
}


def catalogued_ids() -> list[str]:
    """Every test id named in the catalogue, once each."""
    return sorted({tid for faults in CATALOGUE.values() for ids in faults.values() for tid in ids})
