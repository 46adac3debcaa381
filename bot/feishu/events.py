"""What Feishu sends: a text message to the bot (a command, answered with a card in the same
chat) and a card action (a check-in button, or the check-in form submitted).

The same command language as Slack and the console: the domain's parser and `answering()`
decide; this module only turns Feishu's message into a command line and the result into a card.
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor

from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.event.callback.model.p2_card_action_trigger import (
    CallBackCard, CallBackToast, P2CardActionTrigger, P2CardActionTriggerResponse,
)

from bot.domain.parsing import FORM, LATER, answering
from bot.feishu import team_of
from bot.feishu.cards import CHECKIN, checkin_form, text_card
from bot.feishu.posting import FeishuPoster
from bot.render.message import digest_chart
from bot.render.text import Renderer
from bot.scheduler.posting import PostFailed
from bot.services.context import Actor
from bot.services.deliveries import claim_delivery
from bot.services.digests import DigestReady
from bot.services.dispatch import reader_language, run_command, run_use_case
from bot.services.forms import checkin_from_form
from bot.services.home import checkin_choices, home
from bot.services.runtime import Runtime

log = logging.getLogger(__name__)
HERE = ("here", "本群", "这里", "本聊天")  # `/digest weekly here mon 09:00`: this chat
WAIT = {"digest": "digest.preparing", "source": "source.reading"}
_MENTION = re.compile(r"@_user_\d+")
LOCALE = "zh-CN"  # Feishu does not say a reader's language in its events: Chinese, unless the workspace fixes English


class FeishuEdge:
    def __init__(self, runtime: Runtime, renderer: Renderer, poster: FeishuPoster, threads: int = 4) -> None:
        self.runtime, self.renderer, self.poster = runtime, renderer, poster
        self.background = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="feishu")

    # -- a message -----------------------------------------------------------------------------
    def on_message(self, data: P2ImMessageReceiveV1) -> None:
        """Answered after Feishu has its 200: the work runs in the background, once per event."""
        header, message = data.header, data.event.message
        if not claim_delivery(self.runtime.engine, f"feishu-event:{header.event_id}"):
            return
        sender = data.event.sender.sender_id.open_id
        actor = Actor(team_of(header.tenant_key or data.event.sender.tenant_key or ""), sender, _name(message, sender), LOCALE)
        if message.message_type != "text":
            self.background.submit(self._guarded, self._reply_text, actor, message.message_id, "feishu.text_only")
            return
        line = command_line(json.loads(message.content or "{}").get("text", ""), message.mentions or [], message.chat_id)
        self.background.submit(self._guarded, self.answer, actor, message.message_id, line)

    def answer(self, actor: Actor, message_id: str, line: tuple[str, str]) -> None:
        command, text = line
        how = answering(command, text)
        if how == (FORM, "checkin"):
            self.poster.reply(message_id, self.form(actor))
            return
        if how and how[0] == LATER:
            self.poster.reply(message_id, text_card(self.renderer, self.renderer.message(WAIT[how[1]], self._language(actor)), LOCALE))
        outcome = run_command(self.runtime, actor, command, text, source="feishu")
        card = text_card(self.renderer, self.renderer.outcome(outcome, "lark_md"), outcome.language)
        if isinstance(outcome.result, DigestReady) and outcome.result.charts:
            chart = digest_chart(self.renderer, outcome.result, outcome.language)
            card = text_card(self.renderer, self.renderer.outcome(outcome, "lark_md"), outcome.language,
                             image_key=self.poster.upload(chart), image_title=chart.title)
        self.poster.reply(message_id, card)

    def form(self, actor: Actor, selected: str | None = None) -> dict:
        outcome = run_use_case(self.runtime, actor, home, label="feishu form")
        if outcome.result is None:
            return text_card(self.renderer, self.renderer.outcome(outcome, "lark_md"), outcome.language)
        choices = [(item.ref, getattr(item, "title", None) or getattr(item, "name", "")) for item in checkin_choices(outcome.result)]
        if not choices:
            return text_card(self.renderer, self.renderer.message("modal.checkin.no_items", outcome.language, "lark_md",
                                                                  period=outcome.result.period), outcome.language)
        return checkin_form(self.renderer, outcome.language, choices, selected)

    # -- a card action ---------------------------------------------------------------------------
    def on_card(self, data: P2CardActionTrigger) -> P2CardActionTriggerResponse:
        """Answered at once (Feishu waits three seconds): a form to fill, or the check-in's result."""
        event = data.event
        actor = Actor(team_of(event.operator.tenant_key or (data.header.tenant_key if data.header else "")), event.operator.open_id, "", LOCALE)
        action = event.action
        if action.form_value:
            return self.submit(actor, action.form_value, event.token or "")
        if (action.value or {}).get("action") == CHECKIN:
            return _card(self.form(actor, str(action.value.get("ref", ""))))
        return P2CardActionTriggerResponse()

    def submit(self, actor: Actor, form: dict, token: str) -> P2CardActionTriggerResponse:
        """The check-in form: the same use case as Slack's, recorded once per submission (its callback token)."""
        fields = {"item": str(form.get("ref") or ""), "value": str(form.get("value") or ""),
                  "confidence": str(form.get("confidence") or ""), "note": str(form.get("note") or "")}
        key = f"feishu-card:{token}" if token else None
        outcome = run_use_case(self.runtime, actor, lambda ctx: checkin_from_form(ctx, fields, key, "feishu"), label="feishu check-in")
        toast = CallBackToast()
        toast.type = "error" if outcome.error else "success"
        toast.content = self.renderer.outcome(outcome, "plain").splitlines()[0][:200]
        response = _card(text_card(self.renderer, self.renderer.outcome(outcome, "lark_md"), outcome.language))
        response.toast = toast
        return response

    # -- helpers -------------------------------------------------------------------------------
    def _reply_text(self, actor: Actor, message_id: str, key: str) -> None:
        self.poster.reply(message_id, text_card(self.renderer, self.renderer.message(key, self._language(actor)), LOCALE))

    def _language(self, actor: Actor) -> str:
        return reader_language("auto", actor.locale)

    def _guarded(self, work, *args) -> None:
        try:
            work(*args)
        except PostFailed as failure:
            log.warning("answering in Feishu failed: %s", failure)
        except Exception:  # a bug is logged in full, never shown
            log.exception("answering in Feishu failed")


def command_line(text: str, mentions: list, chat_id: str | None) -> tuple[str, str]:
    """Feishu's message text as (command, text): the bot's mention in front dropped, people's
    mentions written as the command language reads them, `here` as this chat in a digest."""
    people = {m.key: m for m in mentions if getattr(m, "key", None)}
    words = text.split()
    if words and words[0] in people:  # the bot, addressed first
        words = words[1:]
    words = [_person(word, people) for word in words]
    if not words:
        return "/perf", "help"
    command, rest = (words[0], words[1:]) if words[0].startswith("/") else ("/perf", words)
    if chat_id and (command == "/digest" or (command == "/perf" and rest[:1] == ["digest"])):
        rest = [chat_id if word.casefold() in HERE else word for word in rest]
    return command, " ".join(rest)


def _person(word: str, people: dict) -> str:
    def swap(match: re.Match) -> str:
        mention = people.get(match[0])
        open_id = getattr(getattr(mention, "id", None), "open_id", None)
        return f"<@{open_id}|{mention.name}>" if open_id else match[0]

    return _MENTION.sub(swap, word)


def _name(message, open_id: str) -> str:
    for mention in message.mentions or []:
        if getattr(getattr(mention, "id", None), "open_id", None) == open_id:
            return mention.name
    return ""


def _card(card: dict) -> P2CardActionTriggerResponse:
    response = P2CardActionTriggerResponse()
    wrapped = CallBackCard()
    wrapped.type, wrapped.data = "raw", card
    response.card = wrapped
    return response

