"""What every Slack listener needs, built once per process and passed in."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.text import Renderer
from bot.services.runtime import Runtime
from bot.slack.people import Profiles

log = logging.getLogger(__name__)


@dataclass
class SlackDeps:
    runtime: Runtime
    renderer: Renderer
    profiles: Profiles = field(default_factory=Profiles)
    background: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="slack-bg"))

    def later(self, work, *args, **kwargs) -> None:
        """Run slow follow-ups (announcements, Home refresh) after the request is answered."""

        def guarded() -> None:
            try:
                work(*args, **kwargs)
            except (SlackApiError, SlackClientError, OSError) as error:  # Slack or the network said no: one line is enough
                log.warning("background work %s could not reach Slack: %s", getattr(work, "__name__", work), _short(error))
            except Exception:  # a bug in a follow-up is logged in full, never shown to anyone
                log.exception("background work %s failed", getattr(work, "__name__", work))

        self.background.submit(guarded)


def post_quietly(client: WebClient, **message) -> None:
    """chat.postMessage with the client's retry handlers; a final failure is only logged."""
    try:
        client.chat_postMessage(**message)
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("posting to %s failed: %s", message.get("channel"), _short(error))
    except Exception:
        log.exception("posting to %s failed", message.get("channel"))


def _short(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
