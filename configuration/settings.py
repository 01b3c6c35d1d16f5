"""Settings from the environment, with the names the deployment contract promises."""

from __future__ import annotations

import base64
import binascii
import importlib.metadata
import ipaddress
import tomllib
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.models import DEFAULT_FOLLOW_UP_AFTER_CLOSE, DEFAULT_PHONE_WAIT

LINE_DEFAULT_API_BASE_URL = "https://api.line.me"
DEVELOPMENT_CHANNEL_SECRET = "development-channel-secret"
DEVELOPMENT_ACCESS_TOKEN = "development-access-token"
# 32 zero bytes: for development and tests only; production must set its own keys.
DEVELOPMENT_PAYLOAD_KEYS = "development:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
DEVELOPMENT_PAYLOAD_KEY = bytes(32)
DEVELOPMENT_PSEUDONYM_KEY = "development-only-pseudonym-key"
# LINE Login's channel (officers and team members sign in to the back office with LINE): a channel
# id is ten digits; these two are for development and tests only.
DEVELOPMENT_LOGIN_CHANNEL_ID = "1000000001"
DEVELOPMENT_LOGIN_CHANNEL_SECRET = "development-line-login-channel-secret"
# Where LINE's own phones sign in (LINE Login's authorization endpoint lives there).
LINE_DEFAULT_LOGIN_URL = "https://access.line.me"
# What production takes as a secret: no shorter than the real ones. LINE's channel secrets are 32
# hex digits; its channel access tokens 172 characters (long-lived) or longer (JWT-issued, v2.1).
MIN_CHANNEL_SECRET_LENGTH = 32
MIN_ACCESS_TOKEN_LENGTH = 100
MIN_PSEUDONYM_KEY_BYTES = 32
MIN_METRICS_TOKEN_LENGTH = 32
PROJECT_NAME = "ess-help-me"
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@cache
def release_version() -> str:
    """This code's release: pyproject.toml's version in a source tree, else the installed package's
    (the Docker image installs the project's metadata but holds no pyproject.toml)."""
    if PYPROJECT.is_file():
        return str(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])
    return importlib.metadata.version(PROJECT_NAME)


class Settings(BaseSettings):
    # hide_input_in_errors: a validation error must never print the secrets it was given.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True,
                                      hide_input_in_errors=True)

    environment: Literal["development", "production"] = Field("development", alias="ESS_ENV")
    data_dir: Path = Field(Path(".data"), alias="ESS_DATA_DIR")

    line_channel_secret: str = Field(DEVELOPMENT_CHANNEL_SECRET, alias="LINE_CHANNEL_SECRET")
    line_channel_access_token: str = Field(DEVELOPMENT_ACCESS_TOKEN, alias="LINE_CHANNEL_ACCESS_TOKEN")
    line_api_base_url: str = Field(LINE_DEFAULT_API_BASE_URL, alias="LINE_API_BASE_URL")
    # LINE says a reply token is good for about a minute; leave a margin for the trip.
    line_reply_token_lifetime: timedelta = Field(timedelta(seconds=45), alias="ESS_LINE_REPLY_TOKEN_LIFETIME")
    # How long a message that must arrive (a reporter's case number, officers' alerts and what they
    # must hear of a case) keeps being retried through a LINE outage before it is recorded as
    # undelivered; counted from its first attempt. Routine replies give up after minutes.
    # At most a day: the activity's schedule-to-close (orchestration/options.py) is the hard ceiling.
    line_delivery_hours: float = Field(6.0, gt=0, le=24, alias="ESS_LINE_DELIVERY_HOURS")
    # LINE Login (a channel of its own in the LINE Developers console): officers and team members sign
    # in to the back office with the LINE account they linked. Its token and verify endpoints are on
    # LINE_API_BASE_URL, as LINE's are on api.line.me; people's browsers are sent to sign in at
    # LINE_LOGIN_URL, empty: LINE's own (access.line.me), or the fake LINE platform when
    # LINE_API_BASE_URL points at one (the simulator serves both).
    line_login_channel_id: str = Field(DEVELOPMENT_LOGIN_CHANNEL_ID, alias="LINE_LOGIN_CHANNEL_ID")
    line_login_channel_secret: str = Field(DEVELOPMENT_LOGIN_CHANNEL_SECRET, alias="LINE_LOGIN_CHANNEL_SECRET")
    line_login_url: str = Field("", alias="LINE_LOGIN_URL")

    # Unset means the embedded PostgreSQL under data_dir (development only).
    database_url: str | None = Field(None, alias="DATABASE_URL")

    temporal_address: str = Field("localhost:7233", alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field("default", alias="TEMPORAL_NAMESPACE")
    temporal_task_queue: str = Field("ess-help-me", alias="TEMPORAL_TASK_QUEUE")
    temporal_ui_url: str = Field("http://localhost:8233", alias="ESS_TEMPORAL_UI_URL")
    # The address people open this application at, e.g. "https://ess.example.org": links in team
    # members' LINE messages start with it. LINE accepts http links too; production wants https.
    public_url: str = Field("http://localhost:8000", alias="ESS_PUBLIC_URL")

    # Keyed hash that turns a LINE user id into the reporter key used in workflow ids.
    pseudonym_key: str = Field(DEVELOPMENT_PSEUDONYM_KEY, alias="ESS_PSEUDONYM_KEY")

    # Password of the demonstration back-office accounts (development only: production creates none,
    # see database.startup, so it needs no value there).
    demo_password: str = Field("ess-demo-2569", alias="ESS_DEMO_PASSWORD")
    # How often the back office's case list looks for new cases.
    case_list_refresh: timedelta = Field(timedelta(seconds=5), alias="ESS_CASE_LIST_REFRESH")

    # Map tiles under the incident map's markers, e.g. "https://tile.example.org/{z}/{x}/{y}.png";
    # empty: markers on a plain background (nothing to fetch, works offline).
    map_tile_url: str = Field("", alias="ESS_MAP_TILE_URL")
    map_tile_attribution: str = Field("", alias="ESS_MAP_TILE_ATTRIBUTION")

    # The conversation's patience, per step: one gentle reminder, then give up
    # (a case is still opened if the location is known).
    intake_reminder_after: timedelta = Field(timedelta(minutes=3), alias="ESS_INTAKE_REMINDER_AFTER")
    intake_give_up_after: timedelta = Field(timedelta(minutes=10), alias="ESS_INTAKE_GIVE_UP_AFTER")
    # The phone step's own, shorter patience: once the place is confirmed, help is sent this soon
    # with or without a number (a reminder comes halfway).
    intake_phone_wait: timedelta = Field(DEFAULT_PHONE_WAIT, gt=timedelta(0), alias="ESS_INTAKE_PHONE_WAIT")
    # How long a conversation with nothing in progress stays open for more messages.
    intake_idle_after: timedelta = Field(timedelta(minutes=2), alias="ESS_INTAKE_IDLE_AFTER")
    # For this long after a case ended, what its reporter sends goes to the case's officers as a
    # follow-up, and a new report offers "same as last time" (type, place and phone in one tap).
    follow_up_after_close: timedelta = Field(DEFAULT_FOLLOW_UP_AFTER_CLOSE, gt=timedelta(0),
                                             alias="ESS_FOLLOW_UP_AFTER_CLOSE")

    # Payload encryption in Temporal (AES-GCM): "key-id:base64 key" pairs, comma-separated; the first
    # encrypts, every one decrypts (rotate by putting a new key first). The development key is public.
    payload_keys: str = Field(DEVELOPMENT_PAYLOAD_KEYS, alias="ESS_PAYLOAD_KEYS")
    # Origins allowed to call the codec endpoint from a browser (the Temporal UI), comma-separated;
    # empty means the Temporal UI's own origin (ESS_TEMPORAL_UI_URL).
    codec_cors_origins: str = Field("", alias="ESS_CODEC_CORS_ORIGINS")

    # PDPA: personal data of cases closed this many days ago is anonymised (the statistics stay).
    retention_days: int = Field(365, ge=1, alias="ESS_RETENTION_DAYS")

    # The worker's Temporal SDK metrics for Prometheus, on this port (0: none).
    worker_metrics_port: int = Field(9464, ge=0, le=65535, alias="ESS_WORKER_METRICS_PORT")

    # Worker Deployment Versioning: the worker polls as version `build_id` of the Worker Deployment
    # `worker_deployment`; long-lived workflows move to the newest version (auto-upgrade), the nightly
    # retention run stays on the version it started on (pinned). Unset: on in production, off in
    # development (`make run` turns it on; the time-skipping test server has no deployments).
    worker_versioning: bool = Field(False, alias="ESS_WORKER_VERSIONING")
    worker_deployment: str = Field(PROJECT_NAME, min_length=1, alias="ESS_WORKER_DEPLOYMENT")
    # Defaults to the release (pyproject.toml's version): a release's workers share one build id.
    build_id: str = Field(default_factory=release_version, alias="ESS_BUILD_ID")
    # A worker makes its version the deployment's current one once it polls, when there is none or
    # the current one is an older release (never a newer one). Off: an operator promotes by hand
    # (`temporal worker deployment set-current-version`).
    worker_promotes: bool = Field(True, alias="ESS_WORKER_PROMOTES")

    # The reverse proxy whose X-Forwarded-For / X-Forwarded-Proto the API believes: addresses or
    # networks, comma-separated (e.g. "172.28.0.1" or "10.0.0.0/8"); empty: none. Anyone else who
    # writes those headers is the address they connect from, for the sign-in throttle and the audit log.
    trusted_proxies: str = Field("127.0.0.1", alias="ESS_TRUSTED_PROXIES")
    # Failed sign-ins across the whole service per minute; beyond it everyone waits for the minute to
    # pass. Guessing from many addresses at once is slowed too (each address has its own throttle).
    sign_in_failures_per_minute: int = Field(60, ge=1, alias="ESS_SIGN_IN_FAILURES_PER_MINUTE")
    # The bearer token Prometheus sends to the API's GET /metrics (at least 32 characters in
    # production). Empty: /metrics is open in development, and not served in production.
    metrics_token: str = Field("", alias="ESS_METRICS_TOKEN")
    # The API's documentation (/docs, /openapi.json) in production; development always has it.
    api_docs: bool = Field(False, alias="ESS_API_DOCS")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses_or_networks(cls, value: str) -> str:
        """Each entry an IP address or network: a name or "*" would trust more than the proxy."""
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"ESS_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return value

    @field_validator("build_id", mode="before")
    @classmethod
    def _build_id_defaults_to_the_release(cls, value: object) -> object:
        """Empty (docker-compose passes ESS_BUILD_ID through even when .env has none): the release."""
        return release_version() if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_versions_its_workers(self) -> Settings:
        """Production's workers are versioned unless ESS_WORKER_VERSIONING says otherwise."""
        if self.environment == "production" and "worker_versioning" not in self.model_fields_set:
            self.worker_versioning = True
        return self

    @model_validator(mode="after")
    def _production_has_its_own_secrets(self) -> Settings:
        """Production refuses to start with a secret everyone can read in this repository, a secret too
        short to be a real one, or a public address people's phones cannot open safely. The refusal
        names the variables, never their values."""
        if self.environment != "production":
            return self
        public = [
            name for name, value, development_value in (
                ("line_channel_secret", self.line_channel_secret, DEVELOPMENT_CHANNEL_SECRET),
                ("line_channel_access_token", self.line_channel_access_token, DEVELOPMENT_ACCESS_TOKEN),
                ("line_login_channel_id", self.line_login_channel_id, DEVELOPMENT_LOGIN_CHANNEL_ID),
                ("line_login_channel_secret", self.line_login_channel_secret, DEVELOPMENT_LOGIN_CHANNEL_SECRET),
                ("pseudonym_key", self.pseudonym_key, DEVELOPMENT_PSEUDONYM_KEY),
            ) if not value.strip() or value == development_value
        ]
        if not self.payload_keys.strip() or _uses_development_payload_key(self.payload_keys):
            public.append("payload_keys")
        short = [
            f"{self._variable(name)} (at least {minimum} {unit})"
            for name, length, minimum, unit in (
                ("line_channel_secret", len(self.line_channel_secret), MIN_CHANNEL_SECRET_LENGTH, "characters"),
                ("line_channel_access_token", len(self.line_channel_access_token), MIN_ACCESS_TOKEN_LENGTH,
                 "characters"),
                ("line_login_channel_secret", len(self.line_login_channel_secret), MIN_CHANNEL_SECRET_LENGTH,
                 "characters"),
                ("pseudonym_key", len(self.pseudonym_key.encode("utf-8")), MIN_PSEUDONYM_KEY_BYTES, "bytes"),
                ("metrics_token", len(self.metrics_token) or MIN_METRICS_TOKEN_LENGTH, MIN_METRICS_TOKEN_LENGTH,
                 "characters"),  # empty: no metrics, nothing to guess
            ) if name not in public and length < minimum
        ]
        problems = []
        if public:
            problems.append("these are empty or at their public development values: "
                            + ", ".join(self._variable(name) for name in public))
        if short:
            problems.append("these are too short to be real ones: " + ", ".join(short))
        if not _is_https_address_of_a_real_host(self.public_url):
            problems.append(f"{self._variable('public_url')} must be an https address that is not this machine "
                            "(not localhost, 127.x.x.x or ::1): team members open its links on their phones")
        if problems:
            raise ValueError(
                f"ESS_ENV=production needs its own strong secrets and public address; {'; '.join(problems)}. "
                "Set them in the environment (see the README's settings table)."
            )
        return self

    @classmethod
    def _variable(cls, field_name: str) -> str:
        return cls.model_fields[field_name].alias or field_name

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _entries(self.trusted_proxies)

    @property
    def serves_api_docs(self) -> bool:
        return self.is_development or self.api_docs

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def uses_line_itself(self) -> bool:
        return self.line_api_base_url.rstrip("/") == LINE_DEFAULT_API_BASE_URL

    @property
    def line_login_authorize_url(self) -> str:
        """Where a browser is sent to sign in with LINE."""
        base = self.line_login_url.strip() or (
            LINE_DEFAULT_LOGIN_URL if self.uses_line_itself else self.line_api_base_url)
        return base.rstrip("/") + "/oauth2/v2.1/authorize"

    @property
    def line_login_token_url(self) -> str:
        return self.line_api_base_url.rstrip("/") + "/oauth2/v2.1/token"


def _entries(setting: str) -> list[str]:
    """The entries of a comma-separated setting, without blanks."""
    return [entry.strip() for entry in setting.split(",") if entry.strip()]


def _uses_development_payload_key(setting: str) -> bool:
    """Whether any "key-id:base64 key" entry holds the development key, whatever its id.
    (Entries are checked properly by the payload codec; here only the public key is looked for.)"""
    for entry in setting.split(","):
        encoded = entry.partition(":")[2].strip()
        try:
            if base64.b64decode(encoded, validate=True) == DEVELOPMENT_PAYLOAD_KEY:
                return True
        except (binascii.Error, ValueError):
            continue
    return False


def _is_https_address_of_a_real_host(url: str) -> bool:
    """https, with a host that is not this machine (a loopback or unspecified address, or localhost)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name
    return not (address.is_loopback or address.is_unspecified)


@cache
def get_settings() -> Settings:
    return Settings()
