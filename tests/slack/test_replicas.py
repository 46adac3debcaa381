"""Two `serve` replicas on one database: consistent answers, and twenty people checking in on
the same key result at the same moment lose nothing."""

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select

from bot.store.database import make_engine
from bot.store.models import Checkin
from support.slack_requests import SlackSender, reply_text


def test_replicas_answer_consistently_and_lose_no_concurrent_checkin(servers_on_one_database):
    db, bases = servers_on_one_database(2, SCHEDULER="false")
    first, second = (SlackSender(base + "/slack/events", team_id="TREPLICA") for base in bases)
    assert "O1" in reply_text(first.command("/okr", "add Launch the spring campaign"))
    assert "KR1.1" in reply_text(second.command("/okr", "kr O1 Sign-ups target=1000"))
    assert "Launch the spring campaign" in reply_text(first.command("/okr", "list"))

    def check_in(n: int) -> str:
        sender = (first, second)[n % 2]
        return reply_text(sender.command("/checkin", f"KR1.1 {n * 10} on-track wave {n}"))

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(check_in, range(1, 21)))
    assert all("Checked in KR1.1" in reply for reply in replies), replies
    engine = make_engine(db)
    with Session(engine) as session:
        notes = session.exec(select(Checkin.note).where(Checkin.note.like("wave %"))).all()
    assert sorted(notes, key=lambda n: int(n.split()[1])) == [f"wave {n}" for n in range(1, 21)]
    engine.dispose()


def test_a_request_replayed_to_another_replica_is_acted_on_once(servers_on_one_database):
    from urllib.parse import urlencode

    import requests

    from support.slack_requests import signature_headers

    _, bases = servers_on_one_database(2, SCHEDULER="false")
    body = urlencode({"team_id": "TREPLAY", "user_id": "UOWNER", "user_name": "owner", "command": "/okr", "text": "add Once only",
                      "trigger_id": "trigger-replayed", "channel_id": "C1", "response_url": "http://127.0.0.1:9/unused"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}
    answers = [requests.post(base + "/slack/events", data=body, headers=headers, timeout=10) for base in (*bases, *bases)]
    assert sum("Added O1" in answer.text for answer in answers) == 1
    listing = reply_text(SlackSender(bases[1] + "/slack/events", team_id="TREPLAY").command("/okr", "list"))
    assert listing.count("Once only") == 1
