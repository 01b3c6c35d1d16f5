"""Secrets only from the environment: production refuses to start with the development defaults that
anyone can read in this repository, with secrets too short to be real ones, or with a public address
that is not https or names this machine; it says which variables to set without repeating any value."""

from __future__ import annotations

import base64

import asyncpg
import pytest
from pydantic import ValidationError

from configuration.settings import DEVELOPMENT_PAYLOAD_KEYS, Settings
from devstack.postgres import migrate_and_load_reference_data
from tests.production import PRODUCTION_ENVIRONMENT, PRODUCTION_SECRETS, NewDatabase, production_settings

SECRET_VARIABLES = ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "ESS_PSEUDONYM_KEY", "ESS_PAYLOAD_KEYS",
                    "LINE_LOGIN_CHANNEL_ID", "LINE_LOGIN_CHANNEL_SECRET"]
CHECKED_VARIABLES = [*SECRET_VARIABLES, "ESS_PUBLIC_URL", "ESS_METRICS_TOKEN"]


@pytest.fixture(autouse=True)
def no_secrets_in_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a test leaves unset must fall back to the default, whatever the machine's environment holds."""
    for variable in [*CHECKED_VARIABLES, "ESS_ENV", "ESS_DEMO_PASSWORD", "ESS_API_DOCS", "LINE_API_BASE_URL",
                     "LINE_LOGIN_URL"]:
        monkeypatch.delenv(variable, raising=False)


def refusal(**values: str) -> str:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)
    return str(refused.value)


def named_variables(message: str, among: list[str] = SECRET_VARIABLES) -> set[str]:
    return {variable for variable in among if variable in message}


def test_development_runs_on_the_development_defaults() -> None:
    settings = Settings()
    assert settings.is_development and settings.payload_keys == DEVELOPMENT_PAYLOAD_KEYS


def test_line_login_sends_browsers_to_line_itself_or_to_the_fake_platform_that_plays_line() -> None:
    assert Settings().line_login_authorize_url == "https://access.line.me/oauth2/v2.1/authorize"
    assert Settings().line_login_token_url == "https://api.line.me/oauth2/v2.1/token"
    fake = Settings(LINE_API_BASE_URL="http://127.0.0.1:8000/dev/line-api/")
    assert fake.line_login_authorize_url == "http://127.0.0.1:8000/dev/line-api/oauth2/v2.1/authorize"
    assert fake.line_login_token_url == "http://127.0.0.1:8000/dev/line-api/oauth2/v2.1/token"
    told = Settings(LINE_API_BASE_URL="http://fake.test", LINE_LOGIN_URL="https://login.example.org")
    assert told.line_login_authorize_url == "https://login.example.org/oauth2/v2.1/authorize"


def test_production_with_no_secrets_set_refuses_to_start_and_names_every_one() -> None:
    message = refusal(ESS_ENV="production")
    assert "production" in message
    assert named_variables(message) == set(SECRET_VARIABLES)


@pytest.mark.parametrize("left_at_default", SECRET_VARIABLES)
def test_production_refuses_each_development_default_on_its_own(left_at_default: str) -> None:
    own = {name: value for name, value in PRODUCTION_SECRETS.items() if name != left_at_default}
    assert named_variables(refusal(ESS_ENV="production", **own)) == {left_at_default}


@pytest.mark.parametrize("variable", SECRET_VARIABLES)
def test_production_refuses_an_empty_secret(variable: str) -> None:
    message = refusal(**({"ESS_ENV": "production"} | PRODUCTION_SECRETS | {variable: "  "}))
    assert named_variables(message) == {variable}


@pytest.mark.parametrize("payload_keys", [
    "renamed:" + DEVELOPMENT_PAYLOAD_KEYS.partition(":")[2],  # the public key under another id
    PRODUCTION_SECRETS["ESS_PAYLOAD_KEYS"] + "," + DEVELOPMENT_PAYLOAD_KEYS,  # kept for decrypting
])
def test_production_refuses_the_development_payload_key_anywhere_in_the_list(payload_keys: str) -> None:
    message = refusal(**({"ESS_ENV": "production"} | PRODUCTION_SECRETS | {"ESS_PAYLOAD_KEYS": payload_keys}))
    assert named_variables(message) == {"ESS_PAYLOAD_KEYS"}


def test_the_refusal_never_repeats_a_value_it_was_given() -> None:
    given = PRODUCTION_SECRETS | {"ESS_PSEUDONYM_KEY": "development-only-pseudonym-key"}
    message = refusal(ESS_ENV="production", **given)
    assert named_variables(message) == {"ESS_PSEUDONYM_KEY"}
    for value in [*given.values(), given["ESS_PAYLOAD_KEYS"].partition(":")[2]]:
        assert value not in message


def test_production_starts_with_its_own_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_ENV", "production")
    for variable, value in PRODUCTION_ENVIRONMENT.items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert not settings.is_development
    assert settings.line_channel_secret == PRODUCTION_SECRETS["LINE_CHANNEL_SECRET"]
    assert base64.b64decode(settings.payload_keys.partition(":")[2]) == bytes(range(32))


@pytest.mark.parametrize(("variable", "weak"), [
    ("LINE_CHANNEL_SECRET", "s3cr3t"),
    ("LINE_CHANNEL_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1f"),  # one hex digit short of LINE's 32
    ("LINE_CHANNEL_ACCESS_TOKEN", "t0k3n"),
    ("LINE_CHANNEL_ACCESS_TOKEN", "an-access-token-of-the-province"),
    ("ESS_PSEUDONYM_KEY", "k3y"),
    ("ESS_PSEUDONYM_KEY", "a-pseudonym-key-31-bytes-long!!"),
    ("ESS_PSEUDONYM_KEY", "กุญแจ" + "x" * 16),  # 21 characters, but 31 bytes: bytes are what count
    ("ESS_METRICS_TOKEN", "scrape"),
])
def test_production_refuses_a_secret_too_short_to_be_a_real_one(variable: str, weak: str) -> None:
    message = refusal(**({"ESS_ENV": "production"} | PRODUCTION_ENVIRONMENT | {variable: weak}))
    assert named_variables(message, CHECKED_VARIABLES) == {variable}
    assert weak not in message


def test_production_takes_secrets_shaped_like_line_gives_them() -> None:
    settings = production_settings(ESS_METRICS_TOKEN="0123456789abcdef" * 2, ESS_PSEUDONYM_KEY="กุญแจ" + "x" * 17)
    assert len(settings.line_channel_secret) == 32 and len(settings.line_channel_access_token) == 172


@pytest.mark.parametrize("public_url", [
    "http://localhost:8000",  # the development default
    "http://ess.example.org",  # LINE opens it, but in the clear
    "https://localhost",
    "https://LocalHost:8443",
    "https://ess.localhost",
    "https://127.0.0.1",
    "https://127.8.9.10:8443",
    "https://[::1]:8443",
    "https://0.0.0.0",
    "https:///office",
    "ess.example.org",
])
def test_production_refuses_a_public_url_people_cannot_open_safely(public_url: str) -> None:
    message = refusal(**({"ESS_ENV": "production"} | PRODUCTION_ENVIRONMENT | {"ESS_PUBLIC_URL": public_url}))
    assert named_variables(message, CHECKED_VARIABLES) == {"ESS_PUBLIC_URL"}
    assert public_url not in message


@pytest.mark.parametrize("public_url", [
    "https://ess.example.org", "https://ess.example.org:8443/help", "https://203.0.113.5",
])
def test_production_takes_an_https_public_url_of_a_real_host(public_url: str) -> None:
    assert production_settings(ESS_PUBLIC_URL=public_url).public_url == public_url


def test_development_takes_short_secrets_and_localhost() -> None:
    settings = Settings(LINE_CHANNEL_SECRET="s", ESS_PSEUDONYM_KEY="k", ESS_PUBLIC_URL="http://127.0.0.1:8000",
                        ESS_METRICS_TOKEN="m")
    assert settings.is_development


async def test_the_demo_password_does_not_matter_in_production_which_creates_no_demo_accounts(
        new_database: NewDatabase) -> None:
    # A database of its own (other tests add demo rows to the shared production one on purpose),
    # prepared by production with ESS_DEMO_PASSWORD left at its development value.
    url = await new_database()
    await migrate_and_load_reference_data(url, production_settings())
    connection = await asyncpg.connect(url)
    try:
        for table in ("accounts", "officers", "team_members", "stations"):
            assert await connection.fetchval(f"SELECT count(*) FROM {table} WHERE is_demo") == 0, table
    finally:
        await connection.close()
