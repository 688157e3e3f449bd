import pytest

from portal.certificates.facts import DEFAULT_SIGNATURE
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


def test_production_with_real_secrets_runs(tmp_path):
    signature = tmp_path / "signature.png"
    signature.write_bytes(DEFAULT_SIGNATURE.read_bytes())
    settings_check(_production(ce_administrator_signature=signature))


def test_secrets_file_and_environment(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('cookie_key = "from-the-secrets-file"\npublic_base_url = "https://a"\n')
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("PORTAL_PUBLIC_BASE_URL", "https://from-env")
    settings = Settings()
    assert settings.cookie_key == "from-the-secrets-file"
    assert settings.public_base_url == "https://from-env"


def _production(**values):
    values = {
        "env": "production",
        "cookie_key": "Zq3" * 16,
        "database_url": "postgresql://db/portal",
        "public_base_url": "https://ce.example.org",
        "ce_administrator_name": "Dana Reyes, PhD",
        "ce_administrator_title": "CE Program Director",
        "ce_administrator_signature": DEFAULT_SIGNATURE.parent / "signature-real.png",
        **values,
    }
    return _settings(**values)


def test_without_portal_env_the_portal_runs_as_production(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    settings = Settings()
    assert settings.env == "production" and not settings.is_demo
    with pytest.raises(SettingsError, match="PORTAL_COOKIE_KEY"):
        settings_check(settings)


def test_production_says_on_one_line_each_what_to_set(tmp_path):
    settings = _production(
        public_base_url="http://localhost:8501",
        ce_administrator_name="CE Administrator",
        ce_administrator_title=" ",
        ce_administrator_signature=None,
    )
    with pytest.raises(SettingsError) as error:
        settings_check(settings)
    lines = str(error.value).splitlines()
    assert len(lines) == 4
    for line, setting in zip(
        lines,
        [
            "PORTAL_PUBLIC_BASE_URL",
            "PORTAL_CE_ADMINISTRATOR_NAME",
            "PORTAL_CE_ADMINISTRATOR_TITLE",
            "PORTAL_CE_ADMINISTRATOR_SIGNATURE",
        ],
        strict=True,
    ):
        assert line.startswith(f"Set {setting}")


@pytest.mark.parametrize(
    "url", ["http://localhost:8501", "http://127.0.0.1", "https://[::1]:8501/", "0.0.0.0", ""]
)
def test_production_refuses_a_local_public_base_url(url, tmp_path):
    signature = tmp_path / "signature.png"
    signature.write_bytes(DEFAULT_SIGNATURE.read_bytes())
    with pytest.raises(SettingsError, match="PORTAL_PUBLIC_BASE_URL"):
        settings_check(_production(public_base_url=url, ce_administrator_signature=signature))


def test_production_refuses_the_demo_signature_or_a_missing_file(tmp_path):
    for path in (DEFAULT_SIGNATURE, tmp_path / "missing.png"):
        with pytest.raises(SettingsError, match="PORTAL_CE_ADMINISTRATOR_SIGNATURE"):
            settings_check(_production(ce_administrator_signature=path))
