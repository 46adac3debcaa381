"""What every use case may need besides its unit of work, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.connectors.fetch import Limits
from bot.connectors.guard import DEFAULT_DENIED, denied_networks
from bot.connectors.secrets import SecretBox
from bot.domain.advisor_rules import RuleTable, load_rules
from bot.domain.insights import InsightRule, load_insight_rules, message_keys as insight_keys
from bot.domain.metric_library import MetricLibrary, load_library
from bot.domain.advisor_rules import RuleFileError
from bot.render.catalog import Catalog
from bot.resources import templates_dir
from bot.store.database import make_engine
from bot.store.schema import ensure_current


@dataclass(frozen=True)
class Runtime:
    engine: Engine
    rules: RuleTable  # the advisor's rule table, checked at start
    catalog: Catalog  # names things the bot creates (a starter kit's KPIs) in the asker's language
    metrics: MetricLibrary = field(default_factory=load_library)  # the advisor's metric library, checked at start
    insights: tuple[InsightRule, ...] = field(default_factory=load_insight_rules)  # what the numbers are read for
    groups: object | None = None  # a `bot.services.teams.GroupDirectory`: the platform's user groups (Slack's), if any
    secrets: SecretBox = field(default_factory=lambda: SecretBox(None))  # data sources' secrets (SOURCE_SECRET_KEY)
    source_limits: Limits = field(default_factory=lambda: Limits(denied=denied_networks(DEFAULT_DENIED)))

    def __post_init__(self) -> None:
        """A data source may never be the bot's own database: the limits always know which it is."""
        if self.source_limits.own_database is None:
            own = self.engine.url.render_as_string(hide_password=False)
            object.__setattr__(self, "source_limits", replace(self.source_limits, own_database=own))

    @classmethod
    def start(cls, settings: Settings, engine: Engine | None = None) -> Runtime:
        """Raises `RuleFileError` for a broken ADVISOR_RULES or ADVISOR_METRICS file, `SchemaBehind` for a database
        that needs `python -m bot db upgrade`: refused before serving anyone."""
        engine = engine or make_engine(settings.database_url)
        ensure_current(engine, auto_upgrade=settings.migrates_itself)
        catalog = Catalog.load(templates_dir() / "i18n")
        insights = load_insight_rules(settings.insight_rules)
        missing = sorted(k for k in insight_keys(insights) if any(k not in catalog.messages[lang] for lang in catalog.messages))
        if missing:
            raise RuleFileError(f"{settings.insight_rules or 'the insight rules'}: no sentence {missing[0]!r} in the catalogs "
                                f"(templates/i18n/*/insights.toml): add it in both languages")
        key = settings.source_secret_key.get_secret_value() if settings.source_secret_key else None
        limits = Limits(settings.source_timeout_seconds, settings.source_max_bytes, denied_networks(settings.source_denied_networks))
        return cls(engine=engine, rules=load_rules(settings.advisor_rules), catalog=catalog,
                   metrics=load_library(settings.advisor_metrics), insights=insights, secrets=SecretBox(key), source_limits=limits)
