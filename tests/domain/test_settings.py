"""Secrets only from the environment: production refuses to start with the development defaults that
anyone can read in this repository, and says which variables to set without repeating any value."""

from __future__ import annotations

import base64

import asyncpg
import pytest
from pydantic import ValidationError

import database.startup
from database.startup import prepare_database
from domain.settings import DEVELOPMENT_PAYLOAD_KEYS, Settings
from tests.production import PRODUCTION_SECRETS, production_settings

SECRET_VARIABLES = ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "ESS_PSEUDONYM_KEY", "ESS_PAYLOAD_KEYS"]


@pytest.fixture(autouse=True)
def no_secrets_in_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a test leaves unset must fall back to the default, whatever the machine's environment holds."""
    for variable in [*SECRET_VARIABLES, "ESS_ENV", "ESS_DEMO_PASSWORD"]:
        monkeypatch.delenv(variable, raising=False)


def refusal(**values: str) -> str:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)
    return str(refused.value)


def named_variables(message: str) -> set[str]:
    return {variable for variable in SECRET_VARIABLES if variable in message}


def test_development_runs_on_the_development_defaults() -> None:
    settings = Settings()
    assert settings.is_development and settings.payload_keys == DEVELOPMENT_PAYLOAD_KEYS


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
    for variable, value in PRODUCTION_SECRETS.items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert not settings.is_development
    assert settings.line_channel_secret == PRODUCTION_SECRETS["LINE_CHANNEL_SECRET"]
    assert base64.b64decode(settings.payload_keys.partition(":")[2]) == bytes(range(32))


async def test_the_demo_password_does_not_matter_in_production_which_creates_no_demo_accounts(
        pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    passwords: list[str] = []

    async def demo_accounts(connection: asyncpg.Connection, password: str) -> None:
        passwords.append(password)

    monkeypatch.setattr(database.startup, "ensure_demo_accounts", demo_accounts)
    await prepare_database(pool, production_settings())  # ESS_DEMO_PASSWORD left at its development value
    assert passwords == []
    await prepare_database(pool, Settings())
    assert passwords == [Settings().demo_password]  # development has them
