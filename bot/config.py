"""The one settings object: read from the environment and a `.env` file, passed in."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('perfbot', appauthor=False)) / 'perfbot.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None  # with the secret: installable in many workspaces (OAuth)
    slack_client_secret: SecretStr | None = None
    slack_scopes: str = "commands,chat:write,chat:write.public,im:write,users:read,files:write,channels:read,groups:read,channels:history,groups:history,im:history,usergroups:read"
    slack_install_redirect_url: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = Field(default_factory=default_database_url)
    port: int = 3000
    web_workers: int = 1
    web_threads: int = 8  # requests handled at once per worker (slow clients never hold one)
    web_connections: int = 2000  # open connections per worker before new ones get a 503
    advisor_rules: Path | None = None
    advisor_metrics: Path | None = None  # the advisor's metric library (templates/advisor/metrics.toml by default)
    insight_rules: Path | None = None  # what insights the numbers are read for (templates/insights/rules.toml by default)
    auto_migrate: bool | None = None  # None: migrate the embedded SQLite database, never a server's
    scheduler: bool = True  # run the clock that posts digests and reminders in this process
    scheduler_interval_seconds: float = 60
    delivery_threads: int = Field(default=8, ge=1)  # digests posted at once by one process's clock
    send_lease_seconds: float = Field(default=300, gt=0)  # a send still `sending` after this was left by a process that died
    log_level: str = "INFO"
    feishu_app_id: str | None = None  # a Feishu (Lark) self-built app: with its secret and a token or key, `serve` serves Feishu too
    feishu_app_secret: SecretStr | None = None
    feishu_verification_token: SecretStr | None = None
    feishu_encrypt_key: SecretStr | None = None  # set it: events then come encrypted and signed (the signature is checked)
    feishu_api_url: str = "https://open.feishu.cn"  # https://open.larksuite.com for Lark
    source_secret_key: SecretStr | None = None  # a Fernet key: data sources' tokens and passwords are stored encrypted with it
    source_denied_networks: str = "169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128,0.0.0.0/8"  # never called
    source_timeout_seconds: float = Field(default=10, gt=0)  # a scheduled fetch or query, whole
    source_max_bytes: int = Field(default=5_000_000, gt=0)  # the largest response a source may send

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        """slack-sdk joins method names onto the base URL, so it must end with a slash."""
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _psycopg3(cls, value: str) -> str:
        """Plain `postgresql://` URLs (as hosts hand them out) use psycopg 3."""
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def migrates_itself(self) -> bool:
        return self.auto_migrate if self.auto_migrate is not None else self.database_url.startswith("sqlite")

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, so the log filter can blank them wherever they appear."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.slack_client_secret, self.source_secret_key,
                  self.feishu_app_secret, self.feishu_verification_token, self.feishu_encrypt_key)
        return tuple(v.get_secret_value() for v in values if v is not None and v.get_secret_value())

    @property
    def oauth(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def has_feishu(self) -> bool:
        return bool(self.feishu_app_id and self.feishu_app_secret and (self.feishu_verification_token or self.feishu_encrypt_key))

    @property
    def has_slack(self) -> bool:
        single = self.slack_bot_token is not None and (self.slack_signing_secret is not None or self.slack_app_token is not None)
        return single or (self.oauth and self.slack_signing_secret is not None)
