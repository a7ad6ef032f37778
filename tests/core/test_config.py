"""config.toml: defaults, round trip, broken files kept intact, field messages, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui.core.config import (
    AppConfig,
    ConnectionConfig,
    UIConfig,
    config_path,
    load_config,
    save_config,
    save_ui_settings,
)
from tui.core.errors import ConfigError, one_line
from tui.core.settings import Sampling

SECRET = "sk-config-secret-0123456789"


def write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_lives_in_the_overridden_config_dir(isolated_home):
    assert config_path() == isolated_home / "config" / "config.toml"


def test_no_file_means_defaults_and_no_problem():
    config = load_config()
    assert config.problem is None
    assert config.writable
    assert config.connection == ConnectionConfig()
    assert config.sampling == Sampling()
    assert config.ui == UIConfig(theme=None, heatmap=False, low_prob_threshold=0.1)
    assert config.keys == {}


def test_full_file_round_trip_keeps_every_value():
    config = AppConfig(
        connection=ConnectionConfig("http://gpu:8000/v1", SECRET, "gpt-oss-20b"),
        sampling=Sampling(temperature=0.2, top_logprobs=20, max_tokens=64, seed=7),
        ui=UIConfig(theme="nord", heatmap=True, low_prob_threshold=0.25),
        keys={"app.send": "ctrl+j", "app.heatmap": "f5,h"},
    )
    saved = save_config(config)
    assert saved == replace_path(config, saved.path)
    assert load_config() == saved
    assert load_config().problem is None


def replace_path(config: AppConfig, path: Path | None) -> AppConfig:
    from dataclasses import replace

    return replace(config, path=path)


def test_a_file_with_a_key_is_written_owner_only():
    save_config(AppConfig(connection=ConnectionConfig("http://h:1", SECRET)))
    mode = stat.S_IMODE(config_path().stat().st_mode)
    assert mode == 0o600
    save_ui_settings(theme="nord")
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600


def test_saving_over_a_world_readable_file_makes_it_owner_only():
    path = write('[ui]\ntheme = "nord"\n')
    path.chmod(0o644)
    save_ui_settings(heatmap=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config().ui == UIConfig(theme="nord", heatmap=True)


def test_japanese_values_survive_a_save():
    save_config(AppConfig(connection=ConnectionConfig(model="日本語モデル")))
    assert load_config().connection.model == "日本語モデル"


def test_broken_toml_gives_one_line_defaults_and_is_never_overwritten():
    text = '[sampling]\ntemperature = 0.3\n[ui\ntheme = "nord"\n'
    path = write(text)
    before = path.read_bytes()
    config = load_config()
    assert config.problem is not None
    assert "\n" not in config.problem
    assert "not valid TOML" in config.problem and str(path) in config.problem
    assert config.sampling == Sampling()  # defaults, not a half-read file
    assert not config.writable
    with pytest.raises(ConfigError, match="not saving settings"):
        save_ui_settings(theme="dracula")
    with pytest.raises(ConfigError, match="not saving settings"):
        save_config(AppConfig(ui=UIConfig(theme="dracula")))
    assert path.read_bytes() == before


def test_an_unreadable_file_is_a_problem_not_a_crash():
    path = write("")
    path.write_bytes(b'[ui]\ntheme = "\xff\xfe"\n')
    config = load_config()
    assert config.problem and "cannot read" in config.problem
    assert config.ui == UIConfig()
    assert not config.writable


@pytest.mark.parametrize(
    ("text", "field_name"),
    [
        ("[sampling]\ntemperature = 5\n", "temperature"),
        ('[sampling]\ntemperature = "hot"\n', "temperature"),
        ("[sampling]\ntop_logprobs = -1\n", "top_logprobs"),
        ("[sampling]\ntop_logprobs = 21\n", "top_logprobs"),
        ("[sampling]\ntop_logprobs = 2.5\n", "top_logprobs"),
        ("[sampling]\nmax_tokens = 0\n", "max_tokens"),
        ("[sampling]\nmax_tokens = true\n", "max_tokens"),
        ('[sampling]\nseed = "42"\n', "seed"),
        ('[ui]\nheatmap = "yes"\n', "heatmap"),
        ("[ui]\nlow_prob_threshold = 1.5\n", "low_prob_threshold"),
        ("[ui]\ntheme = 3\n", "theme"),
        ("[connection]\nmodel = 3\n", "model"),
        ('[connection]\nbase_url = "ftp://x"\n', "base_url"),
        ('[keys]\n"app.send" = 3\n', "app.send"),
        ("sampling = 3\n", "[sampling]"),
    ],
)
def test_a_bad_value_names_its_field_and_falls_back_alone(text, field_name):
    # A good value beside the bad one is kept: one typo costs only itself.
    good = '\n[connection]\nmodel = "kept-model"\n' if "[connection]" not in text else ""
    write(text + good)
    config = load_config()
    assert config.problem is not None and field_name in config.problem
    assert "\n" not in config.problem
    assert not config.writable
    assert config.sampling == Sampling()
    assert config.ui == UIConfig()
    if good:
        assert config.connection.model == "kept-model"


def test_temperature_5_message_is_the_shared_one():
    write("[sampling]\ntemperature = 5\ntop_logprobs = 3\n")
    config = load_config()
    assert "[sampling] temperature must be from 0 to 2, not 5" in (config.problem or "")
    assert config.sampling.temperature == 0.7
    assert config.sampling.top_logprobs == 3


def test_an_integer_temperature_is_accepted_as_a_float():
    write("[sampling]\ntemperature = 1\n")
    config = load_config()
    assert config.problem is None
    assert config.sampling.temperature == 1.0 and isinstance(config.sampling.temperature, float)


def test_unknown_keys_are_reported_but_kept_on_save():
    path = write('[ui]\nthem = "nord"\n\n[plugins]\nx = 1\n')
    config = load_config()
    assert config.problem and "[ui] them" in config.problem and "[plugins]" in config.problem
    assert config.writable  # a note, not a broken file
    save_ui_settings(heatmap=True)
    text = path.read_text(encoding="utf-8")
    assert 'them = "nord"' in text and "[plugins]" in text and "heatmap = true" in text


def test_save_ui_settings_changes_only_what_it_is_given():
    save_config(
        AppConfig(
            connection=ConnectionConfig("http://h:1/v1", SECRET, "m"),
            sampling=Sampling(temperature=0.1),
            keys={"app.send": "ctrl+j"},
        )
    )
    saved = save_ui_settings(theme="gruvbox", heatmap=True)
    assert saved.ui == UIConfig(theme="gruvbox", heatmap=True)
    assert saved.connection.api_key == SECRET
    assert saved.sampling.temperature == 0.1
    assert saved.keys == {"app.send": "ctrl+j"}
    assert save_ui_settings(theme=None).ui.theme is None
    assert load_config().ui.heatmap is True


def test_save_ui_settings_refuses_bad_values():
    with pytest.raises(ConfigError, match="low_prob_threshold"):
        save_ui_settings(low_prob_threshold=0)
    with pytest.raises(ConfigError, match="heatmap"):
        save_ui_settings(heatmap="on")  # type: ignore[arg-type]
    assert not config_path().exists()


def test_the_api_key_never_appears_in_messages_or_repr():
    # Wrong types around the key, a readable-by-others file and a bad URL: every message
    # the loader can give about the connection section, none with the key in it.
    path = write(f'[connection]\napi_key = "{SECRET}"\nbase_url = "ftp://{SECRET}@x"\n')
    path.chmod(0o644)
    config = load_config()
    assert config.problem is not None
    assert "readable by others" in config.problem
    assert SECRET not in config.problem
    assert SECRET not in repr(config) and SECRET not in repr(config.connection)
    assert "***" in repr(config.connection)
    assert config.connection.shown_api_key == "***"
    assert ConnectionConfig().shown_api_key == ""
    # Once loaded, the key is scrubbed from any error text built later.
    assert SECRET not in one_line(f"401 for key {SECRET}")


def test_a_key_of_the_wrong_type_is_not_quoted():
    write("[connection]\napi_key = 1234567890123\n")
    config = load_config()
    assert config.problem and "api_key must be non-empty text" in config.problem
    assert "1234567890123" not in config.problem


def test_broken_toml_message_does_not_quote_the_key():
    write(f'[connection]\napi_key = "{SECRET}" oops\n')
    config = load_config()
    assert config.problem and "not valid TOML" in config.problem
    assert SECRET not in config.problem
