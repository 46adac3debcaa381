"""Slack only shows what fits: 50 blocks a message (100 in a modal or Home tab), 3,000
characters a section, 150 a header. Everything we send passes through here."""

from __future__ import annotations

from collections.abc import Callable

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
SECTION_CHARS = 3000
HEADER_CHARS = 150
FALLBACK_TEXT_CHARS = 3000


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}}
    if accessory:
        block["accessory"] = accessory
    return block


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_CHARS), "emoji": True}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}]}


def divider() -> dict:
    return {"type": "divider"}


def text_sections(text: str) -> list[str]:
    """Split mrkdwn into section-sized pieces at paragraph, then line, boundaries."""
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        current = ""
        for line in paragraph.split("\n"):
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= SECTION_CHARS:
                current = candidate
                continue
            if current:
                pieces.append(current)
            current = clip(line, SECTION_CHARS)
        if current.strip():
            pieces.append(current)
    return pieces


def fit(blocks: list[dict], limit: int, and_more: Callable[[int], str]) -> list[dict]:
    """Keep what fits and end with "…and N more" instead of being refused by Slack."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return kept + [context(and_more(len(blocks) - len(kept)))]


def message_blocks(text: str, and_more: Callable[[int], str]) -> list[dict]:
    return fit([section(piece) for piece in text_sections(text)], MESSAGE_BLOCKS, and_more)


def fallback_text(text: str) -> str:
    """The notification text beside the blocks."""
    return clip(text, FALLBACK_TEXT_CHARS)
