"""A delivery (a signed request, an event) is claimed once, however many threads race for it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.services.deliveries import claim_delivery


def test_eight_threads_racing_for_one_key_claim_it_once(engine):
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: claim_delivery(engine, "sig:race"), range(8)))
    assert claims.count(True) == 1


def test_keys_are_independent_and_a_repeat_is_refused(engine):
    assert claim_delivery(engine, "sig:a") and claim_delivery(engine, "sig:b")
    assert not claim_delivery(engine, "sig:a")
    assert claim_delivery(engine, "x" * 300) and not claim_delivery(engine, "x" * 300)  # cut to the column, consistently
