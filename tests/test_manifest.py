"""The manifest a workspace admin pastes must declare every command the bot answers."""

from pathlib import Path

import yaml

from bot.slack.listeners.commands import SLASH_COMMANDS

MANIFEST = Path(__file__).parent.parent / "manifest.yml"


def test_every_slash_command_interactivity_and_home_are_declared():
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert set(SLASH_COMMANDS) <= declared
    assert all(c["should_escape"] for c in manifest["features"]["slash_commands"])  # mentions arrive as <@U…|name>
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    assert manifest["settings"]["interactivity"]["is_enabled"]
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read", "im:write", "files:write"} <= scopes
    for command in manifest["features"]["slash_commands"]:
        assert len(command["description"]) <= 100 and len(command.get("usage_hint", "")) <= 100
