"""Helpers for tests of the clock: local times, a workspace with a digest due, one tick."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
PNG = b"\x89PNG\r\n\x1a\n"


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def posts_to(emulator, channel: str) -> list:
    return [c for c in emulator.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def setup_workspace(say, zone: str, when: datetime, weekday: str = "mon", at: str = "09:00") -> None:
    with time_machine.travel(when, tick=False):
        say(f"/perf settings timezone={zone} reminders=off")
        say("/okr add Raise brand awareness")
        say("/okr kr O1 Articles target=12")
        say("/checkin KR1.1 4 on-track")
        say("/kpi add Sales growth target=15% weight=100%")
        say("/checkin K1 12%")
        assert "Subscribed" in say(f"/digest weekly <#CMKT|marketing> {weekday} {at}")


def tick(deliverer, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        deliverer.tick(datetime.now(timezone.utc))
