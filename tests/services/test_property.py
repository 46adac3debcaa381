"""Random text, Unicode included, never raises and never writes."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.errors import UserError
from bot.domain.parsing import parse_command
from bot.services.context import Actor
from bot.services.dispatch import run_command
from support.db import table_counts

COMMANDS = st.sampled_from(["/perf", "/okr", "/kpi", "/checkin", "/scorecard", "/advise", "/digest", "/nope"])
WORDS = st.sampled_from(["add", "kr", "list", "edit", "archive", "show", "O1", "KR1.1", "K1", "target=", "weight=", "start=",
                         "target=12", "weight=140%", "period=", "@", "<@U1|x>", "<!channel>", "有风险", "目标=", "＝", "%", "12k", "-", "=", "\u200b"])
TEXT = st.lists(st.one_of(st.text(max_size=12), WORDS), max_size=8).map(" ".join)


@settings(max_examples=1500, deadline=None)
@given(command=COMMANDS, text=TEXT)
def test_the_parser_raises_nothing_but_user_errors(command, text):
    try:
        parse_command(command, text)
    except UserError:
        pass


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=COMMANDS, text=TEXT.filter(lambda t: not t.strip().lower().startswith(("add", "kr", "role", "settings", "okr", "kpi"))))
def test_random_commands_answer_and_write_nothing(runtime, command, text):
    actor = Actor("T-prop", "owner", "owner")
    engine = runtime.engine
    run_command(runtime, actor, "/okr", "add Seed objective")
    before = table_counts(engine)
    outcome = run_command(runtime, actor, command, text)
    assert outcome.error is None or outcome.error.key != "error.internal", (command, text)
    if outcome.error is not None:
        assert table_counts(engine) == before, (command, text)
