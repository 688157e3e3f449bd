import pytest

from portal.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, settings_check


def _settings(**values):
    return Settings(_env_file=None, **values)


def test_demo_mode_runs_on_the_embedded_sqlite_database():
    settings = _settings(env="demo", database_url="", cookie_key="")
    settings_check(settings)
    assert settings.resolved_database_url() == DEFAULT_DATABASE_URL
    assert settings.resolved_cookie_key()


@pytest.mark.parametrize(
    "key", ["", "some_key", "CHANGE-ME-to-a-random-secret", "short-but-random"]
)
def test_production_refuses_a_missing_or_placeholder_cookie_key(key):
    settings = _settings(env="production", cookie_key=key, database_url="postgresql://db/portal")
    with pytest.raises(SettingsError, match="PORTAL_COOKIE_KEY"):
        settings_check(settings)


def test_production_refuses_a_missing_database_url():
    settings = _settings(env="production", cookie_key="x9" * 24, database_url="")
    with pytest.raises(SettingsError, match="PORTAL_DATABASE_URL"):
        settings_check(settings)


def test_production_with_real_secrets_runs():
    settings_check(
        _settings(env="production", cookie_key="Zq3" * 16, database_url="postgresql://db/portal")
    )


def test_secrets_file_and_environment(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('cookie_key = "from-the-secrets-file"\npublic_base_url = "https://a"\n')
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("PORTAL_PUBLIC_BASE_URL", "https://from-env")
    settings = Settings()
    assert settings.cookie_key == "from-the-secrets-file"
    assert settings.public_base_url == "https://from-env"
