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
