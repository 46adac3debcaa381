"""The advisor over signed Slack requests: one-line form, questionnaire form, Apply button."""

from support.slack_requests import SlackSender, reply_text, select, text_input

TRANSPORTS = ("http", "socket")  # every test here runs over signed HTTP and over Socket Mode


def test_one_line_advice_has_an_apply_button_for_owners(slack: SlackSender, emulator):
    response = slack.command("/advise", "size=12 business=product resources=limited goal=expansion")
    text = reply_text(response)
    assert "Recommended: KPI" in text and "SWOT" in text
    blocks = response.json()["blocks"]
    assert len(blocks) <= 50 and blocks[-1]["type"] == "actions"
    assert blocks[-1]["elements"][0]["action_id"] == "advice_apply"


def test_the_apply_button_sets_the_kit_up_once(slack: SlackSender, emulator):
    response = slack.command("/advise", "size=12 business=product resources=limited goal=expansion")
    number = response.json()["blocks"][-1]["elements"][0]["value"]
    payload = {"type": "block_actions", "user": {"id": "UOWNER", "username": "owner"}, "trigger_id": "t",
               "response_url": emulator.response_url("apply"), "container": {"type": "message"},
               "actions": [{"action_id": "advice_apply", "block_id": "advice_actions", "value": number, "type": "button"}]}
    assert slack.interaction(payload).status_code == 200
    assert slack.interaction({**payload, "trigger_id": "t2"}).status_code == 200  # a double click: two deliveries, two triggers
    assert emulator.wait_for(lambda e: len(e.responses("apply")) == 2)
    first, second = (r["text"] for r in emulator.responses("apply"))
    assert "9 items created" in first and "already set up" in second and "KR1.1" in second
    kpis = reply_text(slack.command("/kpi", "list"))
    assert kpis.count("weight") == 5 and "target to be set" not in kpis


def test_advise_alone_opens_the_questionnaire(slack: SlackSender, emulator):
    slack.command("/advise", "")
    assert emulator.wait_for(lambda e: e.calls_to("views.open"))
    view = emulator.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "advice_modal"
    values = {"size": {"size": text_input("500")}, "business": {"business": select("service")},
              "resources": {"resources": select("ample")}, "goal": {"goal": select("stability")},
              "data_maturity": {"data_maturity": select("yes")}}
    assert slack.submit_view(view, values, view_id="VADV").status_code == 200
    assert emulator.wait_for(lambda e: any("Recommended: BSC" in c.args.get("text", "") for c in e.calls_to("chat.postMessage")))
    history = reply_text(slack.command("/advise", "history"))
    assert "BSC" in history


def test_a_bad_size_in_the_questionnaire_is_shown_on_its_field(slack: SlackSender, emulator):
    slack.command("/advise", "")
    assert emulator.wait_for(lambda e: e.calls_to("views.open"))
    view = emulator.calls_to("views.open")[-1].args["view"]
    values = {"size": {"size": text_input("lots")}, "business": {"business": select("service")},
              "resources": {"resources": select("ample")}, "goal": {"goal": select("stability")}}
    body = slack.submit_view(view, values, view_id="VADV2").json()
    assert body["response_action"] == "errors" and "size" in body["errors"]
    assert "No recommendations" in reply_text(slack.command("/advise", "history"))
