"""Forms, buttons and App Home through signed interactivity payloads and events."""

import time

from support.slack_requests import SlackSender, reply_text, select, text_input

TRANSPORTS = ("http", "socket")  # every test here runs over signed HTTP and over Socket Mode


def setup_items(slack: SlackSender) -> None:
    slack.command("/okr", "add Brand awareness")
    slack.command("/okr", "kr O1 Articles in top media target=12 owner=<@UALICE|alice>")
    slack.command("/kpi", "add Sales growth target=15% weight=100% owner=<@UALICE|alice>")


def opened_view(emulator) -> dict:
    assert emulator.wait_for(lambda e: e.calls_to("views.open"))
    return emulator.calls_to("views.open")[-1].args["view"]


def checkin_values(ref: str, value: str, confidence: str | None = None, note: str | None = None) -> dict:
    return {"item": {"item": select(ref)}, "value": {"value": text_input(value)},
            "confidence": {"confidence": select(confidence)}, "note": {"note": text_input(note)}}


def test_checkin_alone_opens_a_form_of_my_items(slack: SlackSender, emulator):
    setup_items(slack)
    response = slack.command("/checkin", "", user="UALICE", user_name="alice")
    assert response.status_code == 200
    view = opened_view(emulator)
    options = [o["value"] for o in view["blocks"][0]["element"]["options"]]
    assert options == ["KR1.1", "K1"]


def test_submitting_the_form_twice_records_once(slack: SlackSender, emulator):
    setup_items(slack)
    slack.command("/checkin", "", user="UALICE", user_name="alice")
    view = opened_view(emulator)
    values = checkin_values("KR1.1", "6", "at-risk", "Two more <!channel>")
    first = slack.submit_view(view, values, user="UALICE", view_id="VCHECK1")
    second = slack.submit_view(view, values, user="UALICE", view_id="VCHECK1")
    assert first.status_code == second.status_code == 200 and first.text == second.text == ""
    listing = reply_text(slack.command("/okr", "show O1"))
    assert "KR1.1 6/12 (50%)" in listing and "at risk" in listing
    assert emulator.wait_for(lambda e: e.calls_to("chat.postMessage"))
    history = reply_text(slack.command("/okr", "list"))
    assert "since last" not in history  # one check-in only, so no change to show
    assert emulator.wait_for(lambda e: [c for c in e.calls_to("views.publish") if c.args["user_id"] == "UALICE"])
    home = [c for c in emulator.calls_to("views.publish") if c.args["user_id"] == "UALICE"][-1].args
    assert "Two more" in str(home["view"])  # Home, where the form is opened, shows the new check-in


def test_a_slash_checkin_leaves_home_to_be_rebuilt_when_opened(slack: SlackSender, emulator):
    setup_items(slack)
    slack.command("/checkin", "KR1.1 5 on-track Third wave", user="UALICE", user_name="alice")
    time.sleep(0.5)
    assert emulator.calls_to("views.publish") == []
    slack.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"}, event_id="EvHome3")
    assert emulator.wait_for(lambda e: e.calls_to("views.publish"))
    assert "Third wave" in str(emulator.calls_to("views.publish")[-1].args["view"])


def test_a_bad_value_in_the_form_is_shown_on_the_field(slack: SlackSender, emulator):
    setup_items(slack)
    slack.command("/checkin", "", user="UALICE", user_name="alice")
    response = slack.submit_view(opened_view(emulator), checkin_values("KR1.1", "lots"), user="UALICE", view_id="VBAD")
    body = response.json()
    assert body["response_action"] == "errors" and "not a number" in body["errors"]["value"]
    assert "–/12" in reply_text(slack.command("/okr", "show O1"))


def test_the_home_button_opens_the_form_on_that_item(slack: SlackSender, emulator):
    setup_items(slack)
    slack.button("checkin_open", "K1", user="UALICE")
    view = opened_view(emulator)
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "K1"


def test_okr_add_alone_opens_a_form_that_creates_an_objective_with_key_results(slack: SlackSender, emulator):
    slack.command("/okr", "add")
    view = opened_view(emulator)
    assert view["callback_id"] == "objective_modal" and len(view["blocks"]) <= 100
    values = {"title": {"title": text_input("Grow the distributor network")},
              "kr_title_1": {"kr_title": text_input("New distributors")}, "kr_target_1": {"kr_target": text_input("50")},
              "kr_title_2": {"kr_title": text_input("Cut churn")}, "kr_target_2": {"kr_target": text_input("5%")},
              "kr_start_2": {"kr_start": text_input("8%")}}
    assert slack.submit_view(view, values, view_id="VOBJ").text == ""
    assert slack.submit_view(view, values, view_id="VOBJ").text == ""
    listing = reply_text(slack.command("/okr", "list"))
    assert "Grow the distributor network" in listing and "KR1.2" in listing and "O2" not in listing


def test_a_key_result_without_target_is_refused_on_its_field(slack: SlackSender, emulator):
    slack.command("/okr", "add")
    view = opened_view(emulator)
    values = {"title": {"title": text_input("Grow")}, "kr_title_1": {"kr_title": text_input("New distributors")}}
    body = slack.submit_view(view, values, view_id="VOBJ2").json()
    assert "kr_target_1" in body["errors"]
    assert "No objectives" in reply_text(slack.command("/okr", "list"))


def test_app_home_shows_my_items_and_for_managers_the_team(slack: SlackSender, emulator):
    setup_items(slack)
    slack.command("/checkin", "KR1.1 4 on-track First wave")
    slack.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"}, event_id="EvHome1")
    assert emulator.wait_for(lambda e: e.calls_to("views.publish"))
    home = emulator.calls_to("views.publish")[-1].args
    assert home["user_id"] == "UALICE"
    text = str(home["view"])
    assert "KR1.1" in text and "checkin_open" in text and "First wave" in text and "Goal tree" not in text
    emulator.reset()
    slack.event({"type": "app_home_opened", "user": "UOWNER", "tab": "home"}, event_id="EvHome2")
    assert emulator.wait_for(lambda e: e.calls_to("views.publish"))
    owner_home = str(emulator.calls_to("views.publish")[-1].args["view"])
    assert "Goal tree" in owner_home and "KPI scorecard" in owner_home


def test_app_home_shows_a_team_lead_the_tree_of_their_team(slack: SlackSender, emulator):
    slack.command("/perf", "team add Growth lead=<@UMARIA|maria>")
    slack.command("/okr", "add Grow the pipeline")
    slack.command("/okr", "kr O1 Qualified leads target=1000")
    slack.command("/okr", "add Double sign-ups team=Growth")
    slack.command("/okr", "kr O2 Sign-ups target=400")
    slack.command("/okr", "align O2 KR1.1")
    slack.command("/okr", "add Brand reach")
    slack.command("/kpi", "add Leads target=400 weight=100% team=Growth owner=<@UMARIA|maria>")
    slack.event({"type": "app_home_opened", "user": "UMARIA", "tab": "home"}, event_id="EvHomeLead")
    assert emulator.wait_for(lambda e: e.calls_to("views.publish"))
    home = str(emulator.calls_to("views.publish")[-1].args["view"])
    assert "Goal tree · Growth" in home and "KR1.1 ← *O2*" in home and "Grow the pipeline" in home
    assert "Brand reach" not in home and "K1" in home  # another branch is left out; the team's scorecard is in


def test_a_redelivered_event_is_processed_once(slack: SlackSender, emulator):
    setup_items(slack)
    event = {"type": "app_home_opened", "user": "UREDELIVER", "tab": "home"}
    slack.event(event, event_id="EvOnce")
    slack.event(event, event_id="EvOnce", retry_num=1)
    mine = lambda e: [c for c in e.calls_to("views.publish") if c.args["user_id"] == "UREDELIVER"]  # noqa: E731
    assert emulator.wait_for(lambda e: mine(e))
    time.sleep(0.5)
    assert len(mine(emulator)) == 1
