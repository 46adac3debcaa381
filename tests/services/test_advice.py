"""The advisor through the services and a real database: advice, apply once, history."""

import pytest

from bot.domain.advisor_rules import RuleFileError
from support.db import table_counts

ONE_LINE = "/advise size=12 business=product resources=limited goal=expansion"


def test_the_answer_explains_the_pick_apart_from_what_argued_otherwise(console):
    reply = console("/advise size=8 business=service resources=ample goal=stability")
    assert "Recommended: KPI" in reply and "Runner-up: OKR" in reply
    why, rest = reply.split("What argued otherwise")
    assert "A company of 8 people" in why and "balanced scorecard" not in why.split("Why")[1]
    assert "(points to BSC)" in rest and "not used as a method for a company under 50 people" in rest
    assert "Points" not in reply and "BSC 7" not in reply  # scores only on request
    assert "BSC 7" in console("/advise size=8 business=service resources=ample goal=stability scores")


def test_the_trade_off_names_the_pick(console):
    reply = console("/advise size=300 business=service resources=limited goal=expansion")
    assert "Recommended: KPI (Key Performance Indicators) + OKR" in reply
    tradeoff = reply.split("The trade-off")[1].split("SWOT")[0]
    assert "The pick is KPI (Key Performance Indicators)" in tradeoff


def test_swot_items_are_true_of_the_company(console):
    big = console("/advise size=250 business=product resources=moderate goal=stability")
    assert "Lets a company of" not in big and "As you grow" not in big
    small = console("/advise size=12 business=product resources=limited goal=growth")
    assert "Lets a company of 12 people set up performance management quickly" in small


def test_the_kit_carries_types_units_starts_and_suggested_targets(console):
    console("/advise size=25 business=service resources=moderate goal=growth")
    applied = console("/advise apply")
    assert "suggested target" in applied
    listing = console("/kpi list")
    assert "target to be set" not in listing
    churn_line = next(line for line in listing.splitlines() if "churn" in line.lower())
    assert "lower is better" in churn_line  # it decreases, from a start: 8% against a target of 6% is not 133%
    assert "weights sum to" not in console("/scorecard")  # the kit's weights add up to 100%
    assert "(75%" in console("/checkin " + churn_line.split()[1] + " 6.5%")


def test_apply_sets_the_kit_up_once_and_a_repeat_lists_everything(console, engine):
    console(ONE_LINE)
    applied = console("/advise apply")
    assert "K1" in applied and "O1" in applied and "KR1.1" in applied
    counts = table_counts(engine)
    again = console("/advise apply 1")
    assert "already set up" in again and "KR1.1" in again and "K1" in again
    assert table_counts(engine) == counts


def test_a_second_kit_for_the_same_method_is_refused_naming_the_first(console, engine):
    console(ONE_LINE)
    console("/advise apply")
    console("/advise size=14 business=product resources=limited goal=growth")
    before = table_counts(engine)
    refused = console("/advise apply 2")
    assert "already has the KPI+OKR kit of recommendation #1" in refused and "K1" in refused
    assert table_counts(engine) == before


def test_apply_sets_up_the_kit_it_showed_not_todays_rules(console, runtime, tmp_path):
    from dataclasses import replace

    from bot.console.app import Console, ConsoleUser
    from bot.domain.advisor_rules import load_rules

    shown = console(ONE_LINE)
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nid = "all_bsc"\nwhen = {}\nscores = { MBO = 9 }\nreason = "small_company"\n', encoding="utf-8")
    later = Console(replace(runtime, rules=load_rules(rules)), ConsoleUser(team="T1", name="owner", language="en"))
    applied = later.execute("/advise apply 1")
    assert "(KPI+OKR)" in applied and "Recommended: KPI" in shown


def test_a_preview_shows_the_kit_and_creates_nothing(console, engine):
    console(ONE_LINE)
    before = table_counts(engine)
    preview = console("/advise preview 1")
    assert "would create" in preview and "Revenue" in preview
    assert table_counts(engine) == before


def test_advice_numbers_belong_to_each_workspace(runtime):
    from bot.console.app import Console, ConsoleUser

    for team in ("TA", "TB"):
        shell = Console(runtime, ConsoleUser(team=team, name="owner", language="en"))
        assert "/advise apply 1" in shell.execute(ONE_LINE)


def test_the_questionnaire_asks_again_and_keeps_what_was_right(runtime):
    import io

    from bot.console.app import Console, ConsoleUser

    out = io.StringIO()
    lines = ["/advise", "lots", "2万", "", "电商", "plenty", "扩张", "", ""]
    Console(runtime, ConsoleUser("T9", "ann", "en")).run(lines, out=out)
    text = out.getvalue()
    assert text.count("How many people work in your company?") == 2 and "you wrote `lots`" in text
    assert "Recommended: OKR" in text


def test_only_owners_apply(console, engine):
    console(ONE_LINE)
    console("/perf role @bob manager")
    before = table_counts(engine)
    assert "Only owners" in console("@bob /advise apply")
    assert table_counts(engine) == before


def test_history_lists_past_recommendations(console):
    console(ONE_LINE)
    console("/advise size=500 business=service resources=ample goal=stability")
    history = console("/advise history")
    assert "#2" in history and "#1" in history and history.index("#2") < history.index("#1")
    assert "→ *BSC*" in history.replace("→ BSC", "→ *BSC*")


@pytest.mark.parametrize("text, accepted", [
    ("size=abc business=product resources=limited goal=growth", "size=15"),
    ("size=12 colour=blue", "business, resources and goal"),
    ("size=12 business=factory resources=limited goal=growth", "product, service or mixed"),
    ("size=-3 business=product resources=limited goal=growth", "size=15"),
])
def test_bad_answers_get_one_sentence_and_store_nothing(console, engine, text, accepted):
    console("/okr list")
    before = table_counts(engine)
    reply = console(f"/advise {text}")
    assert reply.startswith("⚠️") and accepted in reply
    assert table_counts(engine) == before


def test_a_broken_rule_file_is_refused_at_start(tmp_path):
    import os
    import subprocess
    import sys

    broken = tmp_path / "rules.toml"
    broken.write_text('[[rule]]\nid = "x"\nwhen = { colour = "blue" }\nscores = { KPI = 1 }\nreason = "small_company"\n')
    done = subprocess.run([sys.executable, "-m", "bot", "console"], input="/perf help\n", capture_output=True, text=True,
                          env={**os.environ, "ADVISOR_RULES": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, timeout=60)
    assert done.returncode == 2
    assert str(broken) in done.stderr and "x" in done.stderr and "colour" in done.stderr
    served = subprocess.run([sys.executable, "-m", "bot", "serve"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "ADVISOR_RULES": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                                 "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "PORT": "1"})
    assert served.returncode == 2 and "colour" in served.stderr  # refused before a worker starts
    with pytest.raises(RuleFileError):
        from bot.domain.advisor_rules import load_rules

        load_rules(broken)


def test_the_console_asks_the_questions(runtime):
    import io

    from bot.console.app import Console, ConsoleUser

    out = io.StringIO()
    Console(runtime, ConsoleUser("T9", "ann", "en")).run(["/advise", "12", "", "product", "limited", "expansion", "", ""], out=out)
    text = out.getvalue()
    assert "How many people work in your company?" in text and "Recommended: KPI" in text
