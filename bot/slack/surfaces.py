"""Modals and the App Home as pure Block Kit builders: plain data in, dicts out.

Every word comes from the catalogs or templates through `Words`, in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.domain.advisor_input import FIELDS
from bot.domain.views import KeyResultView, KpiView
from bot.render.text import Renderer
from bot.services.home import MAX_MODAL_KEY_RESULTS, HomeData
from bot.slack import blocks as b

CHECKIN_MODAL = "checkin_modal"
OBJECTIVE_MODAL = "objective_modal"
CHECKIN_BUTTON = "checkin_open"
ADVICE_MODAL = "advice_modal"
APPLY_BUTTON = "advice_apply"
CONFIDENCES = ("on-track", "at-risk", "off-track")
OPTION_CHARS = 75
MAX_OPTIONS = 100


@dataclass(frozen=True)
class Words:
    renderer: Renderer
    language: str

    def plain(self, key: str, **params: object) -> dict:
        return {"type": "plain_text", "text": b.clip(self.renderer.message(key, self.language, **params), OPTION_CHARS), "emoji": True}

    def title(self, key: str) -> dict:
        return {"type": "plain_text", "text": b.clip(self.renderer.message(key, self.language), 24)}

    def text(self, key: str, **params: object) -> str:
        return self.renderer.message(key, self.language, "mrkdwn", **params)

    def render(self, template: str, **context: object) -> str:
        return self.renderer.render(template, self.language, "mrkdwn", **context)

    def and_more(self, count: int) -> str:
        return self.text("reply.and_more", count=count)


def _option(text: str, value: str) -> dict:
    return {"text": {"type": "plain_text", "text": b.clip(text, OPTION_CHARS), "emoji": True}, "value": value}


def item_label(item: KeyResultView | KpiView) -> str:
    return f"{item.ref} {item.title if isinstance(item, KeyResultView) else item.name}"


def checkin_modal(words: Words, items: tuple[KeyResultView | KpiView, ...], selected: str | None = None, metadata: dict | None = None) -> dict:
    options = [_option(item_label(item), item.ref) for item in items[:MAX_OPTIONS]]
    picker = {"type": "static_select", "action_id": "item", "options": options, "placeholder": words.plain("modal.checkin.pick")}
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen:
        picker["initial_option"] = chosen
    confidence = {
        "type": "static_select", "action_id": "confidence", "placeholder": words.plain("modal.checkin.confidence_pick"),
        "options": [_option(words.renderer.message(f"confidence.{c}", words.language), c) for c in CONFIDENCES],
    }
    return {
        "type": "modal", "callback_id": CHECKIN_MODAL, "private_metadata": json.dumps(metadata or {}),
        "title": words.title("modal.checkin.title"), "submit": words.title("modal.submit"), "close": words.title("modal.cancel"),
        "blocks": [
            {"type": "input", "block_id": "item", "label": words.plain("modal.checkin.item"), "element": picker},
            {"type": "input", "block_id": "value", "label": words.plain("modal.checkin.value"),
             "element": {"type": "plain_text_input", "action_id": "value", "placeholder": words.plain("modal.checkin.value_hint")}},
            {"type": "input", "block_id": "confidence", "optional": True, "label": words.plain("modal.checkin.confidence"), "element": confidence},
            {"type": "input", "block_id": "note", "optional": True, "label": words.plain("modal.checkin.note"),
             "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 2000}},
        ],
    }


def objective_modal(words: Words, metadata: dict | None = None) -> dict:
    blocks = [{"type": "input", "block_id": "title", "label": words.plain("modal.objective.title_label"),
               "element": {"type": "plain_text_input", "action_id": "title", "max_length": 200}}]
    for n in range(1, MAX_MODAL_KEY_RESULTS + 1):
        blocks.append(b.context(words.text("modal.objective.kr_heading", n=n)))
        for field in ("kr_title", "kr_target", "kr_start"):
            blocks.append({
                "type": "input", "block_id": f"{field}_{n}", "optional": True, "label": words.plain(f"modal.objective.{field}"),
                "element": {"type": "plain_text_input", "action_id": field, "max_length": 200},
            })
    return {
        "type": "modal", "callback_id": OBJECTIVE_MODAL, "private_metadata": json.dumps(metadata or {}),
        "title": words.title("modal.objective.title"), "submit": words.title("modal.submit"), "close": words.title("modal.cancel"),
        "blocks": blocks,
    }


def checkin_button(words: Words, ref: str) -> dict:
    return {"type": "button", "action_id": CHECKIN_BUTTON, "value": ref, "text": words.plain("home.checkin_button")}


def home_view(words: Words, data: HomeData) -> dict:
    blocks = [b.header(words.renderer.message("home.title", words.language, period=data.period))]
    blocks.append(b.section(words.text("home.mine")))
    if not data.my_items:
        blocks.append(b.context(words.text("home.nothing_mine")))
    for kr in data.my_key_results:
        blocks.append(b.section(words.render("slack/home_key_result.j2", kr=kr), checkin_button(words, kr.ref)))
    for kpi in data.my_kpis:
        button = checkin_button(words, kpi.ref) if kpi.target is not None else None
        blocks.append(b.section(words.render("slack/home_kpi.j2", k=kpi), button))
    if data.tree or data.scorecard is not None:
        heading = words.renderer.message("home.team_named", words.language, team=data.team) if data.team else \
            words.renderer.message("home.team", words.language)
        blocks += [b.divider(), b.header(heading)]
        if not data.tree:
            blocks.append(b.context(words.text("reply.no_objectives", period=data.period)))
        for line in data.tree:  # the goal tree: each objective under the one it is aligned to
            blocks.append(b.section(words.render("slack/home_objective.j2", o=line.objective, depth=line.depth, via=line.via)))
    if data.scorecard is not None:
        blocks += [b.divider(), b.section(words.render("slack/home_scorecard.j2", s=data.scorecard))]
    return {"type": "home", "blocks": b.fit(blocks, b.SURFACE_BLOCKS, words.and_more)}


def advice_modal(words: Words) -> dict:
    """The advisor's questionnaire, one input per question of `advisor_input.FIELDS`."""
    blocks = [b.section(words.text("advisor.help"))]
    for spec in FIELDS.values():
        if spec.kind == "number":
            element = {"type": "plain_text_input", "action_id": spec.name, "max_length": 9}
        else:
            options = [_option(words.renderer.message(spec.value_key(v), words.language), v) for v in spec.values]
            element = {"type": "static_select", "action_id": spec.name, "options": options}
        blocks.append({"type": "input", "block_id": spec.name, "optional": not spec.required,
                       "label": words.plain(spec.label_key), "element": element})
    return {
        "type": "modal", "callback_id": ADVICE_MODAL, "title": words.title("modal.advice.title"),
        "submit": words.title("modal.advice.submit"), "close": words.title("modal.cancel"), "blocks": blocks,
    }


def apply_button(words: Words, advice_number: int) -> dict:
    return {"type": "actions", "block_id": "advice_actions", "elements": [{
        "type": "button", "style": "primary", "action_id": APPLY_BUTTON, "value": str(advice_number),
        "text": words.plain("modal.advice.apply"),
    }]}
