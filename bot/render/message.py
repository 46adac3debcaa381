"""A message as the bot means it, before any platform draws it: what to say (a reply template
and its values, or one catalog sentence), in which language, with which buttons and image.
The scheduler and services produce these; each platform renders them (Block Kit for Slack)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    png: bytes
    filename: str
    title: str


@dataclass(frozen=True)
class Button:
    """An action a reader can take from the message: `checkin` opens the check-in form for `value` (a ref)."""

    action: str
    value: str


@dataclass(frozen=True)
class Outgoing:
    language: str
    template: str | None = None  # "replies/digest_ready.j2"
    context: dict = field(default_factory=dict)  # the template's values
    sentence: str | None = None  # or one catalog key ("source.failed_dm")
    params: dict = field(default_factory=dict)  # its values
    buttons: tuple[Button, ...] = ()

    def text(self, renderer, flavor: str) -> str:
        """The words, in the platform's markup flavor (`mrkdwn` for Slack, `plain` for a terminal)."""
        if self.template is not None:
            return renderer.render(self.template, self.language, flavor, **self.context)
        return renderer.message(self.sentence, self.language, flavor, **self.params)


def digest_chart(renderer, ready, language: str) -> Chart:
    """The digest's progress chart as a PNG (Pillow and the font are loaded only when one is drawn)."""
    from bot.render.chart import ChartBar, progress_chart

    digest = ready.digest
    bars = [ChartBar(t.objective.ref, float(t.objective.progress), t.objective.title) for t in digest.objectives]
    title = renderer.message("digest.chart_title", language, period=digest.pace.period)
    png = progress_chart(bars, expected=float(digest.pace.expected), heading=title,
                         progress_label=renderer.message("digest.chart_progress", language),
                         pace_label=renderer.message("digest.chart_pace", language),
                         empty_label=renderer.message("digest.chart_empty", language))
    return Chart(png, f"digest-{digest.pace.period}.png", title)
