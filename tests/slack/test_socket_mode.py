"""Socket Mode's own life: Slack asks for a fresh connection, or the connection breaks, and the
bot connects again and answers; a malformed envelope is acknowledged and dropped, not a crash.
(The command, form and event tests run over Socket Mode too: see TRANSPORTS in those modules.)"""

import pytest

from support.slack_requests import reply_text
from support.socket_requests import SocketSender

TRANSPORTS = ("socket",)


def test_a_refresh_request_and_a_dropped_connection_are_survived(slack: SocketSender, socket_mode):
    assert "Added O1" in reply_text(slack.command("/okr", "add Before the refresh"))
    greeted = socket_mode.hellos
    socket_mode.request_refresh()
    assert socket_mode.wait_connected(greeted + 1)
    assert "Before the refresh" in reply_text(slack.command("/okr", "list"))
    socket_mode.drop()
    assert socket_mode.wait_connected(greeted + 2, timeout=60)
    assert "Added O2" in reply_text(slack.command("/okr", "add After the drop"))


@pytest.mark.parametrize("kind, payload", [
    ("interactive", {"type": "view_submission", "view": {"callback_id": "objective_modal"}}),
    ("interactive", {"type": "block_actions", "actions": "none", "user": {"id": "U1"}}),
    ("events_api", {"type": "event_callback", "event": "app_home_opened"}),
    ("slash_commands", {"command": ["/okr"], "text": "list"}),
])
def test_a_malformed_envelope_is_acknowledged_and_dropped(slack: SocketSender, socket_mode, kind, payload):
    envelope = socket_mode.send(kind, {"team": {"id": slack.team_id}, **payload})
    assert socket_mode.ack(envelope) == {"envelope_id": envelope}
    assert "Objectives" in reply_text(slack.command("/okr", "list"))  # still connected, still answering
