"""Feishu cards: a neutral message drawn as an interactive card, and the check-in form."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.render.message import Button, Outgoing
from bot.render.text import Renderer

MAX_TEXT = 20_000  # characters of markdown in one card (Feishu refuses cards over about 30 KB)
MAX_BUTTONS = 10
CHECKIN = "checkin"  # a button's action: open the check-in form for its ref
CHECKIN_FORM = "checkin_form"  # the form's name: a submission records a check-in


def message_card(renderer: Renderer, message: Outgoing, image_key: str | None = None, image_title: str = "") -> dict:
    return text_card(renderer, message.text(renderer, "lark_md"), message.language, message.buttons, image_key, image_title)


def text_card(renderer: Renderer, text: str, language: str, buttons: Sequence[Button] = (), image_key: str | None = None,
              image_title: str = "") -> dict:
    if len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        text = text[:cut if cut > 0 else MAX_TEXT] + "\n" + renderer.message("reply.and_more", language, count="…")
    elements: list[dict] = [{"tag": "markdown", "content": text}]
    if image_key:
        elements.append({"tag": "img", "img_key": image_key, "alt": {"tag": "plain_text", "content": image_title}})
    if buttons:
        label = renderer.message("home.checkin_button", language)
        elements.append({"tag": "action", "actions": [
            {"tag": "button", "text": {"tag": "plain_text", "content": f"{label} {b.value}"}, "type": "primary",
             "value": {"action": CHECKIN, "ref": b.value}} for b in buttons[:MAX_BUTTONS]]})
    return {"config": {"wide_screen_mode": True}, "elements": elements}


def checkin_form(renderer: Renderer, language: str, choices: Sequence[tuple[str, str]], selected: str | None = None) -> dict:
    """The check-in form (card JSON 2.0): the item, the value, a confidence and a note."""
    def text(key: str, **params) -> dict:
        return {"tag": "plain_text", "content": renderer.message(key, language, **params)}

    options = [{"text": {"tag": "plain_text", "content": f"{ref} {title}"[:100]}, "value": ref} for ref, title in choices[:100]]
    confidence = [{"text": text(f"confidence.{c}"), "value": c} for c in ("on-track", "at-risk", "off-track")]
    item = {"tag": "select_static", "name": "ref", "placeholder": text("modal.checkin.item"), "options": options, "required": True}
    if selected in {ref for ref, _ in choices}:
        item["initial_option"] = selected
    return {"schema": "2.0", "header": {"title": text("modal.checkin.title")}, "body": {"elements": [{
        "tag": "form", "name": CHECKIN_FORM, "elements": [
            item,
            {"tag": "input", "name": "value", "placeholder": text("modal.checkin.value"), "required": True, "max_length": 40},
            {"tag": "select_static", "name": "confidence", "placeholder": text("modal.checkin.confidence"), "options": confidence},
            {"tag": "input", "name": "note", "placeholder": text("modal.checkin.note"), "max_length": 2000},
            {"tag": "button", "name": "submit", "action_type": "form_submit", "type": "primary", "text": text("modal.submit")},
        ]}]}}


def content(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)
