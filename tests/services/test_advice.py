"""The advisor through the services and a real database: advice, apply once, history."""

import pytest

from bot.domain.advisor_rules import RuleFileError
from support.db import table_counts

ONE_LINE = "/advise size=12 business=product resources=limited goal=expansion"


def test_the_answer_names_the_method_its_reasons_swot_and_metrics(console):
    reply = console(ONE_LINE)
    assert "Recommended: KPI" in reply and "Runner-up: OKR" in reply
    assert "At your size" in reply and "expand fast" in reply  # both pulls are explained
    assert "The trade-off" in reply and "being small points to KPI" in reply
    assert "SWOT for KPI" in reply and "Threats" in reply and "SWOT for OKR" in reply
    assert "Metrics to start with" in reply and "Sales growth rate" in reply
    assert "/advise apply 1" in reply


def test_chinese_form_gives_the_same_advice_in_chinese(console):
    console("/perf settings language=zh")
    reply = console("/advise 规模=12 业务=产品 资源=有限 目标=扩张")
    assert "推荐方法：KPI" in reply and "SWOT" in reply


@pytest.mark.parametrize("answers, method", [
    ("size=500 business=service resources=ample goal=stability data=yes", "BSC"),
    ("size=60 business=product resources=moderate goal=expansion pay=no", "OKR"),
    ("size=12 business=mixed resources=limited goal=stability", "KPI"),
])
def test_pinned_cases(console, answers, method):
    assert f"Recommended: {method}" in console(f"/advise {answers}")


def test_apply_creates_the_starter_kit_once(console, engine):
    console(ONE_LINE)
    applied = console("/advise apply")
    assert "5 items created" in applied and "K1" in applied
    counts = table_counts(engine)
    again = console("/advise apply 1")
    assert "already set up" in again and table_counts(engine)["kpi"] == counts["kpi"] == 5
    kpis = console("/kpi list")
    assert "target to be set" in kpis
    scorecard = console("/scorecard")
    assert "weights sum to" not in scorecard  # the kit's weights add up to 100%


def test_an_okr_kit_makes_an_objective_with_key_results_to_fill(console):
    console("/advise size=60 business=product resources=moderate goal=expansion pay=no")
    console("/advise apply")
    listing = console("/okr list")
    assert "O1" in listing and "KR1.1" in listing and "target to be set" in listing
    assert "no target yet" in console("/checkin KR1.1 3")


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
