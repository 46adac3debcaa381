"""The method advisor: the shipped rules give the domain's advice, and nothing reaches a user untranslated."""

from __future__ import annotations

import itertools
import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import advisor_input, starter_kit as kit_module
from bot.domain.advisor import (
    METHODS,
    TRADEOFF_MARGIN,
    Answers,
    RuleFileError,
    default_rules_path,
    load_rules,
    message_keys,
    recommend,
)
from bot.domain.advisor_input import ENUMS, FIELDS, parse_answers
from bot.domain.errors import UserError
from bot.domain.starter_kit import PERSPECTIVES, starter_kit

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {lang: ROOT / "templates" / "i18n" / lang / "advisor.toml" for lang in ("en", "zh-CN")}


@pytest.fixture(scope="module")
def table():
    return load_rules()


def advise(table, **answers):
    return recommend(Answers(**answers), table)


def reasons(rec) -> set[str]:
    return {f.reason for f in rec.fired}


def all_answers():
    sizes, teams, flags = (12, 100, 500), (None, 4, 40), (None, True, False)
    for size, team, business, resources, goal, data, pay in itertools.product(
        sizes, teams, *ENUMS.values(), flags, flags
    ):
        if team is None or team <= size:
            yield Answers(size, business, resources, goal, team, data, pay)


# --- the shipped advice ---------------------------------------------------------------


def test_shipped_table_is_found_next_to_the_package(table):
    assert default_rules_path().is_file()
    assert table.source.endswith("rules.toml") and len(table.rules) >= 15


def test_small_company_with_limited_resources_gets_kpi(table):
    rec = advise(table, size=12, business="product", resources="limited", goal="growth")
    assert rec.method == "KPI" and not rec.hybrid
    assert {"advisor.reason.small_company", "advisor.reason.limited_resources"} <= reasons(rec)


def test_large_company_with_ample_resources_gets_bsc(table):
    rec = advise(table, size=500, business="product", resources="ample", goal="growth")
    assert rec.primary == "BSC"
    assert {"advisor.reason.ample_resources", "advisor.reason.large_and_ample"} <= reasons(rec)


def test_service_business_lifts_bsc_through_the_customer_perspective(table):
    common = dict(size=100, resources="ample", goal="growth")
    service, product = advise(table, business="service", **common), advise(table, business="product", **common)
    assert service.scores["BSC"] > product.scores["BSC"]
    assert service.ranking.index("BSC") < product.ranking.index("BSC")
    assert service.primary == "BSC" and product.primary != "BSC"
    assert "advisor.reason.service_customer_perspective" in reasons(service)
    assert "advisor.metric.satisfaction" in service.starter_metrics


def test_product_business_gets_kpi_or_okr_for_sales_growth(table):
    for goal in ENUMS["goal"]:
        rec = advise(table, size=30, business="product", resources="moderate", goal=goal)
        assert rec.primary in ("KPI", "OKR")
        assert "advisor.reason.product_sales_growth" in reasons(rec)
        assert "advisor.metric.sales_growth" in rec.starter_metrics


def test_expansion_goal_gets_okr(table):
    rec = advise(table, size=100, business="product", resources="ample", goal="expansion")
    assert rec.method == "OKR"
    assert "advisor.reason.expansion_goal" in reasons(rec)
    assert "advisor.metric.market_share" in rec.starter_metrics


def test_small_company_in_rapid_expansion_names_the_tension(table):
    rec = advise(table, size=12, business="product", resources="limited", goal="expansion")
    assert {rec.primary, rec.secondary} == {"KPI", "OKR"}
    assert rec.scores[rec.primary] - rec.scores[rec.secondary] <= TRADEOFF_MARGIN
    assert rec.tradeoff == "advisor.tradeoff.small_but_expanding"
    assert {"advisor.reason.small_company", "advisor.reason.expansion_goal"} <= reasons(rec)
    assert "advisor.reason.small_company" in rec.tradeoff_sides["KPI"]
    assert "advisor.reason.expansion_goal" in rec.tradeoff_sides["OKR"]
    assert rec.swot["KPI"].threats[0] == "advisor.swot.kpi.threats.outgrow_fast"


def test_a_near_tie_recommends_both_methods(table):
    rec = advise(table, size=12, business="product", resources="moderate", goal="expansion")
    assert rec.hybrid and rec.method == "KPI+OKR"
    assert rec.hybrid_reason == "advisor.hybrid.kpi_okr"
    assert rec.tradeoff == "advisor.tradeoff.small_but_expanding"
    assert {p.method for p in starter_kit(rec).parts} == {"KPI", "OKR"}


def test_pay_linked_favours_kpi_and_mbo_over_okr(table):
    common = dict(size=100, business="mixed", resources="moderate", goal="innovation")
    free, paid = advise(table, **common), advise(table, pay_linked=True, **common)
    assert paid.scores["OKR"] < free.scores["OKR"] and paid.scores["KPI"] > free.scores["KPI"]
    assert "advisor.reason.pay_linked" in reasons(paid)


def test_missing_data_penalises_bsc(table):
    common = dict(size=500, business="service", resources="ample", goal="stability")
    assert advise(table, data_maturity=False, **common).scores["BSC"] < advise(table, **common).scores["BSC"]


def test_every_answer_value_fires_a_reason(table):
    for field, values in ENUMS.items():
        for value in values:
            base = dict(size=100, business="mixed", resources="moderate", goal="growth") | {field: value}
            fired = [f for f in advise(table, **base).fired if any(c.field == field for c in _rule(table, f.rule_id).conditions)]
            assert fired, f"no rule explains {field}={value}"


def _rule(table, rule_id):
    return next(r for r in table.rules if r.id == rule_id)


def test_ties_break_toward_the_simpler_method(tmp_path):
    path = tmp_path / "flat.toml"
    path.write_text('[[rule]]\nid = "all"\nwhen = {}\nscores = { BSC = 2, OKR = 2, MBO = 2, KPI = 2 }\nreason = "x"\n')
    rec = recommend(Answers(10, "product", "limited", "growth"), load_rules(path))
    assert rec.ranking == METHODS and rec.method == "KPI+OKR"


def test_nothing_fired_is_not_a_hybrid(tmp_path):
    path = tmp_path / "none.toml"
    path.write_text('[[rule]]\nid = "never"\nwhen = { goal = "innovation" }\nscores = { OKR = 1 }\nreason = "x"\n')
    rec = recommend(Answers(10, "product", "limited", "growth"), load_rules(path))
    assert rec.method == "KPI" and not rec.hybrid and rec.fired == () and rec.tradeoff is None


# --- broken rule files ----------------------------------------------------------------

GOOD = '[[rule]]\nid = "fine"\nwhen = { business = "product" }\nscores = { KPI = 1 }\nreason = "fine"\n\n'


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ('id = "typo"\nwhen = {}\nscores = { KPX = 2 }\nreason = "r"', "unknown method 'KPX'"),
        ('id = "typo"\nwhen = { sise = { max = 5 } }\nscores = { KPI = 2 }\nreason = "r"', "unknown answer field 'sise'"),
        ('id = "typo"\nwhen = { size = 50 }\nscores = { KPI = 2 }\nreason = "r"', "malformed condition for size"),
        ('id = "typo"\nwhen = { size = { below = 50 } }\nscores = { KPI = 2 }\nreason = "r"', "malformed condition for size"),
        ('id = "typo"\nwhen = { size = { min = 90, max = 10 } }\nscores = { KPI = 2 }\nreason = "r"', "min 90 is above max 10"),
        ('id = "typo"\nwhen = {}\nscores = { KPI = "2" }\nreason = "r"', "wrong type for the KPI score"),
        ('id = "typo"\nwhen = { pay_linked = "yes" }\nscores = { KPI = 2 }\nreason = "r"', "wrong type for pay_linked"),
        ('id = "typo"\nwhen = { business = 3 }\nscores = { KPI = 2 }\nreason = "r"', "wrong type for business"),
        ('id = "typo"\nwhen = { goal = ["growth", "conquest"] }\nscores = { OKR = 2 }\nreason = "r"', "unknown value 'conquest' for goal"),
        ('id = "typo"\nwhen = {}\nscores = { KPI = 2 }', "missing reason"),
        ('id = "typo"\nwhen = {}\nscores = { KPI = 2 }\nreason = "Two Words"', "malformed reason"),
        ('id = "typo"\nwhen = {}\nscores = { KPI = 2 }\nreason = "r"\nwhy = "x"', "unknown key 'why'"),
        ('id = "fine"\nwhen = {}\nscores = { KPI = 2 }\nreason = "r"', "duplicate id"),
    ],
)
def test_broken_rule_files_are_refused_with_file_rule_and_problem(tmp_path, rule, problem):
    path = tmp_path / "broken_rules.toml"
    path.write_text(GOOD + "[[rule]]\n" + rule + "\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    message = str(caught.value)
    rule_id = "fine" if "duplicate" in problem else "typo"
    assert "broken_rules.toml" in message and f'"{rule_id}"' in message and "#2" in message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[rule]]\nid = ", "not valid TOML"),
        ("", "no rules"),
        (GOOD + "[[tradeoff]]\nrules = [\"fine\", \"ghost\"]\nmessage = \"m\"\n", "unknown rule id 'ghost'"),
        (GOOD + "[settings]\nx = 1\n", "unknown section 'settings'"),
    ],
)
def test_broken_files_name_the_file_and_problem(tmp_path, text, problem):
    path = tmp_path / "broken_rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match=problem) as caught:
        load_rules(path)
    assert "broken_rules.toml" in str(caught.value)


def test_a_missing_rule_file_is_a_rule_file_error(tmp_path):
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rules(tmp_path / "nowhere.toml")


# --- the one-line form ----------------------------------------------------------------


def test_english_and_chinese_forms_give_the_same_answers():
    english = parse_answers("size=15 business=product resources=limited goal=expansion marketing=4 data=yes pay=no")
    chinese = parse_answers("规模=15 业务=产品 资源=有限 目标=扩张 营销人数=4 数据=有 薪酬=否")
    full_width = parse_answers("规模＝１５　业务＝产品，资源：有限 目标 = 抢占市场 营销人数=４人 数据=是 薪酬=否")
    assert english == chinese == full_width == Answers(15, "product", "limited", "expansion", 4, True, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("size=200 business=service resources=ample goal=market-share", ("service", "ample", "expansion")),
        ("Size=200 Business=Mixed Resources=Moderate Goal=Steady-Growth", ("mixed", "moderate", "growth")),
        ("规模=200 业务=混合 资源=适中 目标=稳步增长", ("mixed", "moderate", "growth")),
        ("规模=200 业务=服务 资源=充足 目标=稳定", ("service", "ample", "stability")),
        ("规模=200 业务=产品 资源=有限 目标=创新", ("product", "limited", "innovation")),
    ],
)
def test_synonyms(text, expected):
    answers = parse_answers(text)
    assert (answers.business, answers.resources, answers.goal) == expected
    assert answers.marketing_size is answers.data_maturity is answers.pay_linked is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "advisor.error.empty"),
        ("size=15 business=product resources=limited", "advisor.error.missing.goal"),
        ("business=product", "advisor.error.missing.size"),
        ("size=15 colour=blue", "advisor.error.unknown_field"),
        ("size=15 business=product resources=limited goal=expansion extra", "advisor.error.malformed"),
        ("size=0 business=product resources=limited goal=growth", "advisor.error.bad_number.size"),
        ("size=-3 business=product resources=limited goal=growth", "advisor.error.bad_number.size"),
        ("size=1.5 business=product resources=limited goal=growth", "advisor.error.bad_number.size"),
        ("size=十五 business=product resources=limited goal=growth", "advisor.error.bad_number.size"),
        ("size=99999999999 business=product resources=limited goal=growth", "advisor.error.bad_number.size"),
        ("size=15 marketing=x business=product resources=limited goal=growth", "advisor.error.bad_number.marketing_size"),
        ("size=15 business=software resources=limited goal=growth", "advisor.error.unknown_value.business"),
        ("size=15 business=product resources=huge goal=growth", "advisor.error.unknown_value.resources"),
        ("size=15 business=product resources=limited goal=world", "advisor.error.unknown_value.goal"),
        ("size=15 business=product resources=limited goal=growth data=maybe", "advisor.error.unknown_value.data_maturity"),
        ("size=15 business=product resources=limited goal=growth pay=sometimes", "advisor.error.unknown_value.pay_linked"),
        ("size=15 规模=16 business=product resources=limited goal=growth", "advisor.error.duplicate_field"),
        ("size=15 marketing=40 business=product resources=limited goal=growth", "advisor.error.marketing_exceeds_size"),
    ],
)
def test_bad_input_raises_user_error_with_the_right_key(text, key):
    with pytest.raises(UserError) as caught:
        parse_answers(text)
    assert caught.value.key == key


def test_answers_built_directly_are_checked_too():
    with pytest.raises(UserError) as caught:
        Answers(15, "product", "limited", "conquest")
    assert caught.value.key == "advisor.error.unknown_value.goal"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_answers_only_ever_raises_user_error(text):
    try:
        parse_answers(text)
    except UserError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(advisor_input.FIELD_ALIASES)), st.text(max_size=12)), max_size=8))
def test_parse_answers_on_form_shaped_text_only_raises_user_error(pairs):
    try:
        parse_answers(" ".join(f"{k}={v}" for k, v in pairs))
    except UserError:
        pass


# --- catalogs -------------------------------------------------------------------------


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def catalogs():
    return {lang: _flatten(tomllib.loads(path.read_text(encoding="utf-8"))) for lang, path in CATALOGS.items()}


def _needed_keys(table) -> set[str]:
    return set(message_keys(table)) | set(advisor_input.message_keys()) | set(kit_module.message_keys())


def test_catalogs_have_identical_keys_and_placeholders(catalogs):
    en, zh = catalogs["en"], catalogs["zh-CN"]
    assert set(en) == set(zh)
    for key in en:
        assert isinstance(en[key], str) and en[key].strip() and zh[key].strip(), key
        assert _placeholders(en[key]) == _placeholders(zh[key]), key


def test_catalogs_cover_every_key_and_carry_no_orphans(catalogs, table):
    needed = _needed_keys(table)
    assert needed - set(catalogs["en"]) == set()
    assert set(catalogs["en"]) - needed == set()


def test_every_key_a_recommendation_or_kit_produces_is_declared(table):
    needed = _needed_keys(table)
    for answers in all_answers():
        rec = recommend(answers, table)
        produced = {f.reason for f in rec.fired} | set(rec.starter_metrics)
        produced |= {k for k in (rec.tradeoff, rec.hybrid_reason) if k}
        produced |= {k for s in rec.swot.values() for quad in (s.strengths, s.weaknesses, s.opportunities, s.threats) for k in quad}
        for part in starter_kit(rec).parts:
            produced |= {k.name_key for k in part.kpis} | {f"advisor.perspective.{k.perspective}" for k in part.kpis}
            produced |= {o.title_key for o in part.objectives} | {kr for o in part.objectives for kr in o.key_results}
        assert produced <= needed, (answers, produced - needed)


def test_error_keys_carry_the_placeholders_their_callers_pass(catalogs):
    en = catalogs["en"]
    assert _placeholders(en["advisor.error.marketing_exceeds_size"]) == {"marketing", "size"}
    assert _placeholders(en["advisor.error.malformed"]) == {"item"}
    for name in (*ENUMS, "data_maturity", "pay_linked"):
        assert _placeholders(en[f"advisor.error.unknown_value.{name}"]) == {"value"}
    for spec in FIELDS.values():
        assert spec.label_key in en and all(spec.value_key(v) in en for v in spec.values)


# --- starter kits ---------------------------------------------------------------------


def test_starter_kits_are_well_formed_for_every_answer(table):
    for answers in all_answers():
        rec = recommend(answers, table)
        kit = starter_kit(rec)
        assert kit.method == rec.method
        assert [p.method for p in kit.parts] == ([rec.primary, rec.secondary] if rec.hybrid else [rec.primary])
        for part in kit.parts:
            if part.method in ("KPI", "BSC"):
                assert sum(k.weight for k in part.kpis) == 100
                assert all(k.target is None and k.weight > 0 for k in part.kpis)
            if part.method == "KPI":
                assert 3 <= len(part.kpis) <= 5
            if part.method == "BSC":
                assert sorted(k.perspective for k in part.kpis) == sorted(PERSPECTIVES)
            if part.method == "OKR":
                assert len(part.objectives) == 1 and len(part.objectives[0].key_results) == 3
            if part.method == "MBO":
                assert len(part.objectives) == 2
                assert all(o.review_at_period_end and o.owner is None for o in part.objectives)


def test_churn_is_lower_is_better_and_service_bsc_weights_customers_most(table):
    rec = advise(table, size=500, business="service", resources="ample", goal="stability")
    assert rec.primary == "BSC"
    bsc = starter_kit(rec).parts[0]
    heaviest = max(bsc.kpis, key=lambda k: k.weight)
    assert heaviest.perspective == "customer" and heaviest.name_key == "advisor.metric.satisfaction"
    kpi = starter_kit(advise(table, size=12, business="service", resources="limited", goal="stability")).parts[0]
    churn = next(k for k in kpi.kpis if k.name_key == "advisor.metric.churn_rate")
    assert churn.direction == "lower" and churn.unit == "percent"


def test_kpi_plus_okr_puts_the_brand_in_the_okr(tmp_path):
    path = tmp_path / "tie.toml"
    path.write_text('[[rule]]\nid = "tie"\nwhen = {}\nscores = { KPI = 3, OKR = 3 }\nreason = "x"\n')
    rec = recommend(Answers(40, "product", "moderate", "growth"), load_rules(path))
    kit = starter_kit(rec)
    assert rec.method == "KPI+OKR" and [p.method for p in kit.parts] == ["KPI", "OKR"]
    assert kit.parts[1].objectives[0].title_key == "advisor.kit.okr.raise_awareness"
    alone = recommend(Answers(40, "product", "moderate", "expansion"), load_rules(path))
    assert starter_kit(alone).parts[1].objectives[0].title_key == "advisor.kit.okr.grab_market_share"
