"""The check-ins API on the real server: a token made by a signed `/perf token create`."""

import re

import requests

from support.slack_requests import SlackSender, reply_text


def test_a_crm_posts_actuals_with_a_token_made_in_slack(slack: SlackSender, server):
    slack.command("/kpi", "add Sales growth target=15% weight=100%")
    created = reply_text(slack.command("/perf", "token create CRM"))
    token = re.search(r"pbt_[A-Za-z0-9_-]+", created).group(0)
    url = server + "/api/v1/checkins"
    refused = requests.post(url, json={"ref": "K1", "value": "12%"}, headers={"Authorization": "Bearer pbt_wrong"}, timeout=10)
    assert refused.status_code == 401 and "pbt_wrong" not in refused.text
    bad = requests.post(url, json={"checkins": [{"ref": "K1", "value": "13%"}, {"ref": "K9", "value": "1"}]},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["errors"][0]["index"] == 1
    good = requests.post(url, json={"ref": "K1", "value": "12%", "idempotency_key": "crm-1"}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    again = requests.post(url, json={"ref": "K1", "value": "12%", "idempotency_key": "crm-1"}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert good.status_code == 201 and again.status_code == 201 and again.json()["duplicates"] == 1
    assert "K1 12%/15%" in reply_text(slack.command("/kpi", "list"))
    assert "13%" not in reply_text(slack.command("/kpi", "list"))


def test_the_api_answers_with_the_team_and_the_rolled_up_objective_and_refuses_a_rolled_up_key_result(slack: SlackSender, server):
    slack.command("/perf", "team add Growth lead=<@UMARIA|maria>")
    slack.command("/okr", "add Grow the pipeline")
    slack.command("/okr", "kr O1 Qualified leads target=1000")
    slack.command("/okr", "add Double sign-ups team=Growth")
    slack.command("/okr", "kr O2 Sign-ups target=400")
    slack.command("/okr", "align O2 KR1.1")
    token = re.search(r"pbt_[A-Za-z0-9_-]+", reply_text(slack.command("/perf", "token create CRM"))).group(0)
    url, auth = server + "/api/v1/checkins", {"Authorization": f"Bearer {token}"}
    good = requests.post(url, json={"ref": "KR2.1", "value": "100"}, headers=auth, timeout=10)
    assert good.status_code == 201
    [row] = good.json()["checkins"]
    assert row["team"] == "Growth" and row["objective"] == {"ref": "O2", "progress": "0.25"}
    refused = requests.post(url, json={"ref": "KR1.1", "value": "500"}, headers=auth, timeout=10)
    assert refused.status_code == 400 and "O2" in refused.json()["errors"][0]["message"]
